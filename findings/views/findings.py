"""Views of findings: problem sheets (问题底稿) of a station, their evidence files and corrections. Each module
owns its urlpatterns; findings/urls.py joins them.

Every object goes through findings.access (anything the user may not see is a 404); every write is a service."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rounds.access import can_work, station_for_user
from supervision.views.common import apply_service_errors, posted, refuse

from ..access import evidence_for_user, finding_for_user
from ..forms import EVIDENCE_ACCEPT, CorrectionForm, FindingForm, WithdrawForm
from ..models import Finding, FindingState, ReportState, StationReport
from ..selectors import dispositions_visible_to, leads_visible_to
from ..services.findings import (
    FIELDS,
    OPEN_STATES,
    finding_confirm,
    finding_correct,
    finding_create,
    finding_evidence_add,
    finding_initial,
    finding_locked,
    finding_moves,
    finding_roles,
    finding_update,
    finding_withdraw,
)
from .leads import STATE_TAGS as LEAD_TAGS
from .leads import with_content_flag


def yuan(amount) -> str:
    """An amount in yuan as accounts write it: thousands separated, two places (the Chinese locale groups none)."""
    return "—" if amount is None else f"{amount:,.2f}"


STATE_TAGS = {FindingState.DRAFT: "amber", FindingState.CONFIRMED: "green", FindingState.WITHDRAWN: ""}


def finding_list(request, pk):
    station = station_for_user(request.user, pk)
    findings = list(station.findings.select_related("found_by").annotate(evidence_count=Count("evidence"))
                    .order_by("sequence"))
    for finding in findings:
        finding.state_tag = STATE_TAGS.get(finding.state, "")
        finding.amount_display = yuan(finding.amount)
    live = [f for f in findings if f.state != FindingState.WITHDRAWN]
    totals = {
        "count": len(live),
        "confirmed": sum(1 for f in live if f.state == FindingState.CONFIRMED),
        "draft": sum(1 for f in live if f.state == FindingState.DRAFT),
        "withdrawn": len(findings) - len(live),
        "amount": sum((f.amount for f in live if f.amount is not None), Decimal("0.00")),
    }
    totals["amount_display"] = yuan(totals["amount"])
    return render(request, "findings/finding_list.html", {
        "station": station, "findings": findings, "totals": totals,
        "can_create": can_work(request.user, station) and station.state in OPEN_STATES,
    })


def finding_new(request, pk):
    station = station_for_user(request.user, pk, "work")
    check = None
    check_id = request.GET.get("check") or request.POST.get("check")
    if check_id:
        if not str(check_id).isdigit():
            raise Http404
        check = get_object_or_404(station.checks.select_related("item"), pk=check_id)
    if station.state not in OPEN_STATES:
        messages.error(request, _("驻点“%(state)s”时不能新建问题底稿：进驻后至形成报告期间才能填写") % {
            "state": station.get_state_display()})
        return redirect("finding_list", pk=station.pk)
    form = FindingForm(posted(request), station=station, initial=finding_initial(check))
    if request.method == "POST" and form.is_valid():
        try:
            finding = finding_create(actor=request.user, station=station, station_check=check, **form.values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("问题底稿 %(number)s 已保存为草稿") % {"number": finding.number})
            return redirect("finding_detail", pk=finding.pk)
    return render(request, "findings/finding_form.html", {
        "station": station, "form": form, "check": check, "title": _("新建问题底稿"),
    })


def finding_detail(request, pk):
    finding = finding_for_user(request.user, pk)
    station = finding.station
    # What the page shows beyond the access helper's joins, in one query whatever the sheet's state.
    finding = (Finding.objects.select_related("station", "responsible_unit", "found_by", "station_check__item",
                                              "confirmed_by__person")
               .annotate(locked=Exists(StationReport.objects.filter(station_id=OuterRef("station_id"),
                                                                    state=ReportState.APPROVED)))
               .get(pk=finding.pk))
    finding.station = station
    locked = finding.locked  # = finding_locked(finding), in the same query (room for the sheet's leads)
    roles = finding_roles(request.user, station)
    works = "work" in roles
    labels = {name: Finding._meta.get_field(name).verbose_name for name in FIELDS}
    revisions = list(finding.revisions.select_related("changed_by__person"))
    for revision in revisions:
        revision.previous_items = [(labels.get(name, name), text) for name, text in revision.previous.items()]
    # Its problem leads: only those the user may know of, their content only where the user may read it.
    leads = list(with_content_flag(leads_visible_to(request.user).filter(finding=finding), request.user)
                 .order_by("created_at", "id"))
    for lead in leads:
        lead.state_tag = LEAD_TAGS.get(lead.state, "")
    return render(request, "findings/finding_detail.html", {
        "finding": finding, "station": station, "locked": locked,
        "state_tag": STATE_TAGS.get(finding.state, ""),
        "amount_display": yuan(finding.amount),
        "evidence": list(finding.evidence.select_related("uploaded_by__person")),
        "revisions": revisions,
        "moves": finding_moves(request.user, finding, roles=roles, locked=locked),
        "can_edit": works and finding.state != FindingState.WITHDRAWN,
        "can_upload": works and finding.state != FindingState.WITHDRAWN and not locked,
        "withdraw_form": WithdrawForm(),
        "accept": EVIDENCE_ACCEPT,
        "leads": leads,
        "can_raise_lead": "lead" in roles and finding.state == FindingState.CONFIRMED,
        "can_add_disposition": finding.state == FindingState.CONFIRMED
        and request.user.has_perm("findings.add_disposition"),
        "dispositions": list(dispositions_visible_to(request.user).filter(finding=finding, lead__isnull=True)
                             .select_related("person_unit")),
    })


def finding_edit(request, pk):
    finding = finding_for_user(request.user, pk, "work")
    if finding.state == FindingState.WITHDRAWN:
        messages.error(request, _("已撤回的问题底稿不能修改"))
        return redirect("finding_detail", pk=finding.pk)
    locked = finding_locked(finding)
    form_class = CorrectionForm if locked else FindingForm
    initial = {name: getattr(finding, name) for name in FIELDS}
    form = form_class(posted(request), station=finding.station, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if locked:
                finding_correct(actor=request.user, finding=finding, reason=form.cleaned_data["reason"],
                                **form.values())
            else:
                finding_update(actor=request.user, finding=finding, **form.values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已更正，原内容已保留在更正记录中") if locked else _("问题底稿已保存"))
            return redirect("finding_detail", pk=finding.pk)
    return render(request, "findings/finding_form.html", {
        "station": finding.station, "finding": finding, "form": form, "locked": locked,
        "title": _("更正问题底稿") if locked else _("修改问题底稿"),
    })


@require_POST
def finding_confirm_view(request, pk):
    finding = finding_for_user(request.user, pk, "lead")
    try:
        finding = finding_confirm(actor=request.user, finding=finding)
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, _("问题底稿 %(number)s 已确认") % {"number": finding.number})
    return redirect("finding_detail", pk=finding.pk)


@require_POST
def finding_withdraw_view(request, pk):
    finding = finding_for_user(request.user, pk, "work")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("finding_detail", pk=finding.pk)
    try:
        finding = finding_withdraw(actor=request.user, finding=finding, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, _("问题底稿 %(number)s 已撤回") % {"number": finding.number})
    return redirect("finding_detail", pk=finding.pk)


@require_POST
def evidence_upload(request, pk):
    """One or more files; each is checked on its own, and a refused file leaves nothing behind."""
    finding = finding_for_user(request.user, pk, "work")
    uploads = request.FILES.getlist("files")
    if not uploads:
        messages.error(request, _("请选择要上传的文件"))
    description = request.POST.get("description", "")
    for upload in uploads:
        try:
            evidence = finding_evidence_add(actor=request.user, finding=finding, upload=upload,
                                            description=description)
        except ValidationError as error:
            messages.error(request, _("“%(name)s”未上传：%(reason)s") % {
                "name": (upload.name or "")[:100], "reason": "；".join(error.messages)})
        else:
            messages.success(request, _("已上传“%(name)s”") % {"name": evidence.original_name})
    return redirect("finding_detail", pk=finding.pk)


def evidence_response(evidence) -> FileResponse:
    """The file as a download, never rendered inline: the stored (content-checked) type, no sniffing, no caching
    by shared caches; the original name in Content-Disposition (RFC 5987 encoded when not ASCII)."""
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def evidence_download(request, pk):
    return evidence_response(evidence_for_user(request.user, pk))


urlpatterns = [
    path("stations/<int:pk>/findings/", finding_list, name="finding_list"),
    path("stations/<int:pk>/findings/new/", finding_new, name="finding_new"),
    path("findings/<int:pk>/", finding_detail, name="finding_detail"),
    path("findings/<int:pk>/edit/", finding_edit, name="finding_edit"),
    path("findings/<int:pk>/confirm/", finding_confirm_view, name="finding_confirm"),
    path("findings/<int:pk>/withdraw/", finding_withdraw_view, name="finding_withdraw"),
    path("findings/<int:pk>/evidence/", evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", evidence_download, name="evidence_download"),
]
