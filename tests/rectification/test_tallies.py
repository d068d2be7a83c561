"""The rectification tally (rectification.ItemTally) and the station and round tallies (rounds.StationTally, RoundTally): kept in step with
letters, items, sheets, stations, rounds and units; recoloured on a new day; read back exactly for any period."""

import random
from datetime import date, timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from findings.models import Finding
from findings.services.findings import finding_correct
from rectification.deadlines import deadline_level
from rectification.models import HandoffLetter, ItemState, ItemTally, LetterState, RectificationItem
from rectification.services.items import item_verify
from rectification.tallies import item_figures, item_tallies_rebuild
from rounds.models import Round, RoundTally, Station, StationState, StationTally, Theme
from rounds.tallies import held_figures, station_tallies_rebuild
from supervision.filters import ResultFilter
from tests.factories import TownshipFactory

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results", "tests.rectification.fixtures_rectification"]


def snapshot(model, fields):
    return sorted(tuple(getattr(row, name) for name in fields) for row in model.objects.all())


ITEM_FIELDS = ("month", "batch_id", "town_id", "category", "items", "closed", "red", "yellow", "green", "letters")
STATION_FIELDS = ("month", "batch_id", "town_id", "stations", "rounds")
ROUND_FIELDS = ("month", "batch_id", "rounds")


def assert_items_in_step(today=None):
    kept = snapshot(ItemTally, ITEM_FIELDS)
    item_tallies_rebuild(today)
    assert kept == snapshot(ItemTally, ITEM_FIELDS)


def assert_stations_in_step():
    kept = snapshot(StationTally, STATION_FIELDS), snapshot(RoundTally, ROUND_FIELDS)
    station_tallies_rebuild()
    assert kept == (snapshot(StationTally, STATION_FIELDS), snapshot(RoundTally, ROUND_FIELDS))


def direct_items(f: ResultFilter, today: date) -> dict:
    items = list(f.items(RectificationItem.objects.filter(letter__state=LetterState.ISSUED)))
    levels = [deadline_level(i.deadline, today, i.state == ItemState.CLOSED) for i in items]
    letters = ({i.letter_id for i in items} if f.category
               else set(f.letters(HandoffLetter.objects.filter(state=LetterState.ISSUED)).values_list("pk", flat=True)))
    return {"items": len(items), "closed": levels.count("closed"), "red": levels.count("red"),
            "yellow": levels.count("yellow"), "green": levels.count("green"), "letters": len(letters)}


def test_letters_and_items_keep_the_tally(rect_world, rect_make_item):
    world = rect_world
    today = timezone.localdate()
    assert item_figures(ResultFilter()) == direct_items(ResultFilter(), today)
    assert item_figures(ResultFilter())["items"] == 3 and item_figures(ResultFilter())["letters"] == 2

    overdue = rect_make_item(world.letter, today - timedelta(days=2))  # an item saved: its key recounted
    assert item_figures(ResultFilter())["red"] == 1
    overdue.state = ItemState.SUBMITTED
    overdue.save()
    item_verify(actor=world.users["leader"], item=overdue)  # closed through the service
    figures = item_figures(ResultFilter())
    assert (figures["closed"], figures["red"]) == (1, 0)
    assert_items_in_step()

    sheet = Finding.objects.get(pk=world.sheet.pk)
    finding_correct(actor=world.users["leader"], finding=sheet, reason="类别有误", category=Theme.LAND)
    assert item_figures(ResultFilter(category=Theme.LAND))["items"] == 1
    assert_items_in_step()


def test_colours_are_recounted_on_a_new_day(rect_world):
    today = timezone.localdate()
    item_figures(ResultFilter(), today)
    later = today + timedelta(days=40)  # every open item overdue by then
    figures = item_figures(ResultFilter(), later)
    assert figures == direct_items(ResultFilter(), later)
    assert figures["red"] == figures["items"] - figures["closed"] > 0
    assert set(ItemTally.objects.values_list("as_of", flat=True)) == {later}


def test_item_figures_cover_any_period_exactly(rect_world, rect_make_item):
    world = rect_world
    rng = random.Random(3)
    today = timezone.localdate()
    letters = [world.letter, world.other_letter]
    for i in range(40):
        rect_make_item(letters[i % 2], today + timedelta(days=rng.randint(-30, 40)),
                       state=ItemState.CLOSED if i % 5 == 0 else ItemState.OPEN)
    # Letters issued on different days over two years (issue dates moved with the ORM, then the tally rebuilt).
    for letter, issued in zip(letters, (today - timedelta(days=400), today - timedelta(days=35)), strict=True):
        HandoffLetter.objects.filter(pk=letter.pk).update(issued_at=timezone.now() - (today - issued))
    item_tallies_rebuild()
    periods = [(None, None), (today - timedelta(days=35), today - timedelta(days=35)), (None, today - timedelta(days=36))]
    for _ in range(20):
        a, b = sorted(today - timedelta(days=rng.randint(0, 420)) for _ in range(2))
        periods.append((a, b))
    for start, end in periods:
        for category in ("", Theme.THREE_ASSETS, Theme.LAND):
            f = ResultFilter(start=start, end=end, category=category)
            assert item_figures(f, today) == direct_items(f, today), (start, end, category)


def test_a_unit_moving_township_moves_its_letters_and_stations(rect_world):
    world = rect_world
    village = world.stations["A"].target
    other = TownshipFactory(name="另一镇")
    village.parent = other
    village.save()
    assert item_figures(ResultFilter(township=other.pk))["letters"] == 1
    assert held_figures(ResultFilter(township=other.pk))["stations"] == 1
    assert_items_in_step()
    assert_stations_in_step()


def test_stations_keep_the_station_tally(rect_world):
    world = rect_world
    station = Station.objects.get(pk=world.stations["A"].pk)
    held = held_figures(ResultFilter())
    station.state = StationState.PROPOSED
    station.save()
    assert held_figures(ResultFilter())["stations"] == held["stations"] - 1
    station.state = StationState.PLANNED
    station.save()
    assert held_figures(ResultFilter()) == held
    round_ = Round.objects.get(pk=station.round_id)
    round_.start_date -= timedelta(days=62)
    round_.end_date -= timedelta(days=62)
    round_.save()
    assert_stations_in_step()
    month = round_.start_date.replace(day=1)
    assert held_figures(ResultFilter(start=month, end=round_.start_date))["stations"] >= 1


@pytest.mark.parametrize("township", [False, True])
@pytest.mark.parametrize("period", [(None, None), ("first", "first"), ("before", None)])
def test_held_figures_match_the_stations(rect_world, period, township):
    first = Round.objects.order_by("start_date").first().start_date
    values = {"first": first, "before": first - timedelta(days=3), None: None}
    town = rect_world.stations["A"].target.parent if township else None
    f = ResultFilter(start=values[period[0]], end=values[period[1]], township=town.pk if town else None)
    assert f.rollups_answer
    stations = Station.objects.exclude(state=StationState.PROPOSED)
    if f.start:
        stations = stations.filter(round__start_date__gte=f.start)
    if f.end:
        stations = stations.filter(round__start_date__lte=f.end)
    if town:
        stations = stations.filter(Q(target=town) | Q(target__parent=town))
    assert held_figures(f) == {"stations": stations.count(),
                               "rounds": stations.values("round").distinct().count()}


def test_a_round_across_townships_counts_once_for_the_city_and_once_in_each(rect_world):
    station = Station.objects.get(pk=rect_world.stations["A"].pk)
    round_ = station.round
    held = held_figures(ResultFilter())
    towns = {town: held_figures(ResultFilter(township=town.pk)) for town in (station.target.parent,
                                                                            TownshipFactory(name="另一镇"))}
    other_town = list(towns)[1]
    added = Station.objects.create(round=round_, target=other_town, state=StationState.PLANNED)
    assert held_figures(ResultFilter()) == {"stations": held["stations"] + 1, "rounds": held["rounds"]}
    assert held_figures(ResultFilter(township=other_town.pk)) == {"stations": 1, "rounds": 1}
    assert held_figures(ResultFilter(township=station.target.parent_id)) == towns[station.target.parent]
    assert_stations_in_step()
    added.delete()
    assert held_figures(ResultFilter()) == held
    assert held_figures(ResultFilter(township=other_town.pk)) == {"stations": 0, "rounds": 0}
    assert_stations_in_step()


def test_the_item_list_counts_from_the_tally(client_for, rect_world, rect_make_item):
    """The commission's item list: its colour counts and page count come from the tally and equal the items."""
    today = timezone.localdate()
    for days in (-9, -1, 0, 4, 12, 25, 60):
        rect_make_item(rect_world.letter, today + timedelta(days=days))
    client = client_for("commission")
    for level in ("", "red", "yellow", "green", "normal", "closed"):
        response = client.get("/rectification/items/", {"level": level} if level else {})
        assert response.status_code == 200
        items = RectificationItem.objects.filter(letter__state=LetterState.ISSUED)
        wanted = [i for i in items if not level or deadline_level(i.deadline, today, i.state == ItemState.CLOSED) == level]
        assert response.context["page"].paginator.count == len(wanted), level
        counts = {c["level"]: c["count"] for c in response.context["counts"]}
        assert counts == {colour: sum(1 for i in items if deadline_level(i.deadline, today, i.state == ItemState.CLOSED)
                                      == colour) for colour in ("red", "yellow", "green")}
