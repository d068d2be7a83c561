"""The station tally (rounds.StationTally): kept, rebuilt and read, like findings.tallies.

Keys are (month the round starts, batch, township). A station counts once it is more than a proposal. Upkeep in
the transaction of the write, rows locked in key order: a station saved (state, target or round changed) or
deleted, a round whose start date moves, a unit that moves to another township."""

import logging
from datetime import date

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth

from supervision.tally import (
    VILLAGE_KINDS,
    as_date,
    month_end,
    rollup_within,
    tally_lock,
    town_expression,
    town_of,
)

from .models import Round, Station, StationState, StationTally

logger = logging.getLogger(__name__)

LOCK = "rounds"
Key = tuple[date, int, int]  # (month the round starts, batch id, town id)


def _held(queryset):
    return (queryset.exclude(state=StationState.PROPOSED)
            .annotate(tally_month=TruncMonth("round__start_date"), tally_batch=F("round__batch_id"),
                      tally_town=town_expression("target")))


def station_keys(stations) -> set[Key]:
    """The keys the held stations among `stations` (a queryset) count under."""
    return {(as_date(m), b, t) for m, b, t in _held(stations).values_list("tally_month", "tally_batch", "tally_town")
            .distinct().order_by()}


def _recount(key: Key) -> None:
    month, batch_id, town_id = key
    tally, _created = StationTally.objects.select_for_update().get_or_create(month=month, batch_id=batch_id,
                                                                              town_id=town_id)
    stations = (Station.objects.exclude(state=StationState.PROPOSED)
                .filter(round__batch_id=batch_id, round__start_date__gte=month, round__start_date__lte=month_end(month))
                .filter(Q(target_id=town_id) & ~Q(target__kind__in=VILLAGE_KINDS)
                        | Q(target__parent_id=town_id, target__kind__in=VILLAGE_KINDS)).count())
    if stations:
        tally.stations = stations
        tally.save(update_fields=["stations"])
    else:
        tally.delete()


def station_tallies_refresh(*keys: Key | None) -> None:
    keys = sorted({key for key in keys if key is not None})
    if not keys:
        return
    with transaction.atomic():
        tally_lock(LOCK, shared=True)
        for key in keys:
            _recount(key)


def station_tallies_unit_moved(unit, *, kind_before: str, parent_before: int | None) -> None:
    before = town_of(kind_before, parent_before, unit.pk)
    after = town_of(unit.kind, unit.parent_id, unit.pk)
    if before != after:
        keys = station_keys(Station.objects.filter(target=unit))
        station_tallies_refresh(*((m, b, town) for m, b, _t in keys for town in (before, after)))


def station_tallies_rebuild() -> int:
    with transaction.atomic():
        tally_lock(LOCK, shared=False)
        StationTally.objects.all().delete()
        rows = StationTally.objects.bulk_create(
            (StationTally(month=as_date(row["tally_month"]), batch_id=row["tally_batch"], town_id=row["tally_town"],
                          stations=row["n"])
             for row in _held(Station.objects.all()).values("tally_month", "tally_batch", "tally_town")
             .annotate(n=Count("pk")).order_by().iterator(chunk_size=2000)), batch_size=2000)
    logger.info("station tally rebuilt: %s rows", len(rows))
    return len(rows)


def held_figures(result_filter) -> dict:
    """{stations, rounds} held within the filter (the category does not narrow them; for those who see every
    station): stations from the tally for whole months and from the stations for part-months; rounds from the
    rounds (a few thousand at most), those with a held station at the township."""
    f = result_filter
    tallies, edges = rollup_within(StationTally.objects.all(), f)
    stations = tallies.aggregate(n=Sum("stations"))["n"] or 0
    for low, high in edges:
        stations += held_stations(type(f)(start=low, end=high, batch=f.batch, township=f.township),
                                  Station.objects.all()).count()
    rounds = held_rounds(f, Round.objects.all()).count()
    return {"stations": stations, "rounds": rounds}


def held_stations(f, stations):
    """The held stations among `stations` within the filter: by their round's start date, batch, township."""
    return f.stations(stations.exclude(state=StationState.PROPOSED))


def held_rounds(f, rounds):
    """The rounds among `rounds` with a held station within the filter."""
    held = held_stations(type(f)(batch=f.batch, township=f.township), Station.objects.filter(round=OuterRef("pk")))
    if f.start:
        rounds = rounds.filter(start_date__gte=f.start)
    if f.end:
        rounds = rounds.filter(start_date__lte=f.end)
    if f.batch:
        rounds = rounds.filter(batch=f.batch)
    return rounds.filter(Exists(held))
