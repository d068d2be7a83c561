"""The rectification tally (rectification.ItemTally): kept, recoloured, rebuilt and read.

Keys are (month of issue, batch, township, category); the row with an empty category counts letters only (see the
model). Upkeep, in the transaction of the write, rows locked in key order (as findings.tallies):
  - a letter is issued (or an issued letter saved): every key of its items, and its letter row;
  - an item of an issued letter is saved or deleted: its key (state and deadline change the counts, not the key);
  - a sheet's category is corrected after hand-off: its item's key under the old and the new category;
  - a unit moves to another township: the keys of the letters to it, under both townships.
The deadline colours are those of `as_of` with the thresholds in `rule`: a beat task recolours every row after
midnight, and the first read of a day whose rows are older recolours them then (one grouped recount)."""

import logging
from datetime import date

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from supervision.tally import (
    VILLAGE_KINDS,
    as_date,
    month_end,
    rollup_within,
    tally_lock,
    town_expression,
    town_of,
)

from .deadlines import level_q, thresholds
from .models import HandoffLetter, ItemState, ItemTally, LetterState, RectificationItem

logger = logging.getLogger(__name__)

LOCK = "rectification"
COLOURS = ("red", "yellow", "green")
Key = tuple[date, int, int, str]  # (month of issue, batch id, town id, category; "" for the letter row)


def _rule() -> str:
    green, yellow = thresholds()
    return f"{green}/{yellow}"


def _issued_items(queryset):
    return (queryset.filter(letter__state=LetterState.ISSUED)
            .annotate(tally_month=TruncMonth("letter__issued_at"), tally_batch=F("letter__station__round__batch_id"),
                      tally_town=town_expression("letter__station__target"), tally_category=F("finding__category")))


def _issued_letters(queryset):
    return (queryset.filter(state=LetterState.ISSUED)
            .annotate(tally_month=TruncMonth("issued_at"), tally_batch=F("station__round__batch_id"),
                      tally_town=town_expression("station__target")))


def _item_counts(today: date) -> dict:
    return {"items": Count("pk"), "closed": Count("pk", filter=Q(state=ItemState.CLOSED)),
            "letters": Count("letter", distinct=True),
            **{colour: Count("pk", filter=level_q(colour, today)) for colour in COLOURS}}


def item_key(pk: int) -> Key | None:
    """The key an item counts under, or None (its letter is not issued, or it is gone)."""
    row = (_issued_items(RectificationItem.objects.filter(pk=pk))
           .values_list("tally_month", "tally_batch", "tally_town", "tally_category").first())
    return (as_date(row[0]), row[1], row[2], row[3]) if row else None


def letter_keys(letter_ids) -> set[Key]:
    """Every key the issued letters among `letter_ids` count under: their items' and their letter rows."""
    keys = {(as_date(m), b, t, c) for m, b, t, c in _issued_items(RectificationItem.objects.filter(
        letter_id__in=letter_ids)).values_list("tally_month", "tally_batch", "tally_town", "tally_category")
        .distinct().order_by()}
    keys |= {(as_date(m), b, t, "") for m, b, t in _issued_letters(HandoffLetter.objects.filter(
        pk__in=letter_ids)).values_list("tally_month", "tally_batch", "tally_town").distinct().order_by()}
    return keys


def _in_key(key: Key, prefix: str) -> Q:
    _month, batch_id, town_id, _category = key
    target = f"{prefix}station__target"
    return (Q(**{f"{prefix}station__round__batch_id": batch_id})
            & (Q(**{f"{target}_id": town_id}) & ~Q(**{f"{target}__kind__in": VILLAGE_KINDS})
               | Q(**{f"{target}__parent_id": town_id, f"{target}__kind__in": VILLAGE_KINDS})))


def _recount(key: Key, today: date) -> None:
    month, _batch, _town, category = key
    tally, _created = ItemTally.objects.select_for_update().get_or_create(
        month=month, batch_id=key[1], town_id=key[2], category=category,
        defaults={"as_of": today, "rule": _rule()})
    letters = HandoffLetter.objects.filter(_in_key(key, ""), state=LetterState.ISSUED, issued_at__date__gte=month,
                                           issued_at__date__lte=month_end(month))
    if category:
        counts = (RectificationItem.objects.filter(letter__in=letters.values("pk"), finding__category=category)
                  .aggregate(**_item_counts(today)))
    else:
        counts = {"items": 0, "closed": 0, "red": 0, "yellow": 0, "green": 0, "letters": letters.count()}
    if not counts["letters"]:
        tally.delete()
        return
    for name, value in counts.items():
        setattr(tally, name, value)
    tally.as_of, tally.rule = today, _rule()
    tally.save()


def item_tallies_refresh(*keys: Key | None) -> None:
    """Recount these keys (None: nothing counted), locked in key order."""
    keys = sorted({key for key in keys if key is not None})
    if not keys:
        return
    today = timezone.localdate()
    with transaction.atomic():
        tally_lock(LOCK, shared=True)
        for key in keys:
            _recount(key, today)


def item_tallies_unit_moved(unit, *, kind_before: str, parent_before: int | None) -> None:
    before = town_of(kind_before, parent_before, unit.pk)
    after = town_of(unit.kind, unit.parent_id, unit.pk)
    if before == after:
        return
    keys = letter_keys(HandoffLetter.objects.filter(station__target=unit).values_list("pk", flat=True))
    item_tallies_refresh(*((m, b, town, c) for m, b, _t, c in keys for town in (before, after)))


def item_tallies_rebuild(today: date | None = None) -> int:
    """Recount (and recolour) the whole tally: two grouped queries; returns the number of rows."""
    today = today or timezone.localdate()
    rule = _rule()
    with transaction.atomic():
        tally_lock(LOCK, shared=False)
        ItemTally.objects.all().delete()
        rows = [ItemTally(month=as_date(row["tally_month"]), batch_id=row["tally_batch"], town_id=row["tally_town"],
                          category=row["tally_category"], as_of=today, rule=rule,
                          **{name: row[name] for name in ("items", "closed", "letters", *COLOURS)})
                for row in _issued_items(RectificationItem.objects.all())
                .values("tally_month", "tally_batch", "tally_town", "tally_category")
                .annotate(**_item_counts(today)).order_by().iterator(chunk_size=2000)]
        rows += [ItemTally(month=as_date(row["tally_month"]), batch_id=row["tally_batch"], town_id=row["tally_town"],
                           category="", letters=row["n"], as_of=today, rule=rule)
                 for row in _issued_letters(HandoffLetter.objects.all())
                 .values("tally_month", "tally_batch", "tally_town").annotate(n=Count("pk")).order_by()]
        ItemTally.objects.bulk_create(rows, batch_size=2000)
    logger.info("rectification tally rebuilt: %s rows", len(rows))
    return len(rows)


def item_tallies_current(today: date | None = None) -> None:
    """Recolour the tally when its colours are not today's (the beat task did not run since midnight), or build it
    when it is empty while letters are issued (a fresh migration, a restored backup)."""
    today = today or timezone.localdate()
    state = ItemTally.objects.aggregate(rows=Count("pk"), stale=Count("pk", filter=~Q(as_of=today, rule=_rule())))
    if state["stale"] or (not state["rows"] and HandoffLetter.objects.filter(state=LetterState.ISSUED).exists()):
        item_tallies_rebuild(today)


# --- reading ---------------------------------------------------------------------------------------------------------

def item_figures(result_filter, today: date | None = None) -> dict:
    """{items, closed, red, yellow, green, letters} of the issued letters within `result_filter` (for those who see
    every letter): whole months from the tally, part-months counted from the items and letters themselves."""
    today = today or timezone.localdate()
    item_tallies_current(today)
    f = result_filter
    tallies, edges = rollup_within(ItemTally.objects.all(), f)
    # Items from the rows of the category (of every category: all but the letter rows); letters from the rows of
    # the category, or from the letter rows when no category is asked for.
    of_items = Q(category=f.category) if f.category else ~Q(category="")
    of_letters = Q(category=f.category)
    totals = tallies.aggregate(**{name: Sum(name, filter=of_items) for name in ("items", "closed", *COLOURS)},
                               letters=Sum("letters", filter=of_letters))
    figures = {name: totals[name] or 0 for name in ("items", "closed", "letters", *COLOURS)}
    for low, high in edges:
        part = type(f)(start=low, end=high, batch=f.batch, township=f.township, category=f.category)
        items = part.items(RectificationItem.objects.filter(letter__state=LetterState.ISSUED))
        counts = items.aggregate(**_item_counts(today))
        for name in ("items", "closed", *COLOURS):
            figures[name] += counts[name]
        if f.category:
            figures["letters"] += counts["letters"]
        else:
            figures["letters"] += part.letters(HandoffLetter.objects.filter(state=LetterState.ISSUED)).count()
    return figures
