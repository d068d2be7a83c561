"""Views of rounds: the supervision notice (监督检查公告) of a station, as a GB/T 9704 PDF with a QR code to
the station's public page. Each module owns its urlpatterns; rounds/urls.py joins them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supervision.documents import document_response, qr_svg, render_pdf

from ..access import station_for_user
from ..models import Station, StationState
from ..notice import notice_context, public_url
from ..services.stations import notice_issue


def _station_page(station: Station) -> str:
    try:
        return reverse("station_detail", args=[station.pk])
    except NoReverseMatch:  # the station page is not there yet
        return reverse("station_notice_pdf", args=[station.pk])


@require_GET
def station_notice_pdf(request, pk):
    station = station_for_user(request.user, pk)
    if not station.notice_number:
        raise Http404
    pdf = render_pdf("documents/notice.html", notice_context(station, public_url(request, station)))
    return document_response(pdf, content_type="application/pdf", filename=f"notice-{station.pk}.pdf", inline=True)


@require_POST
def station_notice_issue(request, pk):
    station = station_for_user(request.user, pk, "lead")
    if not station.notice_number:
        try:
            station = notice_issue(actor=request.user, station=station)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(_station_page(station))
        messages.success(request, _("监督检查公告已发布，文号%(number)s") % {"number": station.notice_number})
    return redirect(_station_page(station))


@require_GET
def station_qr(request, pk):
    station = station_for_user(request.user, pk)
    if station.state == StationState.PROPOSED:
        raise Http404
    response = HttpResponse(qr_svg(public_url(request, station)), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


urlpatterns = [
    path("stations/<int:pk>/notice.pdf", station_notice_pdf, name="station_notice_pdf"),
    path("stations/<int:pk>/notice/issue/", station_notice_issue, name="station_notice_issue"),
    path("stations/<int:pk>/qr.svg", station_qr, name="station_qr"),
]
