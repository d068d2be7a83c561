"""Notice PDF benchmark: render one station's supervision notice (GB/T 9704 layout, CJK fonts, QR code).

Run from the repository root: .venv/bin/python bench/notice_pdf.py
Uses a throw-away SQLite database with the demo data. Prints the first render (fonts loading) and the median
of the next ten, and the PDF's size.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-notice-"))
    try:
        os.environ["DJANGO_SETTINGS_MODULE"] = "supervision.settings.dev"
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        os.environ["DEBUG"] = "0"
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        import django

        django.setup()
        from django.core.management import call_command

        from rounds.models import Station
        from rounds.notice import notice_context
        from supervision.documents import render_pdf

        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_demo", stdout=open(os.devnull, "w"))
        station = Station.objects.exclude(notice_number="").select_related("round__batch__organiser").first()
        context = notice_context(station, f"https://jiwei.example.gov.cn/p/{station.public_token}/")
        started = time.perf_counter()
        pdf = render_pdf("documents/notice.html", context)
        first = time.perf_counter() - started
        times = []
        for _ in range(10):
            started = time.perf_counter()
            render_pdf("documents/notice.html", context)
            times.append(time.perf_counter() - started)
        print(f"notice_pdf_first_render: {first:.3f} s")
        print(f"notice_pdf_median_render: {statistics.median(times):.3f} s")
        print(f"notice_pdf_size: {len(pdf) // 1024} KiB")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
