"""Browser flows of the station report and the questionnaire: a member drafts and submits the report, the leader
returns it once with a comment, the member resubmits, the leader approves, the commission approves; a villager
answers the station's questionnaire on a phone from the public page and the team reads the results.
Screenshots: test-artifacts/screenshots/report-*.png; the approved report's PDF: test-artifacts/report.pdf."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from guardian.shortcuts import assign_perm

from findings.models import ApprovalEvent, Finding, FindingState, ReportState, StationReport
from rounds.models import QuestionnaireResponse, Station, StationMember, StationState, Theme
from rounds.services.questionnaires import DEMO_TITLE
from supervision.demo import DEMO_PASSWORD
from supervision.models import Person

from .conftest import ARTIFACTS, login, no_overflow

OVERALL = "该村“两委”班子基本能够执行“四议两公开”制度，但村务公开不及时，惠民补贴发放管理不规范。"
SUGGESTIONS = "一是督促村“两委”按月公开财务收支；二是对低保对象开展一次全面复核；三是规范工程项目发包程序。"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))


@pytest.fixture
def station(demo) -> Station:
    """A stationed demo station (one the demo found no problems at) whose leader and one backbone are the demo accounts "leader" and "member"."""
    station = (Station.objects.filter(state=StationState.STATIONED, findings__isnull=True).select_related("target")
               .order_by("round__number", "pk").first())
    leader, member = Person.objects.get(user__username="leader"), Person.objects.get(user__username="member")
    seats = list(station.members.select_related("slot").order_by("slot__order", "id"))
    leader_seat = next(s for s in seats if s.slot.is_leader)
    backbone_seat = next(s for s in seats if not s.slot.is_leader)
    StationMember.objects.filter(pk=leader_seat.pk).update(person=leader)
    StationMember.objects.filter(pk=backbone_seat.pk).update(person=member)
    assign_perm("rounds.view_station", leader.user, station)
    assign_perm("rounds.lead_station", leader.user, station)
    assign_perm("rounds.view_station", member.user, station)
    for n, (title, amount) in enumerate([("低保对象中有3户村干部亲属未按规定备案", Decimal("21600")),
                                         ("村集体鱼塘发包未经村民代表会议决议", Decimal("48000")),
                                         ("2026年第二季度财务未公开", None)], start=1):
        Finding.objects.create(station=station, number=f"大箕-2026-1-{n:02d}", sequence=n, title=title,
                               observed="查阅账册和会议记录发现。", category=Theme.SUBSIDIES, amount=amount,
                               found_on=date.today(), state=FindingState.CONFIRMED)
    Finding.objects.create(station=station, number="大箕-2026-1-04", sequence=4, title="尚在核实的线索",
                           observed="待核实。", category=Theme.PROJECTS, found_on=date.today())
    return station


def snap(page, shot, name):
    no_overflow(page)
    shot(page, f"report-{name}")


def switch_user(page, base, username):
    page.context.clear_cookies()
    login(page, base, username, DEMO_PASSWORD)


def test_report_is_drafted_returned_resubmitted_and_approved_twice(station, live_server, page, phone, shot):
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())
    report_url = f"{base}/stations/{station.pk}/report/"

    # The member drafts from the station page; 主要问题 lists the confirmed sheets only.
    login(page, base, "member", DEMO_PASSWORD)
    page.goto(f"{base}/stations/{station.pk}/")
    page.click("[data-testid=station-work] a:has-text('驻点报告')")
    page.wait_for_url(report_url)
    problems = page.locator("[data-testid=report-problems]").inner_text()
    assert "低保对象中有3户村干部亲属未按规定备案" in problems and "尚在核实的线索" not in problems
    assert "69,600.00元" in problems
    page.fill("#id_overall", OVERALL)
    page.fill("#id_suggestions", SUGGESTIONS)
    snap(page, shot, "draft")
    page.click("[data-testid=report-save]")
    page.wait_for_selector("text=报告已保存")
    page.click("[data-testid=action-submit]")
    page.wait_for_selector("[data-testid=report-state]:has-text('待组长审核')")
    assert page.locator("[data-testid=report-actions]").count() == 0
    snap(page, shot, "submitted-member")

    # The leader returns it once, with a comment (the browser insists on one).
    switch_user(page, base, "leader")
    page.goto(report_url)
    page.click("[data-testid=action-leader_return]")
    assert StationReport.objects.get(station=station).state == ReportState.SUBMITTED
    page.fill("#comment-leader_return", "请补充鱼塘发包问题的责任人和整改时限建议。")
    snap(page, shot, "leader-review")
    page.click("[data-testid=action-leader_return]")
    page.wait_for_selector("[data-testid=report-state]:has-text('起草中')")
    assert "请补充鱼塘发包问题的责任人" in page.locator("[data-testid=report-timeline]").inner_text()

    # The member revises and resubmits.
    switch_user(page, base, "member")
    page.goto(report_url)
    assert "组长退回修改" in page.locator("[data-testid=report-timeline]").inner_text()
    page.fill("#id_suggestions", SUGGESTIONS + "四是鱼塘发包由村委会主任负责，限30日内重新履行民主程序。")
    page.click("[data-testid=report-save]")
    page.wait_for_selector("text=报告已保存")
    page.click("[data-testid=action-submit]")
    page.wait_for_selector("[data-testid=report-state]:has-text('待组长审核')")

    # The leader approves; the commission approves at the second level.
    switch_user(page, base, "leader")
    page.goto(report_url)
    page.click("[data-testid=action-leader_approve]")
    page.wait_for_selector("[data-testid=report-state]:has-text('待委机关审核')")
    assert page.locator("[data-testid=report-actions]").count() == 0

    switch_user(page, base, "commission")
    page.goto(report_url)
    page.fill("#comment-commission_approve", "同意。")
    snap(page, shot, "commission-review")
    page.click("[data-testid=action-commission_approve]")
    page.wait_for_selector("[data-testid=report-state]:has-text('已审定')")
    report = StationReport.objects.get(station=station)
    assert report.state == ReportState.APPROVED and report.approved_at
    assert list(ApprovalEvent.objects.filter(report=report).values_list("action", flat=True)) == [
        "submit", "leader_return", "submit", "leader_approve", "commission_approve"]
    assert page.locator("[data-testid=report-timeline] li").count() == 5
    snap(page, shot, "approved")

    pdf = page.request.get(f"{base}/stations/{station.pk}/report.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    (ARTIFACTS.parent / "report.pdf").write_bytes(pdf.body())

    # The same page on a phone, for the leader.
    login(phone, base, "leader", DEMO_PASSWORD)
    phone.goto(report_url)
    snap(phone, shot, "approved-phone")


def test_villager_answers_the_questionnaire_on_a_phone(station, live_server, phone, page, shot):
    base = live_server.url
    # The demo published its questionnaire on every stationed station.
    assert station.questionnaire.questionnaire.title == DEMO_TITLE and station.questionnaire.is_open
    phone.goto(f"{base}/p/{station.public_token}/")
    link = phone.locator("[data-testid=survey-link]")
    assert DEMO_TITLE in link.inner_text()
    snap(phone, shot, "public-with-survey-phone")
    link.locator("a").click()
    phone.wait_for_url(f"{base}/p/{station.public_token}/survey/")
    assert phone.locator("nav.nav").count() == 0
    snap(phone, shot, "survey-phone")

    # Submitting with nothing chosen shows what is missing, keeps nothing.
    phone.click("button:has-text('提交问卷')")
    phone.wait_for_selector(".survey-question.has-error")
    assert QuestionnaireResponse.objects.count() == 0
    snap(phone, shot, "survey-errors-phone")

    questions = phone.locator("fieldset.survey-question")
    for i in range(questions.count()):
        q = questions.nth(i)
        if q.locator("input[type=radio]").count():
            q.locator("label.choice").nth(0).click()
        elif q.locator("input[type=checkbox]").count():
            q.locator("label.choice").nth(0).click()
            q.locator("label.choice").nth(1).click()
        else:
            q.locator("textarea").fill("希望低保名单每季度张榜公示。")
    shot(phone, "report-survey-filled-phone", full_page=False)
    phone.click("button:has-text('提交问卷')")
    phone.wait_for_url(f"{base}/p/{station.public_token}/survey/thanks/")
    thanks = phone.locator("main").inner_text()
    assert "感谢您参与问卷调查" in thanks and "低保名单每季度" not in thanks
    snap(phone, shot, "survey-thanks-phone")
    response = QuestionnaireResponse.objects.get()
    assert "希望低保名单每季度张榜公示。" in response.answers.values()

    # The team reads the results.
    login(page, base, "member", DEMO_PASSWORD)
    page.goto(f"{base}/stations/{station.pk}/questionnaire/")
    assert page.locator("[data-testid=survey-total]").inner_text() == "1"
    assert "希望低保名单每季度张榜公示。" in page.locator("[data-testid=survey-results]").inner_text()
    snap(page, shot, "survey-results")
    login(phone, base, "member", DEMO_PASSWORD)
    phone.goto(f"{base}/stations/{station.pk}/questionnaire/")
    snap(phone, shot, "survey-results-phone")


def test_commission_writes_a_questionnaire_and_a_team_publishes_it(station, live_server, page, shot):
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, base, "commission", DEMO_PASSWORD)
    page.goto(f"{base}/stations/{station.pk}/questionnaire/")
    page.click("[data-testid=manage-templates]")
    assert DEMO_TITLE in page.locator("[data-testid=questionnaires]").inner_text()
    page.click("a:has-text('新建问卷')")
    page.fill("#id_title", "工程项目建设群众评议")
    page.fill("#id_q-0-text", "村里的工程项目是否公开招标？")
    page.select_option("#id_q-0-kind", "single")
    page.fill("#id_q-0-options", "是\n否\n不清楚")
    page.fill("#id_q-1-text", "对工程质量的意见")
    page.select_option("#id_q-1-kind", "text")
    page.uncheck("#id_q-1-required")
    snap(page, shot, "questionnaire-new")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=问卷“工程项目建设群众评议”已保存")
    snap(page, shot, "questionnaire-list")

    # A station that has no answers yet may switch to it.
    page.goto(f"{base}/stations/{station.pk}/questionnaire/")
    page.select_option("#id_questionnaire", label="工程项目建设群众评议")
    snap(page, shot, "questionnaire-station")
    page.click("[data-testid=survey-publish] button")
    page.wait_for_selector("[data-testid=survey-title]:has-text('工程项目建设群众评议')")
    station.questionnaire.refresh_from_db()
    assert station.questionnaire.questionnaire.title == "工程项目建设群众评议"
