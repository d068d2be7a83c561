"""Team members: manual assignment and swaps (the same rules as the planner), recusal declarations, exemptions."""

from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supervision.audit import audit_record
from supervision.models import Person

from ..access import can_lead
from ..models import FormulaSlot, Station, StationMember, StationState
from ..rules import assignment_problems
from .facts import bookings_for, people_facts, slot_facts, target_facts, visited_targets

EDITABLE_STATES = {StationState.PROPOSED, StationState.PLANNED, StationState.TRAINING}
DECLARATION_TEXT = gettext_lazy("本人承诺：与驻点单位及其主要负责人无亲属关系或其他利害关系，不在本人所在单位及有近亲属任职的单位开展监督；"
                     "如有应回避情形，主动申请回避。")


def member_problems(*, station: Station, person: Person, slot: FormulaSlot,
                    replacing: StationMember | None = None) -> list[str]:
    """Every rule that placing `person` in `slot` at `station` would break (the planner's rules, on the database)."""
    [facts] = people_facts(Person.objects.filter(pk=person.pk))
    period = station.round
    bookings = bookings_for([person.pk], batch=station.round.batch, exclude_station=station).get(person.pk, [])
    problems = assignment_problems(facts, target_facts(station.target), slot_facts(slot), period.start_date,
                                   period.end_date, bookings, visited_targets(person.pk, station.round.batch,
                                                                              exclude_station=station))
    others = station.members.exclude(pk=replacing.pk) if replacing else station.members.all()
    if others.filter(person=person).exists():
        problems.append(_("%(name)s已在本组") % {"name": person.name})
    if slot.one_per_unit and others.filter(slot=slot, person__home_unit_id=person.home_unit_id).exists():
        problems.append(_("%(name)s与组内另一名%(slot)s来自同一单位（%(unit)s）")
                        % {"name": person.name, "slot": slot.label, "unit": person.home_unit.name})
    return problems


def team_problems(station: Station) -> list[str]:
    """How the team differs from its formula: which slot is short or over."""
    members = list(station.members.select_related("person__home_unit", "slot"))
    counts = Counter(m.slot_id for m in members)
    problems = []
    for slot in station.round.batch.formula.slots.all():
        have = counts.get(slot.pk, 0)
        if slot.is_minimum and have < slot.count:
            problems.append(_("%(slot)s至少需要%(need)d人（%(who)s），现有%(have)d人")
                            % {"slot": slot.label, "need": slot.count, "who": slot.categories_display, "have": have})
        elif not slot.is_minimum and have < slot.count:
            problems.append(_("%(slot)s缺少%(short)d人（需要%(need)d名%(who)s）")
                            % {"slot": slot.label, "short": slot.count - have, "need": slot.count,
                               "who": slot.categories_display})
        elif not slot.is_minimum and have > slot.count:
            problems.append(_("%(slot)s超出%(over)d人（应为%(need)d人）")
                            % {"slot": slot.label, "over": have - slot.count, "need": slot.count})
        if slot.one_per_unit:
            units = Counter(m.person.home_unit.name for m in members if m.slot_id == slot.pk)
            for unit, n in units.items():
                if n > 1:
                    problems.append(_("%(slot)s须来自不同单位：%(unit)s有%(n)d人") % {"slot": slot.label, "unit": unit, "n": n})
    return problems


def _check_editable(station: Station) -> None:
    if station.state not in EDITABLE_STATES:
        raise ValidationError(_("驻点处于“%(state)s”阶段，不能再调整成员") % {"state": station.get_state_display()})


def _sync_member_perms(member: StationMember, *, grant: bool) -> None:
    from guardian.shortcuts import assign_perm, remove_perm

    user = member.person.user
    if user is None or member.station.state == StationState.PROPOSED:
        return
    if grant:
        assign_perm("rounds.view_station", user, member.station)
        if member.slot.is_leader:
            assign_perm("rounds.lead_station", user, member.station)
    else:
        remove_perm("rounds.view_station", user, member.station)
        remove_perm("rounds.lead_station", user, member.station)


@transaction.atomic
def member_assign(*, actor, station: Station, person: Person, slot: FormulaSlot) -> StationMember:
    _check_editable(station)
    if slot.formula_id != station.round.batch.formula_id:
        raise ValidationError(_("组内角色不属于本批次的组队模式"))
    problems = member_problems(station=station, person=person, slot=slot)
    if problems:
        raise ValidationError(problems)
    member = StationMember.objects.create(station=station, person=person, slot=slot)
    _sync_member_perms(member, grant=True)
    audit_record(actor=actor, action="station.member_add", obj=station,
                 changes={"member": {"before": "", "after": f"{slot.label}：{person.name}"}})
    return member


@transaction.atomic
def member_replace(*, actor, member: StationMember, person: Person) -> StationMember:
    """Swap one member for another person in the same slot, with the same checks as any assignment."""
    station = member.station
    _check_editable(station)
    if person.pk == member.person_id:
        return member
    problems = member_problems(station=station, person=person, slot=member.slot, replacing=member)
    if problems:
        raise ValidationError(problems)
    before = member.person
    _sync_member_perms(member, grant=False)
    member.person = person
    member.declared_at = None
    member.training_exempt_reason = ""
    member.training_exempted_by = None
    member.save()
    _sync_member_perms(member, grant=True)
    audit_record(actor=actor, action="station.member_swap", obj=station,
                 changes={member.slot.label: {"before": before.name, "after": person.name}})
    return member


@transaction.atomic
def member_remove(*, actor, member: StationMember) -> None:
    _check_editable(member.station)
    _sync_member_perms(member, grant=False)
    station, label = member.station, f"{member.slot.label}：{member.person.name}"
    member.delete()
    audit_record(actor=actor, action="station.member_remove", obj=station, changes={"member": {"before": label, "after": ""}})


@transaction.atomic
def member_declare(*, actor, member: StationMember) -> StationMember:
    """The member signs the recusal declaration (回避承诺) for this station, themselves."""
    if member.person.user_id is None or actor.pk != member.person.user_id:
        raise ValidationError(_("回避承诺只能由本人签署"))
    if member.declared_at:
        return member
    member.declared_at = timezone.now()
    member.save(update_fields=["declared_at"])
    audit_record(actor=actor, action="station.member_declare", obj=member.station,
                 changes={"declaration": {"before": "", "after": f"{member.person.name}：{DECLARATION_TEXT}"}})
    return member


@transaction.atomic
def member_exempt_training(*, actor, member: StationMember, reason: str) -> StationMember:
    if not can_lead(actor, member.station):
        raise ValidationError(_("只有组长或委机关可以登记免训"))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("请填写免训理由"))
    member.training_exempt_reason = reason[:200]
    member.training_exempted_by = actor
    member.save(update_fields=["training_exempt_reason", "training_exempted_by"])
    audit_record(actor=actor, action="station.member_exempt", obj=member.station,
                 changes={"exemption": {"before": "", "after": f"{member.person.name}：{reason}"}})
    return member
