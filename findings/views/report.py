"""Views of findings: report. Each module owns its urlpatterns; findings/urls.py joins them."""

urlpatterns = []
