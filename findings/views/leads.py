"""Views of problem leads (问题线索): raised from a confirmed sheet, transferred to the case management office with a
numbered letter, disposed of and concluded there.

Every lead goes through findings.access.lead_for_user (what the user may not see is a 404) and every list through
findings.selectors (so counts never leak); the content (who, what) is shown only where lead_content_visible."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rounds.access import can_plan, can_view_station
from supervision.documents import filed_pdf_response
from supervision.roles import Role, user_roles
from supervision.views.common import apply_service_errors, paginate, posted, refuse

from ..access import TRANSFERRED_LEAD_STATES, finding_for_user, lead_content_visible, lead_for_user
from ..forms_leads import LeadCancelForm, LeadConcludeForm, LeadDisposeForm, LeadForm
from ..models import FindingState, LeadState
from ..selectors import dispositions_visible_to, lead_content_filter, leads_visible_to
from ..services.leads import (
    lead_cancel,
    lead_conclude,
    lead_create,
    lead_dispose,
    lead_moves,
    lead_transfer,
    lead_update,
)

STATE_TAGS = {LeadState.DRAFT: "amber", LeadState.TRANSFERRED: "blue", LeadState.DISPOSING: "amber",
              LeadState.CONCLUDED: "green", LeadState.CANCELLED: ""}
TEAM_ROLES = {Role.TEAM_LEADER, Role.TEAM_MEMBER}


def may_list_leads(user) -> bool:
    """Whose menu has a lead list at all: those who track leads, planners, and team members (their own)."""
    return user.is_authenticated and (user.has_perm("findings.track_leads") or can_plan(user)
                                      or bool(user_roles(user) & TEAM_ROLES))


def with_content_flag(queryset, user):
    """Mark each lead with `content`: whether the user may read its content (one query for the whole page)."""
    return queryset.annotate(content=Case(When(lead_content_filter(user), then=Value(True)), default=Value(False),
                                          output_field=BooleanField()))


def lead_list(request):
    user = request.user
    if not may_list_leads(user):
        raise Http404
    state = request.GET.get("state", "")
    if state not in LeadState.values:
        state = ""
    leads = with_content_flag(leads_visible_to(user), user).select_related(
        "finding__station__target__parent", "finding__station__round")
    if state:
        leads = leads.filter(state=state)
    page = paginate(request, leads.order_by("-created_at", "-id"))
    page.object_list = list(page.object_list)
    for lead in page.object_list:
        lead.state_tag = STATE_TAGS.get(lead.state, "")
    return render(request, "findings/lead_list.html", {
        "page": page, "state": state, "states": LeadState.choices,
    })


def lead_detail(request, pk):
    user = request.user
    lead = lead_for_user(user, pk)
    content = lead_content_visible(user, lead)
    context = {
        "lead": lead, "station": lead.finding.station, "content": content,
        "state_tag": STATE_TAGS.get(lead.state, ""),
        "moves": lead_moves(user, lead) if content else {},
        "cancel_form": LeadCancelForm(),
    }
    if content:
        context["evidence"] = list(lead.evidence.order_by("uploaded_at", "id"))
        context["dispositions"] = list(dispositions_visible_to(user).filter(lead=lead).select_related("person_unit"))
        context["sheet_link"] = can_view_station(user, lead.finding.station)
        context["can_add_disposition"] = (lead.state in TRANSFERRED_LEAD_STATES
                                          and user.has_perm("findings.handle_lead")
                                          and user.has_perm("findings.add_disposition"))
    return render(request, "findings/lead_detail.html", context)


def lead_new(request, pk):
    finding = finding_for_user(request.user, pk, "lead")
    if finding.state != FindingState.CONFIRMED:
        messages.error(request, _("只有已确认的问题底稿才能形成问题线索"))
        return redirect("finding_detail", pk=finding.pk)
    form = LeadForm(posted(request), finding=finding, initial={"subject_unit": finding.responsible_unit})
    if request.method == "POST" and form.is_valid():
        try:
            lead = lead_create(actor=request.user, finding=finding, **form.values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("问题线索已保存，待移送"))
            return redirect("lead_detail", pk=lead.pk)
    return render(request, "findings/lead_form.html", {
        "finding": finding, "station": finding.station, "form": form, "title": _("形成问题线索"),
    })


def lead_edit(request, pk):
    lead = lead_for_user(request.user, pk, "edit")
    initial = {"subject_name": lead.subject_name, "subject_post": lead.subject_post,
               "subject_unit": lead.subject_unit, "summary": lead.summary, "suspected": lead.suspected,
               "evidence": list(lead.evidence.values_list("pk", flat=True))}
    form = LeadForm(posted(request), finding=lead.finding, current_unit=lead.subject_unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lead_update(actor=request.user, lead=lead, **form.values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("问题线索已保存"))
            return redirect("lead_detail", pk=lead.pk)
    return render(request, "findings/lead_form.html", {
        "finding": lead.finding, "station": lead.finding.station, "lead": lead, "form": form,
        "title": _("修改问题线索"),
    })


@require_POST
def lead_transfer_view(request, pk):
    lead = lead_for_user(request.user, pk, "edit")
    try:
        lead = lead_transfer(actor=request.user, lead=lead)
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, _("问题线索已移送案件监督管理室，移送函文号 %(number)s") % {
            "number": lead.transfer_number})
    return redirect("lead_detail", pk=lead.pk)


@require_POST
def lead_cancel_view(request, pk):
    lead = lead_for_user(request.user, pk, "edit")
    form = LeadCancelForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("lead_detail", pk=lead.pk)
    try:
        lead_cancel(actor=request.user, lead=lead, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, _("问题线索已撤销"))
    return redirect("lead_detail", pk=lead.pk)


def lead_pdf(request, pk):
    lead = lead_for_user(request.user, pk, "content")
    return filed_pdf_response(lead.transfer_pdf, filename=f"lead-transfer-{lead.pk}.pdf")


def lead_dispose_view(request, pk):
    lead = lead_for_user(request.user, pk, "handle")
    if lead.state not in {LeadState.TRANSFERRED, LeadState.DISPOSING}:
        messages.error(request, _("“%(state)s”的问题线索不能处置") % {"state": lead.get_state_display()})
        return redirect("lead_detail", pk=lead.pk)
    form = LeadDisposeForm(posted(request), initial={"disposal": lead.disposal})
    if request.method == "POST" and form.is_valid():
        try:
            lead_dispose(actor=request.user, lead=lead, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("处置方式已记录"))
            return redirect("lead_detail", pk=lead.pk)
    return render(request, "findings/lead_action.html", {
        "lead": lead, "form": form, "title": _("变更处置方式") if lead.state == LeadState.DISPOSING else _("处置问题线索"),
        "action": "lead_dispose",
    })


def lead_conclude_view(request, pk):
    lead = lead_for_user(request.user, pk, "handle")
    if lead.state != LeadState.DISPOSING:
        messages.error(request, _("“%(state)s”的问题线索不能办结") % {"state": lead.get_state_display()})
        return redirect("lead_detail", pk=lead.pk)
    form = LeadConcludeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            lead_conclude(actor=request.user, lead=lead, result=form.cleaned_data["result"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("问题线索已办结"))
            return redirect("lead_detail", pk=lead.pk)
    return render(request, "findings/lead_action.html", {
        "lead": lead, "form": form, "title": _("办结问题线索"), "action": "lead_conclude",
    })


urlpatterns = [
    path("leads/", lead_list, name="lead_list"),
    path("leads/<int:pk>/", lead_detail, name="lead_detail"),
    path("findings/<int:pk>/leads/new/", lead_new, name="lead_new"),
    path("leads/<int:pk>/edit/", lead_edit, name="lead_edit"),
    path("leads/<int:pk>/transfer/", lead_transfer_view, name="lead_transfer"),
    path("leads/<int:pk>/cancel/", lead_cancel_view, name="lead_cancel"),
    path("leads/<int:pk>/transfer.pdf", lead_pdf, name="lead_pdf"),
    path("leads/<int:pk>/dispose/", lead_dispose_view, name="lead_dispose"),
    path("leads/<int:pk>/conclude/", lead_conclude_view, name="lead_conclude"),
]
