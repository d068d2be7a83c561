"""Views of findings: findings. Each module owns its urlpatterns; findings/urls.py joins them."""

urlpatterns = []
