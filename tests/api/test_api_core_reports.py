"""The station report through the API: drafted by the team, submitted, approved or returned by the station's own
leader, then by the commission, through findings.services.report (its one transition table): each move an
ApprovalEvent and an AuditEvent. Those who see the station but have no part in its work (an administrator, the
commission's leaders) read it and get the page's 404 on every write; those who do not see the station get a 404
everywhere; a move the user may not make is the service's 400 with its Chinese message, as on the page."""

from datetime import date
from decimal import Decimal

import pytest

from findings.models import ApprovalEvent, ReportState, StationReport
from findings.services.findings import finding_confirm
from rounds.models import Station, StationState
from tests.helpers import audit_actions, last_audit_id

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings"]
pytestmark = pytest.mark.usefixtures("zh_hans")

DRAFT = {"overall": "村“两委”班子能落实村务公开。", "suggestions": "建立补贴发放复核机制。"}


@pytest.fixture
def report(api, findings_world, findings_make):
    """Station A's report, drafted by the member, with one confirmed sheet among its main problems."""
    finding = findings_make()
    finding_confirm(actor=findings_world.users["leader"], finding=finding)
    findings_make(title="未确认的问题")  # a draft sheet: not in the report
    response = api("member").post("/api/reports/", {"station": findings_world.stations["A"].pk, **DRAFT},
                                  format="json")
    assert response.status_code == 201, response.content
    return StationReport.objects.get(pk=response.json()["id"])


def post(client, report, move, body=None):
    return client.post(f"/api/reports/{report.pk}/{move}/", body or {}, format="json")


def test_the_team_drafts_the_report(api, findings_world, report):
    body = api("member").get(f"/api/reports/{report.pk}/").json()
    assert (body["state"], body["state_display"], body["overall"]) == ("draft", "起草中", DRAFT["overall"])
    assert body["main_problems"] == "1.退耕还林补贴未足额发放（底稿{}，涉及金额3,600.00元）\n以上共1个问题，涉及金额合计3,600.00元。".format(
        findings_world.stations["A"].findings.get(title="退耕还林补贴未足额发放").number)
    assert report.drafted_by == findings_world.users["member"]
    # Posting again saves into the same draft (200), and a PATCH changes only what it names.
    since = last_audit_id()
    response = api("leader").post("/api/reports/", {"station": report.station_id, "overall": "修改后的评价"},
                                  format="json")
    assert response.status_code == 200 and response.json()["id"] == report.pk
    response = api("member").patch(f"/api/reports/{report.pk}/", {"suggestions": "新的建议"}, format="json")
    assert response.status_code == 200
    report.refresh_from_db()
    assert (report.overall, report.suggestions) == ("修改后的评价", "新的建议")
    assert audit_actions(since) == ["report.save", "report.save"]
    assert StationReport.objects.count() == 1


def test_the_two_level_approval(api, findings_world, report):
    since = last_audit_id()
    response = post(api("member"), report, "submit")
    assert response.status_code == 200 and response.json()["state"] == ReportState.SUBMITTED
    response = post(api("leader"), report, "approve", {"comment": "同意"})
    assert response.status_code == 200 and response.json()["state"] == ReportState.LEADER_APPROVED
    response = post(api("commission"), report, "approve")
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["state_display"]) == ("approved", "已审定") and body["approved_at"]
    assert [(e["action"], e["actor_name"], e["comment"]) for e in body["events"]] == [
        ("submit", "柯国强", ""), ("leader_approve", "但建华", "同意"), ("commission_approve", "u_commission姓名", "")]
    assert audit_actions(since) == ["report.submit", "report.leader_approve", "report.commission_approve"]
    response = api("member").patch(f"/api/reports/{report.pk}/", {"overall": "x"}, format="json")
    assert response.status_code == 400 and response.json() == {"detail": ["报告已提交审核，不能修改；退回后才能修改"]}


def test_returns_need_a_comment_and_go_back_to_draft(api, report):
    post(api("member"), report, "submit")
    response = post(api("leader"), report, "return")
    assert response.status_code == 400 and response.json() == {"detail": ["退回修改须填写意见"]}
    response = post(api("leader"), report, "return", {"comment": "补充走访情况"})
    assert response.status_code == 200 and response.json()["state"] == ReportState.DRAFT
    post(api("member"), report, "submit")
    post(api("leader"), report, "approve")
    response = post(api("commission"), report, "return", {"comment": "问题定性不准"})
    assert response.status_code == 200 and response.json()["state"] == ReportState.DRAFT
    assert list(ApprovalEvent.objects.filter(report=report).values_list("action", "comment")) == [
        ("submit", ""), ("leader_return", "补充走访情况"), ("submit", ""), ("leader_approve", ""),
        ("commission_return", "问题定性不准")]


def test_moves_the_user_may_not_make_are_refused_with_the_reason(api, report):
    response = post(api("leader"), report, "approve")
    assert response.status_code == 400
    assert response.json() == {"detail": ["报告当前为“起草中”，不能执行“组长审核通过”"]}
    post(api("member"), report, "submit")
    for role in ("member", "commission"):  # the first level is the station's own leader's
        response = post(api(role), report, "approve")
        assert response.status_code == 400, role
        assert response.json() == {"detail": ["您无权执行“组长审核通过”"]}
    post(api("leader"), report, "approve")
    response = post(api("leader"), report, "approve")
    assert response.json() == {"detail": ["您无权执行“审定报告”"]}
    report.refresh_from_db()
    assert report.state == ReportState.LEADER_APPROVED


def test_submit_needs_both_texts(api, findings_world):
    response = api("member").post("/api/reports/", {"station": findings_world.stations["A"].pk,
                                                    "overall": "总体评价"}, format="json")
    report = StationReport.objects.get(pk=response.json()["id"])
    response = post(api("member"), report, "submit")
    assert response.status_code == 400 and response.json() == {"detail": ["请先填写意见建议再提交"]}
    assert StationReport.objects.get(pk=report.pk).state == ReportState.DRAFT


def test_no_report_before_the_team_enters(api, findings_world):
    station = findings_world.stations["A"]
    Station.objects.filter(pk=station.pk).update(state=StationState.TRAINING)
    response = api("member").post("/api/reports/", {"station": station.pk, **DRAFT}, format="json")
    assert response.status_code == 400 and response.json() == {"detail": ["驻点进驻后才能起草报告"]}
    assert not StationReport.objects.exists()  # nothing half-made


def test_a_refused_first_draft_leaves_no_report(api, findings_world):
    response = api("member").post("/api/reports/", {"station": findings_world.stations["A"].pk,
                                                    "overall": "长" * 20001}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"overall"}
    assert not StationReport.objects.exists()


@pytest.mark.parametrize("role", ["admin", "commission_leader"])
def test_readers_off_the_team_read_but_do_not_act(api, report, role):
    client = api(role)
    assert client.get(f"/api/reports/{report.pk}/").status_code == 200
    assert report.pk in {row["id"] for row in client.get("/api/reports/").json()["results"]}
    for move in ("submit", "approve", "return"):
        assert post(client, report, move, {"comment": "x"}).status_code == 404, move
    assert client.patch(f"/api/reports/{report.pk}/", {"overall": "x"}, format="json").status_code == 404
    assert client.post("/api/reports/", {"station": report.station_id, **DRAFT}, format="json").status_code == 404
    report.refresh_from_db()
    assert (report.state, report.overall) == (ReportState.DRAFT, DRAFT["overall"])


@pytest.mark.parametrize("role", ["other_team", "liaison", "target_liaison", "case_office", "outsider"])
def test_the_report_is_hidden_from_everyone_else(api, report, role):
    client = api(role)
    assert client.get(f"/api/reports/{report.pk}/").status_code == 404
    assert client.get("/api/reports/", {"station": report.station_id}).json()["results"] == []
    for move in ("submit", "approve", "return"):
        assert post(client, report, move, {"comment": "x"}).status_code == 404, move
    assert client.patch(f"/api/reports/{report.pk}/", {"overall": "x"}, format="json").status_code == 404
    assert client.post("/api/reports/", {"station": report.station_id, **DRAFT}, format="json").status_code == 400
    report.refresh_from_db()
    assert (report.state, report.overall) == (ReportState.DRAFT, DRAFT["overall"])


def test_the_list_filters_and_stays_within_budget(api, client, findings_world, findings_make, within_budget):
    world = findings_world
    for key in ("A", "B"):
        actor = world.users["member"] if key == "A" else world.users["other_team"]
        findings_make(station=world.stations[key], actor=actor, found_on=date(2026, 3, 5), amount=Decimal("10"))
        created = api("commission").post("/api/reports/", {"station": world.stations[key].pk, **DRAFT},
                                                format="json")
        assert created.status_code == 201
    report_a = StationReport.objects.get(station=world.stations["A"])
    post(api("member"), report_a, "submit")
    commission = api("commission")
    assert [r["id"] for r in commission.get("/api/reports/", {"state": "submitted"}).json()["results"]] == [report_a.pk]
    assert len(commission.get("/api/reports/").json()["results"]) == 2
    client.force_login(world.users["commission"])
    within_budget(client, "/api/reports/", 6)
