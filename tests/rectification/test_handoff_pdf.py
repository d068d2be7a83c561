"""The hand-off letter (交办函) PDF: 20 problems make a 3-page letter in the GB/T 9704 layout, checked from the PDF
itself (poppler): the official-document checks, A4, the binding and top margins of the body text, the number,
every row in order, and the table header repeated on every page the table runs onto."""

import html
import re
import tempfile
from pathlib import Path

import pytest

from supervision.documents import cn_date, letterhead, render_pdf
from tests.pdf_checks import assert_official_pdf, run, squeeze, tool
from tests.rectification.letter_sample import (
    ADDRESSEE,
    NUMBER,
    PROBLEMS,
    REPLY_DUE,
    TITLE,
    letter_context,
    sample_organ,
)

MM = 72 / 25.4
LEFT_MARGIN_PT = 28 * MM  # 79.37 pt
TOP_MARGIN_PT = 37 * MM  # 104.88 pt
TOLERANCE_PT = 1 * MM
A4_HEIGHT_PT = 841.89

@pytest.fixture(scope="module")
def letter(tmp_path_factory):
    organ = sample_organ()
    context = letter_context(organ)
    path = tmp_path_factory.mktemp("handoff") / "handoff.pdf"
    path.write_bytes(render_pdf("documents/handoff.html", context))
    return path, organ, context


def words_by_page(path) -> list[list[tuple[float, float, str]]]:
    """Every word of every page as (xMin, yMin, text), read with pdftotext -bbox-layout (points, origin top left)."""
    xhtml = run(tool("pdftotext"), "-bbox-layout", "-enc", "UTF-8", str(path), "-")
    return [[(float(x), float(y), html.unescape(text)) for x, y, text in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', page)]
            for page in re.findall(r"<page\b.*?</page>", xhtml, re.S)]


def ink_top_pt(path, page: int = 1, dpi: int = 150, red: bool = False) -> float:
    """How far below the top edge the first inked pixel of `page` is (red only, or any dark pixel): where the
    page's content begins, read from the rendered page rather than from a font's ascent box."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        run(tool("pdftoppm"), "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", str(path), f"{tmp}/p")
        image = Image.open(next(Path(tmp).glob("p-*.png"))).convert("RGB")
    width, height = image.size
    pixels = image.load()

    def inked(rgb):
        r, g, b = rgb
        return (r > 180 and g < 90 and b < 90) if red else max(r, g, b) < 128

    for y in range(height):
        if any(inked(pixels[x, y]) for x in range(width)):
            return y * 72 / dpi


def test_letter_passes_the_official_document_checks(letter):
    path, organ, context = letter
    reply = f"请于{cn_date(REPLY_DUE)}前将整改落实情况书面报送本机关。"
    text = assert_official_pdf(path, organ=letterhead(organ).lines[0], number=NUMBER, title=TITLE,
                               expected=[ADDRESSEE + "：", PROBLEMS[0][0], PROBLEMS[-1][0], reply,
                                         "联系人：周文静，联系电话：0714-8765432。",
                                         "逾期未整改的，将按规定约谈、通报，并纳入党风廉政建设责任制考核。",
                                         cn_date(context["issued"])])
    assert re.fullmatch(r".+〔\d{4}〕[1-9]\d*号", NUMBER)
    flat = squeeze(text)
    assert flat.index(squeeze(PROBLEMS[-1][0])) < flat.index(reply) < flat.index(cn_date(context["issued"]))


def test_letter_runs_to_three_a4_pages(letter):
    path, _organ, _context = letter
    info = run(tool("pdfinfo"), str(path))
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 3
    assert "595.276 x 841.89 pts (A4)" in info


def body_words(page, organ_lines: list[str]) -> list[tuple[float, float, str]]:
    """The body text of a page: the page number (— N —, in the bottom margin) and the letterhead left out."""
    return [(x, y, text) for x, y, text in page
            if y < A4_HEIGHT_PT - 35 * MM and not any(text in line for line in organ_lines)]


def test_body_text_sits_in_the_gbt9704_text_block(letter):
    path, organ, _context = letter
    pages = words_by_page(path)
    assert len(pages) >= 3
    organ_lines = letterhead(organ).lines
    for number, page in enumerate(pages, start=1):
        words = body_words(page, organ_lines)
        assert words, f"page {number} has no body text"
        left = min(x for x, _y, _text in words)
        assert abs(left - LEFT_MARGIN_PT) <= TOLERANCE_PT, \
            f"page {number}: body text starts {left / MM:.2f} mm from the left edge"
        if number > 1:
            # Pages 2 and 3 open with the problem table's repeated header: its top rule is the text block's top.
            top = ink_top_pt(path, number)
            assert abs(top - TOP_MARGIN_PT) <= TOLERANCE_PT, f"page {number}: content starts {top / MM:.2f} mm from the top"
            assert min(y for _x, y, _text in words) > top, f"page {number}: text above the table's top rule"
    # Page 1: the letterhead heads the text block; poppler's word box for it is the font's ascent box, which
    # differs from face to face, so its top is read from the red ink instead.
    first = pages[0]
    top_word = min(first, key=lambda word: word[1])
    assert any(top_word[2] in line for line in organ_lines), top_word
    letterhead_top = ink_top_pt(path, red=True)
    assert letterhead_top >= TOP_MARGIN_PT - TOLERANCE_PT, f"letterhead {letterhead_top / MM:.2f} mm"


HEADER = ["序号", "问题", "整改要求", "责任人", "时限"]


def test_every_problem_in_order_with_the_header_on_every_table_page(letter):
    path, _organ, _context = letter
    pages = words_by_page(path)
    number_column = LEFT_MARGIN_PT + 12 * MM  # the 序号 column: its numbers are the only digits there
    serials, table_pages = [], 0
    for number, page in enumerate(pages, start=1):
        rows = sorted((y, text) for x, y, text in body_words(page, []) if x < number_column and text.isdigit())
        if not rows:
            continue
        table_pages += 1
        serials += [int(text) for _y, text in rows]
        header = {text: y for _x, y, text in page if text in HEADER}
        assert set(header) == set(HEADER), f"page {number}: table header missing ({header})"
        assert len(set(header.values())) == 1 and min(header.values()) < rows[0][0], f"page {number}: {header}"
    assert serials == list(range(1, len(PROBLEMS) + 1))
    assert table_pages >= 2
    flat = squeeze(run(tool("pdftotext"), "-enc", "UTF-8", str(path), "-"))
    positions = [flat.index(squeeze(problem)) for problem, _requirement, _who in PROBLEMS]
    assert positions == sorted(positions)


def test_letter_embeds_one_deflated_subset_font(letter):
    """The letter is set in one face (the table header keeps the body face), its font program is a subset, and
    supervision.documents deflates it (at zlib's default level, in WeasyPrint's finisher hook) into a stream
    that decodes to a TrueType font."""
    import io
    import zlib

    from fontTools.ttLib import TTFont

    path, _organ, _context = letter
    fonts = [line.split()[0] for line in run(tool("pdffonts"), str(path)).splitlines()[2:]]
    assert len(fonts) == 1 and re.fullmatch(r"[A-Z]{6}\+.+", fonts[0]), fonts
    pdf = path.read_bytes()
    programs = [m for m in re.finditer(rb"<<[^>]*/Length1 \d+[^>]*>>\s*stream\r?\n", pdf)]
    assert len(programs) == 1
    header = programs[0].group(0)
    assert b"/Filter /FlateDecode" in header
    end = pdf.find(b"endstream", programs[0].end())
    font = TTFont(io.BytesIO(zlib.decompress(pdf[programs[0].end():end])))
    assert "glyf" in font and font.reader.tables["glyf"].length < 400 * 1024  # ~170 KiB of outlines, not a whole face
