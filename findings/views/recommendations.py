"""Views of recommendations (纪检监察建议书): list, draft, edit, issue, the letter as PDF, and the reply.

Every object goes through findings.access.recommendation_for_user (anything the user may not see is a 404);
every list comes from findings.selectors.recommendations_visible_to; every write is a service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rounds.access import station_for_user
from supervision.documents import document_response, filed_pdf_response
from supervision.views.common import apply_service_errors, paginate, posted, refuse, require_perm

from ..access import liaison_unit_ids, recommendation_for_user
from ..forms_recommendations import RecommendationForm, ReplyForm
from ..models import RecommendationState
from ..selectors import recommendations_visible_to
from ..services.recommendations import (
    FIELDS,
    is_overdue,
    recommendation_create,
    recommendation_issue,
    recommendation_moves,
    recommendation_pdf_preview,
    recommendation_reply,
    recommendation_update,
)

S = RecommendationState
STATE_TAGS = {S.DRAFT: "amber", S.ISSUED: "blue", S.REPLIED: "green"}


def _is_staff(user) -> bool:
    return user.has_perm("findings.view_recommendation")


def recommendation_list(request):
    user = request.user
    staff = _is_staff(user)
    if not staff and not liaison_unit_ids(user):
        raise Http404
    states = S.choices if staff else [c for c in S.choices if c[0] != S.DRAFT]
    state = request.GET.get("state", "")
    if state not in {value for value, _label in states}:
        state = ""
    queryset = recommendations_visible_to(user).select_related("recipient__parent", "organ")
    if state:
        queryset = queryset.filter(state=state)
    page = paginate(request, queryset)
    page.object_list = list(page.object_list)
    today = timezone.localdate()
    for recommendation in page.object_list:
        recommendation.state_tag = STATE_TAGS.get(recommendation.state, "")
        recommendation.overdue = is_overdue(recommendation, today)
    return render(request, "findings/recommendation_list.html", {
        "page": page, "state": state, "states": states, "staff": staff,
        "can_create": user.has_perm("findings.add_recommendation"),
    })


def _station_from(request):
    """The station a new recommendation comes from (?station=<pk>), seen through the station's access rules."""
    value = request.POST.get("station") or request.GET.get("station")
    if not value:
        return None
    if not str(value).isdigit():
        raise Http404
    return station_for_user(request.user, int(value))


def recommendation_new(request):
    require_perm(request.user, "findings.add_recommendation")
    station = _station_from(request)
    initial = {}
    if station is not None:
        initial = {"recipient": station.target_id, "organ": station.round.batch.organiser_id}
    form = RecommendationForm(posted(request), station=station, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = recommendation_create(actor=request.user, station=station, **form.values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("建议书“%(title)s”已保存为草稿") % {"title": recommendation.title})
            return redirect("recommendation_detail", pk=recommendation.pk)
    return render(request, "findings/recommendation_form.html", {
        "form": form, "station": station, "title": _("起草纪检监察建议书"),
    })


def recommendation_detail(request, pk):
    recommendation = recommendation_for_user(request.user, pk)
    staff = _is_staff(request.user)
    findings = list(recommendation.findings.order_by("station_id", "sequence")) if staff else []
    return render(request, "findings/recommendation_detail.html", {
        "recommendation": recommendation, "staff": staff, "findings": findings,
        "items": recommendation.item_list(),
        "state_tag": STATE_TAGS.get(recommendation.state, ""),
        "overdue": is_overdue(recommendation),
        "moves": recommendation_moves(request.user, recommendation),
    })


def recommendation_edit(request, pk):
    recommendation = recommendation_for_user(request.user, pk, "edit")
    linked = list(recommendation.findings.all())
    initial = {name: getattr(recommendation, name) for name in FIELDS}
    initial["findings"] = [f.pk for f in linked]
    form = RecommendationForm(posted(request), station=recommendation.station, linked=linked, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            recommendation_update(actor=request.user, recommendation=recommendation,
                                  findings=values.pop("findings"), **values)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("建议书草稿已保存"))
            return redirect("recommendation_detail", pk=recommendation.pk)
    return render(request, "findings/recommendation_form.html", {
        "form": form, "station": recommendation.station, "recommendation": recommendation,
        "title": _("修改纪检监察建议书"),
    })


@require_POST
def recommendation_issue_view(request, pk):
    recommendation = recommendation_for_user(request.user, pk, "issue")
    try:
        recommendation = recommendation_issue(actor=request.user, recommendation=recommendation)
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, _("建议书已签发，文号 %(number)s") % {"number": recommendation.number})
    return redirect("recommendation_detail", pk=recommendation.pk)


def recommendation_pdf(request, pk):
    """An issued letter: the stored file, exactly as issued. A draft: a preview marked 草稿, without a number."""
    recommendation = recommendation_for_user(request.user, pk)
    if recommendation.state == S.DRAFT:
        return document_response(recommendation_pdf_preview(recommendation), content_type="application/pdf",
                                 filename=f"recommendation-{recommendation.pk}-draft.pdf", inline=True)
    return filed_pdf_response(recommendation.pdf, filename=f"recommendation-{recommendation.pk}.pdf")


def recommendation_reply_view(request, pk):
    recommendation = recommendation_for_user(request.user, pk, "reply")
    form = ReplyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            recommendation_reply(actor=request.user, recommendation=recommendation, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已登记建议书 %(number)s 的回复") % {"number": recommendation.number})
            return redirect("recommendation_detail", pk=recommendation.pk)
    return render(request, "findings/recommendation_reply.html", {
        "form": form, "recommendation": recommendation, "overdue": is_overdue(recommendation),
    })


urlpatterns = [
    path("recommendations/", recommendation_list, name="recommendation_list"),
    path("recommendations/new/", recommendation_new, name="recommendation_new"),
    path("recommendations/<int:pk>/", recommendation_detail, name="recommendation_detail"),
    path("recommendations/<int:pk>/edit/", recommendation_edit, name="recommendation_edit"),
    path("recommendations/<int:pk>/issue/", recommendation_issue_view, name="recommendation_issue"),
    path("recommendations/<int:pk>/document.pdf", recommendation_pdf, name="recommendation_pdf"),
    path("recommendations/<int:pk>/reply/", recommendation_reply_view, name="recommendation_reply"),
]
