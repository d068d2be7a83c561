"""Views of dispositions (处理处分): the people dealt with, recorded from a confirmed sheet (commission staff) or a
transferred lead (the case office). A disposition of a lead is as confidential as the lead: it goes through
findings.access.disposition_for_user and findings.selectors.dispositions_visible_to like every other read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from supervision.views.common import apply_service_errors, paginate, posted, require_perm

from ..access import disposition_for_user, finding_for_user, lead_for_user
from ..forms_leads import DispositionEntryForm
from ..models import DispositionForm, FindingState
from ..selectors import dispositions_visible_to
from ..services.dispositions import FIELDS, disposition_create, disposition_update

FORM_TAGS = {DispositionForm.FIRST: "", DispositionForm.SECOND: "amber", DispositionForm.THIRD: "red",
             DispositionForm.FOURTH: "red"}


def disposition_list(request):
    require_perm(request.user, "findings.view_disposition")
    form = request.GET.get("form", "")
    if form not in {str(v) for v in DispositionForm.values}:
        form = ""
    rows = dispositions_visible_to(request.user).select_related("person_unit__parent", "finding", "lead")
    if form:
        rows = rows.filter(form=int(form))
    page = paginate(request, rows.order_by("-decided_on", "-id"))
    page.object_list = list(page.object_list)
    for row in page.object_list:
        row.form_tag = FORM_TAGS.get(row.form, "")
    return render(request, "findings/disposition_list.html", {
        "page": page, "form": form, "forms": [(str(v), label) for v, label in DispositionForm.choices],
    })


def _entry(request, *, finding=None, lead=None):
    station = (finding or lead.finding).station
    entry = DispositionEntryForm(posted(request), station=station)
    if request.method == "POST" and entry.is_valid():
        try:
            disposition = disposition_create(actor=request.user, finding=finding, lead=lead, **entry.values())
        except ValidationError as error:
            apply_service_errors(entry, error)
        else:
            messages.success(request, _("处理处分已录入"))
            return redirect("disposition_detail", pk=disposition.pk)
    return render(request, "findings/disposition_form.html", {
        "form": entry, "finding": finding, "lead": lead, "title": _("录入处理处分"),
    })


def disposition_new_for_finding(request, pk):
    finding = finding_for_user(request.user, pk)
    require_perm(request.user, "findings.add_disposition")
    if finding.state != FindingState.CONFIRMED:
        messages.error(request, _("只有已确认的问题底稿才能录入处理处分"))
        return redirect("finding_detail", pk=finding.pk)
    return _entry(request, finding=finding)


def disposition_new_for_lead(request, pk):
    lead = lead_for_user(request.user, pk, "handle")
    require_perm(request.user, "findings.add_disposition")
    return _entry(request, lead=lead)


def disposition_detail(request, pk):
    disposition = disposition_for_user(request.user, pk)
    return render(request, "findings/disposition_detail.html", {
        "d": disposition, "form_tag": FORM_TAGS.get(disposition.form, ""),
        "can_edit": request.user.has_perm("findings.change_disposition")
        and (disposition.lead_id is None or request.user.has_perm("findings.handle_lead")),
    })


def disposition_edit(request, pk):
    disposition = disposition_for_user(request.user, pk, "change")
    station = (disposition.finding if disposition.finding_id else disposition.lead.finding).station
    initial = {name: getattr(disposition, name) for name in FIELDS}
    entry = DispositionEntryForm(posted(request), station=station, current_unit=disposition.person_unit,
                                 initial=initial)
    if request.method == "POST" and entry.is_valid():
        try:
            disposition_update(actor=request.user, disposition=disposition, **entry.values())
        except ValidationError as error:
            apply_service_errors(entry, error)
        else:
            messages.success(request, _("处理处分已保存"))
            return redirect("disposition_detail", pk=disposition.pk)
    return render(request, "findings/disposition_form.html", {
        "form": entry, "finding": disposition.finding, "lead": disposition.lead, "disposition": disposition,
        "title": _("修改处理处分"),
    })


urlpatterns = [
    path("dispositions/", disposition_list, name="disposition_list"),
    path("findings/<int:pk>/dispositions/new/", disposition_new_for_finding, name="disposition_new_for_finding"),
    path("leads/<int:pk>/dispositions/new/", disposition_new_for_lead, name="disposition_new_for_lead"),
    path("dispositions/<int:pk>/", disposition_detail, name="disposition_detail"),
    path("dispositions/<int:pk>/edit/", disposition_edit, name="disposition_edit"),
]
