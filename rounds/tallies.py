"""The station and round tallies (rounds.StationTally, rounds.RoundTally): kept, rebuilt and read, like
findings.tallies.

Station keys are (month the round starts, batch, township): the stations held there and the rounds with a station
held there. Round keys are (month, batch): the rounds with a station held anywhere (a round's stations lie in
several townships, so this is not the sum over townships). A station counts once it is more than a proposal.
Upkeep in the transaction of the write, rows locked in key order: a station saved (state, target or round changed)
or deleted, a round whose start date moves, a unit that moves to another township."""

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

from .models import Round, RoundTally, Station, StationState, StationTally

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
    counts = (Station.objects.exclude(state=StationState.PROPOSED)
              .filter(round__batch_id=batch_id, round__start_date__gte=month, round__start_date__lte=month_end(month))
              .filter(Q(target_id=town_id) & ~Q(target__kind__in=VILLAGE_KINDS)
                      | Q(target__parent_id=town_id, target__kind__in=VILLAGE_KINDS))
              .aggregate(stations=Count("pk"), rounds=Count("round", distinct=True)))
    if counts["stations"]:
        tally.stations, tally.rounds = counts["stations"], counts["rounds"]
        tally.save(update_fields=["stations", "rounds"])
    else:
        tally.delete()


def _recount_rounds(month: date, batch_id: int) -> None:
    tally, _created = RoundTally.objects.select_for_update().get_or_create(month=month, batch_id=batch_id)
    rounds = _held_rounds(Round.objects.filter(batch_id=batch_id, start_date__gte=month,
                                               start_date__lte=month_end(month))).count()
    if rounds:
        tally.rounds = rounds
        tally.save(update_fields=["rounds"])
    else:
        tally.delete()


def _held_rounds(rounds):
    return rounds.filter(Exists(Station.objects.filter(round=OuterRef("pk")).exclude(state=StationState.PROPOSED)))


def station_tallies_refresh(*keys: Key | None) -> None:
    keys = sorted({key for key in keys if key is not None})
    if not keys:
        return
    with transaction.atomic():
        tally_lock(LOCK, shared=True)
        for key in keys:
            _recount(key)
        for month, batch_id in sorted({(month, batch_id) for month, batch_id, _town in keys}):
            _recount_rounds(month, batch_id)


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
        RoundTally.objects.all().delete()
        rows = StationTally.objects.bulk_create(
            (StationTally(month=as_date(row["tally_month"]), batch_id=row["tally_batch"], town_id=row["tally_town"],
                          stations=row["n"], rounds=row["r"])
             for row in _held(Station.objects.all()).values("tally_month", "tally_batch", "tally_town")
             .annotate(n=Count("pk"), r=Count("round", distinct=True)).order_by().iterator(chunk_size=2000)),
            batch_size=2000)
        rounds = RoundTally.objects.bulk_create(
            (RoundTally(month=as_date(row["m"]), batch_id=row["batch_id"], rounds=row["n"])
             for row in _held_rounds(Round.objects.all()).annotate(m=TruncMonth("start_date"))
             .values("m", "batch_id").annotate(n=Count("pk")).order_by().iterator(chunk_size=2000)),
            batch_size=2000)
    logger.info("station tally rebuilt: %s rows (%s round rows)", len(rows), len(rounds))
    return len(rows)


def held_figures(result_filter) -> dict:
    """{stations, rounds} held within the filter (the category does not narrow them; for those who see every
    station): from the tallies for whole months — the rounds from the township's own count when a township is
    set, else from the round tally — and from the stations and rounds themselves for part-months."""
    f = result_filter
    tallies, edges = rollup_within(StationTally.objects.all(), f)
    if f.township:
        figures = tallies.aggregate(stations=Sum("stations"), rounds=Sum("rounds"))
    else:
        figures = tallies.aggregate(stations=Sum("stations"))
        figures["rounds"] = rollup_within(RoundTally.objects.all(), f)[0].aggregate(n=Sum("rounds"))["n"]
    stations, rounds = figures["stations"] or 0, figures["rounds"] or 0
    for low, high in edges:
        edge = type(f)(start=low, end=high, batch=f.batch, township=f.township)
        stations += held_stations(edge, Station.objects.all()).count()
        rounds += held_rounds(edge, Round.objects.all()).count()
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
