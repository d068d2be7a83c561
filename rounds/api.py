"""REST API of rounds. Its urlpatterns are mounted under /api/ by supervision/api.py."""

urlpatterns = []
