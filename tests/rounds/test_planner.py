"""The batch planner: the demo batches planned with every rule holding (each rule checked on its own, not only
`plan_violations`), explanations when no plan exists, bookings elsewhere respected, and the benchmark's scale."""

import importlib.util
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from rounds.demo import GROUP_BATCH, VILLAGE_BATCH
from rounds.formulas import formulas_ensure
from rounds.models import Batch, Station, StationMember, StationState, TeamFormula
from rounds.planner import (
    PlanInput,
    PlannedStation,
    PlanResult,
    RoundSpec,
    plan_batch,
    plan_violations,
    workload_spread,
)
from rounds.rules import Booking, PersonFacts, SlotFacts, TargetFacts
from rounds.services.facts import batch_pool
from rounds.services.planning import batch_confirm, batch_create, batch_plan, batch_plan_input
from supervision.models import AuditEvent, ConflictDeclaration, PersonCategory, UnitKind
from tests.factories import PersonFactory, TownshipFactory, VillageFactory

pytest_plugins = ["tests.rounds.fixtures_rounds"]
pytestmark = pytest.mark.usefixtures("zh_hans")

LEADER = SlotFacts(id=1, label="组长", categories=("discipline_cadre",), seats=1, is_leader=True)
BACKBONE = SlotFacts(id=2, label="业务骨干", categories=("finance", "civil_affairs"), seats=2)
VILLAGER = SlotFacts(id=3, label="村纪检委员", categories=("village_member",), seats=1)
MONDAY = date(2026, 3, 2)


def weekly_rounds(n: int, start: date = MONDAY) -> list[RoundSpec]:
    return [RoundSpec(i + 1, start + timedelta(days=14 * i), start + timedelta(days=14 * i + 6)) for i in range(n)]


def assignments(stations) -> list[tuple[int, int, tuple]]:
    """A plan as comparable data: (round, target, sorted (slot, person) pairs)."""
    return sorted((s.round_number, s.target_id, tuple(sorted(s.members))) for s in stations)


def assert_plan_rules(plan: PlanInput, result: PlanResult) -> None:
    """Every rule of the issue, checked on the plan itself (independently of the planner's own checker)."""
    assert result.ok, result.problems
    people = {p.id: p for p in plan.people}
    rounds = {r.number: r for r in plan.rounds}
    # Each target exactly once.
    assert Counter(s.target_id for s in result.stations) == Counter(t.id for t in plan.targets)
    for station in result.stations:
        per_slot = defaultdict(list)
        for slot_id, person_id in station.members:
            per_slot[slot_id].append(person_id)
        assert set(per_slot) <= {s.id for s in plan.slots}
        # The formula: each slot has its seats, filled with its categories (one per unit where required).
        for slot in plan.slots:
            chosen = per_slot[slot.id]
            assert len(chosen) == slot.seats, (station, slot.label)
            assert all(people[p].category in slot.categories for p in chosen), (station, slot.label)
            if slot.one_per_unit:
                assert len({people[p].home_unit_id for p in chosen}) == len(chosen), (station, slot.label)
        team = [p for _slot, p in station.members]
        assert len(team) == len(set(team)), station
        for person_id in team:
            person = people[person_id]
            assert person.active
            assert person.home_unit_id != station.target_id, (person.name, "works at the target")
            assert station.target_id not in person.conflicts, (person.name, "declared a conflict")
    # Nobody in two overlapping periods, counting their bookings outside the plan.
    periods = defaultdict(list)
    for person_id, bookings in plan.bookings.items():
        periods[person_id].extend((b.start, b.end) for b in bookings)
    for station in result.stations:
        spec = rounds[station.round_number]
        for _slot, person_id in station.members:
            periods[person_id].append((spec.start, spec.end))
    for person_id, spans in periods.items():
        spans.sort()
        for (_s1, end), (start, _e2) in zip(spans, spans[1:], strict=False):
            assert end < start, (people[person_id].name, "double-booked")
    # Nobody returns to a target.
    visits = defaultdict(list)
    for station in result.stations:
        for _slot, person_id in station.members:
            visits[person_id].append(station.target_id)
    for person_id, targets in visits.items():
        assert len(targets) == len(set(targets)), (people[person_id].name, "returns")
    # Workloads: busiest minus least busy within each slot's pool at most one station.
    load = Counter(p for s in result.stations for _slot, p in s.members)
    for slot in plan.slots:
        pool = [load[p.id] for p in plan.people if p.active and p.category in slot.categories]
        assert max(pool) - min(pool) <= 1, slot.label


def assert_leaders_spread(rounds_in_order: list[list[int]], cadres: list[int]) -> None:
    """Leaders spread across rounds. `rounds_in_order` lists each round's leaders, in date order.
    1. After every round, the number of times each discipline cadre has led differs by at most one.
    2. Nobody leads two rounds in a row while a cadre who sat out the earlier round sits out again, unless that
       cadre has already led more often (the rested go first between equals)."""
    led = Counter()
    previous: set[int] = set()
    for leaders in rounds_in_order:
        now = set(leaders)
        assert len(now) == len(leaders)
        for again in now & previous:
            for rested in set(cadres) - previous - now:
                assert led[rested] > led[again], (again, rested)
        led.update(leaders)
        counts = [led[c] for c in cadres]
        assert max(counts) - min(counts) <= 1, counts
        previous = now


# --- the demo batch "大箕铺镇 26 villages in 7 rounds" --------------------------------------------------------------


@pytest.fixture
def village_batch(rounds_demo) -> Batch:
    return Batch.objects.select_related("formula", "organiser").get(name=VILLAGE_BATCH)


def _demo_stations(batch):
    return list(Station.objects.filter(round__batch=batch).select_related("round", "target")
                .prefetch_related("members__person__home_unit", "members__slot")
                .order_by("round__start_date", "target__name"))


def test_demo_village_batch_has_zero_violations(village_batch):
    plan = batch_plan_input(village_batch)
    result = PlanResult(stations=[])
    for station in _demo_stations(village_batch):
        result.stations.append(PlannedStation(station.round.number, station.target_id,
                                              [(m.slot_id, m.person_id) for m in station.members.all()]))
    assert len(plan.targets) == 26 and len(plan.rounds) == 7
    assert plan_violations(plan, result) == []
    assert max(workload_spread(plan, result).values()) <= 1
    assert_plan_rules(plan, result)


def test_demo_every_village_is_covered_exactly_once(village_batch):
    stations = _demo_stations(village_batch)
    targets = set(village_batch.targets.values_list("pk", flat=True))
    assert len(targets) == 26
    assert Counter(s.target_id for s in stations) == Counter(targets)
    assert Counter(s.round.number for s in stations) == {1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 3, 7: 3}
    assert all(s.state != StationState.PROPOSED for s in stations)  # the demo batch is confirmed


def test_demo_teams_match_the_formula(village_batch):
    slots = {slot.label: slot for slot in village_batch.formula.slots.all()}
    assert slots["组长"].is_leader and slots["村纪检委员"].is_minimum
    for station in _demo_stations(village_batch):
        team = defaultdict(list)
        for member in station.members.all():
            team[member.slot.label].append(member.person)
        assert set(team) == {"组长", "业务骨干", "村纪检委员"}, station
        assert [p.category for p in team["组长"]] == [PersonCategory.DISCIPLINE_CADRE], station
        assert len(team["业务骨干"]) == 2, station
        assert {p.category for p in team["业务骨干"]} <= {PersonCategory.FINANCE, PersonCategory.CIVIL_AFFAIRS}
        assert len(team["村纪检委员"]) == slots["村纪检委员"].planned_count == 2, station
        assert {p.category for p in team["村纪检委员"]} == {PersonCategory.VILLAGE_MEMBER}
        assert len({p.pk for people in team.values() for p in people}) == 5, station


def test_demo_nobody_supervises_their_own_unit_or_village(village_batch):
    for station in _demo_stations(village_batch):
        for member in station.members.all():
            person = member.person
            assert person.home_unit_id != station.target_id, (person.name, station.target.name)
            if person.category == PersonCategory.VILLAGE_MEMBER:
                assert person.home_unit.kind in (UnitKind.VILLAGE, UnitKind.COMMUNITY)
                assert person.home_unit.parent_id == station.target.parent_id  # a village of the same town...
                assert person.home_unit_id != station.target_id  # ...never their own


def test_demo_nobody_at_a_declared_conflict(village_batch):
    """The demo declares no conflicts; declare some where the plan put people, and plan again: they move."""
    stations = _demo_stations(village_batch)
    declared = set()
    for station in stations[:8]:
        for member in station.members.all():
            ConflictDeclaration.objects.create(person=member.person, unit=station.target, reason="relative")
            declared.add((member.person_id, station.target_id))
    plan = batch_plan_input(village_batch)
    assert sum(len(p.conflicts) for p in plan.people) == len(declared) == 40
    result = plan_batch(plan)
    assert_plan_rules(plan, result)
    assert plan_violations(plan, result) == []
    planned = {(person_id, s.target_id) for s in result.stations for _slot, person_id in s.members}
    assert planned & declared == set()


def test_demo_nobody_in_two_overlapping_stations_in_any_batch(village_batch):
    periods = defaultdict(list)
    for member in StationMember.objects.select_related("station__round__batch", "station__target"):
        r = member.station.round
        periods[member.person_id].append((r.start_date, r.end_date, r.batch.name, member.station.target.name))
    assert {b for spans in periods.values() for *_d, b, _t in spans} == {VILLAGE_BATCH, GROUP_BATCH}
    for spans in periods.values():
        spans.sort()
        for first, second in zip(spans, spans[1:], strict=False):
            assert first[1] < second[0], (first, second)


def test_demo_nobody_returns_to_a_target(village_batch):
    visits = Counter(StationMember.objects.filter(station__round__batch=village_batch)
                     .values_list("person_id", "station__target_id"))
    assert visits and max(visits.values()) == 1


def test_demo_workloads_are_balanced_within_each_slot_pool(village_batch):
    load = Counter(StationMember.objects.filter(station__round__batch=village_batch)
                   .values_list("person_id", flat=True))
    pool = list(batch_pool(village_batch))
    for slot in village_batch.formula.slots.all():
        counts = [load[p.pk] for p in pool if p.category in slot.categories]
        assert counts, slot.label
        assert max(counts) - min(counts) <= 1, (slot.label, sorted(counts))
    # 6 cadres lead 26 stations; 9 backbones fill 52 seats; 26 village members fill 52 seats.
    cadres = [p for p in pool if p.category == PersonCategory.DISCIPLINE_CADRE]
    assert sorted(load[p.pk] for p in cadres) == [4, 4, 4, 4, 5, 5]
    assert {load[p.pk] for p in pool if p.category == PersonCategory.VILLAGE_MEMBER} == {2}


def test_demo_leaders_spread_across_rounds(village_batch):
    by_round = defaultdict(list)
    for member in (StationMember.objects.filter(station__round__batch=village_batch, slot__is_leader=True)
                   .order_by("station__round__start_date", "station__target__name")):
        by_round[member.station.round.number].append(member.person_id)
    cadres = [p.pk for p in batch_pool(village_batch) if p.category == PersonCategory.DISCIPLINE_CADRE]
    assert len(cadres) == 6
    assert_leaders_spread([by_round[n] for n in sorted(by_round)], cadres)


def test_demo_plan_is_deterministic(village_batch):
    first, second = plan_batch(batch_plan_input(village_batch)), plan_batch(batch_plan_input(village_batch))
    assert first.ok and assignments(first.stations) == assignments(second.stations)
    # And it is the very plan the demo saved.
    saved = sorted((s.round.number, s.target_id, tuple(sorted((m.slot_id, m.person_id) for m in s.members.all())))
                   for s in _demo_stations(village_batch))
    assert assignments(first.stations) == saved


def test_demo_group_batch_is_two_plus_five(rounds_demo):
    batch = Batch.objects.get(name=GROUP_BATCH)
    stations = _demo_stations(batch)
    covered = set(batch.organiser.covered_units.values_list("pk", flat=True))
    assert len(stations) == 6 and {s.target_id for s in stations} == covered
    for station in stations:
        team = defaultdict(list)
        for member in station.members.all():
            team[member.slot.label].append(member.person)
        staff = team["对口单位人员"]
        assert len(staff) == 5, station
        assert {p.category for p in staff} == {PersonCategory.UNIT_STAFF}
        assert len({p.home_unit_id for p in staff}) == 5, station
        assert station.target_id not in {p.home_unit_id for p in staff}, station
        assert {p.home_unit_id for p in staff} == covered - {station.target_id}
        cadres = team["组长"] + team["纪检监察干部"]
        assert len(cadres) == 2 and len({p.pk for p in cadres}) == 2, station
        assert {p.home_unit_id for p in cadres} == {batch.organiser_id}


# --- the pure planner on constructed inputs ------------------------------------------------------------------------


def village_world(villages=6, rounds=3, cadres=2, backbones=4, members=4, finance_only=False):
    """Targets 1..; each village member lives in one of the first villages; cadres and backbones in the town 1."""
    targets = [TargetFacts(id=100 + i, name=f"村{i + 1}") for i in range(villages)]
    people = [PersonFacts(id=i + 1, name=f"组长{i + 1}", category="discipline_cadre", home_unit_id=1)
              for i in range(cadres)]
    people += [PersonFacts(id=20 + i, name=f"骨干{i + 1}",
                           category="finance" if finance_only or i % 2 == 0 else "civil_affairs", home_unit_id=1)
               for i in range(backbones)]
    people += [PersonFacts(id=40 + i, name=f"委员{i + 1}", category="village_member",
                           home_unit_id=targets[i % villages].id) for i in range(members)]
    return PlanInput(targets=targets, rounds=weekly_rounds(rounds), slots=[LEADER, BACKBONE, VILLAGER],
                     people=people)


def test_small_plan_satisfies_every_rule():
    plan = village_world()
    result = plan_batch(plan)
    assert_plan_rules(plan, result)
    assert len(result.stations) == 6


def test_too_few_finance_people_is_explained_without_a_partial_plan():
    """Round 3's backbone seats cannot be filled: two of the three backbones are booked elsewhere that week."""
    plan = village_world(villages=3, rounds=3, cadres=1, backbones=3, members=3)
    plan.slots = [LEADER, SlotFacts(id=2, label="业务骨干", categories=("finance", "civil_affairs"), seats=3),
                  VILLAGER]
    third = plan.rounds[2]
    plan.bookings = {20: [Booking(third.start, third.end, "外镇某村")]}
    result = plan_batch(plan)
    assert result.problems == ["第3轮缺少财经所人员/民政所人员：仅2人可用，需要3人"]
    assert result.stations == [] and not result.ok


def test_shortage_in_several_rounds_names_each_round():
    plan = village_world(villages=4, rounds=2, cadres=2, backbones=3, members=4)
    result = plan_batch(plan)
    assert result.problems == ["第1轮缺少财经所人员/民政所人员：仅3人可用，需要4人",
                               "第2轮缺少财经所人员/民政所人员：仅3人可用，需要4人"]
    assert result.stations == []


def test_conflicts_are_solved_by_matching():
    """Each leader declared one of the two villages of round 1: only the crosswise assignment works."""
    plan = village_world(villages=2, rounds=1, cadres=2)
    a, b = plan.targets
    plan.people[0] = PersonFacts(id=1, name="组长1", category="discipline_cadre", home_unit_id=1,
                                 conflicts={a.id: "近亲属在该单位任职"})
    plan.people[1] = PersonFacts(id=2, name="组长2", category="discipline_cadre", home_unit_id=1,
                                 conflicts={b.id: "近亲属在该单位任职"})
    result = plan_batch(plan)
    assert_plan_rules(plan, result)
    leaders = {s.target_id: person for s in result.stations for slot, person in s.members if slot == LEADER.id}
    assert leaders == {a.id: 2, b.id: 1}


def test_infeasible_matching_names_round_target_and_slot():
    """Enough leaders by count, but every one of them declared 村1: the counting check passes, matching fails."""
    plan = village_world(villages=2, rounds=1, cadres=2)
    a = plan.targets[0]
    plan.people[:2] = [PersonFacts(id=i, name=f"组长{i}", category="discipline_cadre", home_unit_id=1,
                                   conflicts={a.id: "存在利害关系"}) for i in (1, 2)]
    result = plan_batch(plan)
    assert result.problems == [
        "第1轮村1的组长找不到合适人选：纪检干部共2人，其中0人时间冲突，2人需回避该单位，0人已安排在本轮其他驻点"]
    assert result.stations == []


def test_a_village_member_is_never_sent_home():
    """Two villages, two members, one from each: each must go to the other village."""
    plan = village_world(villages=2, rounds=1, cadres=2, members=2)
    result = plan_batch(plan)
    assert_plan_rules(plan, result)
    homes = {p.id: p.home_unit_id for p in plan.people}
    for station in result.stations:
        [villager] = [p for slot, p in station.members if slot == VILLAGER.id]
        assert homes[villager] != station.target_id


def test_bookings_outside_the_batch_are_respected():
    plan = village_world(villages=4, rounds=2, cadres=3, backbones=6, members=4)
    first = plan.rounds[0]
    plan.bookings = {1: [Booking(first.start + timedelta(days=3), first.end + timedelta(days=3), "外镇某村")]}
    result = plan_batch(plan)
    assert_plan_rules(plan, result)
    in_round = defaultdict(set)
    for station in result.stations:
        in_round[station.round_number].update(p for _slot, p in station.members)
    assert 1 not in in_round[1] and 1 in in_round[2]


def test_same_input_same_plan():
    plan = village_world(villages=6, rounds=2, cadres=4, backbones=8, members=6)
    assert assignments(plan_batch(plan).stations) == assignments(plan_batch(plan).stations)


def test_missing_pieces_are_explained():
    plan = village_world()
    assert plan_batch(PlanInput(targets=plan.targets, rounds=[], slots=plan.slots, people=plan.people)).problems == [
        "批次还没有轮次"]
    assert plan_batch(PlanInput(targets=[], rounds=plan.rounds, slots=plan.slots, people=plan.people)).problems == [
        "批次还没有监督对象"]
    assert plan_batch(PlanInput(targets=plan.targets, rounds=plan.rounds, slots=[], people=plan.people)).problems == [
        "组队模式没有设置组内角色"]


# --- through the service, on the database -------------------------------------------------------------------------


@pytest.fixture
def small_town(db, users):
    """保安镇: four target villages and two more; 3 cadres, 6 backbones, one discipline member per village; a
    "1+2+N" batch of two rounds (two stations each) drawing on everyone in the town."""
    town = TownshipFactory(name="保安镇")
    villages = [VillageFactory(name=name, parent=town)
                for name in ("保安村", "沼山村", "尹解元村", "湖山村", "新街村", "东风村")]
    people = {}
    for name, category in [("甲书记", "discipline_cadre"), ("乙干部", "discipline_cadre"), ("丙干部", "discipline_cadre"),
                           ("丁财经", "finance"), ("戊财经", "finance"), ("辛财经", "finance"),
                           ("己民政", "civil_affairs"), ("庚民政", "civil_affairs"), ("壬民政", "civil_affairs")]:
        people[name] = PersonFactory(name=name, category=category, home_unit=town)
    for i, village in enumerate(villages):
        people[f"委员{i}"] = PersonFactory(name=f"委员{i}", category="village_member", home_unit=village)
    formulas_ensure()
    batch = batch_create(actor=users["commission"], name="保安镇批次", year=2026, organiser=town,
                         formula=TeamFormula.objects.get(code="1-2-n"), targets=villages[:4], rounds=2,
                         first_start=date(2026, 6, 1), days=7, gap_days=0)
    return {"town": town, "villages": villages, "people": people, "batch": batch, "users": users}


def test_service_plan_saves_proposed_stations(small_town):
    batch = small_town["batch"]
    result = batch_plan(actor=small_town["users"]["commission"], batch=batch)
    assert result.ok
    stations = Station.objects.filter(round__batch=batch)
    assert stations.count() == 4 and set(stations.values_list("state", flat=True)) == {StationState.PROPOSED}
    assert StationMember.objects.filter(station__round__batch=batch).count() == 4 * 5
    assert assignments(result.stations) == assignments(plan_batch(batch_plan_input(batch)).stations)
    assert AuditEvent.objects.filter(action="batch.plan", object_id=str(batch.pk)).count() == 1


def test_service_infeasible_plan_keeps_nothing_partial(small_town):
    batch, people = small_town["batch"], small_town["people"]
    for name in ("丁财经", "戊财经", "辛财经"):
        people[name].is_active = False
        people[name].save()
    result = batch_plan(actor=small_town["users"]["commission"], batch=batch)
    assert result.problems == ["第1轮缺少财经所人员/民政所人员：仅3人可用，需要4人",
                               "第2轮缺少财经所人员/民政所人员：仅3人可用，需要4人"]
    assert not Station.objects.filter(round__batch=batch).exists()
    event = AuditEvent.objects.get(action="batch.plan_failed", object_id=str(batch.pk))
    assert "第1轮缺少财经所人员" in event.changes["problems"]["after"]


def test_service_plan_respects_bookings_in_other_batches(small_town):
    """Five people are stationed for another (confirmed) batch during round 1: they are planned in round 2 only."""
    batch, people, users = small_town["batch"], small_town["people"], small_town["users"]
    busy = [people[n] for n in ("甲书记", "丁财经", "己民政", "委员0", "委员1")]
    other_town = TownshipFactory(name="还地桥镇")
    other_village = VillageFactory(name="港湖村", parent=other_town)
    other = batch_create(actor=users["commission"], name="还地桥镇批次", year=2026, organiser=other_town,
                         formula=batch.formula, targets=[other_village], rounds=1, first_start=date(2026, 6, 2),
                         days=5, gap_days=0, pool=busy)
    assert batch_plan(actor=users["commission"], batch=other).ok
    batch_confirm(actor=users["commission"], batch=other)
    result = batch_plan(actor=users["commission"], batch=batch)
    assert result.ok, result.problems
    plan = batch_plan_input(batch)
    assert {pid: [(b.start, b.end, b.target_name) for b in bookings] for pid, bookings in plan.bookings.items()} == {
        p.pk: [(date(2026, 6, 2), date(2026, 6, 6), "港湖村")] for p in busy}
    assert_plan_rules(plan, result)
    saved = StationMember.objects.filter(station__round__batch=batch).select_related("station__round", "slot")
    assert not saved.filter(station__round__number=1, person__in=busy).exists()
    assert saved.get(station__round__number=2, person=people["甲书记"]).slot.is_leader  # rested, so leads next


# --- scale: the benchmark's input ----------------------------------------------------------------------------------


def _bench_module():
    path = Path(__file__).resolve().parents[2] / "bench" / "planner.py"
    spec = importlib.util.spec_from_file_location("bench_planner", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_input_is_planned_without_violations():
    plan = _bench_module().synthetic()
    assert (len(plan.targets), len(plan.people), len(plan.rounds)) == (400, 150, 20)
    result = plan_batch(plan)
    assert result.ok, result.problems[:3]
    assert len(result.stations) == 400
    assert plan_violations(plan, result) == []
    assert max(workload_spread(plan, result).values()) <= 1
    assert_plan_rules(plan, result)
    assert assignments(plan_batch(plan).stations) == assignments(result.stations)
