"""The rounds API: who sees what (an object one may not see is a 404), assignments refused with the very
messages of the pages and services, the lifecycle and planning through the same services, and the schema."""

from datetime import date

import pytest
import yaml
from django.contrib.auth import get_user_model
from drf_spectacular.generators import SchemaGenerator

from rounds.models import BatchState, FormulaSlot, Station, StationMember, StationState, TeamFormula
from rounds.services.members import member_assign, member_problems
from rounds.services.planning import batch_confirm, batch_create
from supervision.models import AuditEvent
from tests.factories import PersonFactory, TownshipFactory

pytest_plugins = ["tests.rounds.fixtures_rounds"]
pytestmark = pytest.mark.usefixtures("zh_hans")

ROLES = ["admin", "commission", "leader", "member", "liaison", "case_office", "outsider"]


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def station_urls(world) -> list[str]:
    a = world.stations["A"]
    member = a.members.first()
    return [
        "/api/batches/", f"/api/batches/{world.batch.pk}/", "/api/stations/", f"/api/stations/{a.pk}/",
        f"/api/stations/{a.pk}/members/", f"/api/stations/{a.pk}/transition/", f"/api/members/{member.pk}/replace/",
        f"/api/batches/{world.batch.pk}/plan/", f"/api/batches/{world.batch.pk}/confirm/",
    ]


# --- anonymous ----------------------------------------------------------------------------------------------------


def test_anonymous_is_refused_everywhere(client, confirmed_world):
    for url in station_urls(confirmed_world):
        assert client.get(url).status_code in (401, 403), url
        assert client.post(url, {}, content_type="application/json").status_code in (401, 403), url
    assert client.get("/api/schema/").status_code in (401, 403)
    assert Station.objects.get(pk=confirmed_world.stations["A"].pk).state == StationState.PLANNED


# --- visibility ---------------------------------------------------------------------------------------------------


def test_planners_see_every_station_including_proposals(client_for, rounds_world):
    all_stations = {s.pk for s in rounds_world.stations.values()}
    for role in ("commission", "admin"):
        client = client_for(role)
        assert ids(client.get("/api/stations/")) == all_stations, role
        assert ids(client.get("/api/batches/")) == {rounds_world.batch.pk}, role


def test_members_see_nothing_before_confirmation(client_for, rounds_world):
    a = rounds_world.stations["A"]
    for role in ("leader", "member"):
        client = client_for(role)
        assert ids(client.get("/api/stations/")) == set(), role
        assert client.get(f"/api/stations/{a.pk}/").status_code == 404, role


def test_a_member_sees_only_their_confirmed_station(client_for, confirmed_world):
    a, b = confirmed_world.stations["A"], confirmed_world.stations["B"]
    for role in ("leader", "member"):
        client = client_for(role)
        assert ids(client.get("/api/stations/")) == {a.pk}, role
        assert client.get(f"/api/stations/{b.pk}/").status_code == 404, role
        assert ids(client.get("/api/stations/", {"batch": confirmed_world.batch.pk})) == {a.pk}
        assert ids(client.get("/api/stations/", {"state": "planned"})) == {a.pk}
        # Batches are the planners' business.
        assert ids(client.get("/api/batches/")) == set(), role
        assert client.get(f"/api/batches/{confirmed_world.batch.pk}/").status_code == 404, role
    data = client_for("member").get(f"/api/stations/{a.pk}/").json()
    assert (data["target_name"], data["round_number"], data["state"]) == ("水南湾村", 1, "planned")
    assert (data["start_date"], data["end_date"]) == ("2026-03-02", "2026-03-08")
    team = [(m["slot"]["label"], m["person"]["name"], m["person"]["home_unit_name"]) for m in data["members"]]
    assert team == [("组长", "但建华", "大箕铺镇"), ("业务骨干", "柯国强", "大箕铺镇"), ("业务骨干", "蒋海燕", "大箕铺镇"),
                    ("村纪检委员", "叶翠萍", "程家湾村"), ("村纪检委员", "杜金华", "柯大兴村")]
    assert data["members"][0]["slot"]["is_leader"] is True


@pytest.mark.parametrize("role", ["liaison", "case_office", "outsider"])
def test_others_see_nothing_and_get_404(client_for, confirmed_world, role):
    client = client_for(role)
    assert ids(client.get("/api/stations/")) == set()
    assert ids(client.get("/api/batches/")) == set()
    assert ids(client.get("/api/stations/", {"batch": confirmed_world.batch.pk})) == set()
    for station in confirmed_world.stations.values():
        assert client.get(f"/api/stations/{station.pk}/").status_code == 404
    assert client.get(f"/api/batches/{confirmed_world.batch.pk}/").status_code == 404
    assert client.get("/api/stations/999999/").status_code == 404  # the same answer as for one that exists


def test_writes_by_those_who_may_not_are_404(client_for, confirmed_world):
    """Assignments and planning belong to the commission: everyone else gets the 404 of an unseen object, even
    a leader who sees the station; moves belong to the leader and the commission."""
    a = confirmed_world.stations["A"]
    member = a.members.get(person=confirmed_world.people["杜金华"])
    body = {"person": confirmed_world.people["柯桂芳"].pk, "slot": confirmed_world.slots["村纪检委员"].pk}
    for role in ("admin", "leader", "member", "liaison", "case_office", "outsider"):
        client = client_for(role)
        assert client.post(f"/api/stations/{a.pk}/members/", body, content_type="application/json"
                           ).status_code == 404, role
        assert client.post(f"/api/members/{member.pk}/replace/", {"person": body["person"]},
                           content_type="application/json").status_code == 404, role
        assert client.post(f"/api/batches/{confirmed_world.batch.pk}/plan/").status_code == 404, role
        assert client.post(f"/api/batches/{confirmed_world.batch.pk}/confirm/").status_code == 404, role
    for role in ("admin", "member", "liaison", "case_office", "outsider"):
        assert client_for(role).post(f"/api/stations/{a.pk}/transition/", {"to": "training"},
                                     content_type="application/json").status_code == 404, role
    assert a.members.count() == 5
    assert Station.objects.get(pk=a.pk).state == StationState.PLANNED


def test_station_list_query_count_does_not_grow_with_rows(rounds_demo, client, within_budget):
    client.force_login(get_user_model().objects.get(username="commission"))  # the demo's planner
    response = within_budget(client, "/api/stations/", 7)
    assert response.json()["count"] == 32
    assert sum(len(s["members"]) for s in response.json()["results"]) == 26 * 5 + 6 * 7
    within_budget(client, "/api/batches/", 8)


# --- assignments: refusals with the same messages as the pages -------------------------------------------------------


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_assignment_refusals_are_400_with_the_service_messages(client_for, rounds_world):
    world = rounds_world
    a = world.stations["A"]
    client = client_for("commission")
    url = f"/api/stations/{a.pk}/members/"
    cases = [
        ("余秀英", "村纪检委员", "余秀英是水南湾村的村纪检委员，不能在本村驻点（交叉驻点回避）"),
        ("王报账", "业务骨干", "王报账的所在单位就是水南湾村，不能监督本单位（本单位回避）"),
        ("赵永红", "组长", "赵永红是民政所人员，不能担任组长（需要纪检干部）"),
        ("柯国强", "业务骨干", "柯国强已在本组"),
    ]
    for name, label, message in cases:
        person, slot = world.people[name], world.slots[label]
        response = post(client, url, {"person": person.pk, "slot": slot.pk})
        assert response.status_code == 400, name
        assert response.json() == {"detail": [message]}
        assert response.json()["detail"] == member_problems(station=a, person=person, slot=slot)  # as the pages
    assert a.members.count() == 5


def test_overlapping_station_in_another_batch_is_refused(client_for, rounds_world):
    world = rounds_world
    solo = TeamFormula.objects.create(code="solo", name="单人督导")
    slot = FormulaSlot.objects.create(formula=solo, label="组长", categories=["discipline_cadre"], count=1,
                                      is_leader=True)
    organiser = TownshipFactory(name="邻镇")
    other = batch_create(actor=None, name="邻镇批次", year=2026, organiser=organiser, formula=solo,
                         targets=[world.villages["程家湾村"]], rounds=1, first_start=date(2026, 3, 6), days=7,
                         gap_days=0, pool=[world.people["袁国平"]])
    station = world.make_station(other, 1, world.villages["程家湾村"])
    member_assign(actor=None, station=station, person=world.people["袁国平"], slot=slot)
    batch_confirm(actor=None, batch=other)
    response = post(client_for("commission"), f"/api/stations/{world.stations['A'].pk}/members/",
                    {"person": world.people["袁国平"].pk, "slot": world.slots["组长"].pk})
    assert response.status_code == 400
    assert response.json() == {"detail": ["袁国平已安排在程家湾村驻点（2026-03-06至2026-03-12），时间重叠"]}
    # Round 2 (from 11 March) overlaps as well.
    response = post(client_for("commission"), f"/api/stations/{world.stations['B'].pk}/members/",
                    {"person": world.people["袁国平"].pk, "slot": world.slots["组长"].pk})
    assert response.json() == {"detail": ["袁国平已安排在程家湾村驻点（2026-03-06至2026-03-12），时间重叠"]}


def test_assignment_accepted_and_audited(client_for, rounds_world):
    world = rounds_world
    a = world.stations["A"]
    response = post(client_for("commission"), f"/api/stations/{a.pk}/members/",
                    {"person": world.people["柯桂芳"].pk, "slot": world.slots["村纪检委员"].pk})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["station"], data["slot"]["label"], data["person"]["name"]) == (a.pk, "村纪检委员", "柯桂芳")
    assert StationMember.objects.filter(pk=data["id"], station=a, person=world.people["柯桂芳"]).exists()
    event = AuditEvent.objects.filter(action="station.member_add", object_id=str(a.pk)).latest("id")
    assert event.actor == world.users["commission"]
    assert event.changes == {"member": {"before": "", "after": "村纪检委员：柯桂芳"}}


def test_assignment_input_errors(client_for, rounds_world):
    world = rounds_world
    client = client_for("commission")
    url = f"/api/stations/{world.stations['A'].pk}/members/"
    outside = PersonFactory(name="外镇人", category="finance")
    response = post(client, url, {"person": outside.pk, "slot": world.slots["业务骨干"].pk})
    assert response.status_code == 400
    assert response.json() == {"person": ["外镇人不在本批次的抽调人员库中"]}
    response = post(client, url, {"person": 999999, "slot": world.slots["业务骨干"].pk})
    assert response.status_code == 400 and set(response.json()) == {"person"}
    response = post(client, url, {"person": world.people["柯桂芳"].pk})
    assert response.status_code == 400 and set(response.json()) == {"slot"}
    other_formula_slot = TeamFormula.objects.get(code="2-5").slots.get(label="对口单位人员")
    response = post(client, url, {"person": world.people["柯桂芳"].pk, "slot": other_formula_slot.pk})
    assert response.json() == {"detail": ["组内角色不属于本批次的组队模式"]}
    assert post(client, f"/api/stations/{world.stations['A'].pk + 1000}/members/",
                {"person": world.people["柯桂芳"].pk, "slot": world.slots["村纪检委员"].pk}).status_code == 404


def test_replace_refused_and_accepted(client_for, confirmed_world):
    world = confirmed_world
    member = world.stations["A"].members.get(person=world.people["杜金华"])
    client = client_for("commission")
    url = f"/api/members/{member.pk}/replace/"
    response = post(client, url, {"person": world.people["余秀英"].pk})
    assert response.status_code == 400
    assert response.json() == {"detail": ["余秀英是水南湾村的村纪检委员，不能在本村驻点（交叉驻点回避）"]}
    response = post(client, url, {"person": world.people["叶翠萍"].pk})
    assert response.json() == {"detail": ["叶翠萍已在本组"]}
    member.refresh_from_db()
    assert member.person == world.people["杜金华"]
    response = post(client, url, {"person": world.people["柯桂芳"].pk})
    assert response.status_code == 200, response.content
    assert response.json()["person"]["name"] == "柯桂芳"
    member.refresh_from_db()
    assert member.person == world.people["柯桂芳"]
    assert post(client, "/api/members/999999/replace/", {"person": world.people["柯桂芳"].pk}).status_code == 404


def test_no_changes_once_stationed(client_for, confirmed_world):
    world = confirmed_world
    Station.objects.filter(pk=world.stations["A"].pk).update(state=StationState.STATIONED)
    member = world.stations["A"].members.get(person=world.people["杜金华"])
    response = post(client_for("commission"), f"/api/members/{member.pk}/replace/",
                    {"person": world.people["柯桂芳"].pk})
    assert response.status_code == 400
    assert response.json() == {"detail": ["驻点处于“驻点中”阶段，不能再调整成员"]}


# --- the lifecycle ------------------------------------------------------------------------------------------------


def test_transitions(client_for, confirmed_world):
    world = confirmed_world
    a = world.stations["A"]
    url = f"/api/stations/{a.pk}/transition/"
    leader = client_for("leader")
    response = post(leader, url, {"to": "stationed"})
    assert response.status_code == 400 and response.json() == {"detail": ["不能从“已排定”变为“驻点中”"]}
    response = post(leader, url, {"to": "nonsense"})
    assert response.status_code == 400 and set(response.json()) == {"to"}
    response = post(leader, url, {"to": "training"})
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["state_display"]) == ("training", "巡前培训")
    response = post(leader, url, {"to": "stationed"})
    assert response.status_code == 400
    assert "但建华尚未签署回避承诺" in response.json()["detail"]
    assert "蒋海燕未参加巡前培训，也未登记免训" in response.json()["detail"]
    assert len(response.json()["detail"]) == 10
    Station.objects.filter(pk=a.pk).update(state=StationState.REPORTING)
    response = post(leader, url, {"to": "handed_off"})
    assert response.json() == {"detail": ["您无权执行“清单交办”"]}
    assert post(client_for("commission"), url, {"to": "handed_off"}).json()["state"] == "handed_off"
    moves = list(AuditEvent.objects.filter(action="station.transition", object_id=str(a.pk))
                 .order_by("id").values_list("changes__state__after", "actor__username"))
    assert moves == [("已排定", "u_commission"), ("巡前培训", "u_leader"), ("已交办", "u_commission")]


# --- planning and confirmation ------------------------------------------------------------------------------------


def test_plan_and_confirm(client_for, rounds_world):
    world = rounds_world
    client = client_for("commission")
    batch_url = f"/api/batches/{world.batch.pk}/"
    response = post(client, batch_url + "plan/")
    assert response.status_code == 200, response.content
    assert response.json() == {"stations": 2}
    assert Station.objects.filter(round__batch=world.batch, state=StationState.PROPOSED).count() == 2
    response = post(client, batch_url + "confirm/")
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["state_display"]) == ("confirmed", "已确定")
    assert [r["number"] for r in response.json()["rounds"]] == [1, 2]
    assert set(Station.objects.filter(round__batch=world.batch).values_list("state", flat=True)) == {"planned"}
    for action in ("plan/", "confirm/"):
        response = post(client, batch_url + action)
        assert response.status_code == 409
        assert response.json() == {"detail": ["批次已确定，不能重新编排"]}


def test_infeasible_plan_is_400_with_reasons_and_keeps_the_proposal(client_for, rounds_world):
    world = rounds_world
    for name in ("但建华", "李卫东", "袁国平"):
        world.people[name].is_active = False
        world.people[name].save()
    before = set(StationMember.objects.filter(station__round__batch=world.batch)
                 .values_list("station_id", "person_id", "slot_id"))
    response = post(client_for("commission"), f"/api/batches/{world.batch.pk}/plan/")
    assert response.status_code == 400
    assert response.json() == {"detail": ["第1轮缺少纪检干部：仅0人可用，需要1人", "第2轮缺少纪检干部：仅0人可用，需要1人"]}
    assert set(StationMember.objects.filter(station__round__batch=world.batch)
               .values_list("station_id", "person_id", "slot_id")) == before


def test_confirm_with_problems_is_400_and_changes_nothing(client_for, rounds_world):
    world = rounds_world
    StationMember.objects.filter(station=world.stations["A"], person=world.people["蒋海燕"]).delete()
    response = post(client_for("commission"), f"/api/batches/{world.batch.pk}/confirm/")
    assert response.status_code == 400
    assert response.json() == {"detail": ["第1轮·水南湾村：业务骨干缺少1人（需要2名财经所人员/民政所人员）"]}
    world.refresh()
    assert world.batch.state == BatchState.DRAFT
    assert {s.state for s in world.stations.values()} == {StationState.PROPOSED}


# --- the schema ---------------------------------------------------------------------------------------------------

ROUNDS_PATHS = {
    "/api/batches/": {"get"}, "/api/batches/{id}/": {"get"}, "/api/batches/{id}/plan/": {"post"},
    "/api/batches/{id}/confirm/": {"post"}, "/api/stations/": {"get"}, "/api/stations/{id}/": {"get"},
    "/api/stations/{id}/members/": {"post"}, "/api/stations/{id}/transition/": {"post"},
    "/api/members/{id}/replace/": {"post"},
}


def test_schema_endpoint_lists_the_rounds_api(client_for):
    response = client_for("member").get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    for path, methods in ROUNDS_PATHS.items():
        assert methods <= set(schema["paths"][path]), path
    members = schema["paths"]["/api/stations/{id}/members/"]["post"]
    assert set(members["responses"]) == {"201", "400"}
    assert members["parameters"][0]["schema"]["type"] == "integer"


def test_schema_generates_without_warnings(db, capsys):
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, capsys.readouterr().err
    assert ROUNDS_PATHS.keys() <= schema["paths"].keys()
    enums = schema["components"]["schemas"]
    assert enums["StationStateEnum"]["enum"] == [s.value for s in StationState]
    assert enums["BatchStateEnum"]["enum"] == [s.value for s in BatchState]
