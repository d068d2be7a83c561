"""Cells of every spreadsheet the system writes (ledgers, the assessment): numbers and dates stay typed, text that
a spreadsheet would evaluate (= + - @, a leading tab or CR) gets a leading apostrophe, and control characters
openpyxl refuses are dropped. One place, so every export is safe the same way."""

import re
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # openpyxl refuses these control characters


def safe_text(value: str) -> str:
    """Text that no spreadsheet evaluates: a leading apostrophe before = + - @ (or a tab / CR)."""
    value = _ILLEGAL.sub("", value)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def cell_value(value):
    """What goes into a cell: numbers and dates as themselves, aware datetimes in local time, text neutralised."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, (int, float, Decimal, date)):
        return value
    return safe_text(str(value))
