"""Views of special campaigns (专项治理): the system's signals of possibly systemic problems, the campaigns opened
from them, and their course to the close. Commission staff work on them; the commission's leaders read them;
everyone else gets a 404 (findings.access.campaign_for_user, require_perm)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rounds.models import Theme
from supervision.models import AuditEvent
from supervision.views.common import apply_service_errors, paginate, posted, refuse, require_perm

from ..access import campaign_for_user
from ..forms_campaigns import CampaignForm, CloseForm
from ..models import CampaignState
from ..selectors import campaigns_visible_to
from ..services.campaigns import (
    campaign_close,
    campaign_moves,
    campaign_open,
    campaign_signals,
    campaign_start,
    campaign_update,
    campaign_window,
)

STATE_TAGS = {CampaignState.OPEN: "blue", CampaignState.ACTIVE: "amber", CampaignState.CLOSED: "green"}


def campaign_list(request):
    require_perm(request.user, "findings.view_specialcampaign")
    campaigns = paginate(request, campaigns_visible_to(request.user)
                         .annotate(unit_count=Count("units", distinct=True),
                                   sheet_count=Count("findings", distinct=True))
                         .order_by("-opened_at", "-pk"))
    for campaign in campaigns:
        campaign.state_tag = STATE_TAGS.get(campaign.state, "")
    return render(request, "findings/campaign_list.html", {
        "signals": campaign_signals(), "campaigns": campaigns,
        "can_add": request.user.has_perm("findings.add_specialcampaign"),
        "categories": Theme.choices,
        "window_days": settings.CAMPAIGN_WINDOW_DAYS, "min_units": settings.CAMPAIGN_MIN_UNITS,
    })


def campaign_new(request):
    require_perm(request.user, "findings.add_specialcampaign")
    category = request.GET.get("category", "")
    if category not in Theme.values:
        messages.error(request, _("请先选择问题类别"))
        return redirect("campaign_list")
    signal = next((s for s in campaign_signals() if s.category == category), None)
    if signal and signal.campaign is not None:
        messages.error(request, _("“%(label)s”已有正在进行的专项治理，请在其中关联新的问题底稿") % {
            "label": signal.label})
        return redirect("campaign_detail", pk=signal.campaign.pk)
    label = Theme(category).label
    initial = {"title": _("%(label)s问题专项治理") % {"label": label}}
    if signal is not None:
        initial.update(period_start=signal.window_start, period_end=signal.window_end,
                       findings=signal.finding_ids, units=signal.unit_ids)
    else:
        initial["period_start"], initial["period_end"] = campaign_window()
    form = CampaignForm(posted(request), category=category, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_open(actor=request.user, category=category, **form.values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("专项治理“%(title)s”已立项") % {"title": campaign.title})
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "findings/campaign_form.html", {
        "form": form, "category_label": label, "signal": signal, "title": _("立项专项治理"),
    })


TIMELINE = [(CampaignState.OPEN, "campaign.open"), (CampaignState.ACTIVE, "campaign.start"),
            (CampaignState.CLOSED, "campaign.close")]


def _timeline(campaign) -> list[dict]:
    """The campaign's course, from its state and the audit trail's dates (one query)."""
    events = {}
    for event in (AuditEvent.objects.filter(object_type=campaign._meta.label_lower, object_id=str(campaign.pk),
                                            action__in=[action for _state, action in TIMELINE])
                  .order_by("created_at", "pk")):
        events.setdefault(event.action, event)
    reached = [state for state, _action in TIMELINE].index(campaign.state)
    steps = []
    for index, (state, action) in enumerate(TIMELINE):
        event = events.get(action)
        when = {CampaignState.OPEN: campaign.opened_at, CampaignState.CLOSED: campaign.closed_at}.get(state)
        steps.append({"label": state.label, "done": index <= reached, "current": index == reached,
                      "when": when or (event.created_at if event else None),
                      "who": event.actor_name if event else ""})
    return steps


def campaign_detail(request, pk):
    campaign = campaign_for_user(request.user, pk)
    sheets = list(campaign.findings.select_related("responsible_unit", "station__target").order_by("number"))
    for sheet in sheets:
        sheet.unit = sheet.responsible_unit or sheet.station.target
    return render(request, "findings/campaign_detail.html", {
        "campaign": campaign, "state_tag": STATE_TAGS.get(campaign.state, ""),
        "sheets": sheets, "units": list(campaign.units.order_by("name")),
        "timeline": _timeline(campaign), "moves": campaign_moves(request.user, campaign),
        "close_form": CloseForm(),
    })


def campaign_edit(request, pk):
    campaign = campaign_for_user(request.user, pk, "change")
    if campaign.state == CampaignState.CLOSED:
        messages.error(request, _("已结束的专项治理不能修改"))
        return redirect("campaign_detail", pk=campaign.pk)
    initial = {"title": campaign.title, "description": campaign.description,
               "period_start": campaign.period_start, "period_end": campaign.period_end,
               "findings": list(campaign.findings.values_list("pk", flat=True)),
               "units": list(campaign.units.values_list("pk", flat=True))}
    form = CampaignForm(posted(request), category=campaign.category, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign_update(actor=request.user, campaign=campaign, **form.values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("专项治理已保存"))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "findings/campaign_form.html", {
        "form": form, "campaign": campaign, "category_label": campaign.get_category_display(),
        "title": _("修改专项治理"),
    })


@require_POST
def campaign_start_view(request, pk):
    campaign = campaign_for_user(request.user, pk, "change")
    try:
        campaign_start(actor=request.user, campaign=campaign)
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, _("专项治理“%(title)s”已启动") % {"title": campaign.title})
    return redirect("campaign_detail", pk=campaign.pk)


@require_POST
def campaign_close_view(request, pk):
    campaign = campaign_for_user(request.user, pk, "change")
    form = CloseForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("campaign_detail", pk=campaign.pk)
    try:
        campaign_close(actor=request.user, campaign=campaign, summary=form.cleaned_data["summary"])
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, _("专项治理“%(title)s”已结束") % {"title": campaign.title})
    return redirect("campaign_detail", pk=campaign.pk)


urlpatterns = [
    path("campaigns/", campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/start/", campaign_start_view, name="campaign_start"),
    path("campaigns/<int:pk>/close/", campaign_close_view, name="campaign_close"),
]
