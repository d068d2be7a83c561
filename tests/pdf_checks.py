"""Checks every official document (notice, letters, recommendations, lead transfers) must pass, read from the
PDF itself with poppler: fonts embedded, no missing glyphs, A4 pages, the number between the organ's name and the
title, page numbers, a red letterhead over a black body."""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.conftest import require_service


def tool(name):
    if not shutil.which(name):
        require_service(name, f"{name} is not installed (poppler-utils / zbar-tools; `make test` installs them)")
    return name


def run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def unmapped_glyph_codes(pdf: bytes) -> set[str]:
    """Codes of glyphs that stand for a character no font had. For a CFF font (Noto CJK) WeasyPrint writes them
    as glyph 0 (.notdef) or 0xFFFF (Pango's unknown glyph; Noto CJK has 65,535 glyphs, so 0xFFFF is never a real
    one), and the ToUnicode map lists that code; for a TrueType font (the GB faces) it gives the character its own
    code whose encoding CMap points at CID 0 (.notdef)."""
    import zlib

    codes = set()
    for match in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", match.end())
        try:
            data = zlib.decompress(pdf[match.end():end])
        except zlib.error:
            continue
        if b"begincmap" not in data:
            continue
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
            for source, _target in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                if int(source, 16) in (0, 0xFFFF):
                    codes.add(source.decode())
        for block in re.findall(rb"begincidchar(.*?)endcidchar", data, re.S):
            for code, cid in re.findall(rb"<([0-9a-fA-F]+)>\s+(\d+)", block):
                if int(cid) == 0:
                    codes.add(code.decode())
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
            for low, high in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*[<\[]", block):
                if int(low, 16) == 0 or int(high, 16) == 0xFFFF:
                    codes.add(low.decode())
    return codes


def pdf_text(path: Path) -> str:
    return run(tool("pdftotext"), "-enc", "UTF-8", str(path), "-")


def assert_fonts_embedded(path: Path) -> None:
    fonts = run(tool("pdffonts"), str(path)).splitlines()[2:]
    assert fonts, "the PDF has no fonts"
    for line in fonts:
        assert line.split()[-5] == "yes", f"font not embedded: {line}"
    cjk = ("CJK", "SungtiL", "KaitiM", "WenQuanYi")  # the GB stand-ins and Noto CJK (templates/documents/gbt9704.css)
    assert any(name in line for line in fonts for name in cjk), "no CJK font in the PDF"


def assert_red_letterhead(path: Path) -> None:
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        run(tool("pdftoppm"), "-r", "50", "-f", "1", "-l", "1", "-png", str(path), f"{tmp}/low")
        image = Image.open(next(Path(tmp).glob("low-*.png"))).convert("RGB")
        width, height = image.size

        def red_pixels(box):
            data = image.crop(box).tobytes()
            return sum(1 for i in range(0, len(data), 3) if data[i] > 180 and data[i + 1] < 90 and data[i + 2] < 90)

        assert red_pixels((0, 0, width, height // 3)) > 500, "no red letterhead and rule at the top of page 1"
        assert red_pixels((0, height // 3, width, height)) < 20, "the body is black"


def assert_official_pdf(path: Path, *, organ: str, number: str, title: str, expected: list[str]) -> str:
    """Every check an official document must pass; returns the PDF's text for further assertions."""
    assert_fonts_embedded(path)
    text = pdf_text(path)
    flat = squeeze(text)
    for item in [organ, number, title, *expected]:
        assert squeeze(item) in flat, f"missing from the PDF text: {item}"
    assert "\ufffd" not in text
    assert unmapped_glyph_codes(path.read_bytes()) == set(), "some characters were drawn as empty boxes"
    assert re.fullmatch(r".+〔\d{4}〕[1-9]\d*号", number), number
    info = run(tool("pdfinfo"), "-f", "1", "-l", "99", str(path))
    sizes = re.findall(r"Page\s+\d+ size:\s+(.*)", info)
    assert sizes and all(size.strip() == "595.276 x 841.89 pts (A4)" for size in sizes), sizes
    assert re.search(r"—\s*1\s*—", text.split("\f")[0]), "no page number on page 1"
    assert flat.index(squeeze(organ)) < flat.index(number) < flat.index(squeeze(title)), \
        "the number must sit between the organ's name and the title"
    assert_red_letterhead(path)
    return text
