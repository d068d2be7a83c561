from .views import campaigns, dispositions, findings, leads, ledgers, overview, recommendations, report

urlpatterns = [
    *findings.urlpatterns,
    *report.urlpatterns,
    *leads.urlpatterns,
    *dispositions.urlpatterns,
    *recommendations.urlpatterns,
    *campaigns.urlpatterns,
    *overview.urlpatterns,
    *ledgers.urlpatterns,
]
