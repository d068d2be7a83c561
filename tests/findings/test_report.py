"""The station report: a member drafts and submits it, the station's leader approves or returns it, commission
staff approve or return it; 主要问题 comes from the confirmed sheets; every step is an event; the PDF is for
those who may see the station only."""

import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from findings.models import ApprovalAction, ApprovalEvent, Finding, FindingState, ReportState, StationReport
from findings.services.report import (
    report_commission_decide,
    report_get_or_create,
    report_leader_decide,
    report_save,
    report_submit,
)
from rounds.models import StationState, Theme
from supervision.models import AuditEvent

pytest_plugins = ["tests.rounds.fixtures_public"]

OVERALL = "袁铺村“两委”班子能够落实村务公开制度，但财务公开不及时。"
SUGGESTIONS = "督促村“两委”每月公开财务收支，规范低保评定程序。"


@pytest.fixture(autouse=True)
def zh():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def station(public_stations):
    return public_stations.stationed


_numbers = iter(range(1, 10_000))


def make_finding(station, title, *, state=FindingState.CONFIRMED, amount=None, sequence=None):
    n = next(_numbers)
    return Finding.objects.create(
        station=station, number=f"JN-2026-1-{n:03d}", sequence=sequence or n, title=title,
        observed="查阅2026年账册发现。", category=Theme.SUBSIDIES, amount=amount, found_on=date(2026, 11, 18),
        state=state)


def drafted(users, station, **kw):
    report = report_get_or_create(station, actor=users["member"])
    return report_save(actor=users["member"], report=report, overall=kw.get("overall", OVERALL),
                       suggestions=kw.get("suggestions", SUGGESTIONS))


def url(name, station):
    return reverse(name, args=[station.pk])


def act(client, station, action, comment=""):
    return client.post(url("station_report_action", station), {"action": action, "comment": comment})


# ---------------------------------------------------------------------------------------------- services

def test_member_drafts_and_main_problems_come_from_confirmed_sheets_only(users, station):
    make_finding(station, "低保名单含村干部亲属", amount=Decimal("12000"))
    make_finding(station, "财务未按月公开")
    make_finding(station, "草稿中的问题", state=FindingState.DRAFT)
    make_finding(station, "已撤回的问题", state=FindingState.WITHDRAWN)
    report = drafted(users, station)
    assert report.state == ReportState.DRAFT and report.overall == OVERALL
    lines = report.main_problems.splitlines()
    assert lines[0].startswith("1.低保名单含村干部亲属") and "12,000.00元" in lines[0] and "底稿JN-2026-1-" in lines[0]
    assert lines[1].startswith("2.财务未按月公开")
    assert "以上共2个问题" in lines[2] and "12,000.00元" in lines[2]
    assert "草稿中的问题" not in report.main_problems and "已撤回的问题" not in report.main_problems
    assert AuditEvent.objects.filter(action="report.save", object_id=str(report.pk)).exists()
    assert AuditEvent.objects.filter(action="report.create", object_id=str(report.pk)).exists()


def test_submit_refreshes_main_problems_and_freezes_them(users, station):
    report = drafted(users, station)
    assert report.main_problems == ""
    make_finding(station, "工程项目未公开招标")
    report = report_submit(actor=users["member"], report=report)
    assert report.state == ReportState.SUBMITTED and "工程项目未公开招标" in report.main_problems
    make_finding(station, "提交后才确认的问题")
    report.refresh_from_db()
    assert "提交后才确认的问题" not in report.main_problems
    event = ApprovalEvent.objects.get(report=report)
    assert event.action == ApprovalAction.SUBMIT and event.actor == users["member"]
    assert event.actor_name == users["member"].person.name
    assert AuditEvent.objects.filter(action="report.submit", object_id=str(report.pk)).exists()


def test_submit_needs_the_sections(users, station):
    report = drafted(users, station, overall="", suggestions="")
    with pytest.raises(ValidationError) as error:
        report_submit(actor=users["member"], report=report)
    assert "请先填写总体评价再提交" in str(error.value)
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT and not report.events.exists()


def test_full_approval_with_returns(users, station):
    report = drafted(users, station)
    report = report_submit(actor=users["member"], report=report)
    with pytest.raises(ValidationError) as error:
        report_leader_decide(actor=users["leader"], report=report, approve=False, comment="  ")
    assert "退回修改须填写意见" in str(error.value)
    report = report_leader_decide(actor=users["leader"], report=report, approve=False, comment="请补充低保问题的金额")
    assert report.state == ReportState.DRAFT
    report = report_save(actor=users["member"], report=report, overall=OVERALL + "已补充。", suggestions=SUGGESTIONS)
    report = report_submit(actor=users["member"], report=report)
    report = report_leader_decide(actor=users["leader"], report=report, approve=True)
    assert report.state == ReportState.LEADER_APPROVED and report.approved_at is None
    with pytest.raises(ValidationError) as error:
        report_commission_decide(actor=users["commission"], report=report, approve=False)
    assert "退回修改须填写意见" in str(error.value)
    report = report_commission_decide(actor=users["commission"], report=report, approve=False, comment="意见建议太笼统")
    assert report.state == ReportState.DRAFT
    report = report_submit(actor=users["member"], report=report)
    report = report_leader_decide(actor=users["leader"], report=report, approve=True)
    report = report_commission_decide(actor=users["commission"], report=report, approve=True)
    assert report.state == ReportState.APPROVED and report.approved_at is not None
    actions = list(report.events.values_list("action", "comment"))
    assert actions == [
        ("submit", ""), ("leader_return", "请补充低保问题的金额"), ("submit", ""), ("leader_approve", ""),
        ("commission_return", "意见建议太笼统"), ("submit", ""), ("leader_approve", ""), ("commission_approve", ""),
    ]
    assert AuditEvent.objects.filter(object_id=str(report.pk), action__startswith="report.").count() >= 10


def test_commission_cannot_take_the_leaders_step_and_the_leader_not_the_commissions(users, station):
    report = report_submit(actor=users["member"], report=drafted(users, station))
    with pytest.raises(ValidationError) as error:
        report_leader_decide(actor=users["commission"], report=report, approve=True)
    assert "您无权执行“组长审核通过”" in str(error.value)
    with pytest.raises(ValidationError):
        report_leader_decide(actor=users["member"], report=report, approve=True)
    report = report_leader_decide(actor=users["leader"], report=report, approve=True)
    with pytest.raises(ValidationError) as error:
        report_commission_decide(actor=users["leader"], report=report, approve=True)
    assert "您无权执行“审定报告”" in str(error.value)
    report.refresh_from_db()
    assert report.state == ReportState.LEADER_APPROVED


def test_wrong_state_moves_are_refused_in_chinese(users, station):
    report = drafted(users, station)
    with pytest.raises(ValidationError) as error:
        report_leader_decide(actor=users["leader"], report=report, approve=True)
    assert "报告当前为“起草中”，不能执行“组长审核通过”" in str(error.value)
    with pytest.raises(ValidationError) as error:
        report_commission_decide(actor=users["commission"], report=report, approve=True)
    assert "报告当前为“起草中”，不能执行“审定报告”" in str(error.value)
    report = report_submit(actor=users["member"], report=report)
    with pytest.raises(ValidationError) as error:
        report_submit(actor=users["member"], report=report)
    assert "报告当前为“待组长审核”" in str(error.value)
    with pytest.raises(ValidationError) as error:
        report_save(actor=users["member"], report=report, overall="改", suggestions="改")
    assert "报告已提交审核，不能修改" in str(error.value)
    report.refresh_from_db()
    assert report.overall == OVERALL and report.state == ReportState.SUBMITTED


def test_nobody_else_drafts(users, station, public_stations):
    report = report_get_or_create(station, actor=users["member"])
    for role in ("admin", "liaison", "outsider", "case_office"):
        with pytest.raises(ValidationError):
            report_save(actor=users[role], report=report, overall="x", suggestions="y")
    with pytest.raises(ValidationError):
        report_save(actor=public_stations.other_member, report=report, overall="x", suggestions="y")
    with pytest.raises(ValidationError):
        report_submit(actor=users["admin"], report=report)


def test_no_report_before_the_team_enters(users, public_stations):
    with pytest.raises(ValidationError) as error:
        report_get_or_create(public_stations.planned, actor=users["leader"])
    assert "驻点进驻后才能起草报告" in str(error.value)
    assert not StationReport.objects.exists()


# ---------------------------------------------------------------------------------------------- pages

def test_member_drafts_and_submits_on_the_page(client_for, users, station):
    make_finding(station, "集体资金坐支")
    client = client_for("member")
    page = client.get(url("station_report", station)).content.decode()
    assert 'data-testid="report-form"' in page and "集体资金坐支" in page
    assert "action-submit" in page and "action-leader_approve" not in page
    response = client.post(url("station_report", station), {"overall": OVERALL, "suggestions": SUGGESTIONS})
    assert response.status_code == 302
    response = act(client, station, ApprovalAction.SUBMIT)
    assert response.status_code == 302
    report = StationReport.objects.get(station=station)
    assert report.state == ReportState.SUBMITTED
    page = client.get(url("station_report", station)).content.decode()
    assert 'data-testid="report-form"' not in page and "action-" not in page  # nothing left for the member
    assert "待组长审核" in page and OVERALL in page


def test_submit_from_the_draft_form_saves_what_is_on_the_page(client_for, users, station):
    client = client_for("member")
    client.post(url("station_report", station), {"overall": "旧的评价", "suggestions": "旧的建议"})
    response = client.post(url("station_report_action", station),
                           {"action": ApprovalAction.SUBMIT, "overall": OVERALL, "suggestions": SUGGESTIONS})
    assert response.status_code == 302
    report = StationReport.objects.get(station=station)
    assert (report.state, report.overall, report.suggestions) == (ReportState.SUBMITTED, OVERALL, SUGGESTIONS)


def test_submit_from_the_draft_form_with_empty_sections_keeps_the_text(client_for, users, station):
    client = client_for("member")
    response = client.post(url("station_report_action", station),
                           {"action": ApprovalAction.SUBMIT, "overall": "", "suggestions": SUGGESTIONS})
    assert response.status_code == 400
    assert SUGGESTIONS in response.content.decode()  # nothing the member typed is lost
    report = StationReport.objects.filter(station=station).first()
    assert report is None or report.state == ReportState.DRAFT


def test_leader_return_needs_a_comment_on_the_page(client_for, users, station):
    report_submit(actor=users["member"], report=drafted(users, station))
    client = client_for("leader")
    page = client.get(url("station_report", station)).content.decode()
    assert "action-leader_approve" in page and "action-leader_return" in page
    response = act(client, station, ApprovalAction.LEADER_RETURN)
    assert response.status_code == 400 and "退回修改须填写意见" in response.content.decode()
    assert StationReport.objects.get().state == ReportState.SUBMITTED
    response = act(client, station, ApprovalAction.LEADER_RETURN, "金额要写清楚")
    assert response.status_code == 302
    page = client.get(url("station_report", station)).content.decode()
    assert "组长退回修改" in page and "金额要写清楚" in page and 'data-testid="report-timeline"' in page


def test_commission_sees_its_buttons_only_at_its_level(client_for, users, station):
    report = report_submit(actor=users["member"], report=drafted(users, station))
    client = client_for("commission")
    page = client.get(url("station_report", station)).content.decode()
    assert "action-leader_approve" not in page and "action-commission_approve" not in page
    response = act(client, station, ApprovalAction.LEADER_APPROVE)
    assert response.status_code == 400 and "您无权执行" in response.content.decode()
    report_leader_decide(actor=users["leader"], report=report, approve=True)
    page = client.get(url("station_report", station)).content.decode()
    assert "action-commission_approve" in page and "action-commission_return" in page
    assert act(client, station, ApprovalAction.COMMISSION_APPROVE).status_code == 302
    assert StationReport.objects.get().state == ReportState.APPROVED


def test_wrong_state_on_the_page_is_a_chinese_refusal(client_for, users, station):
    drafted(users, station)
    response = act(client_for("leader"), station, ApprovalAction.LEADER_APPROVE)
    assert response.status_code == 400
    assert "报告当前为“起草中”，不能执行“组长审核通过”" in response.content.decode()


@pytest.mark.parametrize("role", ["liaison", "outsider", "case_office"])
def test_no_view_no_report(client_for, users, station, role):
    drafted(users, station)
    client = client_for(role)
    assert client.get(url("station_report", station)).status_code == 404
    assert client.post(url("station_report", station), {"overall": "x", "suggestions": "y"}).status_code == 404
    assert act(client, station, ApprovalAction.SUBMIT).status_code == 404
    assert client.get(url("station_report_pdf", station)).status_code == 404


def test_other_team_and_viewers_cannot_act(client, client_for, users, station, public_stations):
    drafted(users, station)
    client.force_login(public_stations.other_member)
    assert client.get(url("station_report", station)).status_code == 404
    assert act(client, station, ApprovalAction.SUBMIT).status_code == 404
    admin = client_for("admin")  # sees every station, works on none
    page = admin.get(url("station_report", station))
    assert page.status_code == 200 and 'data-testid="report-form"' not in page.content.decode()
    assert admin.post(url("station_report", station), {"overall": "x", "suggestions": "y"}).status_code == 404
    assert act(admin, station, ApprovalAction.SUBMIT).status_code == 404
    assert StationReport.objects.get().state == ReportState.DRAFT


def test_report_page_of_a_station_not_yet_entered_offers_nothing(client_for, public_stations):
    client = client_for("leader")  # on the planned station too; users["member"] is not
    page = client.get(url("station_report", public_stations.planned))
    assert page.status_code == 200
    assert 'data-testid="report-form"' not in page.content.decode()
    assert act(client, public_stations.planned, ApprovalAction.SUBMIT).status_code == 400
    assert not StationReport.objects.exists()


def test_report_page_query_budget(client_for, users, station, within_budget):
    """The page costs the same however many sheets and events the report has (the budget is mostly the access
    checks: session, user, station, role and object permissions, the menu)."""
    make_finding(station, "问题一", amount=Decimal("100"))
    report = drafted(users, station)
    member = client_for("member")
    within_budget(member, url("station_report", station), 17)
    for i in range(30):
        make_finding(station, f"更多问题{i}", amount=Decimal("10"))
    for _ in range(3):
        report = report_submit(actor=users["member"], report=report)
        report = report_leader_decide(actor=users["leader"], report=report, approve=False, comment="补充")
    response = within_budget(member, url("station_report", station), 17)
    assert "更多问题29" in response.content.decode()
    report_submit(actor=users["member"], report=report)
    leader = client_for("leader")
    response = within_budget(leader, url("station_report", station), 17)
    assert response.content.decode().count('<li class="ev-') == 7


# ---------------------------------------------------------------------------------------------- the PDF

def pdf_text(content: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_pdf_renders_the_report(client_for, users, station, tmp_path):
    make_finding(station, "低保名单含村干部亲属", amount=Decimal("12000"))
    report = report_submit(actor=users["member"], report=drafted(users, station))
    report = report_leader_decide(actor=users["leader"], report=report, approve=True)
    report_commission_decide(actor=users["commission"], report=report, approve=True)
    response = client_for("member").get(url("station_report_pdf", station))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    flat = "".join(text.split())
    for expected in ["“巡回驻点”监督检查情况报告", "一、总体评价", "二、主要问题", "三、意见建议",
                     "".join(OVERALL.split()), "1.低保名单含村干部亲属", "12,000.00元", "".join(SUGGESTIONS.split()),
                     "金牛镇袁铺村驻点监督检查组", users["leader"].person.name, users["member"].person.name]:
        assert expected in flat, expected
    assert "尚未审定" not in flat


def test_pdf_of_a_draft_says_so(client_for, users, station, tmp_path):
    drafted(users, station)
    response = client_for("commission").get(url("station_report_pdf", station))
    assert response.status_code == 200
    assert "本报告尚未审定" in "".join(pdf_text(response.content, tmp_path).split())


def test_pdf_is_404_for_those_who_cannot_view(client, client_for, users, station, public_stations):
    drafted(users, station)
    client.force_login(public_stations.other_member)
    assert client.get(url("station_report_pdf", station)).status_code == 404
    for role in ("liaison", "outsider"):
        assert client_for(role).get(url("station_report_pdf", station)).status_code == 404
    client.logout()
    assert client.get(url("station_report_pdf", station)).status_code == 302  # to the login page


def test_pdf_without_report_is_404(client_for, station):
    assert client_for("member").get(url("station_report_pdf", station)).status_code == 404


def test_station_page_links_to_the_report(client_for, station):
    page = client_for("member").get(reverse("station_detail", args=[station.pk])).content.decode()
    assert url("station_report", station) in page
    assert StationState(station.state) == StationState.STATIONED
