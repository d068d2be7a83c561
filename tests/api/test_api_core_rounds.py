"""The rounds API's new routes: batch creation, rounds, training and attendance, recusal declarations and training
exemptions, the supervision notice and a station's checklist. Each write: the role the page allows succeeds through
the same service (state, audit event); a role that may not see the object, or may see but not act, gets the pages'
404; a service's refusal is a 400 with its Chinese message."""

from datetime import date

import pytest

from rounds.models import Batch, Round, Station, StationCheck, StationMember, StationState, TrainingSession
from supervision.models import AuditEvent
from tests.factories import VillageFactory
from tests.helpers import audit_actions, last_audit_id
from tests.helpers import result_ids as ids

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings"]
pytestmark = pytest.mark.usefixtures("zh_hans")


def member_of(world, name) -> StationMember:
    return StationMember.objects.get(station=world.stations["A"], person=world.people[name])


# --- batches and rounds -------------------------------------------------------------------------------------------


def batch_body(world, **extra) -> dict:
    return {"name": "第二批巡回驻点", "year": 2026, "organiser": world.town.pk, "formula": world.formula.pk,
            "targets": [world.villages["程家湾村"].pk], "targets_parent": None, "rounds": 2,
            "first_start": "2026-05-04", "days": 5, "gap_days": 2, "focus_themes": ["land", "projects"], **extra}


def test_commission_creates_a_batch_with_its_rounds(api, rounds_world):
    world = rounds_world
    since = last_audit_id()
    response = api("commission").post("/api/batches/", batch_body(world, targets_parent=world.town.pk), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    batch = Batch.objects.get(pk=body["id"])
    # The township's five villages join the one picked, as on the page.
    assert set(batch.targets.values_list("name", flat=True)) == set(world.villages)
    assert [(r["number"], r["start_date"], r["end_date"]) for r in body["rounds"]] == [
        (1, "2026-05-04", "2026-05-08"), (2, "2026-05-11", "2026-05-15")]
    assert (body["state"], body["focus_themes"], batch.created_by) == ("draft", ["land", "projects"],
                                                                       world.users["commission"])
    assert audit_actions(since) == ["batch.create"]


def test_batch_refusals_are_400(api, rounds_world):
    world = rounds_world
    client = api("commission")
    response = client.post("/api/batches/", batch_body(world, rounds=3), format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": ["轮次（3）不能多于监督对象数（1）"]}
    response = client.post("/api/batches/", batch_body(world, targets=[]), format="json")
    assert response.json() == {"detail": ["请选择监督对象"]}
    # An organiser must be of the kinds the form offers (a village is not).
    response = client.post("/api/batches/", batch_body(world, organiser=world.villages["五金村"].pk), format="json")
    assert response.status_code == 400 and set(response.json()) == {"organiser"}
    assert Batch.objects.count() == 1


@pytest.mark.parametrize("role", ["admin", "leader", "member", "liaison", "case_office", "outsider"])
def test_only_planners_create_batches(api, rounds_world, role):
    assert api(role).post("/api/batches/", batch_body(rounds_world), format="json").status_code == 404
    assert Batch.objects.count() == 1


def test_rounds_are_read_by_those_who_see_the_batch(api, confirmed_world):
    world = confirmed_world
    round_ids = set(Round.objects.filter(batch=world.batch).values_list("pk", flat=True))
    for role in ("commission", "admin", "commission_leader"):
        client = api(role)
        assert ids(client.get("/api/rounds/")) == round_ids, role
        assert ids(client.get("/api/rounds/", {"batch": world.batch.pk})) == round_ids
    first = Round.objects.get(batch=world.batch, number=1)
    body = api("commission").get(f"/api/rounds/{first.pk}/").json()
    assert (body["batch_name"], body["start_date"]) == ("大箕铺镇测试批次", "2026-03-02")
    assert [(s["target_name"], s["state"]) for s in body["stations"]] == [("水南湾村", "planned")]
    for role in ("leader", "member", "liaison", "outsider"):
        assert ids(api(role).get("/api/rounds/")) == set(), role
        assert api(role).get(f"/api/rounds/{first.pk}/").status_code == 404, role


# --- training -----------------------------------------------------------------------------------------------------


def test_training_and_attendance(api, confirmed_world):
    world = confirmed_world
    client = api("commission")
    since = last_audit_id()
    response = client.post(f"/api/batches/{world.batch.pk}/training/",
                           {"topic": "惠民政策专题", "date": "2026-02-26", "place": "镇会议室"}, format="json")
    assert response.status_code == 201, response.content
    session = TrainingSession.objects.get(pk=response.json()["id"])
    team = [world.people["柯国强"].pk, world.people["但建华"].pk]
    response = client.post(f"/api/training/{session.pk}/attendance/", {"people": team}, format="json")
    assert response.status_code == 200, response.content
    assert [p["name"] for p in response.json()["attendees"]] == ["但建华", "柯国强"]
    assert set(session.attendees.values_list("pk", flat=True)) == set(team)
    response = client.post(f"/api/training/{session.pk}/attendance/", {"people": [world.people["赵永红"].pk]},
                           format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": ["不是本批次驻点成员：赵永红"]}
    assert audit_actions(since) == ["training.create", "training.attendance"]
    # A form without the field would read as "nobody attended": the list is only replaced from JSON.
    response = client.post(f"/api/training/{session.pk}/attendance/", {}, format="multipart")
    assert response.status_code == 415
    assert set(session.attendees.values_list("pk", flat=True)) == set(team)
    listing = api("admin").get(f"/api/batches/{world.batch.pk}/training/").json()
    assert [(s["topic"], len(s["attendees"])) for s in listing] == [("惠民政策专题", 2)]
    assert api("admin").get(f"/api/training/{session.pk}/").json()["place"] == "镇会议室"


@pytest.mark.parametrize("role", ["admin", "leader", "member", "liaison", "outsider"])
def test_training_writes_are_the_planners(api, confirmed_world, role):
    world = confirmed_world
    session = TrainingSession.objects.create(batch=world.batch, topic="培训", date=date(2026, 2, 26))
    client = api(role)
    assert client.post(f"/api/batches/{world.batch.pk}/training/", {"topic": "x", "date": "2026-02-27"},
                       format="json").status_code == 404
    assert client.post(f"/api/training/{session.pk}/attendance/", {"people": []},
                       format="json").status_code == 404
    assert TrainingSession.objects.count() == 1
    if role != "admin":  # the admin reads the batch and its training; the teams do not see batches
        assert client.get(f"/api/training/{session.pk}/").status_code == 404


# --- recusal declarations and training exemptions -----------------------------------------------------------------


def test_a_member_signs_their_own_declaration(api, confirmed_world):
    member = member_of(confirmed_world, "柯国强")
    since = last_audit_id()
    response = api("member").post(f"/api/members/{member.pk}/declare/", {"agree": False}, format="json")
    assert response.status_code == 400
    assert response.json() == {"agree": ["请先勾选“我已阅读并作出以上承诺”"]}
    response = api("member").post(f"/api/members/{member.pk}/declare/", {"agree": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["declared_at"] is not None
    member.refresh_from_db()
    assert member.declared_at is not None
    assert audit_actions(since) == ["station.member_declare"]


def test_nobody_signs_for_someone_else(api, confirmed_world):
    member = member_of(confirmed_world, "柯国强")
    for role in ("leader", "commission"):
        response = api(role).post(f"/api/members/{member.pk}/declare/", {"agree": True}, format="json")
        assert response.status_code == 400, role
        assert response.json() == {"detail": ["回避承诺只能由本人签署"]}
    for role in ("liaison", "case_office", "outsider"):
        assert api(role).post(f"/api/members/{member.pk}/declare/", {"agree": True},
                              format="json").status_code == 404, role
    member.refresh_from_db()
    assert member.declared_at is None


def test_no_declaration_on_a_proposed_station(api, rounds_world):
    member = member_of(rounds_world, "柯国强")
    assert api("member").post(f"/api/members/{member.pk}/declare/", {"agree": True}, format="json").status_code == 404


def test_the_leader_exempts_a_member_from_training(api, confirmed_world):
    member = member_of(confirmed_world, "柯国强")
    since = last_audit_id()
    response = api("leader").post(f"/api/members/{member.pk}/exempt/", {"reason": "  "}, format="json")
    assert response.status_code == 400 and response.json() == {"detail": ["请填写免训理由"]}
    response = api("leader").post(f"/api/members/{member.pk}/exempt/", {"reason": "参加过同类培训"}, format="json")
    assert response.status_code == 200 and response.json()["training_exempt"] is True
    member.refresh_from_db()
    assert (member.training_exempt_reason, member.training_exempted_by) == ("参加过同类培训",
                                                                          confirmed_world.users["leader"])
    assert audit_actions(since) == ["station.member_exempt"]


@pytest.mark.parametrize("role", ["member", "admin", "liaison", "case_office", "outsider"])
def test_exemptions_by_others_are_404(api, confirmed_world, role):
    member = member_of(confirmed_world, "柯国强")
    assert api(role).post(f"/api/members/{member.pk}/exempt/", {"reason": "x"}, format="json").status_code == 404
    member.refresh_from_db()
    assert member.training_exempt_reason == ""


# --- the notice and the checklist of a station ----------------------------------------------------------------------


def test_the_leader_issues_the_notice_once(api, confirmed_world):
    station = confirmed_world.stations["A"]
    since = last_audit_id()
    response = api("leader").post(f"/api/stations/{station.pk}/notice/")
    assert response.status_code == 200, response.content
    number = response.json()["notice_number"]
    assert number.startswith("大箕纪") and number.endswith("号")
    assert api("commission").post(f"/api/stations/{station.pk}/notice/").json()["notice_number"] == number
    assert audit_actions(since) == ["station.notice_issue"]
    for role in ("member", "admin", "liaison", "outsider"):
        assert api(role).post(f"/api/stations/{confirmed_world.stations['B'].pk}/notice/").status_code == 404, role
    assert Station.objects.get(pk=confirmed_world.stations["B"].pk).notice_number == ""


def test_no_notice_for_a_proposal(api, rounds_world):
    response = api("commission").post(f"/api/stations/{rounds_world.stations['A'].pk}/notice/")
    assert response.status_code == 400
    assert response.json() == {"detail": ["方案确认后才能发布监督检查公告"]}


def test_the_team_opens_a_checklist_once(api, findings_world):
    station = findings_world.stations["A"]  # stationed, without a checklist yet
    since = last_audit_id()
    response = api("member").post(f"/api/stations/{station.pk}/checklist/")
    assert response.status_code == 200, response.content
    total = StationCheck.objects.filter(station=station).count()
    assert total > 0 and response.json() == {"created": total, "total": total}
    assert api("leader").post(f"/api/stations/{station.pk}/checklist/").json() == {"created": 0, "total": total}
    assert audit_actions(since) == ["checklist.open"]
    assert AuditEvent.objects.get(action="checklist.open").object_id == str(station.pk)


def test_checklist_refusals(api, findings_world):
    station = findings_world.stations["A"]
    for role in ("admin", "commission_leader", "other_team", "liaison", "outsider"):  # not its team: 404
        assert api(role).post(f"/api/stations/{station.pk}/checklist/").status_code == 404, role
    Station.objects.filter(pk=station.pk).update(state=StationState.TRAINING)
    response = api("member").post(f"/api/stations/{station.pk}/checklist/")
    assert response.status_code == 400
    assert response.json() == {"detail": ["驻点处于“巡前培训”状态，不能记录驻点工作"]}
    assert not StationCheck.objects.exists()


def test_rounds_lists_stay_within_their_query_budget(client, confirmed_world, within_budget):
    world = confirmed_world
    for n in range(3):
        extra = Batch.objects.create(name=f"另一批{n}", year=2026, organiser=world.town, formula=world.formula)
        for number in (1, 2):
            rnd = Round.objects.create(batch=extra, number=number, start_date=date(2026, 6, number),
                                       end_date=date(2026, 6, number + 5))
            Station.objects.create(round=rnd, target=VillageFactory(parent=world.town))
    client.force_login(world.users["commission"])
    assert len(within_budget(client, "/api/rounds/", 6).json()["results"]) == 8
    session = TrainingSession.objects.create(batch=world.batch, topic="培训", date=date(2026, 2, 26))
    session.attendees.set(world.people.values())
    within_budget(client, f"/api/batches/{world.batch.pk}/training/", 7)
