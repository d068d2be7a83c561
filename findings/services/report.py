"""The station report (驻点报告) and its two-level approval.

A team member drafts the report (总体评价 / 主要问题 / 意见建议) and submits it; the station's team leader approves it
or returns it with a comment; then commission staff approve it or return it with a comment. 主要问题 is filled from
the station's confirmed problem sheets whenever the draft is saved or submitted. Every move is an ApprovalEvent
(the timeline) and an AuditEvent."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rounds.access import can_plan, can_work
from rounds.models import Station, StationState
from supervision.audit import audit_record

from ..models import ApprovalAction, ApprovalEvent, Finding, FindingState, ReportState, StationReport

# A report can be drafted once the team has entered (进驻).
NOT_YET = {StationState.PROPOSED, StationState.PLANNED, StationState.TRAINING}
MAX_TEXT = 20000


@dataclass(frozen=True)
class Move:
    action: str
    source: str
    target: str
    who: str  # "team": can_work; "leader": the station's own leader; "commission": can_plan
    needs_comment: bool
    label: object


# The one transition table of the report: which action moves which state to which, and who may take it.
MOVES: dict[str, Move] = {m.action: m for m in [
    Move(ApprovalAction.SUBMIT, ReportState.DRAFT, ReportState.SUBMITTED, "team", False,
         gettext_lazy("提交组长审核")),
    Move(ApprovalAction.LEADER_APPROVE, ReportState.SUBMITTED, ReportState.LEADER_APPROVED, "leader", False,
         gettext_lazy("组长审核通过")),
    Move(ApprovalAction.LEADER_RETURN, ReportState.SUBMITTED, ReportState.DRAFT, "leader", True,
         gettext_lazy("退回修改")),
    Move(ApprovalAction.COMMISSION_APPROVE, ReportState.LEADER_APPROVED, ReportState.APPROVED, "commission", False,
         gettext_lazy("审定报告")),
    Move(ApprovalAction.COMMISSION_RETURN, ReportState.LEADER_APPROVED, ReportState.DRAFT, "commission", True,
         gettext_lazy("退回修改")),
]}


def is_station_leader(user, station: Station) -> bool:
    """The first approval level belongs to the station's own team leader (an object permission), not to
    commission staff, who approve at the second level."""
    return bool(user.is_authenticated and user.has_perm("rounds.lead_station", station))


def may(user, move: Move, station: Station) -> bool:
    if move.who == "team":
        return can_work(user, station)
    if move.who == "leader":
        return is_station_leader(user, station)
    return can_plan(user)


def allowed_moves(user, report: StationReport | None, station: Station) -> list[Move]:
    state = report.state if report is not None else ReportState.DRAFT
    if station.state in NOT_YET:
        return []
    allowed, memo = [], {}
    for move in MOVES.values():
        if move.source != state:
            continue
        if move.who not in memo:  # each role check once: an object permission check is a query
            memo[move.who] = may(user, move, station)
        if memo[move.who]:
            allowed.append(move)
    return allowed


def can_edit(user, report: StationReport | None, station: Station) -> bool:
    state = report.state if report is not None else ReportState.DRAFT
    return state == ReportState.DRAFT and station.state not in NOT_YET and can_work(user, station)


def confirmed_findings(station: Station):
    return (Finding.objects.filter(station=station, state=FindingState.CONFIRMED)
            .only("id", "number", "sequence", "title", "amount").order_by("sequence", "id"))


def _amount(value) -> str:
    return f"{value:,.2f}"


def problems_text(findings) -> str:
    """The numbered list of 主要问题: number, title and amount of each confirmed sheet, then the total."""
    lines = []
    total = 0
    for i, finding in enumerate(findings, start=1):
        if finding.amount:
            total += finding.amount
            lines.append(_("%(i)d.%(title)s（底稿%(number)s，涉及金额%(amount)s元）") % {
                "i": i, "title": finding.title, "number": finding.number, "amount": _amount(finding.amount)})
        else:
            lines.append(_("%(i)d.%(title)s（底稿%(number)s）") % {
                "i": i, "title": finding.title, "number": finding.number})
    if lines:
        if total:
            lines.append(_("以上共%(n)d个问题，涉及金额合计%(amount)s元。") % {
                "n": len(findings), "amount": _amount(total)})
        else:
            lines.append(_("以上共%(n)d个问题。") % {"n": len(findings)})
    return "\n".join(lines)


def _lock(station: Station) -> StationReport | None:
    return StationReport.objects.select_for_update().filter(station=station).first()


def _check_station(station: Station) -> None:
    if station.state in NOT_YET:
        raise ValidationError(_("驻点进驻后才能起草报告"))


def _display_name(user) -> str:
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def _event(*, actor, report: StationReport, action: str, comment: str = "") -> ApprovalEvent:
    return ApprovalEvent.objects.create(report=report, action=action, comment=comment, actor=actor,
                                        actor_name=_display_name(actor))


@transaction.atomic
def report_get_or_create(station: Station, *, actor=None) -> StationReport:
    report = _lock(station)
    if report is not None:
        return report
    _check_station(station)
    report = StationReport.objects.create(station=station, drafted_by=actor if actor and actor.is_authenticated
                                          else None)
    audit_record(actor=actor, action="report.create", obj=report,
                 changes={"state": {"before": "", "after": str(report.get_state_display())}})
    return report


@transaction.atomic
def report_refresh_problems(*, report: StationReport) -> StationReport:
    """Rewrite 主要问题 from the station's confirmed sheets (a draft only: a submitted report keeps its text)."""
    if report.state != ReportState.DRAFT:
        return report
    text = problems_text(list(confirmed_findings(report.station)))
    if text != report.main_problems:
        report.main_problems = text
        report.save(update_fields=["main_problems", "updated_at"])
    return report


@transaction.atomic
def report_save(*, actor, report: StationReport, overall: str, suggestions: str) -> StationReport:
    station = report.station
    if not can_work(actor, station):
        raise ValidationError(_("只有本驻点检查组成员可以起草报告"))
    _check_station(station)
    report = _lock(station)
    if report.state != ReportState.DRAFT:
        raise ValidationError(_("报告已提交审核，不能修改；退回后才能修改"))
    overall, suggestions = (overall or "").strip(), (suggestions or "").strip()
    errors = {}
    for field, value in (("overall", overall), ("suggestions", suggestions)):
        if len(value) > MAX_TEXT:
            errors[field] = _("内容过长（最多%(n)d字）") % {"n": MAX_TEXT}
    if errors:
        raise ValidationError(errors)
    before = {"overall": report.overall, "suggestions": report.suggestions}
    report.overall, report.suggestions = overall, suggestions
    report.drafted_by = actor
    report.save()
    report_refresh_problems(report=report)
    changed = {k: {"before": f"{len(before[k])}字", "after": f"{len(v)}字"}
               for k, v in (("overall", overall), ("suggestions", suggestions)) if before[k] != v}
    audit_record(actor=actor, action="report.save", obj=report, changes=changed)
    return report


def _move(*, actor, report: StationReport, action: str, comment: str = "") -> StationReport:
    move = MOVES.get(action)
    if move is None:
        raise ValidationError(_("未知的报告操作"))
    station = report.station
    _check_station(station)
    report = _lock(station)
    if not may(actor, move, station):
        raise ValidationError(_("您无权执行“%(label)s”") % {"label": move.label})
    if report.state != move.source:
        raise ValidationError(_("报告当前为“%(state)s”，不能执行“%(label)s”") % {
            "state": report.get_state_display(), "label": move.label})
    comment = (comment or "").strip()
    if move.needs_comment and not comment:
        raise ValidationError({"comment": _("退回修改须填写意见")})
    if len(comment) > 2000:
        raise ValidationError({"comment": _("意见过长（最多2000字）")})
    if action == ApprovalAction.SUBMIT:
        report_refresh_problems(report=report)
        if not report.overall.strip():
            raise ValidationError({"overall": _("请先填写总体评价再提交")})
        if not report.suggestions.strip():
            raise ValidationError({"suggestions": _("请先填写意见建议再提交")})
    before = report.get_state_display()
    report.state = move.target
    if move.target == ReportState.APPROVED:
        report.approved_at = timezone.now()
    report.save()
    _event(actor=actor, report=report, action=action, comment=comment)
    changes = {"state": {"before": str(before), "after": str(report.get_state_display())}}
    if comment:
        changes["comment"] = {"before": "", "after": comment[:500]}
    audit_record(actor=actor, action=f"report.{action}", obj=report, changes=changes)
    return report


@transaction.atomic
def report_submit(*, actor, report: StationReport) -> StationReport:
    return _move(actor=actor, report=report, action=ApprovalAction.SUBMIT)


@transaction.atomic
def report_leader_decide(*, actor, report: StationReport, approve: bool, comment: str = "") -> StationReport:
    action = ApprovalAction.LEADER_APPROVE if approve else ApprovalAction.LEADER_RETURN
    return _move(actor=actor, report=report, action=action, comment=comment)


@transaction.atomic
def report_commission_decide(*, actor, report: StationReport, approve: bool, comment: str = "") -> StationReport:
    action = ApprovalAction.COMMISSION_APPROVE if approve else ApprovalAction.COMMISSION_RETURN
    return _move(actor=actor, report=report, action=action, comment=comment)


def report_act(*, actor, report: StationReport, action: str, comment: str = "") -> StationReport:
    """Dispatch a posted action to the service of its level."""
    if action == ApprovalAction.SUBMIT:
        return report_submit(actor=actor, report=report)
    if action in (ApprovalAction.LEADER_APPROVE, ApprovalAction.LEADER_RETURN):
        return report_leader_decide(actor=actor, report=report, approve=action == ApprovalAction.LEADER_APPROVE,
                                    comment=comment)
    if action in (ApprovalAction.COMMISSION_APPROVE, ApprovalAction.COMMISSION_RETURN):
        return report_commission_decide(actor=actor, report=report,
                                        approve=action == ApprovalAction.COMMISSION_APPROVE, comment=comment)
    raise ValidationError(_("未知的报告操作"))
