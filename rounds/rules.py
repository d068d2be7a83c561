"""The recusal and assignment rules, over plain facts, so the planner and every manual assignment use the very
same checks. Each broken rule is one sentence naming the person and the rule."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from supervision.models import PersonCategory


@dataclass(frozen=True)
class PersonFacts:
    id: int
    name: str
    category: str
    home_unit_id: int
    active: bool = True
    conflicts: dict[int, str] = field(default_factory=dict)  # unit id -> reason (display text)


@dataclass(frozen=True)
class TargetFacts:
    id: int
    name: str


@dataclass(frozen=True)
class SlotFacts:
    id: int
    label: str
    categories: tuple[str, ...]
    seats: int = 1
    is_leader: bool = False
    one_per_unit: bool = False


@dataclass(frozen=True)
class Booking:
    """A period a person is already stationed somewhere."""

    start: date
    end: date
    target_name: str
    station_id: int | None = None


def category_label(code: str) -> str:
    return str(dict(PersonCategory.choices).get(code, code))


def categories_label(codes) -> str:
    return "/".join(category_label(c) for c in codes)


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start <= b_end and b_start <= a_end


def assignment_problems(person: PersonFacts, target: TargetFacts, slot: SlotFacts, start: date, end: date,
                        bookings=(), visited_target_ids=frozenset()) -> list[str]:
    """Every rule the assignment of `person` to `target` in `slot` for [start, end] would break."""
    found = []
    if not person.active:
        found.append(_("%(name)s已不在册，不能安排") % {"name": person.name})
    if person.category not in slot.categories:
        found.append(_("%(name)s是%(category)s，不能担任%(slot)s（需要%(allowed)s）") % {
            "name": person.name, "category": category_label(person.category), "slot": slot.label,
            "allowed": categories_label(slot.categories)})
    if person.home_unit_id == target.id:
        if person.category == PersonCategory.VILLAGE_MEMBER:
            found.append(_("%(name)s是%(target)s的村纪检委员，不能在本村驻点（交叉驻点回避）")
                         % {"name": person.name, "target": target.name})
        else:
            found.append(_("%(name)s的所在单位就是%(target)s，不能监督本单位（本单位回避）")
                         % {"name": person.name, "target": target.name})
    if target.id in person.conflicts:
        found.append(_("%(name)s已申报回避%(target)s（%(reason)s）")
                     % {"name": person.name, "target": target.name, "reason": person.conflicts[target.id]})
    for booking in bookings:
        if overlaps(start, end, booking.start, booking.end):
            found.append(_("%(name)s已安排在%(other)s驻点（%(start)s至%(end)s），时间重叠") % {
                "name": person.name, "other": booking.target_name, "start": booking.start.isoformat(),
                "end": booking.end.isoformat()})
            break
    if target.id in visited_target_ids:
        found.append(_("%(name)s在本批次已到过%(target)s，不再重复派驻") % {"name": person.name, "target": target.name})
    return found
