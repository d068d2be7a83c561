"""Views of rounds: fieldwork. Each module owns its urlpatterns; rounds/urls.py joins them."""

urlpatterns = []
