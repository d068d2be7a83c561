"""Views of rounds: the supervision notice (监督检查公告) of a station, as a GB/T 9704 PDF with a QR code to
the station's public page. Each module owns its urlpatterns; rounds/urls.py joins them."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from supervision.documents import cn_date, cn_number, letterhead, qr_data_uri, qr_svg, render_pdf

from ..access import station_for_user
from ..models import Station, StationState, Theme
from ..services.stations import notice_issue

DEFAULT_SCOPE = gettext_lazy("驻点单位党员干部和公职人员违反党纪法规、侵害群众切身利益等问题")


def public_url(request, station: Station) -> str:
    """The address villagers reach the station's public page at: PUBLIC_BASE_URL when set (the public host
    in front of the system), else this request's own host."""
    path_ = reverse("public_station", args=[station.public_token])
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return base + path_ if base else request.build_absolute_uri(path_)


def target_name(station: Station) -> str:
    """The supervised unit as a notice names it: township and village run together (大箕铺镇五金村)."""
    return station.target.full_name.replace("/", "")


def notice_facts(station: Station) -> dict:
    """What the notice and the public page both tell: who, where, when, what is taken and how."""
    batch = station.round.batch
    head = letterhead(batch.organiser)
    scope = (batch.complaint_scope or "").strip().rstrip("。；;.，, ") or str(DEFAULT_SCOPE)
    themes = dict(Theme.choices)
    return {
        "letterhead": head,
        "organ_text": "、".join(head.lines),
        "target": target_name(station),
        "start": cn_date(station.round.start_date),
        "end": cn_date(station.round.end_date),
        "days": (station.round.end_date - station.round.start_date).days + 1,
        "themes": "、".join(str(themes.get(t, t)) for t in batch.focus_themes),
        "scope": scope,
        "phone": batch.complaint_phone.strip(),
        "mailbox": batch.complaint_mailbox.strip(),
    }


def notice_context(station: Station, url: str) -> dict:
    """The notice's context, in the language official documents are written in whatever the reader's is."""
    with translation.override(settings.LANGUAGE_CODE):
        facts = notice_facts(station)
        ways = [(_("举报电话"), facts["phone"]), (_("举报信箱"), facts["mailbox"]),
                (_("网上反映"), _("用手机扫描本公告所附二维码，在线填写反映的问题。"))]
        return {
            **facts,
            "number": station.notice_number,
            "leader": _leader_name(station),
            "ways": [{"ordinal": f"（{cn_number(n)}）", "label": label, "value": value}
                     for n, (label, value) in enumerate([w for w in ways if w[1]], start=1)],
            "qr": qr_data_uri(url),
            "public_url": url,
            "issued": cn_date(station.notice_issued_at),
        }


def _leader_name(station: Station) -> str:
    leader = station.members.filter(slot__is_leader=True).select_related("person").order_by("id").first()
    return leader.person.name if leader else ""


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
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{station.pk}.pdf"'
    response["Cache-Control"] = "private, no-cache"
    return response


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
