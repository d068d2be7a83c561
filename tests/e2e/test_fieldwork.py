"""A team member works through the station week on a phone: two checklist results (one "存在问题" with a photo
taken on the spot), a household visit with a photo, and an interview with two interviewers and the signed record.
Every page is photographed at phone width (test-artifacts/screenshots/fieldwork-*.png)."""

from datetime import timedelta

from django.utils import timezone

from findings.models import Evidence
from rounds.models import (
    CheckResult,
    FieldMethod,
    FieldRecord,
    StationCheck,
)
from rounds.services.fieldwork import SIGNED_RECORD
from supervision.demo import DEMO_PASSWORD

from .conftest import login, no_overflow, png

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def snap(page, shot, name, full_page=True):
    no_overflow(page)
    shot(page, f"fieldwork-{name}", full_page=full_page)


def test_member_records_the_week_on_a_phone(stationed, live_server, phone, shot):
    base = live_server.url
    station = stationed
    total = StationCheck.objects.filter(station=station).count()
    assert total > 0
    login(phone, base, "member", DEMO_PASSWORD)
    phone.goto(f"{base}/stations/{station.pk}/")
    phone.click("[data-testid=station-work] a:has-text('监督清单')")
    assert f"已检查 0 / {total} 项" in phone.locator("[data-testid=checklist-progress]").inner_text()
    snap(phone, shot, "checklist", full_page=False)

    # The guidance opens on demand.
    item = phone.locator("[data-testid=check-SY-01]")
    item.locator("summary:has-text('检查方法与依据')").click()
    assert "村民委员会组织法" in item.locator("details.guide").inner_text()
    item.locator("label:has-text('符合')").click()
    item.locator("textarea").fill("2025年3项重大事项均有四议两公开记录")
    snap(phone, shot, "checklist-item", full_page=False)
    item.locator("button:has-text('保存')").click()
    phone.wait_for_selector("text=已记录：SY-01 符合")
    assert StationCheck.objects.get(station=station, item__code="SY-01").result == CheckResult.COMPLIANT

    # A problem, with a photo taken on the spot.
    item = phone.locator("[data-testid=check-ZC-03]")
    item.scroll_into_view_if_needed()
    item.locator("label:has-text('存在问题')").click()
    item.locator("textarea").fill("2025年8月凭证中有3张白条入账，合计4,200元")
    file_input = item.locator("input[type=file]")
    assert file_input.get_attribute("capture") == "environment"
    file_input.set_input_files({"name": "白条.png", "mimeType": "image/png", "buffer": png()})
    item.locator("button:has-text('保存')").click()
    phone.wait_for_selector("text=已记录：ZC-03 存在问题")
    check = StationCheck.objects.get(station=station, item__code="ZC-03")
    assert check.result == CheckResult.PROBLEM and check.checked_by.name == "柯国强"
    assert Evidence.objects.get(station_check=check).original_name == "白条.png"
    item = phone.locator("[data-testid=check-ZC-03]")
    assert "白条.png" in item.inner_text()
    link = item.locator("[data-testid=finding-link]")
    if link.count():  # the problem-sheet page exists: the link carries the item
        assert link.get_attribute("href").endswith(f"?check={check.pk}")
    assert f"已检查 2 / {total} 项" in phone.locator("[data-testid=checklist-progress]").inner_text()
    snap(phone, shot, "checklist-problem", full_page=False)
    shot(phone, "fieldwork-checklist-full")

    # A household visit with a photo.
    phone.goto(f"{base}/stations/{station.pk}/records/")
    snap(phone, shot, "records-empty")
    phone.click("[data-testid=record-new] a:has-text('走访群众')")
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    phone.fill("#id_date", day)
    phone.fill("#id_place", "三组")
    phone.fill("#id_subject", "村民王某某家")
    phone.fill("#id_content", "反映2025年耕地地力保护补贴按3亩发放，实际承包地5亩。")
    phone.set_input_files("#id_attachments", {"name": "走访.png", "mimeType": "image/png", "buffer": png()})
    snap(phone, shot, "record-visit")
    phone.click("button:has-text('保存记录')")
    phone.wait_for_selector("text=已保存走访记录：走访群众")
    visit = FieldRecord.objects.get(station=station, method=FieldMethod.HOUSEHOLD_VISIT)
    assert visit.evidence.get().original_name == "走访.png"
    snap(phone, shot, "record-visit-saved")

    # An interview: first without the signed record (refused, nothing typed lost), then with it.
    phone.goto(f"{base}/stations/{station.pk}/records/new/?method=interview")
    phone.fill("#id_date", day)
    phone.fill("#id_place", "村委会会议室")
    phone.fill("#id_interviewee", "张某某（村报账员）")
    phone.check("[data-testid=interviewers] label:has-text('柯国强') input")
    phone.check("[data-testid=interviewers] label:has-text('但建华') input")
    phone.fill("#id_content", "了解2025年白条入账的经过：系村主任先行垫付后补的收据。")
    phone.click("button:has-text('保存记录')")
    phone.wait_for_selector("[data-testid=form-errors]")
    assert "请上传经谈话对象签字的谈话笔录（拍照或扫描件）" in phone.locator("main").inner_text()
    assert phone.input_value("#id_interviewee") == "张某某（村报账员）"
    assert phone.is_checked("[data-testid=interviewers] label:has-text('但建华') input")
    assert not FieldRecord.objects.filter(method=FieldMethod.INTERVIEW).exists()
    snap(phone, shot, "record-interview-refused")
    phone.set_input_files("#id_signed_record", {"name": "谈话笔录.pdf", "mimeType": "application/pdf", "buffer": PDF})
    phone.click("button:has-text('保存记录')")
    phone.wait_for_selector("text=已保存走访记录：个别谈话")
    interview = FieldRecord.objects.get(station=station, method=FieldMethod.INTERVIEW)
    assert {p.name for p in interview.interviewers.all()} == {"柯国强", "但建华"}
    assert interview.evidence.get().description == SIGNED_RECORD
    assert "签字谈话笔录" in phone.locator("[data-testid=record-files]").inner_text()
    snap(phone, shot, "record-interview")

    phone.goto(f"{base}/stations/{station.pk}/records/")
    assert phone.locator("[data-testid=records] tbody tr").count() == 2
    snap(phone, shot, "records")
