"""A villager scans the notice's QR code with a phone, leaves a complaint without logging in and gets a receipt."""

import pytest
from django.core.management import call_command

from rounds.models import Complaint, Station, StationState


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))


def test_villager_submits_a_complaint_on_a_phone(demo, live_server, phone, shot):
    station = (Station.objects.filter(state=StationState.STATIONED).exclude(notice_number="")
               .select_related("target__parent").order_by("pk").first())
    url = f"{live_server.url}/p/{station.public_token}/"
    phone.goto(url)
    assert station.target.name in phone.locator("[data-testid=target]").inner_text()
    assert phone.locator("nav.nav").count() == 0  # no menu, no login: a page for the public
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "public-station-phone")

    phone.check("input[name=kind][value=complaint]")
    phone.fill("textarea[name=content]", "村里修路的工程没有公开招标，是村干部的亲戚承包的。")
    phone.fill("input[name=contact]", "13900002222")
    trap = phone.locator("input[name=website]").bounding_box()  # the honeypot is off the screen
    assert trap is None or trap["x"] + trap["width"] <= 0
    shot(phone, "public-station-phone-filled", full_page=False)
    phone.click("button[type=submit]:has-text('提交')")
    phone.wait_for_url(f"{url}done/**")

    receipt = phone.locator("[data-testid=receipt-number]").inner_text().strip()
    complaint = Complaint.objects.get(receipt=receipt)
    assert complaint.station_id == station.pk and complaint.contact == "13900002222"
    body = phone.locator("main").inner_text()
    assert "感谢您的反映" in body
    assert "修路" not in body and "13900002222" not in body
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "public-receipt-phone")
