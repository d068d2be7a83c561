"""Problem sheets (问题底稿): create, edit, confirm, withdraw, and correct after the report is approved.

Numbering: `{organ}{year}-{batch}-{round}-{station:02d}-{sheet:02d}`, e.g. "大箕纪2026-1-1-03-02" is sheet 2 of the
third station of round 1 of the organiser's first batch of 2026. `organ` is the organiser's document prefix
(机关代字), or the first two characters of its name when it has none; `batch` counts the organiser's batches of that
year in order of creation; `station` counts the stations of the round in order of creation; `sheet` is the
station's own sequence, issued under a row lock on the station, so it has no gaps (a sheet is never deleted: a
withdrawn sheet keeps its number).

States (one table, FINDING_TRANSITIONS): draft → confirmed (the team leader), draft → withdrawn (the team, with a
reason), confirmed → withdrawn (the team leader, with a reason). Once the station's report is approved the sheet is
locked: nothing changes it but `finding_correct`, which needs a reason and keeps the replaced text."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rounds.access import can_lead, can_work
from rounds.models import Batch, Station, StationCheck, StationState, Theme
from supervision.audit import audit_record
from supervision.models import Unit
from supervision.outbox import enqueue

from ..models import Evidence, Finding, FindingRevision, FindingState, ReportState, StationReport
from .evidence import evidence_add

S = FindingState

# Stations in which the team records new sheets.
OPEN_STATES = {StationState.STATIONED, StationState.REPORTING}
EDITABLE_STATES = {S.DRAFT, S.CONFIRMED}
# The fields a sheet's form edits (and a correction may change).
FIELDS = ["title", "observed", "basis", "category", "amount", "responsible_unit", "responsible_person", "found_on",
          "team_opinion"]
AMOUNT_MAX = Decimal("999999999999.99")  # max_digits=14, decimal_places=2


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    who: frozenset[str]  # "lead" = the station's team leader (or a planner); "work" = anyone of the team


FINDING_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(S.DRAFT, S.CONFIRMED, gettext_lazy("确认"), frozenset({"lead"})),
        Transition(S.DRAFT, S.WITHDRAWN, gettext_lazy("撤回"), frozenset({"lead", "work"})),
        Transition(S.CONFIRMED, S.WITHDRAWN, gettext_lazy("撤回"), frozenset({"lead"})),
    ]
}


VERBS = {S.CONFIRMED: gettext_lazy("确认"), S.WITHDRAWN: gettext_lazy("撤回")}


def finding_roles(user, station: Station) -> set[str]:
    """"work" and/or "lead": the user's part in the station's sheets (see FINDING_TRANSITIONS)."""
    return _roles(user, station)


def _roles(user, station: Station) -> set[str]:
    roles = set()
    if can_work(user, station):
        roles.add("work")
    if can_lead(user, station):
        roles.add("lead")
    return roles


def finding_moves(user, finding: Finding, *, roles: set[str] | None = None,
                  locked: bool | None = None) -> dict[str, bool]:
    """Which moves the user may make on the sheet now: {"confirm": bool, "withdraw": bool}. A page that knows
    the user's roles on the station (`finding_roles`) and the lock already passes them in."""
    if finding_locked(finding) if locked is None else locked:
        return {"confirm": False, "withdraw": False}
    roles = _roles(user, finding.station) if roles is None else roles

    def may(target):
        move = FINDING_TRANSITIONS.get((finding.state, target))
        return bool(move and move.who & roles)

    return {"confirm": may(S.CONFIRMED), "withdraw": may(S.WITHDRAWN)}


def finding_locked(finding: Finding) -> bool:
    """A sheet is locked once its station's report is approved."""
    return StationReport.objects.filter(station_id=finding.station_id, state=ReportState.APPROVED).exists()


def finding_number(station: Station, sequence: int) -> str:
    batch = station.round.batch
    organiser = batch.organiser
    prefix = organiser.doc_prefix.strip() or organiser.name[:2]
    batch_seq = Batch.objects.filter(organiser=organiser, year=batch.year, pk__lte=batch.pk).count()
    station_seq = Station.objects.filter(round_id=station.round_id, pk__lte=station.pk).count()
    return f"{prefix}{batch.year}-{batch_seq}-{station.round.number}-{station_seq:02d}-{sequence:02d}"


def finding_initial(station_check: StationCheck | None) -> dict:
    """What a sheet opened from a checklist item starts with."""
    if station_check is None:
        return {}
    item = station_check.item
    initial = {"title": item.text[:200], "category": item.theme, "basis": item.basis}
    if station_check.note:
        initial["observed"] = station_check.note
    return initial


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("涉及金额须为数字（单位：元）")}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": _("涉及金额须为数字（单位：元）")})
    if amount < 0:
        raise ValidationError({"amount": _("涉及金额不能为负数")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("涉及金额最多保留两位小数（精确到分）")})
    if amount > AMOUNT_MAX:
        raise ValidationError({"amount": _("涉及金额过大，请核对（单位：元）")})
    return amount.quantize(Decimal("0.01"))


def _clean(values: dict) -> dict:
    """Tidy and check the sheet's fields; all problems at once, by field."""
    errors: dict[str, list[str]] = {}
    data = dict(values)
    for name in ("title", "observed", "basis", "responsible_person", "team_opinion"):
        if name in data:
            data[name] = (data[name] or "").strip()
    if "title" in data:
        if not data["title"]:
            errors.setdefault("title", []).append(_("请填写问题标题"))
        elif len(data["title"]) > 200:
            errors.setdefault("title", []).append(_("问题标题不能超过200字"))
    if "observed" in data and not data["observed"]:
        errors.setdefault("observed", []).append(_("请填写问题表现（看到了什么）"))
    if "responsible_person" in data and len(data["responsible_person"]) > 100:
        errors.setdefault("responsible_person", []).append(_("责任人不能超过100字"))
    if "category" in data and data["category"] not in Theme.values:
        errors.setdefault("category", []).append(_("请选择问题类别"))
    if "found_on" in data:
        found_on = data["found_on"]
        if not isinstance(found_on, date):
            errors.setdefault("found_on", []).append(_("请填写发现日期"))
        elif found_on > timezone.localdate():
            errors.setdefault("found_on", []).append(_("发现日期不能晚于今天"))
    if "responsible_unit" in data and data["responsible_unit"] is not None \
            and not isinstance(data["responsible_unit"], Unit):
        errors.setdefault("responsible_unit", []).append(_("请选择责任单位"))
    if "amount" in data:
        try:
            data["amount"] = _amount(data["amount"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return data


def _display(finding: Finding, name: str) -> str:
    value = getattr(finding, name)
    if value is None:
        return ""
    if name == "category":
        return str(finding.get_category_display())
    if name == "responsible_unit":
        return value.name
    if name == "found_on":
        return value.isoformat()
    return str(value)


def _person(actor):
    try:
        return actor.person if getattr(actor, "is_authenticated", False) else None
    except ObjectDoesNotExist:
        return None


def _locked_for_update(finding: Finding) -> Finding:
    return Finding.objects.select_for_update(of=("self",)).select_related(
        "station__round__batch__organiser", "station__target", "responsible_unit").get(pk=finding.pk)


@transaction.atomic
def finding_create(*, actor, station: Station, title: str = "", observed: str, basis: str = "", category: str = "",
                   amount=None, responsible_unit: Unit | None = None, responsible_person: str = "",
                   found_on: date | None = None, team_opinion: str = "",
                   station_check: StationCheck | None = None) -> Finding:
    station = (Station.objects.select_for_update(of=("self",)).select_related("round__batch__organiser", "target")
               .get(pk=station.pk))
    if station.state not in OPEN_STATES:
        raise ValidationError(_("驻点“%(state)s”时不能新建问题底稿：进驻后至形成报告期间才能填写") % {
            "state": station.get_state_display()})
    if not can_work(actor, station):
        raise ValidationError(_("只有本驻点组成员才能填写问题底稿"))
    if station_check is not None:
        if station_check.station_id != station.pk:
            raise ValidationError(_("清单事项不属于本驻点"))
        initial = finding_initial(station_check)
        title = title or initial["title"]
        category = category or initial["category"]
        basis = basis or initial["basis"]
    data = _clean({"title": title, "observed": observed, "basis": basis, "category": category, "amount": amount,
                   "responsible_unit": responsible_unit, "responsible_person": responsible_person,
                   "found_on": found_on or timezone.localdate(), "team_opinion": team_opinion})
    last = Finding.objects.filter(station=station).aggregate(n=Max("sequence"))["n"] or 0
    sequence = last + 1
    number = finding_number(station, sequence)
    if Finding.objects.filter(number=number).exists():  # two organisers with the same prefix
        number = f"{number}-{station.pk}"
    finding = Finding.objects.create(station=station, sequence=sequence, number=number, found_by=_person(actor),
                                     station_check=station_check, **data)
    audit_record(actor=actor, action="finding.create", obj=finding,
                 changes={"number": {"before": "", "after": number}, "title": {"before": "", "after": finding.title}})
    return finding


def _apply(finding: Finding, fields: dict) -> dict:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些内容：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    data = _clean(fields)
    changes = {}
    for name, value in data.items():
        before = _display(finding, name)
        setattr(finding, name, value)
        after = _display(finding, name)
        if before != after:
            changes[name] = {"before": before, "after": after}
    return changes


@transaction.atomic
def finding_update(*, actor, finding: Finding, **fields) -> Finding:
    finding = _locked_for_update(finding)
    if not can_work(actor, finding.station):
        raise ValidationError(_("只有本驻点组成员才能修改问题底稿"))
    if finding_locked(finding):
        raise ValidationError(_("驻点报告已审定，底稿已锁定：如需更正，请填写更正理由，原内容将予保留"))
    if finding.state not in EDITABLE_STATES:
        raise ValidationError(_("已撤回的问题底稿不能修改"))
    changes = _apply(finding, fields)
    if changes:
        finding.save()
        audit_record(actor=actor, action="finding.update", obj=finding, changes=changes)
    return finding


@transaction.atomic
def finding_correct(*, actor, finding: Finding, reason: str, **fields) -> Finding:
    """Change a sheet after its report was approved: the reason and the replaced text are kept."""
    finding = _locked_for_update(finding)
    if not can_work(actor, finding.station):
        raise ValidationError(_("只有本驻点组成员才能更正问题底稿"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写更正理由")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("更正理由不能超过300字")})
    previous = {name: _display(finding, name) for name in FIELDS}
    changes = _apply(finding, fields)
    if not changes:
        raise ValidationError(_("没有修改任何内容，无需更正"))
    finding.save()
    FindingRevision.objects.create(finding=finding, reason=reason, changed_by=actor,
                                   previous={name: previous[name] for name in changes})
    audit_record(actor=actor, action="finding.correct", obj=finding,
                 changes={**changes, "reason": {"before": "", "after": reason}})
    return finding


def _move(actor, finding: Finding, target: str) -> Transition:
    if finding_locked(finding):
        raise ValidationError(_("驻点报告已审定，底稿已锁定"))
    move = FINDING_TRANSITIONS.get((finding.state, target))
    if move is None:
        raise ValidationError(_("“%(source)s”的问题底稿不能%(verb)s") % {
            "source": finding.get_state_display(), "verb": VERBS[target]})
    if not move.who & _roles(actor, finding.station):
        if move.who == {"lead"}:
            raise ValidationError(_("只有组长才能%(label)s“%(source)s”的问题底稿") % {
                "label": move.label, "source": finding.get_state_display()})
        raise ValidationError(_("您无权%(label)s这份问题底稿") % {"label": move.label})
    return move


@transaction.atomic
def finding_confirm(*, actor, finding: Finding) -> Finding:
    finding = _locked_for_update(finding)
    _move(actor, finding, S.CONFIRMED)
    finding.state = S.CONFIRMED
    finding.confirmed_by = actor
    finding.confirmed_at = timezone.now()
    finding.save()
    audit_record(actor=actor, action="finding.confirm", obj=finding,
                 changes={"state": {"before": str(S.DRAFT.label), "after": str(S.CONFIRMED.label)}})
    enqueue("supervision.notify_finding_confirmed", finding.pk, dedup_key=f"finding:{finding.pk}:confirmed")
    return finding


@transaction.atomic
def finding_withdraw(*, actor, finding: Finding, reason: str) -> Finding:
    finding = _locked_for_update(finding)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("撤回问题底稿须填写理由")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("撤回理由不能超过300字")})
    before = finding.get_state_display()
    _move(actor, finding, S.WITHDRAWN)
    finding.state = S.WITHDRAWN
    finding.withdraw_reason = reason
    finding.save()
    audit_record(actor=actor, action="finding.withdraw", obj=finding,
                 changes={"state": {"before": str(before), "after": str(S.WITHDRAWN.label)},
                          "withdraw_reason": {"before": "", "after": reason}})
    return finding


@transaction.atomic
def finding_evidence_add(*, actor, finding: Finding, upload, description: str = "") -> Evidence:
    """Attach an evidence file to a sheet (checked by content, size and name in evidence_add)."""
    finding = _locked_for_update(finding)
    if not can_work(actor, finding.station):
        raise ValidationError(_("只有本驻点组成员才能上传证据材料"))
    if finding.state == S.WITHDRAWN:
        raise ValidationError(_("已撤回的问题底稿不能再上传材料"))
    if finding_locked(finding):
        raise ValidationError(_("驻点报告已审定，底稿已锁定，不能再上传材料"))
    return evidence_add(actor=actor, station=finding.station, upload=upload, finding=finding,
                        description=description)
