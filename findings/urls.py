from .views import findings, report

urlpatterns = [*findings.urlpatterns, *report.urlpatterns]
