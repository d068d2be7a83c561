"""Hand-off letter (交办函) PDF benchmark: the 20-problem, 3-page letter of tests/rectification/letter_sample.py,
rendered (a) up to layout only and (b) through supervision.documents.render_pdf (layout + PDF writing with font
subsetting). Issue 6's budget: (b) at most 1.5 × (a).

Run from the repository root: DJANGO_SETTINGS_MODULE=supervision.settings.dev .venv/bin/python bench/letter_pdf.py
Needs no database. After one warm-up of each, runs (a) and (b) back to back fifteen times (interleaved, so a slow
moment of a shared machine hits both alike;
the garbage collector runs before each, so neither pays for the other's garbage) and prints the median of each, the median of the fifteen paired ratios
(the budget), the page count and the PDF's size. Then the batch: 100 letters rendered through render_pdf one after the other, each with its own
number (大箕纪交〔2026〕1号 … 100号) — the PDF part of letters_generate, without the database writes — as total
seconds and letters per second.
"""

import gc
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEMPLATE = "documents/handoff.html"
RUNS = 15
BATCH = 100


def paired_times(first, second) -> tuple[list[float], list[float]]:
    first(), second()  # warm-up: fonts found and loaded, template compiled
    a, b = [], []
    for _ in range(RUNS):
        for function, times in ((first, a), (second, b)):
            gc.collect()  # neither run pays for the other's garbage
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
    return a, b


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings.dev")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from supervision.documents import STYLESHEET, _fetcher, render_pdf
    from tests.rectification.letter_sample import letter_context, sample_organ

    context = letter_context(sample_organ())

    def layout_only():
        # What render_pdf does up to the layout: the same HTML, stylesheet, fetcher and font configuration.
        with translation.override(settings.LANGUAGE_CODE):
            html = render_to_string(TEMPLATE, context)
        fetcher = _fetcher()
        fonts = FontConfiguration()
        stylesheet = CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher)
        document = HTML(string=html, base_url=str(settings.BASE_DIR) + "/", url_fetcher=fetcher)
        return document.render(stylesheets=[stylesheet], font_config=fonts)

    layout_times, full_times = paired_times(layout_only, lambda: render_pdf(TEMPLATE, context))
    layout, full = statistics.median(layout_times), statistics.median(full_times)
    ratio = statistics.median(f / lay for f, lay in zip(full_times, layout_times, strict=True))
    pages = len(layout_only().pages)
    pdf = render_pdf(TEMPLATE, context)
    print(f"letter_pdf_layout_only_median: {layout:.3f} s")
    print(f"letter_pdf_render_pdf_median: {full:.3f} s")
    print(f"letter_pdf_ratio: {ratio:.2f} (median of {RUNS} paired runs; budget 1.50)")
    print(f"letter_pdf_pages: {pages}")
    print(f"letter_pdf_size: {len(pdf) // 1024} KiB")

    started = time.perf_counter()
    for n in range(1, BATCH + 1):
        render_pdf(TEMPLATE, {**context, "number": f"大箕纪交〔2026〕{n}号"})
    batch = time.perf_counter() - started
    print(f"letter_pdf_batch_{BATCH}: {batch:.2f} s ({BATCH / batch:.1f} letters/s, render_pdf only, no database)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
