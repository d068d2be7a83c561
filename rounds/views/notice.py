"""Views of rounds: notice. Each module owns its urlpatterns; rounds/urls.py joins them."""

urlpatterns = []
