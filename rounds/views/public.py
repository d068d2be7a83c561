"""Views of rounds: public. Each module owns its urlpatterns; rounds/urls.py joins them."""

urlpatterns = []
