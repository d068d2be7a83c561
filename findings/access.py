"""Access choke points for problem sheets, evidence and reports: they follow their station. Anything the
user may not see is a 404."""

from django.shortcuts import get_object_or_404

from rounds.access import station_for_user

from .models import Evidence, Finding, StationReport


def finding_for_user(user, pk, action: str = "view") -> Finding:
    finding = get_object_or_404(Finding.objects.select_related("station", "responsible_unit", "found_by"), pk=pk)
    station_for_user(user, finding.station_id, action)
    return finding


def evidence_for_user(user, pk, action: str = "view") -> Evidence:
    evidence = get_object_or_404(Evidence, pk=pk)
    station_for_user(user, evidence.station_id, action)
    return evidence


def report_for_user(user, station_pk, action: str = "view") -> StationReport | None:
    station = station_for_user(user, station_pk, action)
    return StationReport.objects.filter(station=station).first()
