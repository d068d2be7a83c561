"""A finding of the permission matrix (fixed in findings/views/report.py): the report's action route read the form
before asking whether the user works on the station, so a mere viewer of the station (an administrator, a
commission leader) who posted an empty or malformed action was sent back with "请选择要执行的操作" (302) instead of
getting the 404 a role-forbidden action gets."""

import pytest
from django.urls import reverse

from findings.models import StationReport
from supervision.models import AuditEvent

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings"]
pytestmark = pytest.mark.usefixtures("zh_hans")


@pytest.mark.parametrize("role", ["admin", "commission_leader", "other_team"])
@pytest.mark.parametrize("data", [{}, {"action": "no-such-action"}, {"action": "submit"}])
def test_who_does_not_work_on_the_station_gets_a_404_whatever_the_form(client, findings_world, role, data):
    station = findings_world.stations["A"]
    client.force_login(findings_world.users[role])
    response = client.post(reverse("station_report_action", args=[station.pk]), data)
    assert response.status_code == 404
    assert not StationReport.objects.filter(station=station).exists()
    assert not AuditEvent.objects.filter(action__startswith="report.").exists()


@pytest.mark.parametrize("role", ["member", "leader", "commission"])
def test_the_team_and_the_planners_are_still_told_what_to_fill_in(client, findings_world, role):
    station = findings_world.stations["A"]
    client.force_login(findings_world.users[role])
    response = client.post(reverse("station_report_action", args=[station.pk]), {}, follow=True)
    assert response.redirect_chain == [(reverse("station_report", args=[station.pk]), 302)]
    assert "请选择要执行的操作" in response.content.decode()
