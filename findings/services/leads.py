"""Problem leads (问题线索): raised from a confirmed problem sheet, transferred to the case management office
(案件监督管理室) with a numbered transfer letter (问题线索移送函), then disposed of and concluded by that office.

States (one table, LEAD_TRANSITIONS; "lead" = the station's team leader or a planner, "handle" = the case office):
draft → transferred (lead), draft → cancelled (lead, with a reason), transferred → disposing (handle: one of the
four ways), disposing → disposing (handle: a change of way, with a note), disposing → concluded (handle, with the
result). A draft is the only state in which the lead's content changes: after transfer it is immutable.

The audit trail is read by the administrator, who must learn nothing of a lead: every event carries only states,
the disposal way and the transfer number, never a name, a summary, a reason or a result."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rounds.access import can_lead
from supervision.audit import audit_record
from supervision.documents import cn_date, filing, letterhead, render_pdf
from supervision.models import Unit
from supervision.services.numbering import document_number_next

from ..models import Evidence, Finding, FindingState, LeadDisposal, LeadState, ProblemLead

L = LeadState

# The fields of a lead that the team writes (while it is a draft).
FIELDS = ["subject_name", "subject_post", "subject_unit", "summary", "suspected", "evidence"]
TRANSFER_TEMPLATE = "documents/lead_transfer.html"
TRANSFER_TITLE = gettext_lazy("问题线索移送函")
TRANSFER_ADDRESSEE = gettext_lazy("案件监督管理室")


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    who: str  # "lead": the station's team leader or a planner; "handle": the case office (findings.handle_lead)


LEAD_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(L.DRAFT, L.TRANSFERRED, gettext_lazy("移送"), "lead"),
        Transition(L.DRAFT, L.CANCELLED, gettext_lazy("撤销"), "lead"),
        Transition(L.TRANSFERRED, L.DISPOSING, gettext_lazy("处置"), "handle"),
        Transition(L.DISPOSING, L.DISPOSING, gettext_lazy("变更处置方式"), "handle"),
        Transition(L.DISPOSING, L.CONCLUDED, gettext_lazy("办结"), "handle"),
    ]
}


def _may(actor, lead: ProblemLead, who: str) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    if who == "lead":
        return can_lead(actor, lead.finding.station)
    return actor.has_perm("findings.handle_lead")


def lead_moves(user, lead: ProblemLead) -> dict[str, bool]:
    """Which moves the user may make on the lead now (for the page's buttons)."""

    def may(target):
        move = LEAD_TRANSITIONS.get((lead.state, target))
        return bool(move and _may(user, lead, move.who))

    return {"edit": may(L.TRANSFERRED), "transfer": may(L.TRANSFERRED), "cancel": may(L.CANCELLED),
            "dispose": may(L.DISPOSING), "conclude": may(L.CONCLUDED)}


def _move(actor, lead: ProblemLead, target: str) -> Transition:
    move = LEAD_TRANSITIONS.get((lead.state, target))
    if move is None:
        raise ValidationError(_("“%(state)s”的问题线索不能%(verb)s") % {
            "state": lead.get_state_display(), "verb": _verb(target)})
    if not _may(actor, lead, move.who):
        if move.who == "lead":
            raise ValidationError(_("只有本驻点组长或委机关工作人员才能%(label)s问题线索") % {"label": move.label})
        raise ValidationError(_("只有案件监督管理室才能%(label)s问题线索") % {"label": move.label})
    return move


def _verb(target: str) -> str:
    return {L.TRANSFERRED: _("移送"), L.CANCELLED: _("撤销"), L.DISPOSING: _("处置"), L.CONCLUDED: _("办结")}.get(
        target, _("变更"))


def _state_change(before: str, after: str) -> dict:
    return {"state": {"before": str(L(before).label) if before else "", "after": str(L(after).label)}}


def _clean(finding: Finding, values: dict) -> dict:
    """Tidy and check the lead's fields; all problems at once, by field."""
    errors: dict[str, list[str]] = {}
    data = dict(values)
    for name in ("subject_name", "subject_post", "summary", "suspected"):
        if name in data:
            data[name] = (data[name] or "").strip()
    if "subject_name" in data:
        if not data["subject_name"]:
            errors.setdefault("subject_name", []).append(_("请填写被反映人姓名"))
        elif len(data["subject_name"]) > 50:
            errors.setdefault("subject_name", []).append(_("被反映人姓名不能超过50字"))
    if "subject_post" in data and len(data["subject_post"]) > 100:
        errors.setdefault("subject_post", []).append(_("职务不能超过100字"))
    if "summary" in data and not data["summary"]:
        errors.setdefault("summary", []).append(_("请填写线索内容"))
    if "subject_unit" in data and data["subject_unit"] is not None and not isinstance(data["subject_unit"], Unit):
        errors.setdefault("subject_unit", []).append(_("请选择所在单位"))
    if "evidence" in data:
        evidence = list(data["evidence"] or [])
        if any(not isinstance(e, Evidence) or e.finding_id != finding.pk for e in evidence):
            errors.setdefault("evidence", []).append(_("证据材料须为本问题底稿的材料"))
        data["evidence"] = evidence
    if errors:
        raise ValidationError(errors)
    return data


def _locked(lead: ProblemLead) -> ProblemLead:
    return (ProblemLead.objects.select_for_update(of=("self",))
            .select_related("finding__station__round__batch__organiser", "finding__station__target", "subject_unit",
                            "organ")
            .get(pk=lead.pk))


def _save_fields(lead: ProblemLead, data: dict) -> None:
    evidence = data.pop("evidence", None)
    for name, value in data.items():
        setattr(lead, name, value)
    lead.save()
    if evidence is not None:
        lead.evidence.set(evidence)


@transaction.atomic
def lead_create(*, actor, finding: Finding, subject_name: str, summary: str, subject_post: str = "",
                subject_unit: Unit | None = None, suspected: str = "",
                evidence: Iterable[Evidence] = ()) -> ProblemLead:
    finding = (Finding.objects.select_for_update(of=("self",)).select_related("station__round__batch__organiser")
               .get(pk=finding.pk))
    if finding.state != FindingState.CONFIRMED:
        raise ValidationError(_("只有已确认的问题底稿才能形成问题线索"))
    if not getattr(actor, "is_authenticated", False) or not can_lead(actor, finding.station):
        raise ValidationError(_("只有本驻点组长或委机关工作人员才能形成问题线索"))
    data = _clean(finding, {"subject_name": subject_name, "subject_post": subject_post,
                            "subject_unit": subject_unit, "summary": summary, "suspected": suspected,
                            "evidence": evidence})
    lead = ProblemLead(finding=finding, raised_by=actor, state=L.DRAFT)
    _save_fields(lead, data)
    audit_record(actor=actor, action="lead.create", obj=lead, changes=_state_change("", L.DRAFT))
    return lead


@transaction.atomic
def lead_update(*, actor, lead: ProblemLead, **fields) -> ProblemLead:
    lead = _locked(lead)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些内容：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    if lead.state != L.DRAFT:
        raise ValidationError(_("问题线索已%(state)s，不能再修改") % {"state": lead.get_state_display()})
    if not _may(actor, lead, "lead"):
        raise ValidationError(_("只有本驻点组长或委机关工作人员才能修改问题线索"))
    data = _clean(lead.finding, fields)
    _save_fields(lead, data)
    # Which fields changed would already say something about the content: the event says only that it changed.
    audit_record(actor=actor, action="lead.update", obj=lead,
                 changes={"state": {"before": str(L.DRAFT.label), "after": str(L.DRAFT.label)}})
    return lead


@transaction.atomic
def lead_cancel(*, actor, lead: ProblemLead, reason: str) -> ProblemLead:
    lead = _locked(lead)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("撤销问题线索须填写理由")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("撤销理由不能超过300字")})
    _move(actor, lead, L.CANCELLED)
    lead.state = L.CANCELLED
    lead.cancel_reason = reason
    lead.save()
    audit_record(actor=actor, action="lead.cancel", obj=lead, changes=_state_change(L.DRAFT, L.CANCELLED))
    return lead


def _person(user):
    try:
        return user.person
    except (ObjectDoesNotExist, AttributeError):
        return None


def transfer_context(lead: ProblemLead, evidence: list[Evidence], contact=None) -> dict:
    """What the transfer letter says, in the language official documents are written in."""
    station = lead.finding.station
    batch = station.round.batch
    head = letterhead(lead.organ or batch.organiser)
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "letterhead": head,
            "organ_text": "、".join(head.lines),
            "number": lead.transfer_number,
            "title": str(TRANSFER_TITLE),
            "addressee": str(TRANSFER_ADDRESSEE),
            "batch": batch.name,
            "round": str(station.round),
            "target": station.target.full_name.replace("/", ""),
            "start": cn_date(station.round.start_date),
            "end": cn_date(station.round.end_date),
            "finding": lead.finding,
            "lead": lead,
            "subject_unit": lead.subject_unit.full_name.replace("/", "") if lead.subject_unit else "",
            "summary": [p.strip() for p in lead.summary.splitlines() if p.strip()],
            "suspected": [p.strip() for p in lead.suspected.splitlines() if p.strip()],
            "evidence": evidence,
            "contact": contact.name if contact else "",
            "phone": contact.phone if contact else "",
            "date": cn_date(lead.transferred_at),
        }


@transaction.atomic
def lead_transfer(*, actor, lead: ProblemLead) -> ProblemLead:
    """Number the transfer letter from the organiser's gap-free sequence, render it, and keep the PDF with its
    SHA-256, all in one transaction (a failure gives the number back)."""
    lead = _locked(lead)
    _move(actor, lead, L.TRANSFERRED)
    organ = lead.finding.station.round.batch.organiser
    now = timezone.now()
    sequence, number = document_number_next(organ=organ, kind="lead_transfer", year=timezone.localdate(now).year)
    lead.organ = organ
    lead.transfer_year = timezone.localdate(now).year
    lead.transfer_sequence = sequence
    lead.transfer_number = number
    lead.transferred_by = actor
    lead.transferred_at = now
    lead.state = L.TRANSFERRED
    evidence = list(lead.evidence.order_by("uploaded_at", "id"))
    pdf = render_pdf(TRANSFER_TEMPLATE, transfer_context(lead, evidence, _person(actor)))
    with filing(lead.transfer_pdf, pdf, f"lead-{lead.pk}.pdf") as digest:
        lead.transfer_pdf_sha256 = digest
        lead.save()
        audit_record(actor=actor, action="lead.transfer", obj=lead,
                     changes={**_state_change(L.DRAFT, L.TRANSFERRED), "number": {"before": "", "after": number}})
    return lead


@transaction.atomic
def lead_dispose(*, actor, lead: ProblemLead, disposal: str, note: str = "") -> ProblemLead:
    """The case office records the way it disposes of the lead; a later change of way needs a note."""
    lead = _locked(lead)
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if disposal not in LeadDisposal.values:
        errors["disposal"] = [_("请选择处置方式")]
    if lead.state == L.DISPOSING and not note:
        errors["note"] = [_("变更处置方式须填写处置情况说明")]
    if errors:
        raise ValidationError(errors)
    before_state, before_way = lead.state, lead.disposal
    _move(actor, lead, L.DISPOSING)
    lead.state = L.DISPOSING
    lead.disposal = disposal
    lead.disposal_note = note
    lead.disposed_at = timezone.now()
    lead.save()
    audit_record(actor=actor, action="lead.dispose", obj=lead, changes={
        **_state_change(before_state, L.DISPOSING),
        "disposal": {"before": str(LeadDisposal(before_way).label) if before_way else "",
                     "after": str(LeadDisposal(disposal).label)},
    })
    return lead


@transaction.atomic
def lead_conclude(*, actor, lead: ProblemLead, result: str) -> ProblemLead:
    lead = _locked(lead)
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": _("请填写办理结果")})
    _move(actor, lead, L.CONCLUDED)
    lead.state = L.CONCLUDED
    lead.result = result
    lead.concluded_at = timezone.now()
    lead.save()
    audit_record(actor=actor, action="lead.conclude", obj=lead, changes=_state_change(L.DISPOSING, L.CONCLUDED))
    return lead
