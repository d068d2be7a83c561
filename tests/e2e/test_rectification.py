"""Rectification in the browser: the commission issues the hand-off letter of an approved report; the village's
liaison, on a phone, sees only that letter, fills the plan, uploads a photo and submits; the team leader returns it
once, then verifies and closes it; the other village's liaison gets a 404 on all of it. Pages are photographed at
phone width (test-artifacts/screenshots/rectification-*.png)."""

from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone
from guardian.shortcuts import assign_perm

from findings.models import Finding, FindingState, ReportState, StationReport
from rectification.models import HandoffLetter, ItemState, LetterState, RectificationEvidence
from rounds.models import Station, StationMember, StationState, Theme
from supervision.demo import DEMO_PASSWORD
from supervision.models import AuditEvent, Person

from .conftest import login, no_overflow, png

PROBLEMS = ["村集体鱼塘租金3.2万元未入账", "2026年第三季度低保名单公示仅3天"]


@pytest.fixture
def approved_station(transactional_db):
    """The demo's station at 水南湾村 (liaison1's village), led by the demo account "leader", its report approved
    with two confirmed problem sheets."""
    call_command("load_demo", stdout=open("/dev/null", "w"))
    station = Station.objects.filter(target__name="水南湾村", target__parent__name="大箕铺镇").get()
    leader = Person.objects.get(user__username="leader")
    seat = station.members.select_related("slot").filter(slot__is_leader=True).first()
    StationMember.objects.filter(pk=seat.pk).update(person=leader)
    assign_perm("rounds.view_station", leader.user, station)
    assign_perm("rounds.lead_station", leader.user, station)
    for n, title in enumerate(PROBLEMS, start=1):
        Finding.objects.create(station=station, number=f"大箕纪2026-E-{n:02d}", sequence=n, title=title,
                               observed=f"{title}（查阅账册发现）", category=Theme.THREE_ASSETS,
                               found_on=date.today(), state=FindingState.CONFIRMED, responsible_unit=station.target,
                               responsible_person="村委会主任", team_opinion="限期整改，举一反三")
    StationReport.objects.update_or_create(station=station, defaults={
        "state": ReportState.APPROVED, "approved_at": timezone.now(), "overall": "总体较好。"})
    Station.objects.filter(pk=station.pk).update(state=StationState.REPORTING)
    return station


def snap(page, shot, name):
    no_overflow(page)
    shot(page, f"rectification-{name}")


def test_letter_issued_planned_submitted_returned_verified_and_hidden_from_the_other_village(
        approved_station, live_server, browser, phone, shot):
    base = live_server.url

    def new_page(width=1280):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    # The commission drafts the letter from the station and issues it.
    commission = new_page()
    login(commission, base, "commission", DEMO_PASSWORD)
    commission.goto(f"{base}/stations/{approved_station.pk}/letter/new/")
    commission.fill("#id_contact_name", "吴开生")
    commission.fill("#id_contact_phone", "0714-8721234")
    commission.click("main button:has-text('生成草稿')")
    assert commission.locator("[data-testid=letter-state]").inner_text() == "待签发"
    assert all(title in commission.content() for title in PROBLEMS)  # the draft's editable problem table
    commission.click("[data-testid=letter-issue]")
    commission.wait_for_selector("[data-testid=letter-number]")
    letter = HandoffLetter.objects.get(station=approved_station)
    assert letter.state == LetterState.ISSUED and letter.number.startswith("大箕纪交〔")
    assert commission.locator("[data-testid=letter-number]").inner_text() == letter.number
    assert len(letter.pdf_sha256) == 64
    problems = commission.locator("[data-testid=letter-problems]").inner_text()
    assert all(title in problems for title in PROBLEMS)
    item = letter.items.order_by("sequence").first()

    # The liaison, on a phone, sees only that letter, fills the plan, reports progress with a photo, submits.
    phone.on("dialog", lambda dialog: dialog.accept())  # "提交后……确定提交？"
    login(phone, base, "liaison1", DEMO_PASSWORD)
    phone.goto(f"{base}/portal/")
    assert phone.locator("[data-testid=portal-letter]").count() == 1
    assert letter.number in phone.locator("[data-testid=portal-letter]").inner_text()
    snap(phone, shot, "portal")
    phone.goto(f"{base}/letters/{letter.pk}/")  # the letter itself, with its filed SHA-256, fits the phone
    assert phone.locator("[data-testid=letter-sha256]").inner_text() == letter.pdf_sha256
    snap(phone, shot, "letter")
    phone.goto(f"{base}/portal/")
    phone.click(f"[data-testid=portal-items] tr[data-item='{item.pk}'] a")
    phone.click("[data-testid=plan-form] button[type=submit]")  # empty: refused, nothing saved
    assert phone.locator("[data-testid=plan-form] .errorlist").first.is_visible()
    phone.fill("[data-testid=plan-form] [name=target]", "租金全部收回入账，建立合同台账")
    phone.fill("[data-testid=plan-form] [name=measures]", "一是追缴租金；二是清理合同；三是按月公开")
    phone.fill("[data-testid=plan-form] [name=responsible_leader]", "村党支部书记")
    phone.fill("[data-testid=plan-form] [name=responsible_department]", "村委会")
    phone.click("[data-testid=plan-form] button[type=submit]")
    assert phone.locator("[data-testid=item-state]").inner_text() == "整改中"
    phone.fill("[data-testid=progress-form] [name=text]", "已追回租金3.2万元，存入村集体账户")
    phone.set_input_files("[data-testid=progress-form] input[type=file]",
                          files=[{"name": "收款凭证.png", "mimeType": "image/png", "buffer": png()}])
    phone.click("[data-testid=progress-form] button[type=submit]")
    assert "收款凭证.png" in phone.locator("[data-testid=item-timeline]").inner_text()
    phone.click("[data-testid=item-submit]")
    assert phone.locator("[data-testid=item-state]").inner_text() == "待核验"
    snap(phone, shot, "item-submitted")

    # The team leader returns it once, with a comment.
    leader = new_page(390)
    login(leader, base, "leader", DEMO_PASSWORD)
    leader.goto(f"{base}/rectification/items/{item.pk}/")
    leader.fill("[data-testid=return-form] [name=comment]", "请补充合同清理情况")
    leader.click("[data-testid=item-return]")
    assert leader.locator("[data-testid=item-state]").inner_text() == "已退回"

    # The liaison sees the comment and submits again; the leader verifies and closes it (销号).
    phone.goto(f"{base}/rectification/items/{item.pk}/")
    assert "请补充合同清理情况" in phone.locator("[data-testid=item-timeline]").inner_text()
    phone.fill("[data-testid=progress-form] [name=text]", "已清理合同6份，重新签订2份")
    phone.click("[data-testid=progress-form] button[type=submit]")
    phone.click("[data-testid=item-submit]")
    assert phone.locator("[data-testid=item-state]").inner_text() == "待核验"
    leader.goto(f"{base}/rectification/items/{item.pk}/")
    leader.click("[data-testid=item-verify]")
    assert leader.locator("[data-testid=item-state]").inner_text() == "已销号"
    snap(leader, shot, "item-closed")
    item.refresh_from_db()
    assert item.state == ItemState.CLOSED and item.closed_at is not None

    # The other village's liaison: 404 on the letter, its PDF, the item, the evidence; an empty portal.
    other = new_page(390)
    login(other, base, "liaison2", DEMO_PASSWORD)
    evidence = RectificationEvidence.objects.get(item=item)
    for path in [f"/letters/{letter.pk}/", f"/letters/{letter.pk}/document.pdf",
                 f"/rectification/items/{item.pk}/", f"/rectification/evidence/{evidence.pk}/"]:
        assert other.goto(base + path).status == 404, path
    other.goto(f"{base}/portal/")
    assert other.locator("[data-testid=portal-letter]").count() == 0
    assert letter.number not in other.content()

    actions = list(AuditEvent.objects.filter(action__startswith="item.", object_id=str(item.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["item.plan", "item.progress", "item.submit", "item.return", "item.progress", "item.submit",
                       "item.verify"]
