"""REST API of findings. Its urlpatterns are mounted under /api/ by supervision/api.py."""

urlpatterns = []
