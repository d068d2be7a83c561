"""manage.py synthetic_data: the requested number of sheets in a coherent world, refused where it could do harm,
the same world for the same seed."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F
from django.test import override_settings

from findings.models import Disposition, Finding, FindingState, ProblemLead, Recommendation
from rectification.deadlines import level_q
from rectification.models import HandoffLetter, ItemState, LetterState, RectificationItem
from rounds.models import Batch, Round, Station
from supervision.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


def generate(n: int, **options) -> str:
    out = io.StringIO()
    call_command("synthetic_data", findings=n, yes_i_know=True, stdout=out, **options)
    return out.getvalue()


def test_creates_the_requested_sheets_in_a_coherent_world():
    output = generate(300, seed=3)
    assert "300 findings" in output and "rows/s" in output
    assert Finding.objects.count() == 300
    assert Unit.objects.filter(kind=UnitKind.TOWNSHIP).count() == 20
    assert Unit.objects.filter(kind=UnitKind.VILLAGE, parent__kind=UnitKind.TOWNSHIP).count() == 600
    # 5–10 sheets per station, numbered 1..n in each.
    sizes = list(Station.objects.annotate(n=Count("findings")).values_list("n", flat=True))
    assert sizes and all(1 <= n <= 10 for n in sizes) and sum(sizes) == 300
    assert not Station.objects.exclude(round__batch__organiser=F("target__parent")).exists()
    assert not Finding.objects.exclude(responsible_unit=F("station__target")).exists()
    assert Finding.objects.values("category").distinct().count() >= 4
    assert Finding.objects.filter(state=FindingState.CONFIRMED).count() >= 270
    years = set(Finding.objects.dates("found_on", "year").values_list("found_on__year", flat=True))
    assert len(years) >= 2
    # Letters: issued, one per station, numbered uniquely per organ and year; an item per confirmed sheet.
    letters = HandoffLetter.objects.all()
    assert letters.exists() and not letters.exclude(state=LetterState.ISSUED).exists()
    assert not letters.exclude(recipient=F("station__target")).exists()
    assert not letters.exclude(organ=F("station__round__batch__organiser")).exists()
    items = RectificationItem.objects.all()
    assert not items.exclude(finding__station=F("letter__station")).exists()
    assert not items.exclude(finding__state=FindingState.CONFIRMED).exists()
    share = items.count() / 300
    assert 0.35 <= share <= 0.85
    for letter in letters.prefetch_related("items", "station__findings"):
        confirmed = {f.pk for f in letter.station.findings.all() if f.state == FindingState.CONFIRMED}
        assert {i.finding_id for i in letter.items.all()} == confirmed
    # Deadlines spread over the colours; closed items have a closing time, open ones do not.
    assert items.filter(state=ItemState.CLOSED).exists() and items.filter(level_q("red")).exists()
    assert not items.filter(state=ItemState.CLOSED, closed_at__isnull=True).exists()
    assert not items.exclude(state=ItemState.CLOSED).filter(closed_at__isnull=False).exists()
    assert Recommendation.objects.exists()
    assert ProblemLead.objects.count() + Disposition.objects.count() <= 30


def test_the_yellow_and_green_colours_appear_at_a_larger_size():
    generate(3000, seed=1)
    items = RectificationItem.objects.all()
    for colour in ("red", "yellow", "green", "normal", "closed"):
        assert items.filter(level_q(colour)).exists(), colour
    assert ProblemLead.objects.exists() and Disposition.objects.exists()


def test_refuses_without_debug_or_confirmation():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG"):
        call_command("synthetic_data", findings=10, stdout=io.StringIO())
    assert not Finding.objects.exists()
    with override_settings(DEBUG=True):
        call_command("synthetic_data", findings=10, stdout=io.StringIO())
    assert Finding.objects.count() == 10


def test_refuses_on_a_database_with_sheets_unless_appending():
    generate(50)
    with pytest.raises(CommandError, match="--append"):
        generate(50)
    assert Finding.objects.count() == 50
    generate(70, append=True)
    assert Finding.objects.count() == 120
    # The appended run has its own batches (same tree, no duplicate units), numbers and letter sequences.
    assert Unit.objects.filter(kind=UnitKind.TOWNSHIP).count() == 20
    assert Batch.objects.count() == 2 * 60
    assert Finding.objects.values("number").distinct().count() == 120
    numbers = HandoffLetter.objects.values_list("organ_id", "year", "sequence")
    assert len(set(numbers)) == len(numbers)


class Rollback(Exception):
    pass


def snapshot(seed: int) -> tuple:
    try:
        with transaction.atomic():
            generate(400, seed=seed)
            world = (
                list(Finding.objects.order_by("number").values_list(
                    "number", "category", "found_on", "amount", "state", "title", "station__target__code",
                    "station__round__number", "station__round__batch__year")),
                list(RectificationItem.objects.order_by("finding__number").values_list(
                    "finding__number", "deadline", "state", "letter__number")),
                list(Round.objects.order_by("batch__organiser__code", "batch__year", "number")
                     .values_list("start_date", flat=True)),
            )
            raise Rollback
    except Rollback:
        pass
    assert not Finding.objects.exists()
    return world


def test_the_same_seed_gives_the_same_world():
    first, again, other = snapshot(11), snapshot(11), snapshot(12)
    assert first == again
    assert first != other
