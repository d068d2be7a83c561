"""Station pages: the list ("我的驻点" for team members), the station page, recusal declarations, training
exemptions and lifecycle moves. Who may and who may not (404 for anything not visible), the exact Chinese
refusals, the audit trail and query budgets that do not grow with stations or members."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from rounds.models import Complaint, Station, StationMember, StationState, TrainingSession
from rounds.services.members import DECLARATION_TEXT
from supervision.models import AuditEvent
from tests.helpers import audit_actions, last_audit_id, text

pytest_plugins = ["tests.rounds.fixtures_pages"]

ROLES = ["admin", "commission", "leader", "member", "liaison", "case_office", "outsider"]


def queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def listed(response) -> set[int]:
    return {s.pk for s in response.context["page"].object_list}


def mine(world, role):
    person = world.users[role].person
    return StationMember.objects.get(station=world.stations["A"], person=person)


def set_state(station, state):
    Station.objects.filter(pk=station.pk).update(state=state)
    return Station.objects.get(pk=station.pk)


# --- the list --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("commission", 200), ("leader", 200), ("member", 200),
    ("liaison", 404), ("case_office", 404), ("outsider", 404)])
def test_station_list_access(client_for, pages_confirmed, role, status):
    assert client_for(role).get(reverse("station_list")).status_code == status


def test_planners_see_every_station(client_for, pages_world):
    response = client_for("commission").get(reverse("station_list"))
    assert listed(response) == {s.pk for s in pages_world.stations.values()}
    assert "<h1>驻点</h1>" in text(response)


def test_members_see_only_their_own_confirmed_stations(client_for, pages_confirmed):
    for role in ("leader", "member"):
        response = client_for(role).get(reverse("station_list"))
        assert listed(response) == {pages_confirmed.stations["A"].pk}, role
        assert "<h1>我的驻点</h1>" in text(response)
    assert "业务骨干" in text(client_for("member").get(reverse("station_list")))


def test_members_see_nothing_of_a_proposal(client_for, pages_world):
    response = client_for("leader").get(reverse("station_list"))
    assert listed(response) == set()
    assert "您目前没有驻点任务。" in text(response)
    assert client_for("leader").get(reverse("station_list"), {"state": "proposed"}).context["page"].object_list == []


def test_station_list_search_and_state_filter(client_for, pages_confirmed):
    client = client_for("commission")
    a, c = pages_confirmed.stations["A"], pages_confirmed.stations["C"]
    assert listed(client.get(reverse("station_list"), {"q": a.target.name})) == {a.pk}
    assert listed(client.get(reverse("station_list"), {"q": pages_confirmed.batch.name})) == {
        s.pk for s in pages_confirmed.stations.values()}
    set_state(c, StationState.TRAINING)
    assert listed(client.get(reverse("station_list"), {"state": "training"})) == {c.pk}
    response = client.get(reverse("station_list"), {"q": "没有这个村"})
    assert "没有符合条件的驻点。" in text(response)
    assert client.get(reverse("station_list"), {"state": "bogus"}).status_code == 200


def test_station_list_budget_does_not_grow(client_for, pages_make, within_budget):
    client = client_for("commission")
    pages_make(4, 2)
    small = queries(client, reverse("station_list"))
    pages_make(26, 7)
    assert queries(client, reverse("station_list")) <= small
    within_budget(client, reverse("station_list"), 10)


def test_my_stations_budget(client_for, pages_confirmed, within_budget):
    within_budget(client_for("member"), reverse("station_list"), 10)


# --- the station page --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("commission", 200), ("leader", 200), ("member", 200),
    ("liaison", 404), ("case_office", 404), ("outsider", 404)])
def test_own_station_access(client_for, pages_confirmed, role, status):
    assert client_for(role).get(reverse("station_detail", args=[pages_confirmed.stations["A"].pk])).status_code == status


@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("commission", 200), ("leader", 404), ("member", 404),
    ("liaison", 404), ("case_office", 404), ("outsider", 404)])
def test_another_teams_station_is_404(client_for, pages_confirmed, role, status):
    assert client_for(role).get(reverse("station_detail", args=[pages_confirmed.stations["B"].pk])).status_code == status


@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("commission", 200), ("leader", 404), ("member", 404),
    ("liaison", 404), ("case_office", 404), ("outsider", 404)])
def test_proposed_station_is_404_for_its_members(client_for, pages_world, role, status):
    assert client_for(role).get(reverse("station_detail", args=[pages_world.stations["A"].pk])).status_code == status


def test_unknown_station_is_404(client_for, db):
    assert client_for("commission").get(reverse("station_detail", args=[999999])).status_code == 404


def test_station_page_shows_the_team_by_slot_and_progress(client_for, pages_confirmed):
    station = pages_confirmed.stations["A"]
    response = client_for("leader").get(reverse("station_detail", args=[station.pk]))
    page = text(response)
    assert [slot.label for slot, _members in response.context["team"]] == ["组长", "业务骨干", "村纪检委员"]
    for member in pages_confirmed.members("A"):
        assert member.person.name in page
    assert pages_confirmed.batch.name in page and "2026-03-02 至 2026-03-08" in page
    assert [s["label"] for s in response.context["progress"] if s["current"]] == ["已排定"]
    assert "未签署" in page and "未参训" in page


def test_member_sees_no_planning_or_lead_controls(client_for, pages_confirmed):
    response = client_for("member").get(reverse("station_detail", args=[pages_confirmed.stations["A"].pk]))
    assert response.context["moves"] == []
    page = text(response)
    assert "登记免训" not in page and "/swap/" not in page and "station_transition" not in page
    assert reverse("station_transition", args=[pages_confirmed.stations["A"].pk]) not in page


def test_station_page_budget_does_not_grow(client_for, pages_make, within_budget):
    client = client_for("commission")
    small, big = pages_make(4, 2), pages_make(26, 7)
    n_small = queries(client, reverse("station_detail", args=[small.stations["A"].pk]))
    n_big = queries(client, reverse("station_detail", args=[big.stations["Z"].pk]))
    assert n_big <= n_small, (n_small, n_big)
    within_budget(client, reverse("station_detail", args=[big.stations["Z"].pk]), 16)


def test_station_page_budget_for_a_leader_in_training(client_for, pages_confirmed, within_budget):
    station = set_state(pages_confirmed.stations["A"], StationState.TRAINING)
    response = within_budget(client_for("leader"), reverse("station_detail", args=[station.pk]), 24)
    assert response.context["opening_checks"]  # the pre-entry checklist is shown to the leader


def test_complaints_listed_newest_first_for_those_who_see_the_station(client_for, pages_confirmed):
    station = pages_confirmed.stations["A"]
    first = Complaint.objects.create(station=station, content="村里账目不公开，请核查", receipt="XS0001", source_hash="a")
    second = Complaint.objects.create(station=station, content="低保名单有干部亲属", receipt="XS0002", source_hash="b")
    Complaint.objects.filter(pk=first.pk).update(created_at=second.created_at.replace(year=2025))
    for role in ("commission", "leader", "member"):
        response = client_for(role).get(reverse("station_detail", args=[station.pk]))
        assert [c.receipt for c in response.context["complaints"]] == ["XS0002", "XS0001"], role
        assert text(response).index("低保名单有干部亲属") < text(response).index("村里账目不公开")
    other = client_for("member").get(reverse("station_detail", args=[pages_confirmed.stations["B"].pk]))
    assert other.status_code == 404


def test_notice_and_public_links_when_those_pages_exist(client_for, pages_confirmed):
    station = pages_confirmed.stations["A"]
    page = text(client_for("commission").get(reverse("station_detail", args=[station.pk])))
    try:
        public_url = reverse("public_station", args=[station.public_token])
    except NoReverseMatch:
        public_url = None
    if public_url:
        assert public_url in page
    try:
        issue_url = reverse("station_notice_issue", args=[station.pk])
    except NoReverseMatch:
        issue_url = None
    if issue_url:
        assert issue_url in page  # not issued yet: the leader or planner may issue it
    proposed = client_for("commission").get(reverse("station_detail", args=[pages_confirmed.stations["A"].pk]))
    assert proposed.status_code == 200


# --- recusal declaration -----------------------------------------------------------------------------------------

def test_member_signs_the_recusal_declaration(client_for, pages_confirmed):
    member = mine(pages_confirmed, "member")
    client = client_for("member")
    page = text(client.get(reverse("station_detail", args=[member.station_id])))
    assert str(DECLARATION_TEXT) in page and "签署回避承诺" in page
    assert reverse("member_declare", args=[member.pk]) in page
    before = last_audit_id()
    response = client.post(reverse("member_declare", args=[member.pk]), {"agree": "on"}, follow=True)
    assert "已签署回避承诺" in text(response)
    member.refresh_from_db()
    assert member.declared_at is not None
    assert audit_actions(before) == ["station.member_declare"]
    event = AuditEvent.objects.get(pk__gt=before)
    assert str(DECLARATION_TEXT) in event.changes["declaration"]["after"]
    assert str(DECLARATION_TEXT) not in text(client.get(reverse("station_detail", args=[member.station_id])))


def test_declaration_needs_the_checkbox(client_for, pages_confirmed):
    member = mine(pages_confirmed, "member")
    before = last_audit_id()
    response = client_for("member").post(reverse("member_declare", args=[member.pk]), {}, follow=True)
    assert "请先勾选“我已阅读并作出以上承诺”" in text(response)
    member.refresh_from_db()
    assert member.declared_at is None and audit_actions(before) == []


def test_nobody_signs_for_someone_else(client_for, pages_confirmed):
    member = mine(pages_confirmed, "member")
    before = last_audit_id()
    for role in ("leader", "commission"):
        response = client_for(role).post(reverse("member_declare", args=[member.pk]), {"agree": "on"}, follow=True)
        assert "回避承诺只能由本人签署" in text(response), role
    for role in ("liaison", "outsider", "case_office"):
        assert client_for(role).post(reverse("member_declare", args=[member.pk]), {"agree": "on"}).status_code == 404
    member.refresh_from_db()
    assert member.declared_at is None and audit_actions(before) == []


def test_declaration_on_a_proposed_station_is_404(client_for, pages_world):
    member = mine(pages_world, "member")
    assert client_for("member").post(reverse("member_declare", args=[member.pk]), {"agree": "on"}).status_code == 404


def test_declaration_is_post_only(client_for, pages_confirmed):
    member = mine(pages_confirmed, "member")
    assert client_for("member").get(reverse("member_declare", args=[member.pk])).status_code == 405


# --- training exemption ------------------------------------------------------------------------------------------

def test_leader_records_an_exemption(client_for, pages_confirmed):
    member = mine(pages_confirmed, "member")
    client = client_for("leader")
    assert reverse("member_exempt", args=[member.pk]) in text(
        client.get(reverse("station_detail", args=[member.station_id])))
    before = last_audit_id()
    response = client.post(reverse("member_exempt", args=[member.pk]), {"reason": "参加过同类培训"}, follow=True)
    assert f"已为{member.person.name}登记免训" in text(response)
    member.refresh_from_db()
    assert member.training_exempt_reason == "参加过同类培训"
    assert audit_actions(before) == ["station.member_exempt"]


def test_exemption_needs_a_reason(client_for, pages_confirmed):
    member = mine(pages_confirmed, "member")
    response = client_for("leader").post(reverse("member_exempt", args=[member.pk]), {"reason": "  "}, follow=True)
    assert "请填写免训理由" in text(response)
    member.refresh_from_db()
    assert member.training_exempt_reason == ""


@pytest.mark.parametrize("role", ["member", "admin", "liaison", "case_office", "outsider"])
def test_exemption_refused_to_others(client_for, pages_confirmed, role):
    member = mine(pages_confirmed, "member")
    before = last_audit_id()
    assert client_for(role).post(reverse("member_exempt", args=[member.pk]), {"reason": "x"}).status_code == 404
    member.refresh_from_db()
    assert member.training_exempt_reason == "" and audit_actions(before) == []


def test_trained_members_show_as_trained(client_for, pages_confirmed):
    member = mine(pages_confirmed, "member")
    session = TrainingSession.objects.create(batch=pages_confirmed.batch, topic="培训", date=date(2026, 2, 27))
    session.attendees.set([member.person])
    response = client_for("leader").get(reverse("station_detail", args=[member.station_id]))
    row = next(m for _slot, ms in response.context["team"] for m in ms if m.pk == member.pk)
    assert row.trained


# --- lifecycle moves ---------------------------------------------------------------------------------------------

def test_leader_starts_training(client_for, pages_confirmed):
    station = pages_confirmed.stations["A"]
    client = client_for("leader")
    page = text(client.get(reverse("station_detail", args=[station.pk])))
    assert "开始巡前培训" in page and 'data-confirm="确定“开始巡前培训”吗？' in page
    before = last_audit_id()
    response = client.post(reverse("station_transition", args=[station.pk]), {"to": "training"}, follow=True)
    assert "驻点状态已变为“巡前培训”" in text(response)
    assert Station.objects.get(pk=station.pk).state == StationState.TRAINING
    assert audit_actions(before) == ["station.transition"]
    event = AuditEvent.objects.get(pk__gt=before)
    assert event.changes["state"] == {"before": "已排定", "after": "巡前培训"}


def test_entering_is_refused_with_every_opening_problem(client_for, pages_confirmed):
    station = set_state(pages_confirmed.stations["A"], StationState.TRAINING)
    before = last_audit_id()
    response = client_for("leader").post(reverse("station_transition", args=[station.pk]), {"to": "stationed"})
    assert response.status_code == 200
    refusal = response.context["refusal"]
    names = [m.person.name for m in pages_confirmed.members("A")]
    for name in names:
        assert f"{name}尚未签署回避承诺" in refusal
        assert f"{name}未参加巡前培训，也未登记免训" in refusal
    page = text(response)
    assert "不能变为“驻点中”" in page
    for problem in refusal:
        assert problem in page
    assert Station.objects.get(pk=station.pk).state == StationState.TRAINING
    assert audit_actions(before) == []


def test_entering_once_everyone_declared_and_trained(client_for, pages_confirmed):
    station = set_state(pages_confirmed.stations["A"], StationState.TRAINING)
    session = TrainingSession.objects.create(batch=pages_confirmed.batch, topic="培训", date=date(2026, 2, 27))
    session.attendees.set([m.person for m in pages_confirmed.members("A")])
    StationMember.objects.filter(station=station).update(declared_at="2026-03-01T09:00:00+08:00")
    client = client_for("leader")
    assert "组队、回避承诺和巡前培训均已齐备，可以进驻。" in text(
        client.get(reverse("station_detail", args=[station.pk])))
    client.post(reverse("station_transition", args=[station.pk]), {"to": "stationed"})
    station = Station.objects.get(pk=station.pk)
    assert station.state == StationState.STATIONED and station.opened_at is not None


def test_leader_may_not_hand_off(client_for, pages_confirmed):
    station = set_state(pages_confirmed.stations["A"], StationState.REPORTING)
    client = client_for("leader")
    assert client.get(reverse("station_detail", args=[station.pk])).context["moves"] == []
    response = client.post(reverse("station_transition", args=[station.pk]), {"to": "handed_off"})
    assert response.context["refusal"] == ["您无权执行“清单交办”"]
    assert Station.objects.get(pk=station.pk).state == StationState.REPORTING
    # ...the commission may.
    client_for("commission").post(reverse("station_transition", args=[station.pk]), {"to": "handed_off"})
    assert Station.objects.get(pk=station.pk).state == StationState.HANDED_OFF


def test_a_move_the_table_lacks_is_refused(client_for, pages_confirmed):
    station = pages_confirmed.stations["A"]
    response = client_for("commission").post(reverse("station_transition", args=[station.pk]), {"to": "closed"})
    assert response.context["refusal"] == ["不能从“已排定”变为“已销号”"]
    response = client_for("commission").post(reverse("station_transition", args=[station.pk]), {"to": "bogus"},
                                             follow=True)
    assert "请选择要执行的操作" in text(response)
    assert Station.objects.get(pk=station.pk).state == StationState.PLANNED


@pytest.mark.parametrize("role", ["member", "admin", "liaison", "case_office", "outsider"])
def test_moves_refused_to_others(client_for, pages_confirmed, role):
    station = pages_confirmed.stations["A"]
    before = last_audit_id()
    assert client_for(role).post(reverse("station_transition", args=[station.pk]), {"to": "training"}).status_code == 404
    assert Station.objects.get(pk=station.pk).state == StationState.PLANNED
    assert audit_actions(before) == []


def test_leader_of_one_station_cannot_move_another(client_for, pages_confirmed):
    station = pages_confirmed.stations["B"]
    assert client_for("leader").post(reverse("station_transition", args=[station.pk]),
                                     {"to": "training"}).status_code == 404


def test_a_proposed_station_cannot_move_from_its_page(client_for, pages_world):
    station = pages_world.stations["A"]
    client = client_for("commission")
    assert client.get(reverse("station_detail", args=[station.pk])).context["moves"] == []
    response = client.post(reverse("station_transition", args=[station.pk]), {"to": "planned"})
    assert response.context["refusal"] == ["不能从“方案待确认”变为“已排定”"]
