"""Benchmark of the people import: a 20,000-row sheet checked and inserted, and the check alone with one bad row.

Run from the repository root:  .venv/bin/python bench/import_people.py
It uses a throw-away SQLite database in a temporary directory (never var/db.sqlite3) and removes it afterwards.
Output lines have the form `name: value unit`.
"""

import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROWS = 20_000
ROOT = Path(__file__).resolve().parent.parent


def build_sheet(rows: int, units: list[str], bad_row: int | None = None, prefix: str = "人员") -> bytes:
    from openpyxl import Workbook

    from supervision.services.importing import PEOPLE_COLUMNS

    categories = ["纪检干部", "财经所人员", "民政所人员", "村纪检委员", "单位工作人员", "其他"]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(PEOPLE_COLUMNS)
    for i in range(rows):
        category = "不存在的类别" if i == bad_row else categories[i % len(categories)]
        sheet.append([f"{prefix}{i}", category, units[i % len(units)], "工作人员", f"139{i:08d}", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> int:
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        os.environ["DJANGO_SETTINGS_MODULE"] = "supervision.settings.dev"
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        os.environ["DEBUG"] = "0"  # no query log: measure what production does
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        import django

        django.setup()
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.core.management import call_command
        from django.db import connections

        try:
            call_command("migrate", verbosity=0, interactive=False)
            return run(SimpleUploadedFile)
        finally:
            connections.close_all()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(SimpleUploadedFile) -> int:
    from supervision.models import Person, Unit, UnitKind
    from supervision.services.importing import people_import

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    town = Unit.objects.create(name="金牛镇", kind=UnitKind.TOWNSHIP)
    other_town = Unit.objects.create(name="银河镇", kind=UnitKind.TOWNSHIP)
    for parent in (town, other_town):  # "新华村" twice: rows must name it with its township
        Unit.objects.create(name="新华村", kind=UnitKind.VILLAGE, parent=parent)
    Unit.objects.create(name="袁铺村", kind=UnitKind.VILLAGE, parent=town)
    Unit.objects.create(name="市财政局", kind=UnitKind.DEPARTMENT)
    units = ["金牛镇", "银河镇", "金牛镇/新华村", "银河镇/新华村", "袁铺村", "市财政局"]

    good = build_sheet(ROWS, units)
    start = time.perf_counter()
    result = people_import(actor=None, upload=SimpleUploadedFile("people.xlsx", good, content_type=xlsx))
    elapsed = time.perf_counter() - start
    if not result.ok or result.created != ROWS or Person.objects.count() != ROWS:
        print(f"import failed: {result.errors[:3]} created={result.created}", file=sys.stderr)
        return 1

    bad = build_sheet(ROWS, units, bad_row=ROWS // 2, prefix="新人员")
    start = time.perf_counter()
    checked = people_import(actor=None, upload=SimpleUploadedFile("people-bad.xlsx", bad, content_type=xlsx))
    check_elapsed = time.perf_counter() - start
    if [e.row for e in checked.errors] != [ROWS // 2 + 2] or Person.objects.count() != ROWS:
        print(f"validation pass wrong: {checked.errors[:3]}", file=sys.stderr)
        return 1

    print(f"import_people_{ROWS}_rows: {elapsed:.2f} s")
    print(f"import_people_rows_per_second: {ROWS / elapsed:.0f} rows/s")
    print(f"validate_people_{ROWS}_rows_one_bad: {check_elapsed:.2f} s")
    print(f"validate_people_rows_per_second: {ROWS / check_elapsed:.0f} rows/s")
    print(f"import_people_file_size: {len(good) / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
