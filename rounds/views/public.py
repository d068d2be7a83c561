"""Views of rounds: a station's public page (reached from the QR code of its notice), where villagers leave a
complaint or a suggestion without logging in, and the receipt page after it; and the station's questionnaire,
answered anonymously, with a thank-you page after it. Each module owns its
urlpatterns; rounds/urls.py joins them.

Nothing a villager sent is ever shown back: the receipt page shows the receipt number only, and there is no
list. A station that is not yet confirmed, or an unknown token, is a 404."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from supervision.audit import client_ip
from supervision.views.common import apply_service_errors

from ..forms import PublicComplaintForm
from ..models import Complaint, QuestionKind, Station, StationState
from ..notice import notice_facts
from ..services.questionnaires import response_submit
from ..services.stations import Throttled, complaint_submit
from ..states import ACCEPTS_COMPLAINTS

TEMPLATE = "rounds/public_station.html"
SURVEY_TEMPLATE = "rounds/questionnaire_public.html"
HONEYPOT = "website"


def _station(token: str) -> Station:
    return get_object_or_404(
        Station.objects.select_related("round__batch__organiser", "target__parent",
                                    "questionnaire__questionnaire")
        .exclude(state=StationState.PROPOSED), public_token=token)


def _survey(station: Station):
    """The station's questionnaire (published or closed), or None."""
    try:
        return station.questionnaire
    except ObjectDoesNotExist:
        return None


def _survey_open(station: Station) -> bool:
    survey = _survey(station)
    return bool(survey and survey.is_open and station.state in ACCEPTS_COMPLAINTS)


def _render(request, station: Station, *, form=None, status=200, **extra):
    accepting = station.state in ACCEPTS_COMPLAINTS
    context = {"station": station, "accepting": accepting, "form": form, "survey_open": _survey_open(station),
               **notice_facts(station), **extra}
    response = render(request, TEMPLATE, context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def public_station(request, token):
    station = _station(token)
    if station.state not in ACCEPTS_COMPLAINTS:
        return _render(request, station)
    if request.method != "POST":
        return _render(request, station, form=PublicComplaintForm())
    if request.POST.get(HONEYPOT):
        # Nothing is saved. The form comes back without the trap filled, in case a person's browser filled it.
        form = PublicComplaintForm(initial={k: request.POST.get(k, "") for k in ("kind", "content", "contact")})
        return _render(request, station, form=form, form_error=_("提交未成功，请刷新页面后重试。"), status=400)
    form = PublicComplaintForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        source = client_ip(request) or ""
        try:
            complaint = complaint_submit(station=station, kind=data["kind"], content=data["content"],
                                         contact=data["contact"], source=source)
        except Throttled:
            return _render(request, station, throttled=True, status=429)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("public_receipt", token=station.public_token, receipt=complaint.receipt)
    return _render(request, station, form=form)


@login_not_required
@require_GET
@never_cache
def public_receipt(request, token, receipt):
    # Only a receipt of this token's station opens the page, and the page shows that number and nothing else.
    if not Complaint.objects.filter(receipt=receipt, station__public_token=token).exclude(
            station__state=StationState.PROPOSED).exists():
        raise Http404
    response = render(request, TEMPLATE, {"receipt": receipt, "token": token})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _survey_items(questions, posted=None, errors=None) -> list[dict]:
    """The questions as the form shows them, with what the villager already chose when the form comes back."""
    items = []
    for q in questions:
        key = f"q{q.pk}"
        chosen = set(posted.getlist(key)) if posted is not None else set()
        items.append({
            "question": q, "name": key, "multiple": q.kind == QuestionKind.MULTIPLE, "text": q.kind == QuestionKind.TEXT,
            "options": [{"index": i, "label": label, "checked": str(i) in chosen} for i, label in enumerate(q.options)],
            "value": posted.get(key, "") if posted is not None else "",
            "errors": (errors or {}).get(key, []),
        })
    return items


def _render_survey(request, station: Station, *, status=200, **extra):
    context = {"station": station, **notice_facts(station), **extra}
    response = render(request, SURVEY_TEMPLATE, context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
@never_cache
def public_survey(request, token):
    """A villager answers the station's questionnaire, anonymously: nothing of theirs is kept but the answers
    and a keyed hash of their address (to hold back floods)."""
    station = _station(token)
    survey = _survey(station)
    if survey is None:
        raise Http404
    if not _survey_open(station):
        return _render_survey(request, station, closed=True)
    survey.station = station
    questionnaire = survey.questionnaire
    questions = list(questionnaire.questions.all())
    if request.method != "POST":
        return _render_survey(request, station, questionnaire=questionnaire, items=_survey_items(questions))
    if request.POST.get(HONEYPOT):
        return _render_survey(request, station, questionnaire=questionnaire, items=_survey_items(questions),
                              form_error=_("提交未成功，请刷新页面后重试。"), status=400)
    raw = {}
    for q in questions:
        key = f"q{q.pk}"
        raw[q.pk] = request.POST.getlist(key) if q.kind == QuestionKind.MULTIPLE else request.POST.get(key, "")
    try:
        response_submit(station_questionnaire=survey, raw=raw, source=client_ip(request) or "")
    except Throttled:
        return _render_survey(request, station, questionnaire=questionnaire, throttled=True, status=429)
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {}
        general = [] if hasattr(error, "error_dict") else error.messages
        return _render_survey(request, station, questionnaire=questionnaire,
                              items=_survey_items(questions, request.POST, errors),
                              form_error="；".join(general) or _("有题目未答或答案无效，请检查标红的题目。"), status=400)
    return redirect("public_survey_thanks", token=station.public_token)


@login_not_required
@require_GET
@never_cache
def public_survey_thanks(request, token):
    # Shows nothing of what was sent: the same page whoever opens it.
    station = _station(token)
    if _survey(station) is None:
        raise Http404
    return _render_survey(request, station, thanks=True)


urlpatterns = [
    path("p/<str:token>/", public_station, name="public_station"),
    path("p/<str:token>/done/<str:receipt>/", public_receipt, name="public_receipt"),
    path("p/<str:token>/survey/", public_survey, name="public_survey"),
    path("p/<str:token>/survey/thanks/", public_survey_thanks, name="public_survey_thanks"),
]
