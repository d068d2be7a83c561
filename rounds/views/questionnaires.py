"""Views of rounds: questionnaires. Each module owns its urlpatterns; rounds/urls.py joins them."""

urlpatterns = []
