"""The commission's overview in the browser: commission staff filter it by township, drill into the overdue items
behind the red number, export the rectification ledger of exactly those items and open the file.
Screenshots in test-artifacts/screenshots/dashboard-*.png."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from rectification.models import RectificationItem
from supervision.demo import DEMO_PASSWORD
from supervision.models import Unit

from .conftest import login, no_overflow


@pytest.fixture
def overdue(transactional_db):
    """The demo, with the first item of its hand-off letter (五金村, 大箕铺镇) three days overdue."""
    call_command("load_demo", stdout=open("/dev/null", "w"))
    item = RectificationItem.objects.order_by("letter_id", "sequence").first()
    RectificationItem.objects.filter(pk=item.pk).update(deadline=timezone.localdate() - timedelta(days=3))
    call_command("rebuild_tallies", stdout=open("/dev/null", "w"))  # update() bypasses the rollups' upkeep
    return item


def count(page, testid: str) -> int:
    return int(page.locator(f"[data-testid={testid}]").inner_text().strip())


def test_commission_filters_by_township_drills_into_overdue_items_and_exports_the_ledger(overdue, live_server,
                                                                                        page, phone, shot):
    from openpyxl import load_workbook

    base = live_server.url
    town = Unit.objects.get(name="大箕铺镇")
    other_town = Unit.objects.get(name="金牛镇")
    login(page, base, "commission", DEMO_PASSWORD)
    page.click("nav.nav a:has-text('总览')")
    assert count(page, "dash-problems") >= 4 and count(page, "dash-items-red") == 1
    shot(page, "dashboard-all")

    # Another township has none of it; 大箕铺镇 has the overdue item.
    page.select_option("select[name=township]", str(other_town.pk))
    page.click("main form button:has-text('筛选')")
    assert count(page, "dash-problems") == 0
    red = page.locator("[data-testid=dash-items-red]")
    assert red.count() == 0 or int(red.inner_text()) == 0  # no items there at all: the section may be left out
    page.select_option("select[name=township]", str(town.pk))
    page.click("main form button:has-text('筛选')")
    assert f"township={town.pk}" in page.url
    assert count(page, "dash-items-red") == 1

    # The red number drills down to the item behind it, with the same filters.
    page.click("a:has([data-testid=dash-items-red])")
    page.wait_for_url("**/rectification/items/**")
    assert f"township={town.pk}" in page.url and "level=red" in page.url
    rows = page.locator("[data-testid=item-list] tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-item") == str(overdue.pk)
    assert "逾期3天" in rows.first.inner_text()
    shot(page, "dashboard-overdue-items")

    # The ledger holds exactly those rows; text cells are plain text.
    with page.expect_download() as download_info:
        page.click("[data-testid=rectification-ledger]")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    sheet = workbook.active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ["交办函文号", "序号", "问题"]
    assert len(values) == 2 and values[1][2] == overdue.problem

    # The same overview fits a phone.
    login(phone, base, "commission", DEMO_PASSWORD)
    phone.goto(f"{base}/dashboard/?township={town.pk}")
    no_overflow(phone)
    shot(phone, "dashboard-phone")
