"""A unit's profile (政治生态画像): who may open it (global viewers of stations and the unit's own liaison; others
404), what each sees (a liaison: no leads, no dispositions), the numbers equal to independent ORM counts, and a
query budget that does not grow with the rows."""

import re
from datetime import date, timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from findings.models import (
    Disposition,
    DispositionForm,
    Finding,
    FindingState,
    LeadState,
    PersonKind,
    ProblemLead,
    Recommendation,
    RecommendationState,
)
from rectification.models import ItemEvent, ItemEventKind, ItemState, RectificationItem
from rounds.models import Round, Station, StationState, Theme
from tests.helpers import text

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results", "tests.rectification.fixtures_rectification"]
pytestmark = pytest.mark.usefixtures("zh_hans")

BUDGET = 20  # a liaison: 20 (their units are looked up once per scoped selector); commission staff: 15
_numbers = count(1)


def stat(page: str, testid: str) -> int | None:
    match = re.search(rf'data-testid="{testid}">(\d+)<', page)
    return int(match.group(1)) if match else None


def url(unit) -> str:
    return reverse("unit_profile", args=[unit.pk])


@pytest.fixture
def village(rect_world):
    return rect_world.villages["水南湾村"]


@pytest.fixture
def sensitive(rect_world, village):
    """A transferred lead and a disposition naming a person, both at 水南湾村."""
    lead = ProblemLead.objects.create(finding=rect_world.sheet, subject_name="刘某某", subject_post="村出纳",
                                      subject_unit=village, summary="挪用村集体资金", state=LeadState.TRANSFERRED,
                                      transferred_at=timezone.now())
    disposition = Disposition.objects.create(
        finding=rect_world.sheet, person_name="张大山", person_post="村委会主任", person_unit=village,
        person_kind=PersonKind.VILLAGE_MANAGER, form=DispositionForm.FIRST, decided_on=timezone.localdate(),
        decided_by="大箕铺镇纪委")
    recommendation = Recommendation.objects.create(
        organ=rect_world.town, recipient=village, title="关于加强村级财务管理的纪检监察建议书", facts="事实",
        causes="原因", items="建议一", state=RecommendationState.ISSUED,
        reply_due=timezone.localdate() + timedelta(days=30), issued_at=timezone.now())
    return {"lead": lead, "disposition": disposition, "recommendation": recommendation}


def add_rows(world, village, rect_make_item, n: int):
    """n more stations at the village (new rounds), each with a confirmed sheet of another category and year, and
    n more items on the village's letter in every state of the rectification performance."""
    today = timezone.localdate()
    batch = world.batch
    start = Round.objects.filter(batch=batch).count() + 1
    categories = [Theme.LAND, Theme.SUBSIDIES, Theme.PROJECTS, Theme.THREE_ASSETS]
    for i in range(n):
        rnd = Round.objects.create(batch=batch, number=start + i, start_date=date(2026, 5, 1),
                                   end_date=date(2026, 5, 7))
        station = Station.objects.create(round=rnd, target=village, state=StationState.STATIONED)
        k = next(_numbers)
        Finding.objects.create(station=station, number=f"PROF-{station.pk}-{k}", sequence=k, title=f"问题{k}",
                               observed="测试", category=categories[i % len(categories)],
                               found_on=date(2025 - i % 2, 6, 1), state=FindingState.CONFIRMED,
                               responsible_unit=village)
        late = rect_make_item(world.letter, today - timedelta(days=10), state=ItemState.CLOSED,
                              closed_at=timezone.now() - timedelta(days=2))
        rect_make_item(world.letter, today + timedelta(days=10), state=ItemState.CLOSED,
                       closed_at=timezone.now() - timedelta(days=1))
        overdue = rect_make_item(world.letter, today - timedelta(days=3), state=ItemState.IN_PROGRESS)
        ItemEvent.objects.create(item=overdue if i % 2 else late, kind=ItemEventKind.REOPEN, text="回头看")


def expected(village) -> dict:
    """The profile's numbers counted independently, in Python over the rows."""
    today = timezone.localdate()
    scope = {village.pk}
    items = list(RectificationItem.objects.filter(letter__recipient__in=scope))
    reopened = set(ItemEvent.objects.filter(kind=ItemEventKind.REOPEN).values_list("item_id", flat=True))
    closed = [i for i in items if i.state == ItemState.CLOSED]
    return {
        "stations": Station.objects.filter(target__in=scope).count(),
        "problems": Finding.objects.filter(station__target__in=scope, state=FindingState.CONFIRMED).count(),
        "items": len(items),
        "closed_on_time": sum(timezone.localdate(i.closed_at) <= i.deadline for i in closed),
        "closed_late": sum(timezone.localdate(i.closed_at) > i.deadline for i in closed),
        "overdue_open": sum(i.state != ItemState.CLOSED and i.deadline < today for i in items),
        "reopened": sum(i.pk in reopened for i in items),
    }


def check_numbers(page: str, village, *, liaison: bool = False):
    want = expected(village)
    assert stat(page, "profile-stations") == want["stations"]
    if not liaison:
        assert stat(page, "profile-problems") == want["problems"]
    else:  # a liaison sees their unit's problems as their items
        assert stat(page, "profile-problems") == want["items"]
    for key in ("items", "closed_on_time", "closed_late", "overdue_open", "reopened"):
        assert stat(page, f"profile-{key.replace('_', '-')}") == want[key], key


@pytest.mark.parametrize("role", ["commission", "commission_leader"])
def test_commission_sees_everything_and_the_numbers_match(rect_world, village, sensitive, rect_make_item,
                                                          client_for, role):
    add_rows(rect_world, village, rect_make_item, 3)
    page = text(client_for(role).get(url(village)))
    check_numbers(page, village)
    assert stat(page, "profile-leads") == 1 and stat(page, "profile-leads-transferred") == 1
    assert stat(page, "profile-recommendations") == 1
    assert stat(page, "profile-dispositions") == 1 and "张大山" in page
    # problems per year × category: the database grouping equals a count of the rows
    for year, category in [(2025, Theme.LAND), (2024, Theme.SUBSIDIES)]:
        n = Finding.objects.filter(station__target=village, state=FindingState.CONFIRMED, found_on__year=year,
                                   category=category).count()
        assert stat(page, f"profile-problems-{year}-{category}") == n


def test_liaison_sees_own_unit_without_leads_or_dispositions(rect_world, village, sensitive, rect_make_item,
                                                             client_for):
    add_rows(rect_world, village, rect_make_item, 2)
    response = client_for("target_liaison").get(url(village))
    assert response.status_code == 200
    page = text(response)
    check_numbers(page, village, liaison=True)
    assert stat(page, "profile-recommendations") == 1
    assert "profile-leads" not in page and "profile-dispositions" not in page
    assert "张大山" not in page and "刘某某" not in page
    # the liaison of 水南湾村 may not open another village's profile
    assert client_for("target_liaison").get(url(rect_world.villages["柯大兴村"])).status_code == 404


@pytest.mark.parametrize("role", ["member", "leader", "other_team", "liaison", "outsider", "case_office"])
def test_others_get_404(rect_world, village, client_for, role):
    assert client_for(role).get(url(village)).status_code == 404


def test_township_profile_includes_its_villages(rect_world, client_for):
    page = text(client_for("commission").get(url(rect_world.town)))
    assert stat(page, "profile-stations") == Station.objects.filter(target__parent=rect_world.town).count() == 2
    assert stat(page, "profile-items") == RectificationItem.objects.count() == 3


def test_unit_detail_links_the_profile_when_allowed(rect_world, village, client_for):
    assert 'data-testid="unit-profile-link"' in text(client_for("commission").get(
        reverse("unit_detail", args=[village.pk])))
    assert 'data-testid="unit-profile-link"' in text(client_for("target_liaison").get(
        reverse("unit_detail", args=[village.pk])))
    assert 'data-testid="unit-profile-link"' not in text(client_for("member").get(
        reverse("unit_detail", args=[village.pk])))


@pytest.mark.parametrize("role", ["commission", "commission_leader", "target_liaison"])
def test_query_budget_does_not_grow(rect_world, village, sensitive, rect_make_item, client_for, within_budget, role):
    client = client_for(role)
    within_budget(client, url(village), BUDGET)
    connection.queries_log.clear()  # the log keeps at most 9000 queries: the fixtures fill it
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(village)).status_code == 200
    add_rows(rect_world, village, rect_make_item, 12)
    client.get(url(village))
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(village))
    assert len(many) == len(few) <= BUDGET, (len(few), len(many))
    check_numbers(text(response), village, liaison=role == "target_liaison")
