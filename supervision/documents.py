"""The one PDF rendering service: a Django template and its context become a PDF through WeasyPrint, laid out
by the single GB/T 9704-2012 stylesheet (templates/documents/gbt9704.css) that every letter kind shares.

Also the small pieces every official document needs: the issuing organ's letterhead, dates written the way
GB/T 9704 wants them (2026年11月27日), Chinese ordinals for headings, and QR codes as SVG."""

import base64
import urllib.parse
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

STYLESHEET = Path(settings.BASE_DIR) / "templates" / "documents" / "gbt9704.css"
# The only places a document may load a file from (besides data: URIs): nothing from the network, so a
# document can never be made to fetch an internal URL or read a file elsewhere on the server.
LOCAL_ROOTS = (Path(settings.BASE_DIR) / "templates" / "documents", Path(settings.BASE_DIR) / "static")

# The text block of GB/T 9704 is 156 mm wide; the organ's name is sized to fit it.
TEXT_WIDTH_PT = 156 / 25.4 * 72
ORGAN_MAX_PT = 34
ORGAN_MIN_PT = 18


def _fetcher():
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).resolve()
                if any(path.is_relative_to(root.resolve()) for root in LOCAL_ROOTS):
                    return super().fetch(url, headers)
            raise ValueError(f"documents may not load {url[:80]}")

    return LocalOnlyFetcher(allowed_protocols={"data", "file"}, allow_redirects=False)


def render_pdf(template_name: str, context: dict, *, base_url: str | None = None) -> bytes:
    """Render `template_name` with `context` and lay it out as an A4 GB/T 9704 document.

    Official documents are written in the system's language whatever the reader's interface language is.
    `base_url` resolves relative links (default: the project directory); only data: URIs and files under
    templates/documents/ and static/ are ever loaded."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context)
    fetcher = _fetcher()
    fonts = FontConfiguration()
    stylesheet = CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher)
    document = HTML(string=html, base_url=base_url or str(settings.BASE_DIR) + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts, finisher=_deflate_fonts)


# zlib's own default level: within 1% of level 9's size on CJK outlines, in half the time.
DEFLATE_LEVEL = 6


def _deflate_fonts(document, pdf) -> None:
    """Deflate the embedded font programs at zlib's default level instead of pydyf's level 9.

    A CJK letter embeds ~170 KiB of glyph outlines; deflating them at level 9 was the largest single cost of writing
    the PDF (17 ms of ~50), for 1% fewer bytes. This runs in WeasyPrint's public `finisher` hook, before the PDF is
    serialised: a stream made only of bytes (the font files) is deflated here and marked as such, so pydyf writes
    it as it is; every other stream is left to pydyf."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.compress and obj.stream and all(isinstance(part, bytes) for part in obj.stream):
            obj.stream = [zlib.compress(b"\n".join(obj.stream), DEFLATE_LEVEL)]
            obj.extra["Filter"] = "/FlateDecode"
            obj.compress = False


@dataclass(frozen=True)
class Letterhead:
    """The issuing organ as printed: its name in one or more lines (joint organs stack), sized to fit."""

    lines: list[str]
    font_size_pt: float


def letterhead(organ) -> Letterhead:
    """The red organ name at the top of a letter: `Unit.organ_name` (one organ a line), else the unit's name
    followed by 纪律检查委员会 unless the name already says what kind of organ it is."""
    lines = [line.strip() for line in (organ.organ_name or "").splitlines() if line.strip()]
    if not lines:
        name = organ.name
        suffixes = ("纪律检查委员会", "监察委员会", "纪委监委", "纪委", "纪检监察组", "纪检组")
        lines = [name if name.endswith(suffixes) else f"{name}纪律检查委员会"]
    longest = max(len(line) for line in lines)
    size = min(ORGAN_MAX_PT, max(ORGAN_MIN_PT, int(TEXT_WIDTH_PT * 0.92 / (longest * 1.08))))
    return Letterhead(lines=lines, font_size_pt=size)


def cn_date(value: date | datetime | None) -> str:
    """A date as GB/T 9704 writes it: Arabic numerals, no leading zeros (2026年11月27日)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals (一, 十, 十一, 二十三), as heading numbers use them."""
    if not 0 < n < 100:
        raise ValueError("heading numbers run from 1 to 99")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def qr_svg(data: str) -> str:
    """A QR code for `data` as a standalone SVG (black modules on white, with the quiet zone)."""
    import qrcode
    from qrcode.image.svg import SvgPathFillImage

    image = qrcode.make(data, image_factory=SvgPathFillImage, error_correction=qrcode.constants.ERROR_CORRECT_M,
                         box_size=10, border=4)
    return image.to_string(encoding="unicode")


def qr_data_uri(data: str) -> str:
    """The same QR code as a data: URI, to embed in a document or a page."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(data).encode()).decode("ascii")


def document_response(content: bytes, *, content_type: str, filename: str, inline: bool = False):
    """A generated document (PDF, Excel) for one user: never cached by shared caches."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Cache-Control"] = "private, no-cache"
    return response


def filed_pdf_response(stored, *, filename: str):
    """An issued document exactly as it was filed (its stored file, never re-rendered); 404 when the file is gone."""
    from django.http import Http404

    if not stored:
        raise Http404
    try:
        with stored.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return document_response(content, content_type="application/pdf", filename=filename, inline=True)


@contextmanager
def filing(stored, content: bytes, name: str):
    """File an issued document: write `content` into the FileField `stored` and yield its SHA-256 for the record.
    If what follows in the block fails (the row, the audit event), the file is removed again, so a refused issue
    leaves no stray file; the surrounding transaction gives the number back."""
    import hashlib

    from django.core.files.base import ContentFile

    stored.save(name, ContentFile(content), save=False)
    written = stored.name
    try:
        yield hashlib.sha256(content).hexdigest()
    except BaseException:
        stored.storage.delete(written)
        raise
