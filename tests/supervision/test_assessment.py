"""The annual assessment feed (年度考核数据): commission staff and leaders only, one row per unit with a station
in the year, counts equal to independent ORM counts, the score following the configured weights, a query budget
that does not grow with the rows, and the Excel file matching the page (formula-injection safe)."""

import re
from datetime import date, timedelta
from io import BytesIO
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

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
from supervision.assessment import columns
from tests.helpers import text

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results", "tests.rectification.fixtures_rectification"]
pytestmark = pytest.mark.usefixtures("zh_hans")

URL = "/assessment/"
BUDGET = 10
WEIGHTS = {"problem": 2, "overdue_open": 5, "closed_late": 2, "reopened": 3, "lead": 5, "person_dealt": 3}
_numbers = count(1)


@pytest.fixture
def year(rect_world):
    return rect_world.batch.year


@pytest.fixture(autouse=True)
def weights(settings):
    settings.ASSESSMENT_WEIGHTS = dict(WEIGHTS)
    return settings


def add_rows(world, rect_make_item, n: int):
    """n more stations (new rounds of the year's batch) at each of the two villages, each with a confirmed sheet
    found this year; n items in each state of the rectification performance on each letter; leads, dispositions
    and recommendations."""
    today, now = timezone.localdate(), timezone.now()
    start = Round.objects.filter(batch=world.batch).count() + 1
    for i in range(n):
        rnd = Round.objects.create(batch=world.batch, number=start + i, start_date=date(2026, 5, 1),
                                   end_date=date(2026, 5, 7))
        for name in ("水南湾村", "柯大兴村"):
            village = world.villages[name]
            station = Station.objects.create(round=rnd, target=village, state=StationState.STATIONED)
            k = next(_numbers)
            sheet = Finding.objects.create(station=station, number=f"ASMT-{station.pk}-{k}", sequence=k,
                                           title=f"问题{k}", observed="测试", category=Theme.LAND, found_on=today,
                                           state=FindingState.CONFIRMED, responsible_unit=village)
            ProblemLead.objects.create(finding=sheet, subject_name="某某", subject_unit=village, summary="线索",
                                       state=LeadState.TRANSFERRED if i % 2 else LeadState.DRAFT,
                                       transferred_at=now if i % 2 else None)
            Disposition.objects.create(finding=sheet, person_name="张某", person_post="村干部", person_unit=village,
                                       person_kind=PersonKind.VILLAGE_MANAGER, form=DispositionForm.FIRST,
                                       decided_on=today, decided_by="大箕铺镇纪委")
            Recommendation.objects.create(organ=world.town, recipient=village, title="建议书", facts="事实",
                                          causes="原因", items="建议一", reply_due=today + timedelta(days=30),
                                          state=RecommendationState.ISSUED if i % 2 else RecommendationState.DRAFT,
                                          issued_at=now if i % 2 else None)
        for letter in (world.letter, world.other_letter):
            late = rect_make_item(letter, today - timedelta(days=10), state=ItemState.CLOSED,
                                  closed_at=now - timedelta(days=2))
            rect_make_item(letter, today + timedelta(days=10), state=ItemState.CLOSED, closed_at=now)
            overdue = rect_make_item(letter, today - timedelta(days=3), state=ItemState.IN_PROGRESS)
            ItemEvent.objects.create(item=overdue if i % 2 else late, kind=ItemEventKind.REOPEN, text="回头看")


def expected_rows(year: int) -> dict[int, dict]:
    """Every row counted independently, in Python over the records."""
    today = timezone.localdate()
    units = set(Station.objects.filter(round__batch__year=year).values_list("target", flat=True))
    reopened = set(ItemEvent.objects.filter(kind=ItemEventKind.REOPEN).values_list("item_id", flat=True))
    rows = {}
    for unit in units:
        items = [i for i in RectificationItem.objects.select_related("letter__station__round__batch")
                 if i.letter.recipient_id == unit and i.letter.station.round.batch.year == year]
        closed = [i for i in items if i.state == ItemState.CLOSED]
        row = {
            "stations": Station.objects.filter(target=unit, round__batch__year=year).count(),
            "problems": Finding.objects.filter(station__target=unit, state=FindingState.CONFIRMED,
                                               found_on__year=year).count(),
            "items": len(items),
            "closed_on_time": sum(timezone.localdate(i.closed_at) <= i.deadline for i in closed),
            "closed_late": sum(timezone.localdate(i.closed_at) > i.deadline for i in closed),
            "overdue_open": sum(i.state != ItemState.CLOSED and i.deadline < today for i in items),
            "reopened": sum(i.pk in reopened for i in items),
            "recommendations": Recommendation.objects.filter(
                recipient=unit, issued_at__year=year,
                state__in=[RecommendationState.ISSUED, RecommendationState.REPLIED]).count(),
            "leads": ProblemLead.objects.filter(
                finding__station__target=unit, transferred_at__year=year,
                state__in=[LeadState.TRANSFERRED, LeadState.DISPOSING, LeadState.CONCLUDED]).count(),
            "people_dealt": Disposition.objects.filter(person_unit=unit, decided_on__year=year).count(),
        }
        measures = {"problem": "problems", "overdue_open": "overdue_open", "closed_late": "closed_late",
                    "reopened": "reopened", "lead": "leads", "person_dealt": "people_dealt"}
        row["score"] = max(0, 100 - sum(WEIGHTS[k] * row[m] for k, m in measures.items()))
        rows[unit] = row
    return rows


def page_rows(page: str) -> list[dict]:
    rows = []
    for pk, body in re.findall(r'<tr data-unit="(\d+)">(.*?)</tr>', page, re.S):
        cells = {key: re.sub(r"<[^>]+>", "", value).strip()
                 for key, value in re.findall(r'data-col="(\w+)">(.*?)</td>', body, re.S)}
        cells["pk"] = int(pk)
        rows.append(cells)
    return rows


def as_number(value: str):
    number = float(value)
    return int(number) if number == int(number) else number


@pytest.mark.parametrize("role", ["commission", "commission_leader"])
def test_rows_equal_independent_counts(rect_world, rect_make_item, client_for, year, role):
    add_rows(rect_world, rect_make_item, 3)
    response = client_for(role).get(URL, {"year": year})
    assert response.status_code == 200
    rows = page_rows(text(response))
    want = expected_rows(year)
    assert {row["pk"] for row in rows} == set(want) == {rect_world.villages["水南湾村"].pk,
                                                         rect_world.villages["柯大兴村"].pk}
    for row in rows:
        for key, value in want[row["pk"]].items():
            assert as_number(row[key]) == value, (row["name"], key)
    scores = [as_number(row["score"]) for row in rows]
    assert scores == sorted(scores, reverse=True)


def test_score_follows_the_weights(rect_world, rect_make_item, client_for, year, weights):
    add_rows(rect_world, rect_make_item, 2)
    village = rect_world.villages["水南湾村"].pk
    weights.ASSESSMENT_WEIGHTS = {"problem": 1}
    page = text(client_for("commission").get(URL, {"year": year}))
    row = next(r for r in page_rows(page) if r["pk"] == village)
    assert as_number(row["score"]) == 100 - int(row["problems"])
    assert 'data-testid="weight-problem">1<' in page and "weight-lead" not in page
    weights.ASSESSMENT_WEIGHTS = {"problem": 0, "overdue_open": 50}
    row = next(r for r in page_rows(text(client_for("commission").get(URL, {"year": year}))) if r["pk"] == village)
    assert int(row["overdue_open"]) >= 2 and as_number(row["score"]) == 0  # the floor


def test_year_without_stations_is_empty(rect_world, client_for):
    page = text(client_for("commission").get(URL, {"year": 2024}))
    assert 'data-testid="assessment-empty"' in page and not page_rows(page)


@pytest.mark.parametrize("role", ["member", "leader", "other_team", "liaison", "target_liaison", "case_office",
                                  "admin", "outsider"])
def test_others_get_404(rect_world, client_for, year, role):
    client = client_for(role)
    assert client.get(URL).status_code == 404
    assert client.get(reverse("assessment_export", args=[year])).status_code == 404


def test_query_budget_does_not_grow(rect_world, rect_make_item, client_for, within_budget, year):
    client = client_for("commission")
    within_budget(client, URL, BUDGET, {"year": year})
    connection.queries_log.clear()  # the log keeps at most 9000 queries: the fixtures fill it
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"year": year})
    add_rows(rect_world, rect_make_item, 10)
    client.get(URL, {"year": year})
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as many:
        client.get(URL, {"year": year})
    assert len(many) == len(few) <= BUDGET, (len(few), len(many))
    with CaptureQueriesContext(connection) as export:
        assert client.get(reverse("assessment_export", args=[year])).status_code == 200
    assert len(export) <= BUDGET


def test_excel_matches_the_page_and_is_formula_safe(rect_world, rect_make_item, client_for, year):
    add_rows(rect_world, rect_make_item, 2)
    other = rect_world.villages["柯大兴村"]
    other.name = "=HYPERLINK(\"http://x\")村"
    other.save(update_fields=["name"])
    client = client_for("commission")
    rows = page_rows(text(client.get(URL, {"year": year})))
    response = client.get(reverse("assessment_export", args=[year]))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    keys = [key for key, _heading in columns()]
    assert list(values[0]) == [heading for _key, heading in columns()]
    body = [dict(zip(keys, row, strict=True)) for row in values[1:]]
    assert len(body) == len(rows)
    for from_page, from_file in zip(rows, body, strict=True):
        for key in keys:
            if key == "name":
                continue
            expected = from_page[key]
            got = from_file[key]
            assert (as_number(expected) if isinstance(got, int | float) else expected) == (got or ""), key
    names = [row["name"] for row in body]
    assert "'=HYPERLINK(\"http://x\")村" in names and "水南湾村" in names
    assert all(not str(cell).startswith(("=", "+", "-", "@"))
               for row in values for cell in row if isinstance(cell, str))
    weights = {row[0]: row[1] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True) if row[1]}
    assert weights["发现问题"] == WEIGHTS["problem"]
