"""Batch pages: the list, a new batch, the proposal review page, planning, confirmation, swaps, the timeline and
training. Who may and who may not, the exact Chinese refusals, the audit trail and query budgets that do not
grow with the number of stations."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rounds.models import Batch, BatchState, Round, Station, StationMember, StationState, TrainingSession
from rounds.services.members import member_assign
from rounds.services.planning import batch_create
from supervision.models import ConflictDeclaration, PersonCategory
from tests.factories import PersonFactory, TownshipFactory, VillageFactory
from tests.helpers import audit_actions, last_audit_id

pytest_plugins = ["tests.rounds.fixtures_pages"]

ROLES = ["admin", "commission", "leader", "member", "liaison", "case_office", "outsider"]
VIEWERS = {"admin", "commission"}  # global rounds.view_batch
PLANNERS = {"commission"}  # rounds.plan_batch / add_batch


def expected(role, allowed):
    return 200 if role in allowed else 404


def queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def page_text(response) -> str:
    return response.content.decode()


# --- the list ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_batch_list_access(client_for, role):
    assert client_for(role).get(reverse("batch_list")).status_code == expected(role, VIEWERS)


def test_batch_list_empty_state_and_new_button(client_for, db):
    page = page_text(client_for("commission").get(reverse("batch_list")))
    assert "还没有巡回驻点批次。" in page
    assert reverse("batch_new") in page


def test_batch_list_admin_sees_batches_but_no_new_button(client_for, pages_world):
    response = client_for("admin").get(reverse("batch_list"))
    assert pages_world.batch.name in page_text(response)
    assert reverse("batch_new") not in page_text(response)


def test_batch_list_budget_does_not_grow(client_for, pages_make, within_budget):
    client = client_for("commission")
    pages_make(4, 2)
    small = queries(client, reverse("batch_list"))
    for _i in range(3):
        pages_make(6, 2)
    assert queries(client, reverse("batch_list")) <= small
    within_budget(client, reverse("batch_list"), 10)


# --- a new batch -----------------------------------------------------------------------------------------------------

def batch_form(town, **overrides):
    data = {
        "name": "2026年金牛镇巡回驻点监督", "year": "2026", "organiser": town.pk, "formula": "", "targets_parent": "",
        "rounds": "2", "first_start": "2026-04-06", "days": "7", "gap_days": "2", "complaint_phone": "0714-1234567",
        "complaint_mailbox": "镇纪委", "complaint_scope": "村干部作风问题", "focus_themes": ["four_two", "land"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def formula_1_2_n(db):
    from rounds.formulas import formulas_ensure
    from rounds.models import TeamFormula

    formulas_ensure()
    return TeamFormula.objects.get(code="1-2-n")


@pytest.mark.parametrize("role", ROLES)
def test_batch_new_page_access(client_for, role):
    assert client_for(role).get(reverse("batch_new")).status_code == expected(role, PLANNERS)


@pytest.mark.parametrize("role", [r for r in ROLES if r not in PLANNERS])
def test_batch_new_refused_without_trace(client_for, org, formula_1_2_n, role):
    before = last_audit_id()
    response = client_for(role).post(reverse("batch_new"), batch_form(
        org["town"], formula=formula_1_2_n.pk, targets=[org["village"].pk, org["other_village"].pk]))
    assert response.status_code == 404
    assert not Batch.objects.exists()
    assert audit_actions(before) == []


def test_batch_new_takes_a_townships_villages(client_for, org, formula_1_2_n):
    extra = VillageFactory(name="小箕铺村", parent=org["town"])
    before = last_audit_id()
    response = client_for("commission").post(reverse("batch_new"), batch_form(
        org["town"], formula=formula_1_2_n.pk, targets_parent=org["town"].pk, rounds="3"))
    batch = Batch.objects.get()
    assert response.status_code == 302 and response.url == reverse("batch_detail", args=[batch.pk])
    assert set(batch.targets.all()) == {org["village"], org["other_village"], extra}
    assert batch.focus_themes == ["four_two", "land"]
    assert [(r.number, r.start_date, r.end_date) for r in batch.rounds.all()] == [
        (1, date(2026, 4, 6), date(2026, 4, 12)), (2, date(2026, 4, 15), date(2026, 4, 21)),
        (3, date(2026, 4, 24), date(2026, 4, 30))]
    assert batch.complaint_phone == "0714-1234567"
    assert audit_actions(before) == ["batch.create"]


def test_batch_new_merges_picked_units_with_the_township(client_for, org, formula_1_2_n):
    dept = TownshipFactory(name="邻镇")
    far = VillageFactory(name="远村", parent=dept)
    client_for("commission").post(reverse("batch_new"), batch_form(
        org["town"], formula=formula_1_2_n.pk, targets_parent=org["town"].pk, targets=[far.pk, org["village"].pk]))
    assert set(Batch.objects.get().targets.all()) == {org["village"], org["other_village"], far}


def test_batch_new_errors_in_chinese_and_nothing_lost(client_for, org, formula_1_2_n):
    client = client_for("commission")
    response = client.post(reverse("batch_new"), batch_form(
        org["town"], formula=formula_1_2_n.pk, targets=[org["village"].pk, org["other_village"].pk], rounds="5"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["rounds"] == ["轮次（5）不能多于监督对象数（2）"]
    page = page_text(response)
    assert 'value="2026年金牛镇巡回驻点监督"' in page
    assert 'value="0714-1234567"' in page
    assert f'<option value="{org["village"].pk}" selected>' in page
    assert form["focus_themes"].value() == ["four_two", "land"]
    assert page.count(" checked") == 2
    assert not Batch.objects.exists()

    response = client.post(reverse("batch_new"), batch_form(org["town"], formula=formula_1_2_n.pk))
    assert response.context["form"].errors["targets"] == ["请选择监督对象"]
    response = client.post(reverse("batch_new"), {})
    assert response.context["form"].errors["name"] == ["该字段是必填项。"]
    assert not Batch.objects.exists()


# --- the batch page ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_batch_detail_access(client_for, pages_world, role):
    url = reverse("batch_detail", args=[pages_world.batch.pk])
    assert client_for(role).get(url).status_code == expected(role, VIEWERS)


def test_unknown_batch_is_404(client_for, db):
    assert client_for("commission").get(reverse("batch_detail", args=[999999])).status_code == 404


def test_proposal_review_page_shows_rounds_stations_members_and_swaps(client_for, pages_world):
    response = client_for("commission").get(reverse("batch_detail", args=[pages_world.batch.pk]))
    page = page_text(response)
    assert "第1轮" in page and "第2轮" in page and "3月2日—3月8日" in page
    for station in pages_world.stations.values():
        assert station.target.name in page
        for member in station.members.select_related("person"):
            assert member.person.name in page
            assert reverse("member_swap", args=[member.pk]) in page
    assert reverse("batch_plan", args=[pages_world.batch.pk]) in page
    assert reverse("batch_confirm", args=[pages_world.batch.pk]) in page
    assert "重新生成将替换当前方案" in page  # a proposal exists: regenerating asks first


def test_admin_reads_the_batch_without_planning_controls(client_for, pages_world):
    page = page_text(client_for("admin").get(reverse("batch_detail", args=[pages_world.batch.pk])))
    assert pages_world.stations["A"].target.name in page
    assert reverse("batch_plan", args=[pages_world.batch.pk]) not in page
    assert "/swap/" not in page


def test_confirmed_batch_has_no_planning_controls(client_for, pages_confirmed):
    page = page_text(client_for("commission").get(reverse("batch_detail", args=[pages_confirmed.batch.pk])))
    assert "已确定" in page
    assert reverse("batch_plan", args=[pages_confirmed.batch.pk]) not in page
    assert "/swap/" not in page


def test_batch_detail_budget_same_for_26_as_for_4_stations(client_for, pages_make, within_budget):
    client = client_for("commission")
    small, big = pages_make(4, 2), pages_make(26, 7)
    assert Station.objects.filter(round__batch=big.batch).count() == 26
    n_small = queries(client, reverse("batch_detail", args=[small.batch.pk]))
    n_big = queries(client, reverse("batch_detail", args=[big.batch.pk]))
    assert n_big <= n_small, (n_small, n_big)
    within_budget(client, reverse("batch_detail", args=[big.batch.pk]), 14)


# --- planning ------------------------------------------------------------------------------------------------------

@pytest.fixture
def unplanned(db, users, formula_1_2_n):
    town = TownshipFactory(name="待排镇")
    villages = [VillageFactory(name=f"待排{i}村", parent=town) for i in range(4)]
    pool = [PersonFactory(name=f"待排纪检{i}", category=PersonCategory.DISCIPLINE_CADRE, home_unit=town)
            for i in range(3)]
    pool += [PersonFactory(name=f"待排财经{i}", category=PersonCategory.FINANCE, home_unit=town) for i in range(5)]
    pool += [PersonFactory(name=f"待排委员{i}", category=PersonCategory.VILLAGE_MEMBER, home_unit=v)
             for i, v in enumerate(villages)]
    return batch_create(actor=None, name="待排批次", year=2026, organiser=town, formula=formula_1_2_n,
                        targets=villages, rounds=2, first_start=date(2026, 5, 4), pool=pool)


def test_plan_button_on_an_unplanned_batch(client_for, unplanned):
    page = page_text(client_for("commission").get(reverse("batch_detail", args=[unplanned.pk])))
    assert "生成方案" in page and "尚未生成方案。" in page
    assert "重新生成将替换当前方案" not in page  # nothing to replace: no question asked
    assert 'data-progress="plan-progress"' in page


def test_plan_makes_the_proposal(client_for, unplanned):
    before = last_audit_id()
    response = client_for("commission").post(reverse("batch_plan", args=[unplanned.pk]))
    assert response.status_code == 302
    assert Station.objects.filter(round__batch=unplanned, state=StationState.PROPOSED).count() == 4
    assert audit_actions(before) == ["batch.plan"]
    page = page_text(client_for("commission").get(response.url))
    assert "已生成驻点方案：4个驻点。" in page


@pytest.mark.parametrize("role", [r for r in ROLES if r not in PLANNERS])
def test_plan_refused_without_trace(client_for, unplanned, role):
    before = last_audit_id()
    assert client_for(role).post(reverse("batch_plan", args=[unplanned.pk])).status_code == 404
    assert not Station.objects.exists()
    assert audit_actions(before) == []


def test_plan_is_post_only(client_for, unplanned):
    assert client_for("commission").get(reverse("batch_plan", args=[unplanned.pk])).status_code == 405
    assert client_for("commission").get(reverse("batch_confirm", args=[unplanned.pk])).status_code == 405


def test_infeasible_plan_explains_and_keeps_the_old_proposal(client_for, pages_world):
    batch = pages_world.batch
    old = set(Station.objects.filter(round__batch=batch).values_list("pk", flat=True))
    old_members = set(StationMember.objects.filter(station__round__batch=batch).values_list("pk", "person_id"))
    batch.pool.filter(category=PersonCategory.FINANCE).update(is_active=False)
    batch.pool.filter(category=PersonCategory.CIVIL_AFFAIRS).exclude(pk=pages_world.pool[2].pk).update(is_active=False)
    before = last_audit_id()
    response = client_for("commission").post(reverse("batch_plan", args=[batch.pk]))
    assert response.status_code == 200
    problems = response.context["plan_problems"]
    assert problems[0] == "第1轮缺少财经所人员/民政所人员：仅1人可用，需要4人"
    page = page_text(response)
    assert "未能生成方案" in page and problems[0] in page and "原方案保持不变。" in page
    assert set(Station.objects.filter(round__batch=batch).values_list("pk", flat=True)) == old
    assert set(StationMember.objects.filter(station__round__batch=batch).values_list("pk", "person_id")) == old_members
    assert audit_actions(before) == ["batch.plan_failed"]


def test_plan_of_a_confirmed_batch_is_refused_with_a_message(client_for, pages_confirmed):
    client = client_for("commission")
    response = client.post(reverse("batch_plan", args=[pages_confirmed.batch.pk]), follow=True)
    assert "批次已确定，不能重新编排" in page_text(response)


# --- confirmation --------------------------------------------------------------------------------------------------

def test_confirm_plans_every_station_and_audits(client_for, pages_world):
    batch = pages_world.batch
    before = last_audit_id()
    response = client_for("commission").post(reverse("batch_confirm", args=[batch.pk]), follow=True)
    assert "方案已确认" in page_text(response)
    batch.refresh_from_db()
    assert batch.state == BatchState.CONFIRMED
    assert set(Station.objects.filter(round__batch=batch).values_list("state", flat=True)) == {StationState.PLANNED}
    actions = audit_actions(before)
    assert actions.count("station.transition") == 4 and actions[-1] == "batch.confirm"


def test_confirm_refused_lists_every_problem(client_for, pages_world):
    batch = pages_world.batch
    station_a, station_c = pages_world.stations["A"], pages_world.stations["C"]
    leader = next(m for m in pages_world.members("C") if m.slot.is_leader)
    StationMember.objects.filter(pk=leader.pk).delete()  # a team one short (as an edit in the admin could leave it)
    village_member = next(m for m in pages_world.members("A") if m.slot.label == "村纪检委员")
    home = village_member.person.home_unit
    ConflictDeclaration.objects.create(person=village_member.person, unit=station_a.target, reason="relative")
    before = last_audit_id()
    response = client_for("commission").post(reverse("batch_confirm", args=[batch.pk]))
    assert response.status_code == 200
    problems = response.context["confirm_problems"]
    assert f"{station_c}：组长缺少1人（需要1名纪检干部）" in problems
    assert (f"{station_a}：{village_member.person.name}已申报回避{station_a.target.name}（近亲属在该单位任职）"
            in problems)
    page = page_text(response)
    assert f"方案未确认：有{len(problems)}个问题" in page
    for problem in problems:
        assert problem in page
    batch.refresh_from_db()
    assert batch.state == BatchState.DRAFT
    assert audit_actions(before) == []
    assert home  # the member's own village is not the target: the refusal is the declared conflict


@pytest.mark.parametrize("role", [r for r in ROLES if r not in PLANNERS])
def test_confirm_refused_to_others_without_trace(client_for, pages_world, role):
    before = last_audit_id()
    assert client_for(role).post(reverse("batch_confirm", args=[pages_world.batch.pk])).status_code == 404
    pages_world.batch.refresh_from_db()
    assert pages_world.batch.state == BatchState.DRAFT
    assert audit_actions(before) == []


# --- swapping a member -------------------------------------------------------------------------------------------

def village_seat(world, key="A"):
    return next(m for m in world.members(key) if m.slot.label == "村纪检委员")


def own_village_spare(world, key="A"):
    """A second discipline member of the station's own village, free in that period: only one rule stops them."""
    target = world.stations[key].target
    person = PersonFactory(name=f"{target.name}委员乙", category=PersonCategory.VILLAGE_MEMBER, home_unit=target)
    world.batch.pool.add(person)
    return person


@pytest.mark.parametrize("role", ROLES)
def test_swap_page_access(client_for, pages_world, role):
    member = village_seat(pages_world)
    assert client_for(role).get(reverse("member_swap", args=[member.pk])).status_code == expected(role, PLANNERS)


def test_swap_page_lists_allowed_and_greys_the_rest_with_reasons(client_for, pages_world):
    member = village_seat(pages_world)
    target = pages_world.stations["A"].target
    own = own_village_spare(pages_world)
    response = client_for("commission").get(reverse("member_swap", args=[member.pk]))
    allowed = {p.pk for p in response.context["allowed"]}
    blocked = {p.pk: problems for p, problems in response.context["blocked"]}
    assert own.pk in blocked and own.pk not in allowed
    assert blocked[own.pk] == [f"{own.name}是{target.name}的村纪检委员，不能在本村驻点（交叉驻点回避）"]
    page = page_text(response)
    assert blocked[own.pk][0] in page
    options = [int(v) for v, _label in response.context["form"].fields["person"].choices if v]
    assert set(options) == allowed and allowed
    assert all(p.category == PersonCategory.VILLAGE_MEMBER for p in response.context["allowed"])


def test_swap_replaces_the_member_and_audits(client_for, pages_world):
    member = village_seat(pages_world)
    client = client_for("commission")
    choice = client.get(reverse("member_swap", args=[member.pk])).context["allowed"][0]
    before = last_audit_id()
    response = client.post(reverse("member_swap", args=[member.pk]), {"person": choice.pk})
    assert response.status_code == 302
    assert response.url == reverse("batch_detail", args=[pages_world.batch.pk]) + f"#station-{member.station_id}"
    member.refresh_from_db()
    assert member.person_id == choice.pk
    assert audit_actions(before) == ["station.member_swap"]


def test_swap_to_own_village_is_refused_with_the_exact_message(client_for, pages_world):
    member = village_seat(pages_world)
    target = pages_world.stations["A"].target
    own = own_village_spare(pages_world)
    before_person, before = member.person_id, last_audit_id()
    response = client_for("commission").post(reverse("member_swap", args=[member.pk]), {"person": own.pk})
    assert response.status_code == 200
    message = f"{own.name}是{target.name}的村纪检委员，不能在本村驻点（交叉驻点回避）"
    assert response.context["form"].non_field_errors() == [message]
    assert message in page_text(response) and "人员未作任何变动。" in page_text(response)
    member.refresh_from_db()
    assert member.person_id == before_person
    assert audit_actions(before) == []


def test_swap_into_an_overlapping_station_is_refused(client_for, pages_world, formula_1_2_n):
    """A person already stationed elsewhere in the same period (another, confirmed batch) cannot be swapped in."""
    member = village_seat(pages_world)
    station = pages_world.stations["A"]
    spare = next(p for p in pages_world.pool if p.category == PersonCategory.VILLAGE_MEMBER
                 and p.home_unit_id != station.target_id
                 and not StationMember.objects.filter(station=station, person=p).exists())
    elsewhere = VillageFactory(name="外镇村")
    other = batch_create(actor=None, name="外镇批次", year=2026, organiser=elsewhere.parent, formula=formula_1_2_n,
                         targets=[elsewhere], rounds=1, first_start=station.round.start_date + timedelta(days=3))
    other_station = Station.objects.create(round=other.rounds.get(), target=elsewhere, state=StationState.PLANNED)
    slot = pages_world.batch.formula.slots.get(label="村纪检委员")
    member_assign(actor=None, station=other_station, person=spare, slot=slot)
    other_round = Round.objects.get(batch=other)
    before = last_audit_id()
    response = client_for("commission").post(reverse("member_swap", args=[member.pk]), {"person": spare.pk})
    message = (f"{spare.name}已安排在外镇村驻点（{other_round.start_date.isoformat()}至"
               f"{other_round.end_date.isoformat()}），时间重叠")
    assert response.context["form"].non_field_errors() == [message]
    assert spare.pk in {p.pk for p, _problems in response.context["blocked"]}
    assert audit_actions(before) == []


@pytest.mark.parametrize("role", [r for r in ROLES if r not in PLANNERS])
def test_swap_post_refused_to_others(client_for, pages_world, role):
    member = village_seat(pages_world)
    spare = next(p for p in pages_world.pool if p.category == PersonCategory.VILLAGE_MEMBER)
    before_person, before = member.person_id, last_audit_id()
    assert client_for(role).post(reverse("member_swap", args=[member.pk]), {"person": spare.pk}).status_code == 404
    member.refresh_from_db()
    assert member.person_id == before_person and audit_actions(before) == []


def test_swap_page_budget_does_not_grow_with_the_pool(client_for, pages_make, within_budget):
    client = client_for("commission")
    small, big = pages_make(4, 2), pages_make(26, 7)
    n_small = queries(client, reverse("member_swap", args=[village_seat(small).pk]))
    n_big = queries(client, reverse("member_swap", args=[village_seat(big).pk]))
    assert n_big <= n_small, (n_small, n_big)
    within_budget(client, reverse("member_swap", args=[village_seat(big).pk]), 22)


def test_swap_after_the_station_is_under_way_is_refused(client_for, pages_confirmed):
    station = pages_confirmed.stations["B"]
    Station.objects.filter(pk=station.pk).update(state=StationState.STATIONED)
    member = village_seat(pages_confirmed, "B")
    response = client_for("commission").get(reverse("member_swap", args=[member.pk]))
    assert "驻点处于“驻点中”阶段，不能再调整成员。" in page_text(response)
    assert response.context["editable"] is False


# --- timeline ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_timeline_access(client_for, pages_world, role):
    url = reverse("batch_timeline", args=[pages_world.batch.pk])
    assert client_for(role).get(url).status_code == expected(role, VIEWERS)


def test_timeline_bars_and_today(client_for, users, formula_1_2_n):
    town = TownshipFactory(name="时间镇")
    villages = [VillageFactory(name=f"时间{i}村", parent=town) for i in range(3)]
    today = timezone.localdate()
    batch = batch_create(actor=None, name="时间轴批次", year=today.year, organiser=town, formula=formula_1_2_n,
                         targets=villages, rounds=3, first_start=today - timedelta(days=10), days=7, gap_days=0)
    response = client_for("commission").get(reverse("batch_timeline", args=[batch.pk]))
    rows = response.context["rows"]
    assert [r["phase"] for r in rows] == ["past", "now", "future"]
    assert [r["left"] for r in rows] == ["0.000", "33.333", "66.667"]
    assert all(r["width"] == "33.333" for r in rows)
    assert response.context["today_at"] == f"{100 * 10.5 / 21:.3f}"
    page = page_text(response)
    assert "tl-today" in page and "进行中" in page


def test_timeline_budget_same_for_26_as_for_4_stations(client_for, pages_make):
    client = client_for("commission")
    small, big = pages_make(4, 2), pages_make(26, 7)
    n_small = queries(client, reverse("batch_timeline", args=[small.batch.pk]))
    n_big = queries(client, reverse("batch_timeline", args=[big.batch.pk]))
    assert n_big <= n_small <= 10, (n_small, n_big)


# --- training ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_training_page_access(client_for, pages_world, role):
    url = reverse("batch_training", args=[pages_world.batch.pk])
    assert client_for(role).get(url).status_code == expected(role, VIEWERS)


def test_training_create_and_attendance(client_for, pages_world):
    client = client_for("commission")
    batch = pages_world.batch
    before = last_audit_id()
    response = client.post(reverse("batch_training", args=[batch.pk]),
                           {"topic": "监督清单培训", "date": "2026-02-27", "place": "镇三楼会议室"})
    session = TrainingSession.objects.get(batch=batch)
    assert response.status_code == 302 and response.url == reverse("training_attendance", args=[session.pk])
    page = page_text(client.get(response.url))
    members = list(StationMember.objects.filter(station__round__batch=batch).select_related("person"))
    for m in members:
        assert m.person.name in page
    people = sorted({m.person_id for m in members})[:3]
    response = client.post(reverse("training_attendance", args=[session.pk]), {"people": people})
    assert response.status_code == 302
    assert sorted(session.attendees.values_list("pk", flat=True)) == people
    assert audit_actions(before) == ["training.create", "training.attendance"]
    page = page_text(client.get(reverse("batch_training", args=[batch.pk])))
    total = len({m.person_id for m in members})
    assert f"3 / {total}人" in page


def test_training_refuses_outsiders_of_the_batch_and_empty_topics(client_for, pages_world, users):
    client = client_for("commission")
    session = TrainingSession.objects.create(batch=pages_world.batch, topic="培训", date=date(2026, 2, 27))
    stranger = users["outsider"].person
    response = client.post(reverse("training_attendance", args=[session.pk]), {"people": [stranger.pk]})
    assert response.status_code == 200
    assert response.context["form"].errors["people"] == [f"选择一个有效的选项。 {stranger.pk} 不在可用的选项中。"]
    assert not session.attendees.exists()
    response = client.post(reverse("batch_training", args=[pages_world.batch.pk]), {"topic": "", "date": ""})
    assert response.context["form"].errors["topic"] == ["该字段是必填项。"]


@pytest.mark.parametrize("role", [r for r in ROLES if r not in PLANNERS])
def test_training_writes_refused_to_others(client_for, pages_world, role):
    session = TrainingSession.objects.create(batch=pages_world.batch, topic="培训", date=date(2026, 2, 27))
    client = client_for(role)
    before = last_audit_id()
    person = pages_world.members("A")[0].person_id
    assert client.post(reverse("batch_training", args=[pages_world.batch.pk]),
                       {"topic": "偷加", "date": "2026-02-28"}).status_code == 404
    assert client.post(reverse("training_attendance", args=[session.pk]), {"people": [person]}).status_code == 404
    assert TrainingSession.objects.count() == 1 and not session.attendees.exists()
    assert audit_actions(before) == []


def test_admin_reads_attendance_without_a_form(client_for, pages_world):
    session = TrainingSession.objects.create(batch=pages_world.batch, topic="培训", date=date(2026, 2, 27))
    session.attendees.set([pages_world.members("A")[0].person])
    response = client_for("admin").get(reverse("training_attendance", args=[session.pk]))
    assert response.context["form"] is None
    assert pages_world.members("A")[0].person.name in page_text(response)


def test_training_budget_same_for_26_as_for_4_stations(client_for, pages_make):
    client = client_for("commission")
    small, big = pages_make(4, 2), pages_make(26, 7)
    counts = []
    for world in (small, big):
        session = TrainingSession.objects.create(batch=world.batch, topic="培训", date=date(2026, 2, 27))
        session.attendees.set([m.person for m in world.members("A")])
        counts.append((queries(client, reverse("batch_training", args=[world.batch.pk])),
                       queries(client, reverse("training_attendance", args=[session.pk]))))
    assert counts[1][0] <= counts[0][0] <= 12, counts
    assert counts[1][1] <= counts[0][1] <= 12, counts
