"""Loading the plain facts the rules and the planner work on, in a constant number of queries."""

from collections import defaultdict

from django.db.models import Q

from supervision.models import ConflictDeclaration, Person, Unit

from ..models import Batch, FormulaSlot, Station, StationMember, StationState
from ..rules import Booking, PersonFacts, SlotFacts, TargetFacts


def unit_subtree_ids(unit: Unit) -> list[int]:
    ids, frontier = [unit.pk], [unit.pk]
    while frontier:
        frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def batch_pool(batch: Batch):
    """The people a batch draws from: its chosen pool, or everyone active under the organising unit."""
    chosen = batch.pool.all()
    if chosen.exists():
        return chosen.filter(is_active=True)
    return Person.objects.filter(is_active=True, home_unit_id__in=unit_subtree_ids(batch.organiser))


def people_facts(people) -> list[PersonFacts]:
    people = list(people.order_by("id"))
    conflicts: dict[int, dict[int, str]] = defaultdict(dict)
    for declaration in ConflictDeclaration.objects.filter(person__in=people):
        conflicts[declaration.person_id][declaration.unit_id] = str(declaration.get_reason_display())
    return [PersonFacts(id=p.pk, name=p.name, category=p.category, home_unit_id=p.home_unit_id, active=p.is_active,
                        conflicts=conflicts.get(p.pk, {})) for p in people]


def slot_facts(slot: FormulaSlot) -> SlotFacts:
    return SlotFacts(id=slot.pk, label=slot.label, categories=tuple(slot.categories), seats=slot.seats,
                     is_leader=slot.is_leader, one_per_unit=slot.one_per_unit)


def target_facts(unit: Unit) -> TargetFacts:
    return TargetFacts(id=unit.pk, name=unit.name)


def bookings_for(person_ids, *, batch: Batch, exclude_station: Station | None = None,
                 whole_batch: bool = False) -> dict[int, list[Booking]]:
    """Where these people are stationed already, as seen from `batch`: its own stations (proposed or not) and
    other batches' confirmed stations; other batches' proposals are tentative and do not count. With
    `whole_batch` the batch's own stations are left out (it is being planned anew)."""
    members = (StationMember.objects.filter(person_id__in=person_ids)
               .filter(~Q(station__state=StationState.PROPOSED) | Q(station__round__batch=batch))
               .select_related("station__round", "station__target"))
    if whole_batch:
        members = members.exclude(station__round__batch=batch)
    if exclude_station is not None:
        members = members.exclude(station=exclude_station)
    out: dict[int, list[Booking]] = defaultdict(list)
    for m in members:
        out[m.person_id].append(Booking(m.station.round.start_date, m.station.round.end_date, m.station.target.name,
                                        m.station_id))
    return dict(out)


def visited_targets(person_id: int, batch: Batch, *, exclude_station: Station | None = None) -> set[int]:
    members = StationMember.objects.filter(person_id=person_id, station__round__batch=batch)
    if exclude_station is not None:
        members = members.exclude(station=exclude_station)
    return set(members.values_list("station__target_id", flat=True))
