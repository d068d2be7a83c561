"""The problem tally (findings.FindingTally): kept in step with every sheet save through the services, a unit's
move between townships, concurrent writers of one key; read back exactly for any day-precise period."""

import random
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction

from findings.models import Finding, FindingState, FindingTally
from findings.services.findings import finding_confirm, finding_correct, finding_create, finding_withdraw
from findings.tallies import sheet_counts, sheet_counts_of, tallies_rebuild
from rounds.models import Station, StationState, Theme
from supervision.filters import ResultFilter
from tests.factories import TownshipFactory

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings"]


def tally() -> dict:
    return {(t.month, t.batch_id, t.town_id, t.category): (t.sheets, t.amount) for t in FindingTally.objects.all()}


def rebuilt() -> dict:
    """The tally recounted from nothing, for comparison; the kept tally is restored afterwards."""
    kept = tally()
    tallies_rebuild()
    fresh = tally()
    return kept, fresh


def assert_in_step():
    kept, fresh = rebuilt()
    assert kept == fresh


def test_services_keep_the_tally(findings_world, findings_make):
    world = findings_world
    town = world.villages["水南湾村"].parent
    assert tally() == {}
    draft = findings_make(found_on=date(2026, 3, 4))
    assert tally() == {}  # a draft does not count
    finding_confirm(actor=world.users["leader"], finding=draft)
    key = (date(2026, 3, 1), world.batch.pk, town.pk, Theme.SUBSIDIES)
    assert tally() == {key: (1, Decimal("3600.00"))}
    second = findings_make(found_on=date(2026, 3, 20), amount=Decimal("400"))
    finding_confirm(actor=world.users["leader"], finding=second)
    assert tally() == {key: (2, Decimal("4000.00"))}
    assert_in_step()

    finding_correct(actor=world.users["leader"], finding=Finding.objects.get(pk=second.pk), reason="类别有误",
                    category=Theme.LAND, found_on=date(2026, 4, 2))
    moved = (date(2026, 4, 1), world.batch.pk, town.pk, Theme.LAND)
    assert tally() == {key: (1, Decimal("3600.00")), moved: (1, Decimal("400.00"))}
    finding_withdraw(actor=world.users["leader"], finding=Finding.objects.get(pk=draft.pk), reason="查实无问题")
    assert tally() == {moved: (1, Decimal("400.00"))}
    assert_in_step()


def test_a_unit_moving_township_moves_its_sheets(findings_world, findings_make):
    world = findings_world
    village = world.villages["水南湾村"]
    old_town = village.parent
    finding_confirm(actor=world.users["leader"], finding=findings_make())
    other = TownshipFactory(name="另一镇")
    village.parent = other
    village.save()
    assert {key[2] for key in tally()} == {other.pk}
    assert_in_step()
    village.parent = old_town
    village.save()
    assert {key[2] for key in tally()} == {old_town.pk}


def test_rows_cover_any_period_exactly(findings_world):
    """Sheets on 300 days over two years; for 40 random periods (whole months, part months, one day, the edges of
    a month, open ends) the rows add up to the sheets counted directly."""
    world = findings_world
    rng = random.Random(5)
    stations = list(Station.objects.filter(round__batch=world.batch))
    categories = [Theme.SUBSIDIES, Theme.LAND, Theme.THREE_ASSETS]
    first = date(2025, 1, 1)
    Finding.objects.bulk_create([
        Finding(station=stations[i % len(stations)], number=f"TALLY-{i}", sequence=500 + i, title="问题", observed="x",
                category=categories[i % 3], amount=Decimal(i), found_on=first + timedelta(days=rng.randint(0, 700)),
                state=FindingState.CONFIRMED if i % 7 else FindingState.DRAFT)
        for i in range(300)])
    tallies_rebuild()
    periods = [(None, None), (date(2025, 3, 1), date(2025, 3, 31)), (date(2025, 3, 31), date(2025, 4, 1)),
               (date(2025, 5, 15), date(2025, 5, 15)), (None, date(2025, 7, 9)), (date(2026, 2, 28), None)]
    for _ in range(34):
        a, b = sorted(first + timedelta(days=rng.randint(-10, 720)) for _ in range(2))
        periods.append((a, b))
    for start, end in periods:
        for category in ("", Theme.LAND):
            f = ResultFilter(start=start, end=end, category=category)
            counts = sheet_counts(f)
            direct = f.findings(Finding.objects.filter(state=FindingState.CONFIRMED))
            assert counts == sheet_counts_of(direct), (start, end, category)  # grouped from the sheets themselves
            assert counts.problems == direct.count(), (start, end, category)
            assert counts.amount == sum(direct.values_list("amount", flat=True)), (start, end)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_key(rounds_world, users):
    """Twenty sheets of one key confirmed at once (PostgreSQL: threads, each its own connection and transaction;
    SQLite: one after another): the tally counts all twenty."""
    world = rounds_world
    Station.objects.filter(round__batch=world.batch).update(state=StationState.STATIONED)
    station = Station.objects.filter(round__batch=world.batch).first()
    drafts = Finding.objects.bulk_create([
        Finding(station=station, number=f"RACE-{i}", sequence=900 + i, title="问题", observed="x",
                category=Theme.LAND, amount=Decimal(1), found_on=date(2026, 3, 4), state=FindingState.DRAFT)
        for i in range(20)])
    errors = []

    def confirm(pk):
        try:
            with transaction.atomic():
                sheet = Finding.objects.select_for_update().get(pk=pk)
                sheet.state = FindingState.CONFIRMED
                sheet.save()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    if connection.vendor == "postgresql":
        barrier = threading.Barrier(len(drafts))

        def worker(pk):
            try:
                barrier.wait(timeout=30)
                confirm(pk)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(d.pk,)) for d in drafts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)
    else:
        for d in drafts:
            confirm(d.pk)
    assert errors == []
    assert [t.sheets for t in FindingTally.objects.all()] == [20]
    assert_in_step()


def test_finding_create_via_service_counts_only_when_confirmed(findings_world):
    world = findings_world
    sheet = finding_create(actor=world.users["member"], station=world.stations["A"], title="t", observed="o",
                           category=Theme.LAND, found_on=date(2026, 3, 4))
    assert FindingTally.objects.count() == 0
    finding_confirm(actor=world.users["leader"], finding=sheet)
    assert FindingTally.objects.get().sheets == 1


def test_the_campaign_signal_reads_the_same_from_the_tally(findings_world, settings):
    """Category × unit tally against the window's sheets: for windows of 1 to 400 days ending today and 1 to 4
    units, the flagged categories are the same (sheets are never dated after today)."""
    from django.db.models import Count
    from django.utils import timezone

    from findings.services.campaigns import _window_sheets, sheet_unit_expression
    from findings.tallies import flagged_categories

    world = findings_world
    rng = random.Random(11)
    today = timezone.localdate()
    stations = list(Station.objects.filter(round__batch=world.batch))
    units = list(world.villages.values())
    categories = [Theme.SUBSIDIES, Theme.LAND, Theme.THREE_ASSETS, Theme.PROJECTS]
    Finding.objects.bulk_create([
        Finding(station=stations[i % len(stations)], number=f"CAMP-{i}", sequence=700 + i, title="问题", observed="x",
                category=categories[i % 4], found_on=today - timedelta(days=rng.randint(0, 400)),
                responsible_unit=units[rng.randrange(len(units))] if i % 3 else None, state=FindingState.CONFIRMED)
        for i in range(120)])
    tallies_rebuild()
    for days in (1, 10, 30, 90, 180, 400):
        start = today - timedelta(days=days)
        for n in (1, 2, 3, 4):
            direct = sorted(_window_sheets(start, today).values("category")
                            .annotate(units=Count(sheet_unit_expression(), distinct=True))
                            .filter(units__gte=n).values_list("category", flat=True))
            assert sorted(flagged_categories(start, n)) == direct, (days, n)
