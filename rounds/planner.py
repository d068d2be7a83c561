"""The batch planner: proposes every station of a batch.

Targets are spread over the rounds in the order given (sizes differ by at most one). Then, round by round in
date order, the seats of the round's teams are filled by a minimum-cost assignment (the Hungarian method, SciPy's
`linear_sum_assignment`) between people and seats: an edge exists only where every assignment rule holds
(`rules.assignment_problems`: category, home unit, declared conflicts, overlapping bookings, targets already
visited), and its cost grows with the person's workload so far (and, for leader seats, with how often they led),
which keeps workloads within one station of each other wherever the pool allows and spreads leaders over the
rounds; between leaders who led equally often, one who led the previous round waits for one who rested. Slots
that need one person per unit ("2+5") are filled next, least-loaded unit first. Ties are broken by input order,
so the same input gives the same plan.

Nothing here touches the database: `rounds.services.planning` loads the facts and saves the result.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.utils.translation import gettext as _
from scipy.optimize import linear_sum_assignment

from .rules import (
    Booking,
    PersonFacts,
    SlotFacts,
    TargetFacts,
    assignment_problems,
    categories_label,
    overlaps,
)

INFEASIBLE = 1e12
LOAD_WEIGHT = 1_000.0
LEADER_WEIGHT = 100.0
RESTED_WEIGHT = 10.0  # below LEADER_WEIGHT: only breaks ties between leaders who led equally often


@dataclass(frozen=True)
class RoundSpec:
    number: int
    start: date
    end: date


@dataclass
class PlanInput:
    targets: list[TargetFacts]
    rounds: list[RoundSpec]
    slots: list[SlotFacts]
    people: list[PersonFacts]
    bookings: dict[int, list[Booking]] = field(default_factory=dict)  # person id -> bookings outside the batch


@dataclass
class PlannedStation:
    round_number: int
    target_id: int
    members: list[tuple[int, int]] = field(default_factory=list)  # (slot id, person id)


@dataclass
class PlanResult:
    stations: list[PlannedStation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def distribute(targets: list, rounds: list) -> list[list]:
    base, extra = divmod(len(targets), len(rounds))
    out, i = [], 0
    for r in range(len(rounds)):
        size = base + (1 if r < extra else 0)
        out.append(targets[i:i + size])
        i += size
    return out


class _State:
    """Workloads and bookings as the plan grows."""

    def __init__(self, plan: PlanInput):
        self.load = defaultdict(int)
        self.led = defaultdict(int)
        self.visited: dict[int, set[int]] = defaultdict(set)
        self.led_last_round: set[int] = set()
        self.bookings: dict[int, list[Booking]] = {pid: list(b) for pid, b in plan.bookings.items()}

    def book(self, person_id: int, slot: SlotFacts, target: TargetFacts, spec: RoundSpec) -> None:
        self.load[person_id] += 1
        if slot.is_leader:
            self.led[person_id] += 1
        self.visited[person_id].add(target.id)
        self.bookings.setdefault(person_id, []).append(Booking(spec.start, spec.end, target.name))


def _free(person: PersonFacts, spec: RoundSpec, state: _State) -> bool:
    return person.active and not any(overlaps(spec.start, spec.end, b.start, b.end)
                                     for b in state.bookings.get(person.id, ()))


def _eligible(person: PersonFacts, target: TargetFacts, slot: SlotFacts, visited: set[int]) -> bool:
    """The fast form of `rules.assignment_problems` for a person already known to be free in the period."""
    return (person.category in slot.categories and person.home_unit_id != target.id
            and target.id not in person.conflicts and target.id not in visited)


def _shortages(plan: PlanInput, number: int, spec: RoundSpec, stations: int, state: _State) -> list[str]:
    """Counting check before matching: enough free people of each slot's categories (and of slots sharing them)."""
    groups: list[tuple[set[str], int]] = []
    for slot in plan.slots:
        need = stations * slot.seats
        cats = set(slot.categories)
        for i, (g_cats, g_need) in enumerate(groups):
            if g_cats & cats:
                groups[i] = (g_cats | cats, g_need + need)
                break
        else:
            groups.append((cats, need))
    problems = []
    for cats, need in groups:
        available = sum(1 for p in plan.people if p.category in cats and _free(p, spec, state))
        if available < need:
            problems.append(_("第%(round)d轮缺少%(who)s：仅%(available)d人可用，需要%(need)d人") % {
                "round": number, "who": categories_label(sorted(cats, key=_category_order)),
                "available": available, "need": need})
    return problems


def _category_order(code: str) -> int:
    from supervision.models import PersonCategory

    values = [c.value for c in PersonCategory]
    return values.index(code) if code in values else len(values)


def _why_empty(plan: PlanInput, number: int, spec: RoundSpec, target: TargetFacts, slot: SlotFacts,
               state: _State, used: set[int]) -> str:
    kind = [p for p in plan.people if p.category in slot.categories]
    busy = [p for p in kind if not _free(p, spec, state)]
    recused = [p for p in kind if _free(p, spec, state)
               and not _eligible(p, target, slot, state.visited[p.id])]
    taken = [p for p in kind if _free(p, spec, state) and p.id in used]
    return _("第%(round)d轮%(target)s的%(slot)s找不到合适人选：%(who)s共%(total)d人，其中%(busy)d人时间冲突，"
             "%(recused)d人需回避该单位，%(taken)d人已安排在本轮其他驻点") % {
        "round": number, "target": target.name, "slot": slot.label, "who": categories_label(slot.categories),
        "total": len(kind), "busy": len(busy), "recused": len(recused), "taken": len(taken)}


def _plan_round(plan: PlanInput, number: int, spec: RoundSpec, targets: list[TargetFacts], state: _State):
    """Fill every seat of one round. Returns (stations, problems)."""
    stations = [PlannedStation(number, t.id) for t in targets]
    free = [p for p in plan.people if _free(p, spec, state)]
    seats = [(si, slot) for si in range(len(targets)) for slot in plan.slots if not slot.one_per_unit
             for _k in range(slot.seats)]
    used: set[int] = set()
    if seats:
        cost = np.full((len(seats), len(free)), INFEASIBLE)
        for j, person in enumerate(free):
            base = state.load[person.id] * LOAD_WEIGHT
            for i, (si, slot) in enumerate(seats):
                if _eligible(person, targets[si], slot, state.visited[person.id]):
                    cost[i, j] = base + (state.led[person.id] * LEADER_WEIGHT
                                         + (RESTED_WEIGHT if person.id in state.led_last_round else 0.0)
                                         if slot.is_leader else 0.0)
        if len(free) < len(seats):
            return [], [_("第%(round)d轮可用人员不足：需要%(need)d人，仅%(available)d人有空")
                        % {"round": number, "need": len(seats), "available": len(free)}]
        rows, cols = linear_sum_assignment(cost)
        chosen = dict(zip(rows.tolist(), cols.tolist(), strict=True))
        problems = []
        for i, (si, slot) in enumerate(seats):
            j = chosen[i]
            if cost[i, j] >= INFEASIBLE:
                problems.append(_why_empty(plan, number, spec, targets[si], slot, state, used))
                continue
            stations[si].members.append((slot.id, free[j].id))
            used.add(free[j].id)
        if problems:
            return [], sorted(set(problems))
    for slot in (s for s in plan.slots if s.one_per_unit):
        for si, target in enumerate(targets):
            by_unit: dict[int, list[PersonFacts]] = defaultdict(list)
            for person in free:
                if person.id not in used and _eligible(person, target, slot, state.visited[person.id]):
                    by_unit[person.home_unit_id].append(person)
            if len(by_unit) < slot.seats:
                return [], [_("第%(round)d轮%(target)s的%(slot)s需要来自%(need)d个不同单位的人员，仅%(have)d个单位有合适人选")
                            % {"round": number, "target": target.name, "slot": slot.label, "need": slot.seats,
                               "have": len(by_unit)}]
            picks = [min(group, key=lambda p: (state.load[p.id], p.id)) for group in by_unit.values()]
            picks.sort(key=lambda p: (state.load[p.id], p.home_unit_id, p.id))
            for person in picks[:slot.seats]:
                stations[si].members.append((slot.id, person.id))
                used.add(person.id)
    return stations, []


def plan_batch(plan: PlanInput) -> PlanResult:
    if not plan.rounds:
        return PlanResult(problems=[_("批次还没有轮次")])
    if not plan.targets:
        return PlanResult(problems=[_("批次还没有监督对象")])
    if not plan.slots:
        return PlanResult(problems=[_("组队模式没有设置组内角色")])
    order = sorted(range(len(plan.rounds)), key=lambda i: (plan.rounds[i].start, plan.rounds[i].number))
    rounds = [plan.rounds[i] for i in order]
    chunks = distribute(list(plan.targets), rounds)
    state = _State(plan)
    slots = {s.id: s for s in plan.slots}
    targets = {t.id: t for t in plan.targets}
    result = PlanResult()
    for spec, chunk in zip(rounds, chunks, strict=True):
        if not chunk:
            state.led_last_round = set()
            continue
        shortages = _shortages(plan, spec.number, spec, len(chunk), state)
        if shortages:
            result.problems.extend(shortages)
            continue
        stations, problems = _plan_round(plan, spec.number, spec, chunk, state)
        if problems:
            result.problems.extend(problems)
            continue
        for station in stations:
            for slot_id, person_id in station.members:
                state.book(person_id, slots[slot_id], targets[station.target_id], spec)
        state.led_last_round = {person_id for station in stations for slot_id, person_id in station.members
                                if slots[slot_id].is_leader}
        result.stations.extend(stations)
    if result.problems:
        result.stations = []  # never a partial plan
    return result


# --- checking a plan, independently of how it was made ----------------------------------------------------------

def plan_violations(plan: PlanInput, result: PlanResult) -> list[str]:
    """Every rule the planned stations break, checked with `rules.assignment_problems` (not the planner's fast
    path): each target once, team sizes per slot, one person per unit where required, and every assignment rule
    including overlaps between the plan's own stations."""
    people = {p.id: p for p in plan.people}
    slots = {s.id: s for s in plan.slots}
    targets = {t.id: t for t in plan.targets}
    rounds = {r.number: r for r in plan.rounds}
    found = []
    covered = [s.target_id for s in result.stations]
    for target in plan.targets:
        if covered.count(target.id) != 1:
            found.append(f"target {target.name} covered {covered.count(target.id)} times")
    bookings = {pid: list(b) for pid, b in plan.bookings.items()}
    visited: dict[int, set[int]] = defaultdict(set)
    for station in sorted(result.stations, key=lambda s: (rounds[s.round_number].start, s.round_number)):
        spec, target = rounds[station.round_number], targets[station.target_id]
        per_slot = defaultdict(list)
        for slot_id, person_id in station.members:
            per_slot[slot_id].append(person_id)
        for slot in plan.slots:
            if len(per_slot[slot.id]) != slot.seats:
                found.append(f"{target.name}: slot {slot.label} has {len(per_slot[slot.id])}, needs {slot.seats}")
            if slot.one_per_unit:
                units = [people[p].home_unit_id for p in per_slot[slot.id]]
                if len(set(units)) != len(units):
                    found.append(f"{target.name}: slot {slot.label} has two people from one unit")
        for slot_id, person_id in station.members:
            problems = assignment_problems(people[person_id], target, slots[slot_id], spec.start, spec.end,
                                           bookings.get(person_id, ()), visited[person_id])
            found.extend(f"round {spec.number} {target.name}: {p}" for p in problems)
        for _slot_id, person_id in station.members:
            bookings.setdefault(person_id, []).append(Booking(spec.start, spec.end, target.name))
            visited[person_id].add(target.id)
    return found


def workload_spread(plan: PlanInput, result: PlanResult) -> dict[str, int]:
    """Per slot: busiest minus least busy among the people who could fill it (stations in the whole plan)."""
    load = defaultdict(int)
    for station in result.stations:
        for _slot_id, person_id in station.members:
            load[person_id] += 1
    spread = {}
    for slot in plan.slots:
        pool = [load[p.id] for p in plan.people if p.active and p.category in slot.categories]
        spread[slot.label] = (max(pool) - min(pool)) if pool else 0
    return spread
