"""Deadline colours (rectification.deadlines): the boundaries of each level, the texts, thresholds read from
settings, and level_q selecting in the database exactly what deadline_level says item by item."""

from datetime import date, timedelta

import pytest
from django.test import override_settings

from rectification.deadlines import (
    LEVELS,
    days_left,
    deadline_info,
    deadline_level,
    deadline_text,
    item_deadline,
    level_q,
)
from rectification.models import ItemState, RectificationItem

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results", "tests.rectification.fixtures_rectification"]
pytestmark = pytest.mark.usefixtures("zh_hans")

TODAY = date(2026, 11, 2)


def on(days: int) -> date:
    return TODAY + timedelta(days=days)


@pytest.mark.parametrize(("days", "level"), [
    (60, "normal"), (21, "normal"), (20, "green"), (11, "green"), (10, "yellow"), (1, "yellow"), (0, "yellow"),
    (-1, "red"), (-30, "red"),
])
def test_levels_at_the_boundaries(days, level):
    assert deadline_level(on(days), TODAY) == level
    assert days_left(on(days), TODAY) == days


@pytest.mark.parametrize("days", [60, 20, 10, 0, -1])
def test_closed_is_closed_whatever_the_deadline(days):
    assert deadline_level(on(days), TODAY, closed=True) == "closed"
    assert deadline_text(on(days), TODAY, closed=True) == "已销号"


def test_texts_and_tags():
    assert deadline_text(on(-3), TODAY) == "逾期3天"
    assert deadline_text(on(8), TODAY) == "剩余8天"
    assert deadline_text(on(0), TODAY) == "今日到期"
    assert [deadline_info(on(d), TODAY).tag for d in (-1, 5, 15, 30)] == ["red", "amber", "green", ""]
    info = deadline_info(on(-2), TODAY)
    assert info.overdue and info.days == -2 and info.level_label == "已逾期"


@override_settings(RECTIFY_GREEN_DAYS=30, RECTIFY_YELLOW_DAYS=5)
def test_thresholds_come_from_settings():
    assert deadline_level(on(30), TODAY) == "green"
    assert deadline_level(on(31), TODAY) == "normal"
    assert deadline_level(on(6), TODAY) == "green"
    assert deadline_level(on(5), TODAY) == "yellow"


def test_default_thresholds(settings):
    assert (settings.RECTIFY_GREEN_DAYS, settings.RECTIFY_YELLOW_DAYS) == (20, 10)


def test_without_today_it_is_the_local_date():
    from django.utils import timezone

    assert deadline_level(timezone.localdate() - timedelta(days=1)) == "red"
    assert deadline_text(timezone.localdate() + timedelta(days=4)) == "剩余4天"


def test_unknown_level_is_an_error():
    with pytest.raises(ValueError):
        level_q("purple", TODAY)


@pytest.mark.parametrize("overrides", [{}, {"RECTIFY_GREEN_DAYS": 30, "RECTIFY_YELLOW_DAYS": 5},
                                       {"RECTIFY_GREEN_DAYS": 7, "RECTIFY_YELLOW_DAYS": 7}])
def test_level_q_selects_what_deadline_level_says(rect_world, rect_make_item, settings, overrides):
    for name, value in overrides.items():
        setattr(settings, name, value)
    today = TODAY
    for days in (-5, -1, 0, 1, 5, 6, 7, 8, 10, 11, 20, 21, 30, 31, 45):
        rect_make_item(rect_world.letter, today + timedelta(days=days))
    rect_make_item(rect_world.letter, today - timedelta(days=3), state=ItemState.CLOSED)
    rect_make_item(rect_world.letter, today + timedelta(days=40), state=ItemState.CLOSED)
    items = list(RectificationItem.objects.all())
    seen = set()
    for level in LEVELS:
        selected = set(RectificationItem.objects.filter(level_q(level, today)).values_list("pk", flat=True))
        expected = {i.pk for i in items if deadline_level(i.deadline, today, i.state == ItemState.CLOSED) == level}
        assert selected == expected, level
        assert not selected & seen
        seen |= selected
    assert seen == {i.pk for i in items}  # every item has exactly one level


def test_level_q_through_a_relation(rect_world):
    from rectification.models import Reminder

    item = rect_world.items[1]  # 5 days left
    Reminder.objects.create(key=f"item:{item.pk}:yellow:x", item=item, level="yellow", day=TODAY)
    from django.utils import timezone

    assert Reminder.objects.filter(level_q("yellow", timezone.localdate(), prefix="item__")).count() == 1
    assert item_deadline(item).level == "yellow"
