"""Batches: creation with their rounds, planning (the planner's proposal saved as proposed stations),
confirmation (every team checked against its formula and every rule, then the stations are planned)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supervision.audit import audit_record
from supervision.models import Person, Unit

from ..models import Batch, BatchState, Round, Station, StationMember, StationState, TeamFormula
from ..planner import PlanInput, PlanResult, RoundSpec, plan_batch
from ..rules import assignment_problems
from .facts import batch_pool, bookings_for, people_facts, slot_facts, target_facts
from .members import _sync_member_perms, member_problems, team_problems


def round_dates(*, first_start: date, rounds: int, days: int, gap_days: int) -> list[tuple[date, date]]:
    out, start = [], first_start
    for _n in range(rounds):
        end = start + timedelta(days=days - 1)
        out.append((start, end))
        start = end + timedelta(days=gap_days + 1)
    return out


@transaction.atomic
def batch_create(*, actor, name: str, year: int, organiser: Unit, formula: TeamFormula, targets,
                 rounds: int, first_start: date, days: int = 7, gap_days: int = 7, focus_themes=(),
                 pool=(), complaint_phone: str = "", complaint_mailbox: str = "", complaint_scope: str = "") -> Batch:
    targets = list(targets)
    errors = {}
    if not targets:
        errors["targets"] = _("请选择监督对象")
    if rounds < 1:
        errors["rounds"] = _("轮次至少为1")
    elif targets and rounds > len(targets):
        errors["rounds"] = _("轮次（%(r)d）不能多于监督对象数（%(t)d）") % {"r": rounds, "t": len(targets)}
    if days < 1 or days > 60:
        errors["days"] = _("每轮天数应在1到60之间")
    if gap_days < 0:
        errors["gap_days"] = _("间隔天数不能为负")
    if not formula.is_active:
        errors["formula"] = _("组队模式已停用")
    if errors:
        raise ValidationError(errors)
    batch = Batch(name=name.strip(), year=year, organiser=organiser, formula=formula, focus_themes=list(focus_themes),
                  complaint_phone=complaint_phone, complaint_mailbox=complaint_mailbox,
                  complaint_scope=complaint_scope, created_by=actor if actor and actor.is_authenticated else None)
    batch.full_clean()
    batch.save()
    batch.targets.set(targets)
    if pool:
        batch.pool.set(pool)
    Round.objects.bulk_create([
        Round(batch=batch, number=n, start_date=start, end_date=end)
        for n, (start, end) in enumerate(round_dates(first_start=first_start, rounds=rounds, days=days,
                                                      gap_days=gap_days), start=1)])
    audit_record(actor=actor, action="batch.create", obj=batch, changes={
        "name": {"before": "", "after": batch.name}, "targets": {"before": "", "after": str(len(targets))},
        "rounds": {"before": "", "after": str(rounds)}})
    return batch


def batch_plan_input(batch: Batch) -> PlanInput:
    targets = sorted(batch.targets.select_related("parent"),
                     key=lambda u: (u.parent.name if u.parent_id else "", u.name, u.pk))
    people = people_facts(batch_pool(batch))
    return PlanInput(
        targets=[target_facts(t) for t in targets],
        rounds=[RoundSpec(r.number, r.start_date, r.end_date) for r in batch.rounds.all()],
        slots=[slot_facts(s) for s in batch.formula.slots.all()],
        people=people,
        bookings=bookings_for([p.id for p in people], batch=batch, whole_batch=True),
    )


def _check_draft(batch: Batch) -> None:
    if batch.state != BatchState.DRAFT:
        raise ValidationError(_("批次%(state)s，不能重新编排") % {"state": batch.get_state_display()})


@transaction.atomic
def batch_plan(*, actor, batch: Batch) -> PlanResult:
    """Run the planner. A plan replaces the previous proposal; no plan leaves the previous proposal as it was."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    _check_draft(batch)
    result = plan_batch(batch_plan_input(batch))
    if not result.ok:
        audit_record(actor=actor, action="batch.plan_failed", obj=batch,
                     changes={"problems": {"before": "", "after": "；".join(result.problems)[:1000]}})
        return result
    Station.objects.filter(round__batch=batch).delete()
    rounds = {r.number: r for r in batch.rounds.all()}
    stations = Station.objects.bulk_create([
        Station(round=rounds[s.round_number], target_id=s.target_id, state=StationState.PROPOSED)
        for s in result.stations])
    StationMember.objects.bulk_create([
        StationMember(station=station, person_id=person_id, slot_id=slot_id)
        for station, planned in zip(stations, result.stations, strict=True) for slot_id, person_id in planned.members])
    batch.planned_at = timezone.now()
    batch.save(update_fields=["planned_at"])
    audit_record(actor=actor, action="batch.plan", obj=batch,
                 changes={"stations": {"before": "", "after": str(len(stations))}})
    return result


def batch_problems(batch: Batch) -> list[str]:
    """Everything that stops a proposal from being confirmed: teams against the formula, every rule per member."""
    problems = []
    stations = list(Station.objects.filter(round__batch=batch).select_related("round__batch__formula", "target"))
    if not stations:
        return [_("还没有驻点方案，请先生成方案")]
    covered = {s.target_id for s in stations}
    missing = batch.targets.exclude(pk__in=covered)
    problems.extend(_("%(target)s没有安排驻点") % {"target": u.name} for u in missing)
    for station in stations:
        prefix = f"{station}："
        problems.extend(prefix + p for p in team_problems(station))
        for member in station.members.select_related("person__home_unit", "slot"):
            problems.extend(prefix + p for p in member_problems(station=station, person=member.person,
                                                                slot=member.slot, replacing=member))
    return problems


@transaction.atomic
def batch_confirm(*, actor, batch: Batch) -> Batch:
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    _check_draft(batch)
    problems = batch_problems(batch)
    if problems:
        raise ValidationError(problems)
    batch.state = BatchState.CONFIRMED
    batch.save(update_fields=["state"])
    for station in Station.objects.filter(round__batch=batch).select_related("round", "target"):
        station.state = StationState.PLANNED
        station.save(update_fields=["state"])
        for member in station.members.select_related("person__user", "slot", "station"):
            _sync_member_perms(member, grant=True)
        audit_record(actor=actor, action="station.transition", obj=station,
                     changes={"state": {"before": str(StationState.PROPOSED.label),
                                        "after": str(StationState.PLANNED.label)}})
    audit_record(actor=actor, action="batch.confirm", obj=batch,
                 changes={"state": {"before": str(BatchState.DRAFT.label), "after": str(BatchState.CONFIRMED.label)}})
    return batch


def candidates_for(member: StationMember, limit: int = 300) -> list[tuple[Person, list[str]]]:
    """People of the batch's pool who could take this member's seat, each with the rules they would break
    (the rules of `member_problems`, loaded in bulk so the page costs the same for any pool size)."""
    station = member.station
    batch = station.round.batch
    pool = list(batch_pool(batch).filter(category__in=member.slot.categories).exclude(pk=member.person_id)
                .select_related("home_unit").order_by("name", "id")[:limit])
    facts = {f.id: f for f in people_facts(Person.objects.filter(pk__in=[p.pk for p in pool]))}
    bookings = bookings_for(list(facts), batch=batch, exclude_station=station)
    visited: dict[int, set[int]] = {}
    for person_id, target_id in (StationMember.objects.filter(person_id__in=list(facts), station__round__batch=batch)
                                 .exclude(station=station).values_list("person_id", "station__target_id")):
        visited.setdefault(person_id, set()).add(target_id)
    in_team = set(station.members.exclude(pk=member.pk).values_list("person_id", flat=True))
    same_unit = set(station.members.exclude(pk=member.pk).filter(slot=member.slot)
                    .values_list("person__home_unit_id", flat=True)) if member.slot.one_per_unit else set()
    target, slot, period = target_facts(station.target), slot_facts(member.slot), station.round
    out = []
    for person in pool:
        problems = assignment_problems(facts[person.pk], target, slot, period.start_date, period.end_date,
                                       bookings.get(person.pk, ()), visited.get(person.pk, set()))
        if person.pk in in_team:
            problems.append(_("%(name)s已在本组") % {"name": person.name})
        if person.home_unit_id in same_unit:
            problems.append(_("%(name)s与组内另一名%(slot)s来自同一单位（%(unit)s）")
                            % {"name": person.name, "slot": slot.label, "unit": person.home_unit.name})
        out.append((person, problems))
    return out
