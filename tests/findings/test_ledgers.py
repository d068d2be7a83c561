"""The problem list (问题清单) and the two ledgers (台账) as Excel: who sees what (compared to the permission rules),
the shared filters narrowing the list and the ledger identically, formula injection neutralised, numbers and dates
kept as such, and query counts that do not grow with the rows."""

import io
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from findings.ledgers import ALL, item_rows, items_for, problem_ledger, problems_for, rectification_ledger
from findings.models import Finding, FindingState
from rectification.models import ItemEvent, ItemEventKind, ItemState, RectificationItem
from rounds.models import Station, StationState, Theme
from supervision.filters import ResultFilter
from tests.factories import TownshipFactory, VillageFactory
from tests.helpers import text

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results", "tests.rectification.fixtures_rectification"]
pytestmark = pytest.mark.usefixtures("zh_hans")

LIST, PROBLEMS, ITEMS = reverse("problem_list"), reverse("problem_ledger"), reverse("rectification_ledger")
LIST_BUDGET = 12
LEDGER_BUDGET = 9
_numbers = count(1)


def sheet(station, title="测试问题", **fields):
    n = next(_numbers)
    values = {"observed": f"{title}（表现）", "category": Theme.THREE_ASSETS, "found_on": timezone.localdate(),
              "state": FindingState.CONFIRMED, "responsible_unit": station.target}
    values.update(fields)
    return Finding.objects.create(station=station, number=f"LEDGER-{station.pk}-{n}", sequence=1000 + n,
                                  title=title, **values)


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return book.worksheets[0]


def data(sheet_):
    return [list(row) for row in sheet_.iter_rows(min_row=2, values_only=True)]


def ledger_numbers(client, params=None):
    return sorted(row[1] for row in data(workbook(client.get(PROBLEMS, params))))


def listed_numbers(client, params=None):
    response = client.get(LIST, {**(params or {}), "page": 1})
    assert response.status_code == 200
    return sorted(f.number for f in response.context["page"].paginator.object_list)


def confirmed(queryset):
    return sorted(queryset.filter(state=FindingState.CONFIRMED).values_list("number", flat=True))


# --- who sees what -------------------------------------------------------------------------------------------------

def test_commission_sees_every_confirmed_problem(client_for, rect_world):
    client = client_for("commission")
    expected = confirmed(Finding.objects.all())
    assert len(expected) == 3  # station A: the sheet and the second item's; station B: its item's
    assert listed_numbers(client) == expected == ledger_numbers(client)
    page = text(client.get(LIST))
    assert "导出问题台账" in page and rect_world.sheet.number in page
    # "all" adds the draft; the list and the ledger agree.
    everything = sorted(Finding.objects.values_list("number", flat=True))
    assert listed_numbers(client, {"state": ALL}) == everything == ledger_numbers(client, {"state": ALL})
    assert ledger_numbers(client, {"state": "draft"}) == [rect_world.draft_sheet.number]


@pytest.mark.parametrize("role", ["leader", "member"])
def test_team_sees_only_its_stations(client_for, rect_world, role):
    client = client_for(role)
    expected = confirmed(Finding.objects.filter(station=rect_world.stations["A"]))
    assert listed_numbers(client) == expected == ledger_numbers(client)
    assert rect_world.other_item.finding.number not in expected


def test_other_team_sees_only_station_b(client_for, rect_world):
    client = client_for("other_team")
    expected = confirmed(Finding.objects.filter(station=rect_world.stations["B"]))
    assert expected and listed_numbers(client) == expected == ledger_numbers(client)


@pytest.mark.parametrize("role", ["liaison", "target_liaison", "case_office", "outsider"])
def test_no_stations_no_problem_list(client_for, rect_world, role):
    client = client_for(role)
    assert client.get(LIST).status_code == 404
    assert client.get(PROBLEMS).status_code == 404


@pytest.mark.parametrize("role", ["case_office", "outsider"])
def test_no_items_no_rectification_ledger(client_for, rect_world, role):
    assert client_for(role).get(ITEMS).status_code == 404


def test_anonymous_is_sent_away(client, rect_world):
    for url in (LIST, PROBLEMS, ITEMS):
        assert client.get(url).status_code in (302, 404)


def item_keys(client, params=None):
    return sorted((row[0], row[1]) for row in data(workbook(client.get(ITEMS, params))))


def keys(items):
    return sorted((item.letter.number, item.sequence) for item in items)


def test_rectification_ledger_follows_the_permission_rules(client, client_for, rect_world):
    everything = keys(RectificationItem.objects.select_related("letter"))
    assert len(everything) == 3
    assert item_keys(client_for("commission")) == everything
    assert item_keys(client_for("leader")) == keys(rect_world.items)
    assert item_keys(client_for("other_team")) == keys([rect_world.other_item])
    assert item_keys(client_for("target_liaison")) == keys(rect_world.items)  # 水南湾村's
    client.force_login(rect_world.other_liaison)
    assert item_keys(client) == keys([rect_world.other_item])  # 柯大兴村's only
    # A liaison of a village without letters gets an empty ledger (the header only).
    assert item_keys(client_for("liaison")) == []


# --- filters -------------------------------------------------------------------------------------------------------

@pytest.fixture
def elsewhere(rect_world):
    """A second township with a village and a station in the same round, and sheets of other categories/dates."""
    town = TownshipFactory(name="河铺镇", doc_prefix="河纪")
    village = VillageFactory(name="河口村", parent=town)
    station_a = rect_world.stations["A"]
    station = Station.objects.create(round=station_a.round, target=village, state=StationState.STATIONED)
    rect_world.town2 = town
    rect_world.far = [sheet(station, "河口村问题一", category=Theme.SUBSIDIES, found_on=date(2025, 6, 1)),
                      sheet(station, "河口村问题二", found_on=date(2025, 7, 1))]
    return rect_world


def test_filters_narrow_list_and_ledger_identically(client_for, elsewhere):
    world = elsewhere
    client = client_for("commission")
    station_b_batch = world.stations["B"].round.batch_id
    cases = [
        ({"township": world.town2.pk}, Finding.objects.filter(station__target__parent=world.town2)),
        ({"township": world.town.pk}, Finding.objects.filter(station__target__parent=world.town)),
        ({"category": Theme.SUBSIDIES}, Finding.objects.filter(category=Theme.SUBSIDIES)),
        ({"start": "2025-06-15", "end": "2025-12-31"},
         Finding.objects.filter(found_on__range=(date(2025, 6, 15), date(2025, 12, 31)))),
        ({"batch": station_b_batch}, Finding.objects.filter(station__round__batch=station_b_batch)),
        ({"township": world.town2.pk, "category": Theme.THREE_ASSETS},
         Finding.objects.filter(station__target__parent=world.town2, category=Theme.THREE_ASSETS)),
    ]
    for params, expected_qs in cases:
        expected = confirmed(expected_qs)
        assert listed_numbers(client, params) == expected == ledger_numbers(client, params), params
        # The count on the page (from the problem tally for those who see every station) is the same number.
        assert client.get(LIST, params).context["page"].paginator.count == len(expected), params
    assert confirmed(Finding.objects.filter(station__target__parent=world.town2)) == sorted(f.number for f in world.far)


def test_the_export_link_carries_the_filters(client_for, elsewhere):
    response = client_for("commission").get(LIST, {"township": elsewhere.town2.pk, "category": Theme.SUBSIDIES,
                                                     "state": ALL, "start": "2025-01-01"})
    link = response.context["ledger_url"]
    assert link.startswith(PROBLEMS + "?")
    for part in (f"township={elsewhere.town2.pk}", f"category={Theme.SUBSIDIES}", "state=all", "start=2025-01-01"):
        assert part in link
    assert 'data-testid="problem-ledger-link"' in text(response)


def test_bad_filters_are_shown_not_a_crash(client_for, rect_world):
    client = client_for("commission")
    response = client.get(LIST, {"start": "2025-13-45", "batch": "x", "category": "nonsense", "state": "weird"})
    assert response.status_code == 200
    assert 'data-testid="filter-errors"' in text(response)
    assert client.get(PROBLEMS, {"start": "nope", "township": "--"}).status_code == 200
    assert client.get(ITEMS, {"state": "nope", "level": "purple"}).status_code == 200


def test_rectification_ledger_filters(client_for, rect_world):
    client = client_for("commission")
    soon = rect_world.items[1]  # 5 days left: yellow
    assert item_keys(client, {"level": "yellow"}) == keys([soon])
    RectificationItem.objects.filter(pk=soon.pk).update(state=ItemState.IN_PROGRESS)
    assert item_keys(client, {"state": ItemState.IN_PROGRESS}) == keys([soon])
    assert item_keys(client, {"township": rect_world.town.pk}) == keys(RectificationItem.objects.all())
    assert item_keys(client, {"batch": rect_world.batch.pk + 999}) == []
    assert item_keys(client, {"category": Theme.SUBSIDIES}) == []


# --- the workbooks -------------------------------------------------------------------------------------------------

def test_problem_ledger_columns_types_and_headers(client_for, rect_world):
    response = client_for("commission").get(PROBLEMS)
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="problem-ledger-')
    assert "filename*=UTF-8''%E9%97%AE%E9%A2%98%E5%8F%B0%E8%B4%A6-" in disposition  # 问题台账-
    assert response["Cache-Control"].startswith("private")
    sheet_ = workbook(response)
    header = [cell.value for cell in sheet_[1]]
    assert header == ["序号", "底稿编号", "问题标题", "问题类别", "被监督单位", "所属乡镇", "批次", "轮次", "发现日期",
                      "涉及金额（元）", "问题表现", "状态", "整改状态"]
    assert all(cell.font.bold for cell in sheet_[1])
    assert sheet_.freeze_panes == "A2"
    assert sheet_.column_dimensions["C"].width > 20
    rows = {row[1]: row for row in data(sheet_)}
    row = rows[rect_world.sheet.number]
    assert row[2] == rect_world.sheet.title and row[3] == "村级三资"  # the category's label, not its code
    assert row[4] == "水南湾村" and row[5] == "大箕铺镇" and row[6] == rect_world.batch.name
    assert isinstance(row[7], int)
    amount_cell = sheet_.cell(row=list(rows).index(row[1]) + 2, column=10)
    assert row[9] == 126000 and amount_cell.data_type == "n"
    assert sheet_.cell(row=2, column=9).is_date
    assert row[8].date() == rect_world.sheet.found_on
    assert row[11] == "已确认" and row[12] == "待整改"
    assert [r[0] for r in data(sheet_)] == list(range(1, len(rows) + 1))


def test_formula_injection_is_neutralised(client_for, rect_world):
    station = rect_world.stations["A"]
    titles = ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\t=1+1", "正常标题"]
    for title in titles:
        sheet(station, title, observed="=cmd|' /C calc'!A0", amount=Decimal("-12.50"))
    rows = {row[2]: row for row in data(workbook(client_for("commission").get(PROBLEMS)))}
    for title in titles[:-1]:
        assert f"'{title}" in rows, title
        assert rows[f"'{title}"][10] == "'=cmd|' /C calc'!A0"
        assert rows[f"'{title}"][9] == -12.5  # a number (negative), not neutralised text
    assert "正常标题" in rows


def test_rectification_ledger_columns_and_reopens(client_for, rect_world):
    item = rect_world.items[0]
    closed_at = timezone.now() - timedelta(days=1)
    RectificationItem.objects.filter(pk=item.pk).update(state=ItemState.CLOSED, closed_at=closed_at,
                                                        measures="=1+2", responsible_leader="张书记")
    for _ in range(2):
        ItemEvent.objects.create(item=item, kind=ItemEventKind.REOPEN, text="回头看发现反弹")
    ItemEvent.objects.create(item=item, kind=ItemEventKind.PROGRESS, text="进展")
    response = client_for("commission").get(ITEMS)
    assert "filename*=UTF-8''%E6%95%B4%E6%94%B9%E5%8F%B0%E8%B4%A6-" in response["Content-Disposition"]  # 整改台账-
    sheet_ = workbook(response)
    assert "建账—更新—销号" in sheet_.title
    assert [cell.value for cell in sheet_[1]] == ["交办函文号", "序号", "问题", "整改要求", "整改目标", "措施", "责任领导",
                                                  "责任部门", "完成时限", "状态", "距期限", "销号时间", "回头看次数"]
    rows = {(row[0], row[1]): row for row in data(sheet_)}
    row = rows[(item.letter.number, item.sequence)]
    assert row[5] == "'=1+2" and row[6] == "张书记"
    assert row[8].date() == item.deadline and row[9] == "已销号" and row[10] == "已销号"
    assert abs(row[11] - timezone.localtime(closed_at).replace(tzinfo=None, microsecond=0)) < timedelta(seconds=1)
    assert row[12] == 2
    other = rows[(rect_world.other_item.letter.number, rect_world.other_item.sequence)]
    assert other[10] == "剩余15天" and other[11] is None and other[12] == 0


# --- query budgets -------------------------------------------------------------------------------------------------

def _grow(rect_world, n):
    station = rect_world.stations["A"]
    for i in range(n):
        sheet(station, f"批量问题{i}", amount=Decimal(i))


@pytest.mark.parametrize("role", ["commission", "leader"])
def test_list_budget_does_not_grow(client_for, rect_world, within_budget, role):
    client = client_for(role)
    _grow(rect_world, 3 - Finding.objects.filter(state=FindingState.CONFIRMED, station=rect_world.stations["A"])
          .count())
    within_budget(client, LIST, LIST_BUDGET)
    _grow(rect_world, 27)
    response = within_budget(client, LIST, LIST_BUDGET)
    assert response.context["page"].paginator.count >= 30
    assert 'data-testid="item-state"' in text(response)


def test_building_the_ledgers_costs_constant_queries(rect_world, rect_make_item, django_assert_max_num_queries):
    commission = rect_world.users["commission"]
    commission.has_perm("rounds.view_station")  # fill the permission cache, as the request's gate does
    commission.has_perm("rectification.view_handoffletter")

    def build():
        with django_assert_max_num_queries(2):
            handle = problem_ledger(problems_for(commission, ResultFilter(), ALL))
        problems = load_workbook(handle).worksheets[0].max_row - 1
        handle.close()
        with django_assert_max_num_queries(2):
            handle = rectification_ledger(items_for(commission, ResultFilter()))
        items = load_workbook(handle).worksheets[0].max_row - 1
        handle.close()
        return problems, items

    first = build()
    _grow(rect_world, 30)
    today = timezone.localdate()
    for i in range(30):
        rect_make_item(rect_world.letter, today + timedelta(days=i), title=f"批量整改{i}")
    second = build()
    assert second[0] == first[0] + 60 and second[1] == first[1] + 30


def test_item_rows_read_values_only(rect_world, django_assert_num_queries):
    commission = rect_world.users["commission"]
    commission.has_perm("rectification.view_handoffletter")
    with django_assert_num_queries(1):
        rows = list(item_rows(items_for(commission, ResultFilter()), timezone.localdate()))
    assert len(rows) == 3


@pytest.mark.parametrize("role", ["commission", "leader", "target_liaison"])
def test_ledger_downloads_budget_does_not_grow(client_for, rect_world, rect_make_item, django_assert_max_num_queries,
                                               role):
    client = client_for(role)
    urls = [ITEMS] if role == "target_liaison" else [PROBLEMS, ITEMS]

    def fetch():
        for url in urls:
            client.get(url)  # warm-up
            with django_assert_max_num_queries(LEDGER_BUDGET):
                response = client.get(url)
                sizes[url].append(len(data(workbook(response))))

    sizes = {url: [] for url in urls}
    fetch()
    _grow(rect_world, 30)
    today = timezone.localdate()
    for i in range(30):
        rect_make_item(rect_world.letter, today + timedelta(days=i), title=f"批量整改{i}")
    fetch()
    assert all(second >= first + 30 for first, second in sizes.values())
