"""Deadline colours of rectification items (整改时限预警): one definition, used by every list, the detail page and the
reminder sweep.

Days left = deadline − today (the deadline day itself is still on time: 0 days left). With the thresholds from
settings (RECTIFY_GREEN_DAYS, default 20; RECTIFY_YELLOW_DAYS, default 10):

    "closed"  the item is closed (已销号), whatever its deadline;
    "red"     overdue: deadline < today (days left < 0)            — escalated to the unit's top leader;
    "yellow"  0 ≤ days left ≤ RECTIFY_YELLOW_DAYS                   — the leader in charge is told too;
    "green"   RECTIFY_YELLOW_DAYS < days left ≤ RECTIFY_GREEN_DAYS   — the handler is reminded;
    "normal"  more than RECTIFY_GREEN_DAYS days left.

`deadline_level` decides one item in Python; `level_q` is the same rule as a database filter, so a list or a sweep
can select items of a colour without loading them. Both are pure (no queries, no side effects) and read the
thresholds at call time (so `override_settings` and a changed environment take effect)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CLOSED, RED, YELLOW, GREEN, NORMAL = "closed", "red", "yellow", "green", "normal"
LEVELS = (RED, YELLOW, GREEN, NORMAL, CLOSED)
LEVEL_LABELS = {
    RED: gettext_lazy("已逾期"),
    YELLOW: gettext_lazy("临近时限"),
    GREEN: gettext_lazy("即将到期"),
    NORMAL: gettext_lazy("时限充裕"),
    CLOSED: gettext_lazy("已销号"),
}
# The CSS class of the tag that shows a level (static/css/app.css: .tag.green / .tag.amber / .tag.red).
LEVEL_TAGS = {RED: "red", YELLOW: "amber", GREEN: "green", NORMAL: "", CLOSED: ""}

_CLOSED_STATE = "closed"  # rectification.models.ItemState.CLOSED (kept literal: this module imports no models)


def thresholds() -> tuple[int, int]:
    """(green days, yellow days) from settings."""
    return int(settings.RECTIFY_GREEN_DAYS), int(settings.RECTIFY_YELLOW_DAYS)


def days_left(deadline: date, today: date | None = None) -> int:
    """Whole days from today to the deadline: 0 on the day itself, negative once overdue."""
    return (deadline - (today or timezone.localdate())).days


def deadline_level(deadline: date, today: date | None = None, closed: bool = False) -> str:
    """"closed", "red", "yellow", "green" or "normal" (see the module's docstring)."""
    if closed:
        return CLOSED
    left = days_left(deadline, today)
    green, yellow = thresholds()
    if left < 0:
        return RED
    if left <= yellow:
        return YELLOW
    if left <= green:
        return GREEN
    return NORMAL


def deadline_text(deadline: date, today: date | None = None, closed: bool = False) -> str:
    """What a tag says: "逾期3天", "今日到期", "剩余8天", or "已销号"."""
    if closed:
        return str(LEVEL_LABELS[CLOSED])
    left = days_left(deadline, today)
    if left < 0:
        return _("逾期%(days)d天") % {"days": -left}
    if left == 0:
        return _("今日到期")
    return _("剩余%(days)d天") % {"days": left}


@dataclass(frozen=True)
class Deadline:
    """Everything a page shows about an item's deadline."""

    deadline: date
    level: str
    days: int
    text: str

    @property
    def tag(self) -> str:
        return LEVEL_TAGS[self.level]

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[self.level])

    @property
    def overdue(self) -> bool:
        return self.level == RED


def deadline_info(deadline: date, today: date | None = None, closed: bool = False) -> Deadline:
    today = today or timezone.localdate()
    return Deadline(deadline=deadline, level=deadline_level(deadline, today, closed),
                    days=days_left(deadline, today), text=deadline_text(deadline, today, closed))


def item_deadline(item, today: date | None = None) -> Deadline:
    """The deadline of a RectificationItem (closed when its state is closed)."""
    return deadline_info(item.deadline, today, closed=item.state == _CLOSED_STATE)


def level_q(level: str, today: date | None = None, prefix: str = "") -> Q:
    """The items of a level, as a filter on RectificationItem (`prefix` reaches them through a relation, e.g.
    "item__" from Reminder). Matches `deadline_level` exactly: for every item,
    `deadline_level(item.deadline, today, item.state == "closed") == level` ⇔ the item is in `filter(level_q(level))`.
    An unknown level raises ValueError."""
    if level not in LEVELS:
        raise ValueError(f"unknown deadline level: {level!r}")
    today = today or timezone.localdate()
    state, deadline = f"{prefix}state", f"{prefix}deadline"
    if level == CLOSED:
        return Q(**{state: _CLOSED_STATE})
    green, yellow = thresholds()
    still_open = ~Q(**{state: _CLOSED_STATE})
    if level == RED:
        return still_open & Q(**{f"{deadline}__lt": today})
    if level == YELLOW:
        return still_open & Q(**{f"{deadline}__gte": today, f"{deadline}__lte": today + timedelta(days=yellow)})
    if level == GREEN:
        # Above yellow and within green (empty when the yellow threshold is not below the green one).
        return still_open & Q(**{f"{deadline}__gt": today + timedelta(days=yellow),
                                 f"{deadline}__lte": today + timedelta(days=green)})
    return still_open & Q(**{f"{deadline}__gt": today + timedelta(days=max(green, yellow))})
