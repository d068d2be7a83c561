"""What the rollups (findings.FindingTally, rectification.ItemTally, rounds.StationTally) share: the township a
unit counts for, and the lock that keeps a whole rebuild from interleaving with the per-row upkeep.

Each rollup is kept in the transaction of every write of its facts (row locks in key order, a recount per key) and
rebuilt whole by a beat task and by `manage.py rebuild_tallies`. A rebuild deletes and re-inserts every row, so it
takes the rollup's lock exclusively; the per-row upkeep takes it shared. On PostgreSQL these are transaction-level
advisory locks; SQLite has one writer at a time anyway."""

import calendar
import zlib
from datetime import date, datetime

from django.db import connection
from django.db.models import Case, F, When

from supervision.models import UnitKind

VILLAGE_KINDS = (UnitKind.VILLAGE, UnitKind.COMMUNITY)


def town_expression(target: str):
    """The township (street) a unit at `target` counts for: a village's or community's parent, else the unit."""
    return Case(When(**{f"{target}__kind__in": VILLAGE_KINDS}, then=F(f"{target}__parent_id")),
                default=F(f"{target}_id"))


def town_of(kind: str, parent_id: int | None, pk: int) -> int:
    """town_expression for a unit in hand."""
    return parent_id if kind in VILLAGE_KINDS and parent_id else pk


def as_date(value) -> date:
    """TruncMonth gives a datetime on some backends and for DateTimeFields: the month's first day as a date."""
    return value.date() if isinstance(value, datetime) else value


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def rollup_within(rollups, result_filter):
    """The rows of a rollup (month, batch, town) for the whole months within the filter, and the part-months left
    at its edges (day ranges the caller counts from the records themselves)."""
    f = result_filter
    if f.batch:
        rollups = rollups.filter(batch_id=f.batch)
    if f.township:
        rollups = rollups.filter(town_id=f.township)
    first, last, edges = f.month_split()
    if first:
        rollups = rollups.filter(month__gte=first)
    if last:
        rollups = rollups.filter(month__lte=last)
    return rollups, edges


def tally_lock(name: str, *, shared: bool) -> None:
    """Take the rollup `name`'s lock until the end of the current transaction (call inside atomic())."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [zlib.crc32(f"tally:{name}".encode())])


def tallies_rebuild_all() -> dict[str, int]:
    """Rebuild every rollup (the rebuild_tallies command, a restored backup): {name: rows}."""
    from findings.tallies import tallies_rebuild
    from rectification.tallies import item_tallies_rebuild
    from rounds.tallies import station_tallies_rebuild

    return {"station tally": station_tallies_rebuild(), "problem tally": tallies_rebuild(),
            "rectification tally": item_tallies_rebuild()}


# The units a township filter can name for the rollups to answer it: their own stations and their villages'
# (a village, the commission or a dispatched group as the filter matches other units than a rollup's township).
TALLY_TOWN_KINDS = (UnitKind.TOWNSHIP, UnitKind.STREET, UnitKind.DEPARTMENT)


def tally_covers(result_filter) -> bool:
    """Whether the rollups answer this filter exactly: no township, or a township, street or department."""
    from .models import Unit

    if not result_filter.township:
        return True
    return Unit.objects.filter(pk=result_filter.township, kind__in=TALLY_TOWN_KINDS).exists()
