"""Browser flows of planning: an officer creates a batch, has it planned, swaps a member, meets a recusal refusal,
confirms, runs training; a team member sees only their own stations; a leader signs the recusal declaration.
Every page is photographed at desktop and phone width (test-artifacts/screenshots/planning-*.png)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from rounds.models import Batch, BatchState, Station, StationMember, StationState, TrainingSession
from supervision.demo import DEMO_PASSWORD
from supervision.models import AuditEvent, ConflictDeclaration, Person

from .conftest import login, no_overflow

BATCH = "2026年刘仁八镇村巡回驻点监督"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))


def snap(page, shot, name):
    no_overflow(page)
    shot(page, f"planning-{name}")


def test_officer_plans_swaps_meets_a_refusal_and_confirms(demo, live_server, page, phone, shot):
    base = live_server.url
    login(page, base, "commission", DEMO_PASSWORD)
    page.click("nav.nav a:has-text('批次编排')")
    assert page.locator("table.list tbody tr").count() == 2
    snap(page, shot, "batch-list")

    # A new batch over a township's villages; a first attempt with too many rounds is refused, nothing is lost.
    page.click("a:has-text('新建批次')")
    today = timezone.localdate()
    start = today + timedelta(days=7 - today.weekday())
    page.fill("#id_name", BATCH)
    page.select_option("#id_organiser", label="刘仁八镇")
    page.select_option("#id_formula", label="1+2+N")
    page.check("label:has-text('四议两公开') input")
    page.check("label:has-text('惠民惠农补贴') input")
    page.select_option("#id_targets_parent", label="刘仁八镇")
    page.fill("#id_rounds", "9")
    page.fill("#id_first_start", start.isoformat())
    page.fill("#id_days", "5")
    page.fill("#id_gap_days", "2")
    page.fill("#id_complaint_phone", "0714-8761234")
    page.fill("#id_complaint_mailbox", "刘仁八镇纪委办公室")
    snap(page, shot, "batch-new")
    page.click("button:has-text('保存')")
    assert "轮次（9）不能多于监督对象数（6）" in page.locator(".errorlist").first.inner_text()
    assert page.input_value("#id_name") == BATCH
    assert page.input_value("#id_complaint_phone") == "0714-8761234"
    assert page.is_checked("label:has-text('四议两公开') input")
    snap(page, shot, "batch-new-error")
    page.fill("#id_rounds", "6")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已新建批次")
    batch = Batch.objects.get(name=BATCH)
    assert batch.targets.count() == 6 and batch.rounds.count() == 6

    # Planning: no proposal yet, so no question; a progress note while it runs.
    page.click("button:has-text('生成方案')")
    page.wait_for_selector("text=已生成驻点方案：6个驻点")
    assert page.locator("[data-testid=station-card]").count() == 6
    snap(page, shot, "batch-proposal")

    # Swap the first village member of round 1.
    station = Station.objects.filter(round__batch=batch).order_by("round__number").first()
    member = StationMember.objects.filter(station=station, slot__label="村纪检委员").order_by("id").first()
    before = member.person
    page.click(f"a[href='/members/{member.pk}/swap/']")
    blocked = page.locator("[data-testid=blocked]").inner_text()
    assert f"是{station.target.name}的村纪检委员，不能在本村驻点（交叉驻点回避）" in blocked
    assert "已在本组" in blocked
    snap(page, shot, "member-swap")
    options = page.locator("#id_person option").all()
    chosen_id = options[1].get_attribute("value")
    chosen = Person.objects.get(pk=chosen_id)
    page.select_option("#id_person", chosen_id)

    # Meanwhile (another tab) the officer learns that this person's relative works at the target and records it.
    other = page.context.new_page()
    other.goto(f"{base}/people/{chosen.pk}/")
    other.select_option("#id_unit", label=station.target.full_name)
    other.select_option("#id_reason", label="近亲属在该单位任职")
    other.fill("#id_detail", "其兄在该村任会计")
    other.click("button:has-text('登记')")
    other.wait_for_selector("text=已登记回避申报")
    other.close()

    # The swap chosen on the page read before that is refused with the rule it breaks; nothing changes.
    page.click("[data-testid=swap-form] button:has-text('调换')")
    refusal = page.locator("[data-testid=swap-refusal]").inner_text()
    assert f"{chosen.name}已申报回避{station.target.name}（近亲属在该单位任职）" in refusal
    assert "人员未作任何变动。" in refusal
    member.refresh_from_db()
    assert member.person_id == before.pk
    assert ConflictDeclaration.objects.filter(person=chosen, unit=station.target).exists()
    assert chosen.name in page.locator("[data-testid=blocked]").inner_text()
    snap(page, shot, "member-swap-refused")

    # Another allowed person is taken.
    replacement_id = page.locator("#id_person option").nth(1).get_attribute("value")
    assert replacement_id != chosen_id
    replacement = Person.objects.get(pk=replacement_id)
    page.select_option("#id_person", replacement_id)
    page.click("[data-testid=swap-form] button:has-text('调换')")
    page.wait_for_selector(f"text=调换为{replacement.name}")
    member.refresh_from_db()
    assert member.person_id == replacement.pk
    assert AuditEvent.objects.filter(action="station.member_swap", object_id=str(station.pk)).exists()

    # Regenerating asks first; dismissing keeps the proposal (and the swap).
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button:has-text('重新生成方案')")
    member.refresh_from_db()
    assert member.person_id == replacement.pk

    # Confirming asks first, then plans every station.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('确认方案')")
    page.wait_for_selector("text=方案已确认")
    batch.refresh_from_db()
    assert batch.state == BatchState.CONFIRMED
    assert set(Station.objects.filter(round__batch=batch).values_list("state", flat=True)) == {StationState.PLANNED}
    assert page.locator("[data-testid=batch-state]").inner_text() == "已确定"
    assert page.locator("a:has-text('调换')").count() == 0
    snap(page, shot, "batch-confirmed")

    page.click("nav.tabs a:has-text('时间轴')")
    assert page.locator("[data-testid=timeline-round]").count() == 6
    snap(page, shot, "timeline")

    page.click("nav.tabs a:has-text('巡前培训')")
    page.fill("#id_topic", "监督清单与问题底稿")
    page.fill("#id_date", (start - timedelta(days=3)).isoformat())
    page.fill("#id_place", "刘仁八镇政府会议室")
    page.click("button:has-text('新增培训')")
    page.wait_for_selector("text=请登记出勤")
    boxes = page.locator("[data-testid=attendance-form] input[type=checkbox]")
    assert boxes.count() == Person.objects.filter(stations__station__round__batch=batch).distinct().count()
    snap(page, shot, "training-attendance")
    for i in range(3):
        boxes.nth(i).check()
    page.click("button:has-text('保存出勤')")
    page.wait_for_selector("text=已保存出勤：3人参训")
    assert TrainingSession.objects.get(batch=batch).attendees.count() == 3
    snap(page, shot, "training")

    page.goto(f"{base}/stations/{station.pk}/")
    assert page.locator("[data-testid=station-state]").inner_text() == "已排定"
    snap(page, shot, "station-planner")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=moves] button:has-text('开始巡前培训')")
    page.wait_for_selector("text=驻点状态已变为“巡前培训”")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=moves] button:has-text('进驻')")
    refusal = page.locator("[data-testid=transition-refusal]").inner_text()
    assert "尚未签署回避承诺" in refusal
    assert Station.objects.get(pk=station.pk).state == StationState.TRAINING
    snap(page, shot, "station-refused-entry")
    page.click("nav.nav a:has-text('驻点')")
    snap(page, shot, "station-list")

    # The same pages on a phone.
    login(phone, base, "commission", DEMO_PASSWORD)
    draft = Batch.objects.get(state=BatchState.DRAFT)
    swap_member = StationMember.objects.filter(station__round__batch=draft).order_by("id").last()
    later_seat = StationMember.objects.filter(station__round__batch=batch, slot__label="村纪检委员").order_by("id").last()
    for name, url in [
        ("batch-list", "/batches/"), ("batch-new", "/batches/new/"), ("batch-proposal", f"/batches/{draft.pk}/"),
        ("batch-confirmed", f"/batches/{batch.pk}/"), ("member-swap", f"/members/{swap_member.pk}/swap/"),
        ("timeline", f"/batches/{batch.pk}/timeline/"), ("training", f"/batches/{batch.pk}/training/"),
        ("training-attendance", f"/training/{TrainingSession.objects.get(batch=batch).pk}/"),
        ("station-list", "/stations/"), ("station-planner", f"/stations/{station.pk}/"),
        ("member-swap-allowed", f"/members/{later_seat.pk}/swap/"),
    ]:
        phone.goto(base + url)
        snap(phone, shot, f"{name}-phone")


def test_members_see_only_their_stations_and_a_leader_signs(demo, live_server, page, phone, shot):
    base = live_server.url
    member = Person.objects.get(user__username="member")
    own = set(Station.objects.filter(members__person=member).exclude(state=StationState.PROPOSED)
              .values_list("pk", flat=True))
    assert own
    login(page, base, "member", DEMO_PASSWORD)
    nav = page.locator("nav.nav a").all_inner_texts()
    assert "驻点" in nav and "批次编排" not in nav
    page.click("nav.nav a:has-text('驻点')")
    assert page.locator("h1").inner_text() == "我的驻点"
    rows = page.locator("[data-testid=stations] tbody tr")
    assert rows.count() == len(own)
    hrefs = {int(a.get_attribute("href").strip("/").split("/")[-1])
             for a in page.locator("[data-testid=stations] tbody a").all()}
    assert hrefs == own
    assert all("业务骨干" in row for row in rows.all_inner_texts())
    snap(page, shot, "my-stations")
    someone_else = Station.objects.exclude(pk__in=own).exclude(state=StationState.PROPOSED).first()
    assert page.goto(f"{base}/stations/{someone_else.pk}/").status == 404
    assert page.goto(f"{base}/batches/").status == 404
    page.goto(f"{base}/stations/{min(own)}/")
    snap(page, shot, "station-member")

    login(phone, base, "member", DEMO_PASSWORD)
    phone.goto(f"{base}/stations/")
    snap(phone, shot, "my-stations-phone")

    # The leader signs the recusal declaration of a station in training.
    leader = Person.objects.get(user__username="leader")
    seat = StationMember.objects.get(person=leader, station__state=StationState.TRAINING)
    assert seat.declared_at is None
    phone.context.clear_cookies()
    login(phone, base, "leader", DEMO_PASSWORD)
    phone.goto(f"{base}/stations/{seat.station_id}/")
    declaration = phone.locator("[data-testid=declaration]")
    assert "本人承诺：与驻点单位及其主要负责人无亲属关系" in declaration.inner_text()
    snap(phone, shot, "station-leader-phone")
    phone.click("[data-testid=declaration] button:has-text('签署回避承诺')")  # unchecked: the browser asks for it
    seat.refresh_from_db()
    assert seat.declared_at is None
    phone.check("[data-testid=declaration] input[name=agree]")
    phone.click("[data-testid=declaration] button:has-text('签署回避承诺')")
    phone.wait_for_selector("text=已签署回避承诺")
    seat.refresh_from_db()
    assert seat.declared_at is not None
    assert AuditEvent.objects.filter(action="station.member_declare", object_id=str(seat.station_id)).exists()
    row = phone.locator("[data-testid=team] tr.mine").inner_text()
    assert "已签署" in row
    assert phone.locator("[data-testid=declaration]").count() == 0
    snap(phone, shot, "station-leader-signed-phone")

    page.context.clear_cookies()
    login(page, base, "leader", DEMO_PASSWORD)
    page.goto(f"{base}/stations/{seat.station_id}/")
    snap(page, shot, "station-leader")
