"""Dispositions (处理处分): a person dealt with, linked to the confirmed sheet or the transferred lead it came from,
with the form applied (四种形态) and, where given, a Party and/or a government sanction.

Who records: from a sheet, commission staff (findings.add_disposition, and the sheet's station visible to them);
from a lead, the case office (findings.handle_lead). The combination rules (DISPOSITION_RULES below):
  第一种形态 no sanction (a measure: 谈话提醒, 批评教育, 责令检查, 诫勉);
  第二种形态 light sanctions only (Party 警告/严重警告, government 警告/记过/记大过), or none with a measure
             (组织调整);
  第三种形态 heavy sanctions only (Party 撤销党内职务/留党察看/开除党籍, government 降级/撤职/开除), or none with a
             measure (重大职务调整);
  第四种形态 anything.
A Party sanction needs a Party member; a village (community) manager gets at most 警告/记过/记大过.

A disposition of a lead is as confidential as the lead: its audit events carry no name and its object line is
neutral."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rounds.access import can_view_station
from supervision.audit import audit_record
from supervision.models import Unit

from ..access import TRANSFERRED_LEAD_STATES, disposition_visible
from ..models import (
    Disposition,
    DispositionForm,
    Finding,
    FindingState,
    GovSanction,
    PartySanction,
    PersonKind,
    ProblemLead,
)

P, G, F = PartySanction, GovSanction, DispositionForm

FIELDS = ["person_name", "person_post", "person_unit", "person_kind", "party_member", "form", "measure",
          "party_sanction", "gov_sanction", "decided_on", "decided_by"]
# Fields whose value may be written to the audit trail of a lead's disposition (no names, no posts, no units).
NEUTRAL_FIELDS = {"form", "party_sanction", "gov_sanction", "person_kind", "party_member", "decided_on"}

LIGHT_PARTY = frozenset({P.WARNING, P.SERIOUS_WARNING})
HEAVY_PARTY = frozenset({P.REMOVAL, P.PROBATION, P.EXPULSION})
LIGHT_GOV = frozenset({G.WARNING, G.DEMERIT, G.MAJOR_DEMERIT})
HEAVY_GOV = frozenset({G.DEMOTION, G.DISMISSAL, G.EXPULSION})
VILLAGE_MANAGER_GOV = LIGHT_GOV


@dataclass(frozen=True)
class FormRule:
    party: frozenset  # the Party sanctions this form allows (besides none)
    gov: frozenset  # the government sanctions this form allows (besides none)
    measure_without_sanction: bool  # without a sanction, a measure must say what was done


DISPOSITION_RULES: dict[int, FormRule] = {
    F.FIRST: FormRule(frozenset(), frozenset(), True),
    F.SECOND: FormRule(LIGHT_PARTY, LIGHT_GOV, True),
    F.THIRD: FormRule(HEAVY_PARTY, HEAVY_GOV, True),
    F.FOURTH: FormRule(frozenset(P.values), frozenset(G.values), False),
}


def _measure_message(form: int) -> str:
    return {
        F.FIRST: _("第一种形态请填写处理方式（如谈话提醒、批评教育、责令检查、诫勉）"),
        F.SECOND: _("第二种形态未给予处分的，请填写处理方式（组织调整）"),
        F.THIRD: _("第三种形态未给予处分的，请填写处理方式（重大职务调整）"),
    }[form]


def _form_message(form: int, kind: str, label: str) -> str:
    if form == F.FIRST:
        return (_("第一种形态不给予党纪处分") if kind == "party" else _("第一种形态不给予政务处分"))
    if form == F.SECOND:
        return (_("第二种形态的党纪处分只能是警告或严重警告，不能是“%(s)s”") if kind == "party"
                else _("第二种形态的政务处分只能是警告、记过或记大过，不能是“%(s)s”")) % {"s": label}
    return (_("第三种形态的党纪处分须为撤销党内职务、留党察看或开除党籍，不能是“%(s)s”") if kind == "party"
            else _("第三种形态的政务处分须为降级、撤职或开除，不能是“%(s)s”")) % {"s": label}


def disposition_clean(values: dict) -> dict:
    """Tidy and check a disposition's fields (all of them); every problem at once, keyed by field."""
    errors: dict[str, list[str]] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    data = dict(values)
    for name in ("person_name", "person_post", "measure", "decided_by", "party_sanction", "gov_sanction",
                 "person_kind"):
        data[name] = (data.get(name) or "").strip()
    data["party_member"] = bool(data.get("party_member"))
    if not data["person_name"]:
        error("person_name", _("请填写姓名"))
    elif len(data["person_name"]) > 50:
        error("person_name", _("姓名不能超过50字"))
    if not data["person_post"]:
        error("person_post", _("请填写职务"))
    elif len(data["person_post"]) > 100:
        error("person_post", _("职务不能超过100字"))
    if not isinstance(data.get("person_unit"), Unit):
        error("person_unit", _("请选择单位"))
    if data["person_kind"] not in PersonKind.values:
        error("person_kind", _("请选择人员类别"))
    if len(data["measure"]) > 200:
        error("measure", _("处理方式不能超过200字"))
    if not data["decided_by"]:
        error("decided_by", _("请填写决定机关"))
    elif len(data["decided_by"]) > 100:
        error("decided_by", _("决定机关不能超过100字"))
    decided_on = data.get("decided_on")
    if not isinstance(decided_on, date):
        error("decided_on", _("请填写决定日期"))
    elif decided_on > timezone.localdate():
        error("decided_on", _("决定日期不能晚于今天"))

    party, gov = data["party_sanction"], data["gov_sanction"]
    if party and party not in P.values:
        error("party_sanction", _("请选择党纪处分"))
        party = ""
    if gov and gov not in G.values:
        error("gov_sanction", _("请选择政务处分"))
        gov = ""
    if party and not data["party_member"]:
        error("party_sanction", _("非中共党员不能给予党纪处分"))
    if gov and data["person_kind"] == PersonKind.VILLAGE_MANAGER and gov not in VILLAGE_MANAGER_GOV:
        error("gov_sanction", _("村（社区）管理人员只能给予警告、记过或记大过，不能给予“%(s)s”") % {
            "s": G(gov).label})

    try:
        form = int(data.get("form"))
    except (TypeError, ValueError):
        form = None
    if form not in DISPOSITION_RULES:
        error("form", _("请选择运用形态"))
    else:
        data["form"] = form
        rule = DISPOSITION_RULES[form]
        if party and party not in rule.party and "party_sanction" not in errors:
            error("party_sanction", _form_message(form, "party", P(party).label))
        if gov and gov not in rule.gov and "gov_sanction" not in errors:
            error("gov_sanction", _form_message(form, "gov", G(gov).label))
        if rule.measure_without_sanction and not (party or gov) and not data["measure"]:
            error("measure", _measure_message(form))
    if errors:
        raise ValidationError(errors)
    return {name: data[name] for name in FIELDS}


def _display(disposition: Disposition, name: str) -> str:
    value = getattr(disposition, name)
    if name == "person_unit":
        return value.name if value else ""
    if name in {"form", "party_sanction", "gov_sanction", "person_kind"}:
        return str(getattr(disposition, f"get_{name}_display")()) if value not in ("", None) else ""
    if name == "party_member":
        return _("是") if value else _("否")
    if name == "decided_on":
        return value.isoformat() if value else ""
    return str(value or "")


class _Neutral:
    """What the audit trail is told about a lead's disposition: its type and id, never the person's name."""

    def __init__(self, disposition: Disposition):
        self._meta = disposition._meta
        self.pk = disposition.pk

    def __str__(self) -> str:
        return f"处理处分 #{self.pk}"


def _audit(actor, action: str, disposition: Disposition, changes: dict) -> None:
    if disposition.lead_id:
        changes = {name: change for name, change in changes.items() if name in NEUTRAL_FIELDS}
        number = disposition.lead.transfer_number
        changes["lead"] = {"before": "" if action.endswith("create") else number, "after": number}
        audit_record(actor=actor, action=action, obj=_Neutral(disposition), changes=changes)
    else:
        audit_record(actor=actor, action=action, obj=disposition, changes=changes)


def _check_source(actor, finding: Finding | None, lead: ProblemLead | None) -> None:
    if (finding is None) == (lead is None):
        raise ValidationError(_("处理处分须来自一份问题底稿或一条问题线索"))
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm("findings.add_disposition"):
        raise ValidationError(_("您无权录入处理处分"))
    if finding is not None:
        if finding.state != FindingState.CONFIRMED:
            raise ValidationError(_("只有已确认的问题底稿才能录入处理处分"))
        if not can_view_station(actor, finding.station):
            raise ValidationError(_("您无权为这份问题底稿录入处理处分"))
    else:
        if not actor.has_perm("findings.handle_lead"):
            raise ValidationError(_("只有案件监督管理室才能为问题线索录入处理处分"))
        if lead.state not in TRANSFERRED_LEAD_STATES:
            raise ValidationError(_("问题线索移送后才能录入处理处分"))


@transaction.atomic
def disposition_create(*, actor, finding: Finding | None = None, lead: ProblemLead | None = None,
                       **fields) -> Disposition:
    if finding is not None:
        finding = (Finding.objects.select_for_update(of=("self",)).select_related("station").get(pk=finding.pk))
    if lead is not None:
        lead = ProblemLead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    _check_source(actor, finding, lead)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError(_("不能填写这些内容：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    data = disposition_clean(fields)
    disposition = Disposition.objects.create(finding=finding, lead=lead, recorded_by=actor, **data)
    changes = {name: {"before": "", "after": _display(disposition, name)} for name in FIELDS
               if _display(disposition, name)}
    _audit(actor, "disposition.create", disposition, changes)
    return disposition


@transaction.atomic
def disposition_update(*, actor, disposition: Disposition, **fields) -> Disposition:
    disposition = (Disposition.objects.select_for_update(of=("self",))
                   .select_related("finding__station", "lead", "person_unit").get(pk=disposition.pk))
    if not (getattr(actor, "is_authenticated", False) and disposition_visible(actor, disposition)
            and actor.has_perm("findings.change_disposition")):
        raise ValidationError(_("您无权修改这条处理处分"))
    if disposition.finding_id and not disposition.lead_id and not (
            can_view_station(actor, disposition.finding.station) or actor.has_perm("findings.handle_lead")):
        raise ValidationError(_("您无权修改这条处理处分"))
    if disposition.lead_id and not actor.has_perm("findings.handle_lead"):
        raise ValidationError(_("只有案件监督管理室才能修改问题线索的处理处分"))
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些内容：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    current = {name: getattr(disposition, name) for name in FIELDS}
    data = disposition_clean({**current, **fields})
    changes = {}
    for name, value in data.items():
        before = _display(disposition, name)
        setattr(disposition, name, value)
        after = _display(disposition, name)
        if before != after:
            changes[name] = {"before": before, "after": after}
    if changes:
        disposition.save()
        _audit(actor, "disposition.update", disposition, changes)
    return disposition
