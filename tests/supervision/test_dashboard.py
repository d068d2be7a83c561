"""委机关总览 (commission overview dashboard): who may open it, numbers equal to counts computed here independently
from the ORM (whole and filtered by township and category), drill-down links that carry the filter, a query
budget that does not grow with the rows, a cache that never serves one user's numbers to another, and a bad
filter value that shows a message instead of a server error."""

import re
from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.db.models import Q, Sum
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
from rectification.deadlines import deadline_level
from rectification.models import ItemState, LetterState, RectificationItem
from rounds.models import Station, StationState, Theme
from supervision.models import UnitKind
from supervision.tally import tallies_rebuild_all
from tests.factories import TownshipFactory

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results", "tests.rectification.fixtures_rectification"]
pytestmark = pytest.mark.usefixtures("zh_hans")

URL = "/dashboard/"
BUDGET = 20  # measured 20 with a township: session, user, 2 permission reads, whether the rollups answer the
# township (a township, street or department), the problem tally (by township, category, month) and the townships'
# names, the station tally and the rounds, the rectification tally (its day check and its sums), leads, people,
# recommendations, 2 filter selects, roles, person. A day-precise period adds the part-months' reads (the same
# number whatever the rows).
_numbers = count(1)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def figure(page: str, testid: str) -> str | None:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', page)
    return match.group(1) if match else None


def number(page: str, testid: str) -> int | None:
    value = figure(page, testid)
    return int(value) if value is not None else None


def page_for(client, params=None) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def grow(world, size: int):
    """`size` more confirmed sheets over both stations (categories and months varied), a hand-off item for every
    other one (deadlines past, near, far; some closed), and leads, dispositions, recommendations. ORM only."""
    today = timezone.localdate()
    categories = [Theme.THREE_ASSETS, Theme.SUBSIDIES, Theme.LAND, Theme.PROJECTS]
    sheets = []
    for i in range(size):
        station = world.stations["A" if i % 2 else "B"]
        n = next(_numbers)
        sheets.append(Finding(station=station, number=f"DASH-{n}", sequence=1000 + n, title=f"问题{n}",
                              observed="测试", category=categories[i % len(categories)],
                              amount=Decimal(100 * (i + 1)), found_on=today - timedelta(days=31 * (i % 14)),
                              state=FindingState.CONFIRMED, responsible_unit=station.target))
    Finding.objects.bulk_create(sheets)
    sheets = list(Finding.objects.filter(number__startswith="DASH-").order_by("-id")[:size])
    deadlines = [-5, 3, 15, 40]
    items = []
    for i, sheet in enumerate(sheets[::2]):
        letter = world.letter if sheet.station_id == world.stations["A"].pk else world.other_letter
        closed = i % 5 == 4
        items.append(RectificationItem(
            letter=letter, finding=sheet, sequence=100 + next(_numbers), problem=sheet.title, requirement="整改",
            deadline=today + timedelta(days=deadlines[i % len(deadlines)]),
            state=ItemState.CLOSED if closed else ItemState.OPEN, closed_at=timezone.now() if closed else None))
    RectificationItem.objects.bulk_create(items)
    tallies_rebuild_all()  # bulk_create sends no signals: bulk writers rebuild the rollups (supervision.tally)
    village = world.villages["水南湾村"]
    for i, sheet in enumerate(sheets[: max(1, size // 4)]):
        lead = ProblemLead.objects.create(
            finding=sheet, subject_name="刘某某", subject_post="村出纳", subject_unit=village, summary="挪用",
            state=LeadState.CONCLUDED if i % 2 else LeadState.TRANSFERRED, transferred_at=timezone.now())
        Disposition.objects.create(
            finding=None if i % 2 else sheet, lead=lead if i % 2 else None, person_name="刘某某", person_post="出纳",
            person_unit=village, person_kind=PersonKind.VILLAGE_MANAGER, form=DispositionForm.SECOND,
            party_sanction="warning" if i % 3 == 0 else "", decided_on=today, decided_by="大箕铺镇纪委")
        recommendation = Recommendation.objects.create(
            organ=world.town, recipient=sheet.station.target, station=sheet.station, title="建议书", facts="事实",
            causes="原因", items="建议一", state=RecommendationState.ISSUED,
            reply_due=today + timedelta(days=30), issued_at=timezone.now())
        recommendation.findings.add(sheet)


def expected(world, township=None, category=None) -> dict:
    """Counts computed here, independently of supervision.dashboard: plain ORM filters and Python. Rounds and
    stations are those held (confirmed stations, not proposals) at the township's units, whatever the category."""
    today = timezone.localdate()
    sheets = Finding.objects.filter(state=FindingState.CONFIRMED)
    stations = [s for s in Station.objects.select_related("target") if s.state != StationState.PROPOSED
                and (township is None or township.pk in (s.target_id, s.target.parent_id))]
    items = list(RectificationItem.objects.filter(letter__state=LetterState.ISSUED)
                 .select_related("letter__station__target", "finding"))
    if township:
        in_town = Q(station__target=township) | Q(station__target__parent=township)
        sheets = sheets.filter(in_town)
        items = [i for i in items if township.pk in (i.letter.station.target_id,
                                                     i.letter.station.target.parent_id)]
    if category:
        sheets = sheets.filter(category=category)
        items = [i for i in items if i.finding.category == category]
    levels = [deadline_level(i.deadline, today, i.state == ItemState.CLOSED) for i in items]
    by_category = {}
    for value in sheets.values_list("category", flat=True):
        by_category[value] = by_category.get(value, 0) + 1
    closed = sum(1 for i in items if i.state == ItemState.CLOSED)
    return {
        "problems": sheets.count(),
        "stations": len(stations),
        "rounds": len({s.round_id for s in stations}),
        "amount": sheets.aggregate(s=Sum("amount"))["s"] or Decimal(0),
        "by_category": by_category,
        "items": len(items), "closed": closed,
        "rate": f"{round(closed * 100 / len(items), 1)}%" if items else "—",
        "red": levels.count("red"), "yellow": levels.count("yellow"), "green": levels.count("green"),
    }


def assert_matches(page: str, want: dict):
    assert number(page, "dash-problems") == want["problems"]
    assert number(page, "dash-stations") == want["stations"]
    assert number(page, "dash-rounds") == want["rounds"]
    assert Decimal(figure(page, "dash-amount").replace(",", "")) == want["amount"]  # shown as 126,600.00
    assert number(page, "dash-items-total") == want["items"]
    assert number(page, "dash-items-closed") == want["closed"]
    assert figure(page, "dash-rate") == want["rate"]
    for colour in ("red", "yellow", "green"):
        assert number(page, f"dash-items-{colour}") == want[colour], colour
    shown = {code: int(n) for code, n in re.findall(r'data-testid="dash-category-(\w+)">(\d+)<', page)}
    assert shown == want["by_category"]


# --- access ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["admin", "leader", "member", "liaison", "case_office", "outsider"])
def test_others_get_404(client_for, rect_world, role):
    assert client_for(role).get(URL).status_code == 404


@pytest.mark.parametrize("role", ["commission", "commission_leader"])
def test_commission_opens_it(client_for, rect_world, role):
    page = page_for(client_for(role))
    assert "委机关总览" in page and 'data-testid="dashboard-figures"' in page


def test_target_liaison_and_other_team_get_404(client, rect_world):
    for name in ("target_liaison", "other_team"):
        client.force_login(rect_world.users[name])
        assert client.get(URL).status_code == 404


# --- numbers --------------------------------------------------------------------------------------------------------

def test_numbers_equal_independent_counts(client_for, rect_world):
    world = rect_world
    today = timezone.localdate()
    world.items[0].deadline = today - timedelta(days=2)  # one overdue
    world.items[0].save()
    world.other_item.state, world.other_item.closed_at = ItemState.CLOSED, timezone.now()
    world.other_item.save()
    grow(world, 12)
    page = page_for(client_for("commission"))
    want = expected(world)
    assert want["problems"] > 10 and want["red"] and want["closed"]
    assert_matches(page, want)
    assert number(page, "dash-letters") == 2
    assert number(page, "dash-leads-transferred") == ProblemLead.objects.filter(
        state__in=[LeadState.TRANSFERRED, LeadState.DISPOSING, LeadState.CONCLUDED]).count()
    assert number(page, "dash-leads-handled") == ProblemLead.objects.filter(state=LeadState.CONCLUDED).count()
    assert number(page, "dash-people-dealt") == Disposition.objects.count()
    assert number(page, "dash-people-sanctioned") == Disposition.objects.exclude(party_sanction="",
                                                                                 gov_sanction="").count()
    assert number(page, "dash-recommendations") == Recommendation.objects.filter(
        state=RecommendationState.ISSUED).count()


def test_numbers_with_township_and_category_filters(client_for, rect_world):
    world = rect_world
    grow(world, 12)
    other_town = TownshipFactory(name="另一镇")
    target_b = world.stations["B"].target
    target_b.parent = other_town
    target_b.save()
    client = client_for("commission")
    for township in (world.town, other_town):
        page = page_for(client, {"township": township.pk})
        assert_matches(page, expected(world, township=township))
        assert f'data-township="{township.pk}"' in page
    page = page_for(client, {"category": Theme.SUBSIDIES})
    assert_matches(page, expected(world, category=Theme.SUBSIDIES))
    page = page_for(client, {"category": Theme.THREE_ASSETS, "township": world.town.pk})
    want = expected(world, township=world.town, category=Theme.THREE_ASSETS)
    assert_matches(page, want)
    assert want["problems"] and want["problems"] < expected(world)["problems"]


def test_demo_numbers(client, rounds_demo):
    """The demo's figures: 4 confirmed sheets, a lead, a disposition, a recommendation, a letter with 2 items."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(groups__name="commission_staff").first()
    client.force_login(user)
    page = page_for(client)
    assert number(page, "dash-problems") == Finding.objects.filter(state=FindingState.CONFIRMED).count() == 4
    assert number(page, "dash-items-total") == RectificationItem.objects.count() == 2
    assert number(page, "dash-letters") == 1
    assert number(page, "dash-people-dealt") == Disposition.objects.count()
    assert number(page, "dash-leads-transferred") == ProblemLead.objects.exclude(
        state__in=[LeadState.DRAFT, LeadState.CANCELLED]).count()


def test_trend_counts_months(client_for, rect_world):
    grow(rect_world, 14)
    page = page_for(client_for("commission"))
    today = timezone.localdate()
    rows = re.findall(r'data-testid="dash-month-(\d{4}-\d{2})">(\d+)<', page)
    assert len(rows) == 12 and rows[-1][0] == today.strftime("%Y-%m")
    sheets = Finding.objects.filter(state=FindingState.CONFIRMED)
    for label, n in rows:
        year, month = map(int, label.split("-"))
        assert int(n) == sheets.filter(found_on__year=year, found_on__month=month).count(), label


# --- links ----------------------------------------------------------------------------------------------------------

def test_every_number_links_with_the_filter(client_for, rect_world):
    world = rect_world
    page = page_for(client_for("commission"), {"township": world.town.pk, "category": Theme.THREE_ASSETS,
                                                "start": "2025-01-01"})
    query = f"township={world.town.pk}"
    links = re.findall(r'href="([^"]+)"><div class="muted">', page)
    assert links and all(query in link and "category=three_assets" in link and "start=2025-01-01" in link
                         for link in links), links
    assert f'href="{reverse("item_list")}?start=2025-01-01&amp;township={world.town.pk}&amp;category=three_assets'\
           f'&amp;level=red"' in page
    assert f"{reverse('lead_list')}?" in page and f"{reverse('disposition_list')}?" in page


def test_chart_data_and_scripts_are_local(client_for, rect_world):
    page = page_for(client_for("commission"))
    assert '<script id="dashboard-data" type="application/json">' in page
    assert "/static/vendor/chart.umd.min.js" in page and "/static/js/dashboard.js" in page
    assert "http://" not in page.split("<main>")[1] and "https://" not in page.split("<main>")[1]
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", page)  # no inline script


# --- query budget ---------------------------------------------------------------------------------------------------

def test_query_budget_does_not_grow(client_for, rect_world, within_budget, no_cache):
    world = rect_world
    client = client_for("commission")
    params = {"township": world.town.pk, "category": Theme.THREE_ASSETS, "start": "2025-01-01"}
    counted = []
    for size in (4, 40):  # demo-sized, then ten times more
        grow(world, size)
        for query in (None, params):
            within_budget(client, URL, BUDGET, query)
            with CaptureQueriesContext(connection) as captured:
                client.get(URL, query)
            counted.append(len(captured))
    # The same page costs the same at ten times the rows (the township filter's own check is one more query).
    assert counted[0::2] == [counted[0]] * 2 and counted[1::2] == [counted[1]] * 2, counted


# --- cache ----------------------------------------------------------------------------------------------------------

def test_cache_is_per_user(client, rect_world):
    """A user who sees only their own station's sheets (a leader given the dashboard's permissions) and a commission
    staff member, one right after the other: each gets their own figures."""
    world = rect_world
    leader = world.users["leader"]
    leader.user_permissions.add(*Permission.objects.filter(
        content_type__app_label__in=["rounds", "rectification"],
        codename__in=["view_batch", "view_rectificationitem"]))
    client.force_login(world.users["commission"])
    everything = page_for(client)
    client.force_login(leader)
    own = page_for(client)
    assert number(everything, "dash-problems") == Finding.objects.filter(state=FindingState.CONFIRMED).count() == 3
    assert number(own, "dash-problems") == Finding.objects.filter(state=FindingState.CONFIRMED,
                                                                  station=world.stations["A"]).count() == 2
    assert number(everything, "dash-items-total") == 3 and number(own, "dash-items-total") == 2
    assert 'data-testid="dash-leads-transferred"' not in own  # the leader does not track leads
    # the cache is used (the commission's numbers are 60 s old) but not shared (the leader sees new numbers)
    grow(world, 2)
    client.force_login(world.users["commission"])
    assert number(page_for(client), "dash-problems") == 3
    cache.clear()
    assert number(page_for(client), "dash-problems") == 5


# --- bad filters ----------------------------------------------------------------------------------------------------

def test_bad_filter_shows_a_message(client_for, rect_world):
    page = page_for(client_for("commission"), {"start": "2026-13-45", "batch": "abc", "township": "1;drop",
                                                "category": "nonsense", "end": "yesterday"})
    assert 'data-testid="filter-errors"' in page and "无效" in page
    assert number(page, "dash-problems") == 3  # the bad values were ignored


def test_unknown_ids_give_zero(client_for, rect_world):
    page = page_for(client_for("commission"), {"batch": 999999, "township": 999999})
    assert number(page, "dash-problems") == 0 and number(page, "dash-items-total") == 0
    assert figure(page, "dash-rate") == "—"


def test_filter_selects_list_townships_and_batches(client_for, rect_world):
    page = page_for(client_for("commission"))
    assert f'<option value="{rect_world.town.pk}"' in page and rect_world.batch.name in page
    assert rect_world.villages["水南湾村"].kind == UnitKind.VILLAGE
    assert f'<option value="{rect_world.villages["水南湾村"].pk}"' not in page


def test_home_links_the_dashboard(client_for, rect_world):
    assert reverse("dashboard") in client_for("commission").get("/").content.decode()
    assert reverse("dashboard") not in client_for("member").get("/").content.decode()
