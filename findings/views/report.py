"""Views of findings: the station report (驻点报告), its two-level approval and its PDF. Each module owns its
urlpatterns; findings/urls.py joins them."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rounds.access import can_work, station_for_user
from rounds.notice import notice_facts
from supervision.documents import cn_date, document_response, render_pdf
from supervision.forms import StackedLabels
from supervision.views.common import apply_service_errors

from ..models import ApprovalAction, ReportState, StationReport
from ..services.report import (
    MOVES,
    allowed_moves,
    can_edit,
    confirmed_findings,
    problems_text,
    report_act,
    report_get_or_create,
    report_save,
)

STATE_TAGS = {ReportState.DRAFT: "", ReportState.SUBMITTED: "amber", ReportState.LEADER_APPROVED: "blue",
              ReportState.APPROVED: "green"}


class ReportForm(StackedLabels, forms.Form):
    overall = forms.CharField(label=gettext_lazy("总体评价"), required=False, max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 8}),
                              help_text=gettext_lazy("驻点单位落实管党治党责任、村务管理和惠民政策执行的总体情况"))
    suggestions = forms.CharField(label=gettext_lazy("意见建议"), required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 8}),
                                  help_text=gettext_lazy("针对存在问题提出的整改意见和建议"))


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=ApprovalAction.choices)
    comment = forms.CharField(required=False, max_length=2000)


def _station_and_report(user, pk):
    station = station_for_user(user, pk)  # the access choke point: a 404 for anyone who may not view it
    return station, StationReport.objects.filter(station=station).first()


def _problem_lines(report: StationReport | None, station) -> list[str]:
    """主要问题 as it stands: while the team drafts, live from the confirmed sheets; once submitted, the text
    that went up for approval."""
    if report is None or report.state == ReportState.DRAFT:
        text = problems_text(list(confirmed_findings(station)))
    else:
        text = report.main_problems
    return [line for line in text.splitlines() if line.strip()]


def _context(request, station, report, *, form=None, action_errors=None) -> dict:
    user = request.user
    editable = can_edit(user, report, station)
    if editable and form is None:
        form = ReportForm(initial={"overall": report.overall if report else "",
                                   "suggestions": report.suggestions if report else ""})
    state = ReportState(report.state) if report else ReportState.DRAFT
    return {
        "station": station,
        "report": report,
        "state": state,
        "state_tag": STATE_TAGS.get(state, ""),
        "steps": [{"label": label, "current": value == state, "done": i < ReportState.values.index(state)}
                  for i, (value, label) in enumerate(ReportState.choices)],
        "problems": _problem_lines(report, station),
        "form": form if editable else None,
        "moves": allowed_moves(user, report, station),
        "events": list(report.events.all()) if report else [],
        "action_errors": action_errors or [],
    }


@require_http_methods(["GET", "POST"])
def station_report(request, pk):
    station, report = _station_and_report(request.user, pk)
    if request.method == "POST":
        if not can_edit(request.user, report, station):
            raise Http404
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                report = report_get_or_create(station, actor=request.user)
                report_save(actor=request.user, report=report, overall=form.cleaned_data["overall"],
                            suggestions=form.cleaned_data["suggestions"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("报告已保存"))
                return redirect("station_report", pk=station.pk)
        return render(request, "findings/report.html", _context(request, station, report, form=form), status=400)
    return render(request, "findings/report.html", _context(request, station, report))


@require_POST
def station_report_action(request, pk):
    station, report = _station_and_report(request.user, pk)
    if not can_work(request.user, station):
        # The team, its leader and the planners get a refusal that says why; a mere viewer gets the 404 (before
        # the form is read: a viewer's empty or malformed POST is not told what to fill in).
        raise Http404
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要执行的操作"))
        return redirect("station_report", pk=station.pk)
    action = form.cleaned_data["action"]
    draft = ReportForm(request.POST) if action == "submit" and "overall" in request.POST else None
    if draft is not None and not draft.is_valid():
        return render(request, "findings/report.html", _context(request, station, report, form=draft), status=400)
    try:
        if report is None:
            report = report_get_or_create(station, actor=request.user)
        if draft is not None:  # "submit" from the draft form saves what is on the page first
            report_save(actor=request.user, report=report, overall=draft.cleaned_data["overall"],
                        suggestions=draft.cleaned_data["suggestions"])
        report = report_act(actor=request.user, report=report, action=action, comment=form.cleaned_data["comment"])
    except ValidationError as error:
        extra = {"form": draft} if draft is not None else {}
        return render(request, "findings/report.html",
                      _context(request, station, report, action_errors=error.messages, **extra), status=400)
    messages.success(request, _("已%(label)s，报告状态：%(state)s") % {
        "label": MOVES[action].label, "state": report.get_state_display()})
    return redirect("station_report", pk=station.pk)


def pdf_context(station, report: StationReport) -> dict:
    facts = notice_facts(station)
    members = list(station.members.select_related("person", "slot").order_by("slot__order", "id"))
    leader = next((m.person.name for m in members if m.slot.is_leader), "")
    others = [m.person.name for m in members if not m.slot.is_leader]

    def paragraphs(text):
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

    return {
        **facts,
        "report": report,
        "draft": report.state != ReportState.APPROVED,
        "overall": paragraphs(report.overall),
        "problems": _problem_lines(report, station),
        "suggestions": paragraphs(report.suggestions),
        "leader": leader,
        "others": others,
        "date": cn_date(report.approved_at or report.updated_at or timezone.now()),
    }


@require_GET
def station_report_pdf(request, pk):
    station, report = _station_and_report(request.user, pk)
    if report is None:
        raise Http404
    pdf = render_pdf("documents/report.html", pdf_context(station, report))
    return document_response(pdf, content_type="application/pdf", filename=f"report-{station.pk}.pdf", inline=True)


urlpatterns = [
    path("stations/<int:pk>/report/", station_report, name="station_report"),
    path("stations/<int:pk>/report/action/", station_report_action, name="station_report_action"),
    path("stations/<int:pk>/report.pdf", station_report_pdf, name="station_report_pdf"),
]
