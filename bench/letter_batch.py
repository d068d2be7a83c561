"""Benchmark of a round's hand-off letters generated in one batch through the real service path: 100 stations
with approved reports (3 confirmed problems each) get their letters drafted, numbered, rendered and filed by the
background run (rectification.services.letters.letters_generate; the task runs in process, as in `make run`).

Run from the repository root:  .venv/bin/python bench/letter_batch.py
It uses a throw-away SQLite database and media directory in a temporary directory and removes them afterwards.
Output lines have the form `name: value unit`.
"""

import os
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

STATIONS = 100
PROBLEMS = 3
ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="bench-letters-"))
    try:
        os.environ["DJANGO_SETTINGS_MODULE"] = "supervision.settings.dev"
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        os.environ["MEDIA_ROOT"] = str(tmp / "media")
        os.environ["REDIS_URL"] = ""  # the task runs in process
        os.environ["DEBUG"] = "0"
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        try:
            call_command("migrate", verbosity=0, interactive=False)
            return run()
        finally:
            connections.close_all()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run() -> int:
    from django.utils import timezone

    from findings.models import Finding, FindingState, ReportState, StationReport
    from rectification.models import HandoffLetter, LetterState
    from rectification.services.letters import letters_generate
    from rounds.formulas import formulas_ensure
    from rounds.models import Batch, Round, Station, StationState, TeamFormula, Theme
    from supervision.models import Unit, UnitKind
    from supervision.roles import Role
    from supervision.services.accounts import account_create

    formulas_ensure()
    town = Unit.objects.create(name="大箕铺镇", kind=UnitKind.TOWNSHIP, doc_prefix="大箕纪")
    villages = Unit.objects.bulk_create(
        [Unit(name=f"第{n}村", kind=UnitKind.VILLAGE, parent=town) for n in range(1, STATIONS + 1)])
    batch = Batch.objects.create(year=2026, name="2026年巡回驻点监督", organiser=town,
                                 formula=TeamFormula.objects.get(code="1-2-n"))
    start = date(2026, 11, 2)
    round_ = Round.objects.create(batch=batch, number=1, start_date=start, end_date=start + timedelta(days=6))
    stations = Station.objects.bulk_create(
        [Station(round=round_, target=village, state=StationState.REPORTING, public_token=f"bench{n:027d}")
         for n, village in enumerate(villages)])
    Finding.objects.bulk_create([
        Finding(station=station, number=f"大箕纪2026-1-1-{s:03d}-{p:02d}", sequence=p,
                title=f"第{p}个问题：村集体资金管理不规范", observed="查阅2025年账册发现收入未及时入账。",
                category=Theme.THREE_ASSETS, found_on=start + timedelta(days=2), state=FindingState.CONFIRMED,
                responsible_unit=station.target, responsible_person="村委会主任", team_opinion="限期整改到位")
        for s, station in enumerate(stations, start=1) for p in range(1, PROBLEMS + 1)])
    StationReport.objects.bulk_create([
        StationReport(station=station, state=ReportState.APPROVED, approved_at=timezone.now(), overall="总体较好。")
        for station in stations])
    staff = account_create(actor=None, username="bench", password="Bench@2026-x", roles=[Role.COMMISSION_STAFF])

    started = time.perf_counter()
    run_ = letters_generate(actor=staff, round=round_, reply_days=30, contact_name="吴开生",
                            contact_phone="0714-8721234")
    elapsed = time.perf_counter() - started
    run_.refresh_from_db()
    issued = HandoffLetter.objects.filter(state=LetterState.ISSUED).count()
    numbers = sorted(HandoffLetter.objects.values_list("sequence", flat=True))
    print(f"letter_batch_letters: {issued} issued of {STATIONS} ({run_.done}/{run_.total} in the run, "
          f"{len(run_.errors)} errors)")
    print(f"letter_batch_numbers_gap_free: {numbers == list(range(1, STATIONS + 1))}")
    print(f"letter_batch_total: {elapsed:.2f} s")
    print(f"letter_batch_rate: {issued / elapsed:.1f} letters/s")
    return 0 if issued == STATIONS else 1


if __name__ == "__main__":
    sys.exit(main())
