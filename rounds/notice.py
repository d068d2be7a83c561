"""The supervision notice (监督检查公告) of a station: what it says, built from the station, in the language
official documents are written in. Rendered to PDF by supervision.documents.render_pdf."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supervision.documents import cn_date, cn_number, letterhead, qr_data_uri

from .models import Station, Theme

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
