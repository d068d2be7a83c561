"""Problem sheets (问题底稿): the services (numbering, states, who may, lock after the report's approval,
corrections keeping the old text, the audit trail) and the pages (who may and who may not: 404 for anything not
visible; query budgets that do not grow with sheets or evidence)."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from findings.models import Evidence, Finding, FindingRevision, FindingState, ReportState, StationReport
from findings.services.findings import (
    FINDING_TRANSITIONS,
    finding_confirm,
    finding_correct,
    finding_create,
    finding_evidence_add,
    finding_locked,
    finding_update,
    finding_withdraw,
)
from rounds.models import Station, StationState, Theme
from supervision.models import AuditEvent
from tests.helpers import audit_actions, last_audit_id

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings"]
pytestmark = pytest.mark.usefixtures("zh_hans")

OUTSIDERS = ["other_team", "liaison", "target_liaison", "outsider", "case_office"]


def messages_of(error: ValidationError) -> str:
    return " ".join(error.value.messages)


def approve_report(station):
    return StationReport.objects.create(station=station, state=ReportState.APPROVED, approved_at=timezone.now())


# --- numbering -------------------------------------------------------------------------------------------------------

def test_numbers_are_readable_and_gap_free_per_station(findings_world, findings_make):
    a, b = findings_world.stations["A"], findings_world.stations["B"]
    first, second = findings_make(), findings_make(title="第二个问题")
    finding_withdraw(actor=findings_world.users["member"], finding=first, reason="与其他底稿重复")
    third = findings_make(title="第三个问题")
    other = findings_make(station=b, actor=findings_world.users["commission"])
    # 大箕纪 (the organiser's prefix), 2026, the organiser's 1st batch of the year, round, station in the round, sheet
    a_seq = Station.objects.filter(round=a.round, pk__lte=a.pk).count()
    assert first.number == f"大箕纪2026-1-1-{a_seq:02d}-01"
    assert second.number == f"大箕纪2026-1-1-{a_seq:02d}-02"
    assert third.number == f"大箕纪2026-1-1-{a_seq:02d}-03"  # a withdrawn sheet keeps its number: no reuse
    assert re.fullmatch(r"大箕纪2026-1-2-\d\d-01", other.number)
    assert [f.sequence for f in Finding.objects.filter(station=a).order_by("sequence")] == [1, 2, 3]


def test_number_falls_back_to_the_organisers_name(findings_world, findings_make):
    organiser = findings_world.batch.organiser
    organiser.doc_prefix = ""
    organiser.save()
    assert findings_make().number.startswith("大箕2026-1-1-")


def test_found_by_is_the_actor_and_station_must_be_open(findings_world, findings_make):
    finding = findings_make()
    assert finding.found_by == findings_world.users["member"].person
    assert finding.state == FindingState.DRAFT
    Station.objects.filter(pk=findings_world.stations["A"].pk).update(state=StationState.PLANNED)
    with pytest.raises(ValidationError) as error:
        findings_make()
    assert "驻点“已排定”时不能新建问题底稿" in messages_of(error)
    Station.objects.filter(pk=findings_world.stations["A"].pk).update(state=StationState.REPORTING)
    assert findings_make().sequence == 2


def test_prefill_from_a_checklist_item(findings_world, findings_check):
    check = findings_check()
    finding = finding_create(actor=findings_world.users["member"], station=findings_world.stations["A"],
                             title="", observed="两户青苗面积虚报", category="", station_check=check)
    assert finding.title == "征地补偿款按户足额发放，面积和青苗不虚报"
    assert finding.category == Theme.LAND
    assert finding.basis == "《土地管理法》第四十八条"
    assert finding.station_check == check
    other = findings_check(station=findings_world.stations["B"])
    with pytest.raises(ValidationError) as error:
        finding_create(actor=findings_world.users["member"], station=findings_world.stations["A"],
                       observed="x", station_check=other)
    assert "清单事项不属于本驻点" in messages_of(error)


@pytest.mark.parametrize(("amount", "message"), [
    (Decimal("-1"), "涉及金额不能为负数"),
    (Decimal("1.005"), "涉及金额最多保留两位小数"),
    ("十元", "涉及金额须为数字"),
    (Decimal("1000000000000"), "涉及金额过大"),
])
def test_amount_in_yuan_is_checked(findings_world, findings_make, amount, message):
    with pytest.raises(ValidationError) as error:
        findings_make(amount=amount)
    assert message in " ".join(error.value.message_dict["amount"])
    assert not Finding.objects.exists()


def test_amount_keeps_two_places_and_required_fields(findings_world, findings_make):
    assert findings_make(amount="1234.5").amount == Decimal("1234.50")
    assert findings_make(amount=None).amount is None
    with pytest.raises(ValidationError) as error:
        findings_make(title=" ", observed="", category="nonsense", found_on=timezone.localdate() + timedelta(days=1))
    assert error.value.message_dict == {
        "title": ["请填写问题标题"], "observed": ["请填写问题表现（看到了什么）"], "category": ["请选择问题类别"],
        "found_on": ["发现日期不能晚于今天"]}


def test_only_the_team_creates(findings_world, findings_make):
    with pytest.raises(ValidationError) as error:
        findings_make(actor=findings_world.users["other_team"])
    assert "只有本驻点组成员才能填写问题底稿" in messages_of(error)


# --- states ----------------------------------------------------------------------------------------------------------

def test_transition_table_is_explicit():
    assert set(FINDING_TRANSITIONS) == {(FindingState.DRAFT, FindingState.CONFIRMED),
                                        (FindingState.DRAFT, FindingState.WITHDRAWN),
                                        (FindingState.CONFIRMED, FindingState.WITHDRAWN)}
    assert FINDING_TRANSITIONS[(FindingState.DRAFT, FindingState.CONFIRMED)].who == {"lead"}


def test_confirm_only_by_the_leader(findings_world, findings_make):
    finding = findings_make()
    with pytest.raises(ValidationError) as error:
        finding_confirm(actor=findings_world.users["member"], finding=finding)
    assert "只有组长才能确认“草稿”的问题底稿" in messages_of(error)
    finding.refresh_from_db()
    assert finding.state == FindingState.DRAFT
    since = last_audit_id()
    finding = finding_confirm(actor=findings_world.users["leader"], finding=finding)
    assert finding.state == FindingState.CONFIRMED
    assert finding.confirmed_by == findings_world.users["leader"]
    assert audit_actions(since) == ["finding.confirm"]
    with pytest.raises(ValidationError) as error:
        finding_confirm(actor=findings_world.users["leader"], finding=finding)
    assert messages_of(error) == "“已确认”的问题底稿不能确认"


def test_withdraw_needs_a_reason(findings_world, findings_make):
    finding = findings_make()
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as error:
            finding_withdraw(actor=findings_world.users["member"], finding=finding, reason=reason)
        assert error.value.message_dict == {"reason": ["撤回问题底稿须填写理由"]}
    since = last_audit_id()
    finding = finding_withdraw(actor=findings_world.users["member"], finding=finding, reason="经核实不构成问题")
    assert finding.state == FindingState.WITHDRAWN
    assert finding.withdraw_reason == "经核实不构成问题"
    assert audit_actions(since) == ["finding.withdraw"]
    with pytest.raises(ValidationError):
        finding_update(actor=findings_world.users["member"], finding=finding, title="新标题")


def test_a_confirmed_sheet_is_withdrawn_by_the_leader_only(findings_world, findings_make):
    finding = finding_confirm(actor=findings_world.users["leader"], finding=findings_make())
    with pytest.raises(ValidationError) as error:
        finding_withdraw(actor=findings_world.users["member"], finding=finding, reason="不成立")
    assert "只有组长才能撤回“已确认”的问题底稿" in messages_of(error)
    assert finding_withdraw(actor=findings_world.users["leader"], finding=finding,
                            reason="不成立").state == FindingState.WITHDRAWN


def test_update_audits_each_changed_field(findings_world, findings_make):
    finding = findings_make()
    since = last_audit_id()
    finding = finding_update(actor=findings_world.users["member"], finding=finding, title="补贴少发",
                             amount=Decimal("3600"))
    assert finding.title == "补贴少发"
    event = AuditEvent.objects.get(pk__gt=since)
    assert event.action == "finding.update"
    assert event.changes == {"title": {"before": "退耕还林补贴未足额发放", "after": "补贴少发"}}
    with pytest.raises(ValidationError):
        finding_update(actor=findings_world.users["member"], finding=finding, number="X")


# --- lock after the report's approval, corrections -------------------------------------------------------------

def test_locked_after_report_approval(findings_world, findings_make):
    finding = findings_make()
    draft = findings_make(title="另一个")
    StationReport.objects.create(station=findings_world.stations["A"], state=ReportState.LEADER_APPROVED)
    assert not finding_locked(finding)
    StationReport.objects.filter(station=findings_world.stations["A"]).update(state=ReportState.APPROVED)
    assert finding_locked(finding)
    with pytest.raises(ValidationError) as error:
        finding_update(actor=findings_world.users["member"], finding=finding, title="改")
    assert "驻点报告已审定，底稿已锁定" in messages_of(error)
    with pytest.raises(ValidationError):
        finding_confirm(actor=findings_world.users["leader"], finding=draft)
    with pytest.raises(ValidationError):
        finding_withdraw(actor=findings_world.users["leader"], finding=draft, reason="x")
    with pytest.raises(ValidationError) as error:
        finding_evidence_add(actor=findings_world.users["member"], finding=finding,
                             upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"))
    assert "不能再上传材料" in messages_of(error)
    assert not Evidence.objects.exists()
    assert Finding.objects.get(pk=finding.pk).title == "退耕还林补贴未足额发放"


def test_correction_needs_a_reason_and_keeps_the_old_text(findings_world, findings_make):
    finding = findings_make()
    approve_report(findings_world.stations["A"])
    with pytest.raises(ValidationError) as error:
        finding_correct(actor=findings_world.users["member"], finding=finding, reason=" ", title="新")
    assert error.value.message_dict == {"reason": ["请填写更正理由"]}
    with pytest.raises(ValidationError) as error:
        finding_correct(actor=findings_world.users["member"], finding=finding, reason="核对",
                        title="退耕还林补贴未足额发放")
    assert "没有修改任何内容" in messages_of(error)
    since = last_audit_id()
    finding = finding_correct(actor=findings_world.users["member"], finding=finding, reason="金额核对有误",
                              amount=Decimal("4200"), observed="抽查12户，3户少发补贴共计4,200元")
    assert finding.amount == Decimal("4200.00")
    revision = FindingRevision.objects.get(finding=finding)
    assert revision.reason == "金额核对有误"
    assert revision.previous == {"amount": "3600.00", "observed": "抽查12户，2户少发补贴共计3,600元"}
    assert revision.changed_by == findings_world.users["member"]
    event = AuditEvent.objects.get(pk__gt=since)
    assert event.action == "finding.correct"
    assert event.changes["reason"] == {"before": "", "after": "金额核对有误"}


def test_every_change_is_audited(findings_world, findings_make, evidence_bytes):
    since = last_audit_id()
    finding = findings_make()
    finding = finding_update(actor=findings_world.users["member"], finding=finding, title="改后")
    finding_evidence_add(actor=findings_world.users["member"], finding=finding,
                         upload=SimpleUploadedFile("照片.png", evidence_bytes["png"]))
    finding = finding_confirm(actor=findings_world.users["leader"], finding=finding)
    approve_report(findings_world.stations["A"])
    finding_correct(actor=findings_world.users["leader"], finding=finding, reason="笔误", title="改后2")
    other = findings_make(title="待撤回")
    StationReport.objects.all().delete()
    finding_withdraw(actor=findings_world.users["member"], finding=other, reason="重复")
    assert audit_actions(since) == ["finding.create", "finding.update", "evidence.add", "finding.confirm",
                                    "finding.correct", "finding.create", "finding.withdraw"]


# --- pages: who may ----------------------------------------------------------------------------------------------

@pytest.fixture
def sheet(findings_make, evidence_bytes, findings_world):
    finding = findings_make()
    evidence = finding_evidence_add(actor=findings_world.users["member"], finding=finding,
                                    upload=SimpleUploadedFile("现场照片.png", evidence_bytes["png"]))
    return finding, evidence


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404_on_every_page(client_for, findings_world, sheet, role):
    finding, evidence = sheet
    client = client_for(role)
    station = findings_world.stations["A"]
    for url in [reverse("finding_list", args=[station.pk]), reverse("finding_new", args=[station.pk]),
                reverse("finding_detail", args=[finding.pk]), reverse("finding_edit", args=[finding.pk]),
                reverse("evidence_download", args=[evidence.pk])]:
        assert client.get(url).status_code == 404, url
    for url in [reverse("finding_new", args=[station.pk]), reverse("finding_edit", args=[finding.pk]),
                reverse("finding_confirm", args=[finding.pk]), reverse("finding_withdraw", args=[finding.pk]),
                reverse("evidence_upload", args=[finding.pk])]:
        assert client.post(url, {"reason": "x", "title": "x"}).status_code == 404, url
    finding.refresh_from_db()
    assert finding.state == FindingState.DRAFT
    assert Evidence.objects.count() == 1


def test_anonymous_is_sent_to_login(client, sheet):
    response = client.get(reverse("finding_detail", args=[sheet[0].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["leader", "member", "commission"])
def test_team_and_planners_see_the_sheets(client_for, findings_world, sheet, role):
    finding, evidence = sheet
    response = client_for(role).get(reverse("finding_list", args=[findings_world.stations["A"].pk]))
    assert response.status_code == 200
    assert finding.number in response.content.decode()
    assert client_for(role).get(reverse("finding_detail", args=[finding.pk])).status_code == 200
    assert client_for(role).get(reverse("evidence_download", args=[evidence.pk])).status_code == 200


def test_member_cannot_confirm_through_the_page(client_for, sheet):
    finding = sheet[0]
    assert client_for("member").post(reverse("finding_confirm", args=[finding.pk])).status_code == 404
    response = client_for("leader").post(reverse("finding_confirm", args=[finding.pk]))
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.state == FindingState.CONFIRMED


def test_station_page_links_to_the_sheets(client_for, findings_world):
    station = findings_world.stations["A"]
    response = client_for("member").get(reverse("station_detail", args=[station.pk]))
    assert reverse("finding_list", args=[station.pk]) in response.content.decode()


# --- pages: content ----------------------------------------------------------------------------------------------

def test_list_empty_state_and_totals(client_for, findings_world, findings_make):
    url = reverse("finding_list", args=[findings_world.stations["A"].pk])
    page = client_for("member").get(url).content.decode()
    assert "本驻点还没有问题底稿。" in page
    assert reverse("finding_new", args=[findings_world.stations["A"].pk]) in page
    findings_make(amount=Decimal("3600"))
    findings_make(title="虚报征地面积", category=Theme.LAND, amount=Decimal("12000.5"))
    gone = findings_make(title="撤回的", amount=Decimal("99999"))
    finding_withdraw(actor=findings_world.users["member"], finding=gone, reason="不成立")
    response = client_for("member").get(url)
    totals = response.context["totals"]
    assert totals == {"count": 2, "confirmed": 0, "draft": 2, "withdrawn": 1, "amount": Decimal("15600.50"),
                      "amount_display": "15,600.50"}
    page = response.content.decode()
    assert "15,600.50" in page and "虚报征地面积" in page and "土地" in page and "另有1份已撤回" in page


def test_new_sheet_page_creates_and_prefills(client_for, findings_world, findings_check):
    station = findings_world.stations["A"]
    check = findings_check()
    url = reverse("finding_new", args=[station.pk]) + f"?check={check.pk}"
    response = client_for("member").get(url)
    form = response.context["form"]
    assert form.initial["title"] == "征地补偿款按户足额发放，面积和青苗不虚报"
    assert form.initial["category"] == Theme.LAND
    response = client_for("member").post(url, {
        "title": "青苗补偿虚报", "category": Theme.LAND, "observed": "2户面积不符", "basis": "",
        "amount": "-5", "found_on": "2026-03-04"})
    assert response.status_code == 200
    assert "涉及金额不能为负数" in response.content.decode()
    assert not Finding.objects.exists()
    response = client_for("member").post(url, {
        "title": "青苗补偿虚报", "category": Theme.LAND, "observed": "2户面积不符", "basis": "",
        "amount": "8000.00", "found_on": "2026-03-04",
        "responsible_unit": findings_world.villages["水南湾村"].pk})
    finding = Finding.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("finding_detail", args=[finding.pk])
    assert finding.station_check == check and finding.amount == Decimal("8000.00")
    assert client_for("member").get(reverse("finding_new", args=[station.pk]) + "?check=999999").status_code == 404


def test_new_sheet_refused_when_station_not_open(client_for, findings_world):
    station = findings_world.stations["A"]
    Station.objects.filter(pk=station.pk).update(state=StationState.HANDED_OFF)
    response = client_for("member").get(reverse("finding_new", args=[station.pk]), follow=True)
    assert "驻点“已交办”时不能新建问题底稿" in response.content.decode()


def test_detail_shows_fields_evidence_and_actions(client_for, sheet):
    finding, evidence = sheet
    page = client_for("leader").get(reverse("finding_detail", args=[finding.pk])).content.decode()
    for text in ("退耕还林补贴未足额发放", "抽查12户", "《退耕还林条例》第三十五条", "3,600.00", "水南湾村",
                 "村报账员", "柯国强", "2026年3月4日", "责令限期补发", "现场照片.png", "组长确认",
                 reverse("evidence_download", args=[evidence.pk])):
        assert text in page, text
    assert 'capture="environment"' in page and 'multiple' in page
    assert 'accept="image/*,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"' in page
    assert "data-confirm=" in page
    member_page = client_for("member").get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert "组长确认" not in member_page


def test_edit_page_updates_then_asks_for_a_reason_after_approval(client_for, findings_world, sheet):
    finding = sheet[0]
    url = reverse("finding_edit", args=[finding.pk])
    data = {"title": "补贴少发", "category": Theme.SUBSIDIES, "observed": "抽查12户，2户少发", "basis": "",
            "amount": "3600", "found_on": "2026-03-04", "responsible_person": "", "team_opinion": ""}
    assert client_for("member").post(url, data).status_code == 302
    finding.refresh_from_db()
    assert finding.title == "补贴少发"
    approve_report(findings_world.stations["A"])
    page = client_for("member").get(url).content.decode()
    assert "更正理由" in page and "原内容将完整保留在更正记录中" in page
    response = client_for("member").post(url, {**data, "title": "补贴少发放"})
    assert response.status_code == 200 and "请填写更正理由" in response.content.decode()
    assert client_for("member").post(url, {**data, "title": "补贴少发放", "reason": "措辞"}).status_code == 302
    page = client_for("member").get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert "更正记录" in page and "措辞" in page and "原问题标题" in page and "补贴少发" in page


def test_withdraw_page_needs_a_reason(client_for, sheet):
    finding = sheet[0]
    url = reverse("finding_withdraw", args=[finding.pk])
    response = client_for("member").post(url, {"reason": ""}, follow=True)
    assert "撤回问题底稿须填写理由" in response.content.decode()
    finding.refresh_from_db()
    assert finding.state == FindingState.DRAFT
    client_for("member").post(url, {"reason": "重复"})
    finding.refresh_from_db()
    assert finding.state == FindingState.WITHDRAWN


# --- query budgets -----------------------------------------------------------------------------------------------

LIST_BUDGET = 13  # measured: constant with sheets and their evidence
DETAIL_BUDGET = 21  # measured: constant with evidence, revisions and the sheet's state


def test_list_budget_does_not_grow(client_for, findings_world, findings_make, evidence_bytes, within_budget):
    client = client_for("member")
    url = reverse("finding_list", args=[findings_world.stations["A"].pk])
    findings_make()
    within_budget(client, url, LIST_BUDGET)
    for i in range(8):
        finding = findings_make(title=f"问题{i}")
        finding_evidence_add(actor=findings_world.users["member"], finding=finding,
                             upload=SimpleUploadedFile(f"p{i}.png", evidence_bytes["png"]))
    response = within_budget(client, url, LIST_BUDGET)
    assert len(response.context["findings"]) == 9


def test_detail_budget_does_not_grow(client_for, findings_world, findings_make, evidence_bytes, within_budget,
                                     findings_check):
    finding = findings_make(station_check=findings_check())
    client = client_for("leader")
    url = reverse("finding_detail", args=[finding.pk])
    within_budget(client, url, DETAIL_BUDGET)
    for i in range(6):
        finding_evidence_add(actor=findings_world.users["member"], finding=finding,
                             upload=SimpleUploadedFile(f"p{i}.png", evidence_bytes["png"]))
    finding = finding_confirm(actor=findings_world.users["leader"], finding=finding)
    approve_report(findings_world.stations["A"])
    for i in range(4):
        finding_correct(actor=findings_world.users["member"], finding=finding, reason=f"更正{i}", title=f"标题{i}")
    response = within_budget(client, url, DETAIL_BUDGET)
    assert len(response.context["evidence"]) == 6 and len(response.context["revisions"]) == 4


def test_found_on_defaults_to_today(findings_world):
    finding = finding_create(actor=findings_world.users["member"], station=findings_world.stations["A"],
                             title="t", observed="o", category=Theme.CONDUCT)
    assert finding.found_on == timezone.localdate()
    assert finding.found_on <= date.today() + timedelta(days=1)
