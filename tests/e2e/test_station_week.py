"""One station through its week, in the browser: checklist items checked, a problem found from an item and put on
a problem sheet with evidence, a field record, a questionnaire answered anonymously on the public page, the report
submitted, returned once by the leader, approved by the leader and then by the commission."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from findings.models import ApprovalEvent, Evidence, Finding, FindingState, ReportState, StationReport
from rounds.models import (
    CheckResult,
    FieldMethod,
    FieldRecord,
    QuestionnaireResponse,
    Station,
    StationCheck,
    StationMember,
    StationState,
)
from rounds.services.stations import station_transition
from supervision.demo import DEMO_PASSWORD

from .conftest import login, png


@pytest.fixture
def station(transactional_db):
    """The demo station of users "leader" and "member", taken through training into 驻点中."""
    call_command("load_demo", stdout=open("/dev/null", "w"))
    station = (Station.objects.filter(members__person__user__username="member")
               .filter(members__person__user__username="leader").order_by("round__number").first())
    planner = get_user_model().objects.get(username="commission")
    if station.state == StationState.PLANNED:
        station = station_transition(actor=planner, station=station, to=StationState.TRAINING)
    StationMember.objects.filter(station=station).update(declared_at=timezone.now())
    if station.state == StationState.TRAINING:
        station = station_transition(actor=planner, station=station, to=StationState.STATIONED)
    return station


def as_user(page, base, username):
    page.context.clear_cookies()
    login(page, base, username, DEMO_PASSWORD)


def test_one_station_through_its_week(station, live_server, page, phone, shot):
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())
    as_user(page, base, "member")

    # Checklist: one item compliant, one with a problem and a photo.
    page.goto(f"{base}/stations/{station.pk}/")
    page.click("[data-testid=station-work] a:has-text('监督清单')")
    first, second = StationCheck.objects.filter(station=station).order_by("item__order", "item__code")[:2]
    item = page.locator(f"[data-testid=check-{first.item.code}]")
    item.locator("label:has-text('符合')").click()
    item.locator("textarea").fill("会议记录齐全，表决程序规范")
    item.locator("button:has-text('保存')").click()
    page.wait_for_selector(f"text=已记录：{first.item.code} 符合")
    item = page.locator(f"[data-testid=check-{second.item.code}]")
    item.locator("label:has-text('存在问题')").click()
    item.locator("textarea").fill("2026年第二季度财务收支未公开")
    item.locator("input[type=file]").set_input_files({"name": "公开栏.png", "mimeType": "image/png", "buffer": png()})
    item.locator("button:has-text('保存')").click()
    page.wait_for_selector(f"text=已记录：{second.item.code} 存在问题")
    second.refresh_from_db()
    assert (first.__class__.objects.get(pk=first.pk).result, second.result) == (CheckResult.COMPLIANT,
                                                                                CheckResult.PROBLEM)
    assert Evidence.objects.filter(station_check=second).count() == 1
    shot(page, "week-checklist")

    # The problem becomes a sheet, pre-filled from the item; evidence is attached to it.
    page.locator(f"[data-testid=check-{second.item.code}] [data-testid=finding-link]").click()
    assert page.input_value("#id_title") == second.item.text[:200]
    assert page.input_value("#id_observed") == "2026年第二季度财务收支未公开"
    page.fill("#id_amount", "0")
    page.fill("#id_team_opinion", "督促村委会按月公开财务收支。")
    page.click("button:has-text('保存')")
    page.wait_for_url(f"{base}/findings/**")
    finding = Finding.objects.get(station=station)
    assert finding.station_check_id == second.pk
    page.locator("#id_files").set_input_files({"name": "账册.png", "mimeType": "image/png", "buffer": png()})
    page.click("[data-testid=evidence-upload] button:has-text('上传')")
    page.wait_for_selector("[data-testid=evidence-list]")
    assert list(Evidence.objects.filter(finding=finding).values_list("original_name", flat=True)) == ["账册.png"]
    shot(page, "week-finding")

    # A field record: a household visit.
    page.goto(f"{base}/stations/{station.pk}/records/")
    page.click("[data-testid=record-new] a:has-text('走访群众')")
    page.fill("#id_date", (timezone.localdate() - timedelta(days=1)).isoformat())
    page.fill("#id_place", "三组")
    page.fill("#id_subject", "村民家中")
    page.fill("#id_content", "反映财务公开栏半年未更新。")
    page.click("button:has-text('保存记录')")
    page.wait_for_selector("text=已保存走访记录：走访群众")
    assert FieldRecord.objects.filter(station=station, method=FieldMethod.HOUSEHOLD_VISIT).count() == 1

    # The team publishes the questionnaire; a villager answers it anonymously on a phone.
    page.goto(f"{base}/stations/{station.pk}/questionnaire/")
    if page.locator("[data-testid=survey-publish]").count():
        page.click("[data-testid=survey-publish] button")
        page.wait_for_selector("[data-testid=survey-title]")
    phone.goto(f"{base}/p/{station.public_token}/")
    phone.locator("[data-testid=survey-link] a").click()
    questions = phone.locator("fieldset.survey-question")
    for i in range(questions.count()):
        q = questions.nth(i)
        if q.locator("input[type=radio]").count() or q.locator("input[type=checkbox]").count():
            q.locator("label.choice").nth(0).click()
        else:
            q.locator("textarea").fill("希望财务每月公开。")
    phone.click("button:has-text('提交问卷')")
    phone.wait_for_url(f"{base}/p/{station.public_token}/survey/thanks/")
    response = QuestionnaireResponse.objects.get(station_questionnaire__station=station)
    assert "希望财务每月公开。" in response.answers.values()
    shot(phone, "week-survey-thanks", full_page=False)

    # The leader confirms the sheet, so the report lists it.
    as_user(page, base, "leader")
    page.goto(f"{base}/findings/{finding.pk}/")
    page.click("button:has-text('组长确认')")
    page.wait_for_selector("[data-testid=finding-confirmed]")
    assert Finding.objects.get(pk=finding.pk).state == FindingState.CONFIRMED

    # The report: drafted and submitted, returned once, resubmitted, approved by the leader and the commission.
    report_url = f"{base}/stations/{station.pk}/report/"
    as_user(page, base, "member")
    page.goto(report_url)
    assert finding.title in page.locator("[data-testid=report-problems]").inner_text()
    page.fill("#id_overall", "村“两委”基本执行民主决策制度，财务公开不及时。")
    page.fill("#id_suggestions", "按月公开财务收支。")
    page.click("[data-testid=report-save]")
    page.wait_for_selector("text=报告已保存")
    page.click("[data-testid=action-submit]")
    page.wait_for_selector("[data-testid=report-state]:has-text('待组长审核')")
    as_user(page, base, "leader")
    page.goto(report_url)
    page.click("[data-testid=action-leader_return]")
    page.fill("#comment-leader_return", "请补充整改时限。")
    page.click("[data-testid=action-leader_return]")
    page.wait_for_selector("[data-testid=report-state]:has-text('起草中')")
    as_user(page, base, "member")
    page.goto(report_url)
    page.fill("#id_suggestions", "按月公开财务收支，30日内完成整改。")
    page.click("[data-testid=report-save]")
    page.wait_for_selector("text=报告已保存")
    page.click("[data-testid=action-submit]")
    page.wait_for_selector("[data-testid=report-state]:has-text('待组长审核')")
    as_user(page, base, "leader")
    page.goto(report_url)
    page.click("[data-testid=action-leader_approve]")
    page.wait_for_selector("[data-testid=report-state]:has-text('待委机关审核')")
    as_user(page, base, "commission")
    page.goto(report_url)
    page.click("[data-testid=action-commission_approve]")
    page.wait_for_selector("[data-testid=report-state]:has-text('已审定')")
    shot(page, "week-report-approved")
    report = StationReport.objects.get(station=station)
    assert report.state == ReportState.APPROVED
    assert list(ApprovalEvent.objects.filter(report=report).values_list("action", flat=True)) == [
        "submit", "leader_return", "submit", "leader_approve", "commission_approve"]
