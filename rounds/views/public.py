"""Views of rounds: a station's public page (reached from the QR code of its notice), where villagers leave a
complaint or a suggestion without logging in, and the receipt page after it. Each module owns its
urlpatterns; rounds/urls.py joins them.

Nothing a villager sent is ever shown back: the receipt page shows the receipt number only, and there is no
list. A station that is not yet confirmed, or an unknown token, is a 404."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from supervision.audit import client_ip
from supervision.views.common import apply_service_errors

from ..forms import PublicComplaintForm
from ..models import Complaint, Station, StationState
from ..notice import notice_facts
from ..services.stations import Throttled, complaint_submit
from ..states import ACCEPTS_COMPLAINTS

TEMPLATE = "rounds/public_station.html"
HONEYPOT = "website"


def _station(token: str) -> Station:
    return get_object_or_404(
        Station.objects.select_related("round__batch__organiser", "target__parent")
        .exclude(state=StationState.PROPOSED), public_token=token)


def _render(request, station: Station, *, form=None, status=200, **extra):
    accepting = station.state in ACCEPTS_COMPLAINTS
    context = {"station": station, "accepting": accepting, "form": form, **notice_facts(station), **extra}
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


urlpatterns = [
    path("p/<str:token>/", public_station, name="public_station"),
    path("p/<str:token>/done/<str:receipt>/", public_receipt, name="public_receipt"),
]
