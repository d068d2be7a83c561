"""A problem sheet on a phone: a team member opens the station's sheets, fills a new sheet, attaches a photo taken
on the spot (and sees a disguised program refused), and the team leader confirms it. Every page is photographed at
phone width (test-artifacts/screenshots/findings-*.png)."""

from decimal import Decimal

import pytest

from findings.models import Evidence, Finding, FindingState
from supervision.demo import DEMO_PASSWORD
from supervision.models import AuditEvent

from .conftest import login, no_overflow, png


@pytest.fixture
def leader_phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def snap(page, shot, name, full_page=True):
    no_overflow(page)
    shot(page, f"findings-{name}", full_page=full_page)


def test_member_records_a_sheet_with_a_photo_and_the_leader_confirms(stationed, live_server, phone, leader_phone,
                                                                      shot):
    base = live_server.url
    station = stationed
    login(phone, base, "member", DEMO_PASSWORD)
    phone.goto(f"{base}/stations/{station.pk}/")
    phone.click("[data-testid=station-work] a:has-text('问题底稿')")
    assert phone.locator("[data-testid=finding-empty]").is_visible()
    snap(phone, shot, "list-empty")

    phone.click("[data-testid=finding-new]")
    phone.fill("#id_title", "退耕还林补贴未足额发放")
    phone.select_option("#id_category", label="惠民惠农补贴")
    phone.fill("#id_observed", "抽查12户退耕农户，其中2户2025年度补贴少发，共计3,600元。")
    phone.fill("#id_basis", "《退耕还林条例》第三十五条")
    phone.fill("#id_amount", "3600")
    phone.fill("#id_responsible_person", "村报账员")
    phone.fill("#id_team_opinion", "责令村委会限期补发，并在村务公开栏公示。")
    snap(phone, shot, "new")
    phone.click("button:has-text('保存')")
    phone.wait_for_url(f"{base}/findings/**")
    finding = Finding.objects.get(station=station)
    assert phone.locator("[data-testid=finding-number]").inner_text() == finding.number
    assert phone.locator("[data-testid=finding-state]").inner_text() == "草稿"
    assert "组长确认" not in phone.locator("main").inner_text()

    # A photo taken on the spot, and a program dressed up as a PDF: one stored, one refused with a reason.
    file_input = phone.locator("#id_files")
    assert file_input.get_attribute("capture") == "environment"
    assert file_input.get_attribute("multiple") is not None
    file_input.set_input_files([
        {"name": "现场照片.png", "mimeType": "image/png", "buffer": png()},
        {"name": "发票.pdf", "mimeType": "application/pdf", "buffer": b"MZ" + b"\x00" * 4096},
    ])
    phone.fill("#id_description", "农户存折照片")
    phone.click("[data-testid=evidence-upload] button:has-text('上传')")
    phone.wait_for_selector("[data-testid=evidence-list]")
    messages = phone.locator("ul.messages").inner_text()
    assert "已上传“现场照片.png”" in messages
    assert "“发票.pdf”未上传" in messages and "不是允许的文件类型" in messages
    assert phone.locator("[data-testid=evidence-list] li").count() == 1
    assert list(Evidence.objects.filter(finding=finding).values_list("original_name", flat=True)) == ["现场照片.png"]
    snap(phone, shot, "detail-member")

    phone.goto(f"{base}/stations/{station.pk}/findings/")
    assert finding.number in phone.locator("[data-testid=finding-list]").inner_text()
    assert "3,600.00" in phone.locator("[data-testid=finding-totals]").inner_text()
    snap(phone, shot, "list")

    # The leader confirms it on their phone, through the confirmation dialog.
    login(leader_phone, base, "leader", DEMO_PASSWORD)
    leader_phone.goto(f"{base}/findings/{finding.pk}/")
    snap(leader_phone, shot, "detail-leader")
    leader_phone.once("dialog", lambda dialog: dialog.accept())
    leader_phone.click("button:has-text('组长确认')")
    leader_phone.wait_for_selector("[data-testid=finding-confirmed]")
    assert leader_phone.locator("[data-testid=finding-state]").inner_text() == "已确认"
    assert "已确认" in leader_phone.locator("ul.messages").inner_text()
    snap(leader_phone, shot, "confirmed")

    finding.refresh_from_db()
    assert finding.state == FindingState.CONFIRMED and finding.amount == Decimal("3600.00")
    assert finding.confirmed_by.username == "leader"
    assert set(AuditEvent.objects.filter(object_id=str(finding.pk), object_type="findings.finding")
               .values_list("action", flat=True)) == {"finding.create", "finding.confirm"}
