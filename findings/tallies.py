"""The problem tallies (findings.FindingTally, and findings.CategoryUnitTally for the campaign signal): kept,
rebuilt and read.

Keeping it: every save or delete of a problem sheet recounts the tally rows of the sheet's key before and after
the change (month found, batch, township, category), in the same transaction, after locking those rows in key
order. A second writer of the same key waits for the first to commit, and its recount (a new statement under
READ COMMITTED) then sees both sheets: the row is right whatever the interleaving. Bulk loads (synthetic_data,
bulk_create) and moves of units between townships bypass the per-sheet path and call `tallies_rebuild()`; a
nightly beat task rebuilds as well. A unit that moves to another township recounts its own keys
(`tallies_unit_moved`).

Reading it: `sheet_counts(result_filter)` adds up the confirmed sheets within the filter exactly: whole months
from the tally, the part-months at the edges of a day-precise period counted from the sheets themselves (at most
two part-months, not the whole history). `flagged_categories(start)` reads the category × unit tally."""

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DecimalField, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from supervision.tally import (
    VILLAGE_KINDS,
    as_date,
    month_end,
    rollup_within,
    tally_lock,
    town_expression,
    town_of,
)

from .models import CategoryUnitTally, Finding, FindingState, FindingTally

logger = logging.getLogger(__name__)

Key = tuple[date, int, int, str]  # (month, batch id, town id, category)
SheetKey = tuple[date, int, int, str, int]  # the Key and the unit the sheet counts for (campaign signal)
LOCK = "findings"


def keyed_sheets(queryset):
    """The confirmed sheets of `queryset` annotated with their tally keys: tally_month, tally_town, tally_batch,
    tally_unit (the responsible unit, else the station's target: the unit of the campaign signal)."""
    return (queryset.filter(state=FindingState.CONFIRMED)
            .annotate(tally_month=TruncMonth("found_on"), tally_town=town_expression("station__target"),
                      tally_batch=F("station__round__batch_id"),
                      tally_unit=Coalesce(F("responsible_unit_id"), F("station__target_id"))))


def finding_key(pk: int) -> SheetKey | None:
    """The keys a stored sheet counts under, or None when it does not count (not confirmed, or gone)."""
    row = keyed_sheets(Finding.objects.filter(pk=pk)).values_list("tally_month", "tally_batch", "tally_town",
                                                              "category", "tally_unit").first()
    return (as_date(row[0]), *row[1:]) if row else None


def _recount(key: Key) -> None:
    month, batch_id, town_id, category = key
    tally, _created = FindingTally.objects.select_for_update().get_or_create(
        month=month, batch_id=batch_id, town_id=town_id, category=category)
    sheets = (Finding.objects.filter(state=FindingState.CONFIRMED, found_on__gte=month, found_on__lte=month_end(month),
                                     station__round__batch_id=batch_id, category=category)
              .filter(Q(station__target_id=town_id) & ~Q(station__target__kind__in=VILLAGE_KINDS)
                      | Q(station__target__parent_id=town_id, station__target__kind__in=VILLAGE_KINDS))
              .aggregate(n=Count("pk"), amount=Coalesce(Sum("amount"), Value(Decimal(0)),
                                                        output_field=DecimalField(max_digits=18, decimal_places=2))))
    if sheets["n"]:
        tally.sheets, tally.amount = sheets["n"], sheets["amount"]
        tally.save(update_fields=["sheets", "amount"])
    else:
        tally.delete()


def _recount_unit(category: str, unit_id: int) -> None:
    tally, _created = CategoryUnitTally.objects.select_for_update().get_or_create(
        category=category, unit_id=unit_id, defaults={"last_found_on": date.min})
    sheets = (Finding.objects.filter(state=FindingState.CONFIRMED, category=category)
              .filter(Q(responsible_unit_id=unit_id) | Q(responsible_unit__isnull=True, station__target_id=unit_id))
              .aggregate(n=Count("pk"), last=Max("found_on")))
    if sheets["n"]:
        tally.sheets, tally.last_found_on = sheets["n"], sheets["last"]
        tally.save(update_fields=["sheets", "last_found_on"])
    else:
        tally.delete()


def _refresh(keys, unit_keys) -> None:
    keys = sorted(set(keys))
    unit_keys = sorted(set(unit_keys))
    if not keys and not unit_keys:
        return
    with transaction.atomic():
        tally_lock(LOCK, shared=True)
        for key in keys:
            _recount(key)
        for category, unit_id in unit_keys:
            _recount_unit(category, unit_id)


def tallies_refresh(*keys: SheetKey | None) -> None:
    """Recount the rows of these sheet keys (None: a sheet that did not count), locked in key order."""
    keys = [key for key in keys if key is not None]
    _refresh((key[:4] for key in keys), ((key[3], key[4]) for key in keys))


def tallies_unit_moved(unit, *, kind_before: str, parent_before: int | None) -> None:
    """A unit moved to another township (or changed kind): recount its sheets' keys under the township it counted
    for before and the one it counts for now — a few hundred keys at most, not the whole tally."""
    before = town_of(kind_before, parent_before, unit.pk)
    after = town_of(unit.kind, unit.parent_id, unit.pk)
    if before == after:
        return
    keys = set(Finding.objects.filter(state=FindingState.CONFIRMED, station__target=unit)
               .annotate(tally_month=TruncMonth("found_on"), tally_batch=F("station__round__batch_id"))
               .values_list("tally_month", "tally_batch", "category").distinct().order_by())
    _refresh(((as_date(month), batch, town, category) for month, batch, category in keys for town in (before, after)),
             ())


def tallies_rebuild() -> int:
    """Recount both tallies from the sheets (two grouped queries); returns the number of rows."""
    rows = (keyed_sheets(Finding.objects.all()).values("tally_month", "tally_batch", "tally_town", "category")
            .annotate(n=Count("pk"), total=Sum("amount")).order_by())
    with transaction.atomic():
        tally_lock(LOCK, shared=False)
        FindingTally.objects.all().delete()
        created = FindingTally.objects.bulk_create(
            (FindingTally(month=as_date(row["tally_month"]), batch_id=row["tally_batch"], town_id=row["tally_town"],
                          category=row["category"], sheets=row["n"], amount=row["total"] or 0)
             for row in rows.iterator(chunk_size=2000)), batch_size=2000)
        CategoryUnitTally.objects.all().delete()
        created += CategoryUnitTally.objects.bulk_create(
            (CategoryUnitTally(category=row["category"], unit_id=row["tally_unit"], sheets=row["n"],
                               last_found_on=row["last"])
             for row in keyed_sheets(Finding.objects.all()).values("category", "tally_unit")
             .annotate(n=Count("pk"), last=Max("found_on")).order_by().iterator(chunk_size=2000)), batch_size=2000)
    logger.info("problem tally rebuilt: %s rows", len(created))
    return len(created)


# --- reading ---------------------------------------------------------------------------------------------------------

@dataclass
class SheetCounts:
    """Confirmed sheets added up: in all, and by township, by category, by month (from `months_from` on)."""

    problems: int = 0
    amount: Decimal = Decimal(0)
    towns: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)
    months: dict = field(default_factory=dict)

    def add(self, *, month: date, town: int, category: str, sheets: int, amount, months_from: date | None) -> None:
        self.problems += sheets
        self.amount += amount or 0
        self.towns[town] = self.towns.get(town, 0) + sheets
        self.categories[category] = self.categories.get(category, 0) + sheets
        if months_from is None or month >= months_from:
            self.months[month] = self.months.get(month, 0) + sheets


def _add_grouped(counts: SheetCounts, sheets, months_from: date | None) -> SheetCounts:
    """Add sheets grouped by the database per (month, town, category): a part-month, or what one team sees."""
    for row in (keyed_sheets(sheets).values("tally_month", "tally_town", "category")
                .annotate(n=Count("pk"), total=Sum("amount")).order_by()):
        counts.add(month=as_date(row["tally_month"]), town=row["tally_town"], category=row["category"],
                   sheets=row["n"], amount=row["total"], months_from=months_from)
    return counts


def sheet_counts_of(sheets, months_from: date | None = None) -> SheetCounts:
    """The counts of some sheets (already filtered), grouped by the database: for those who see only some."""
    return _add_grouped(SheetCounts(), sheets, months_from)


def _tallies_within(f):
    """The tally rows of the whole months within the filter (and its category), and the part-months at its edges."""
    tallies, edges = rollup_within(FindingTally.objects.all(), f)
    return (tallies.filter(category=f.category) if f.category else tallies), edges


def sheet_counts(result_filter, months_from: date | None = None) -> SheetCounts:
    """The counts of every confirmed sheet within `result_filter` (for those who see every station): whole months
    read from the tally (three grouped reads of a few thousand rows), part-months counted from the sheets."""
    f = result_filter
    tallies, edges = _tallies_within(f)

    counts = SheetCounts()
    for town, n, total in tallies.values_list("town_id").annotate(Sum("sheets"), Sum("amount")).order_by():
        counts.problems += n
        counts.amount += total or 0
        counts.towns[town] = n
    counts.categories = dict(tallies.values_list("category").annotate(Sum("sheets")).order_by())
    by_month = tallies.filter(month__gte=months_from) if months_from else tallies
    counts.months = {as_date(m): n for m, n in by_month.values_list("month").annotate(Sum("sheets")).order_by()}
    if edges:
        q = Q()
        for low, high in edges:
            q |= Q(found_on__gte=low, found_on__lte=high)
        part = type(f)(batch=f.batch, township=f.township, category=f.category).findings(Finding.objects.filter(q))
        _add_grouped(counts, part, months_from)
    return counts


def sheet_total(result_filter) -> int:
    """How many confirmed sheets are within the filter (every sheet: for those who see every station): one sum
    over the tally, and the part-months counted from the sheets."""
    f = result_filter
    tallies, edges = _tallies_within(f)
    total = tallies.aggregate(n=Sum("sheets"))["n"] or 0
    for low, high in edges:
        part = type(f)(start=low, end=high, batch=f.batch, township=f.township, category=f.category)
        total += part.findings(Finding.objects.filter(state=FindingState.CONFIRMED)).count()
    return total


def flagged_categories(start: date, min_units: int) -> list[str]:
    """The categories found at `min_units` units or more from `start` up to today (no sheet is dated later)."""
    return list(CategoryUnitTally.objects.filter(last_found_on__gte=start).values("category")
                .annotate(units=Count("unit")).filter(units__gte=min_units).order_by()
                .values_list("category", flat=True))
