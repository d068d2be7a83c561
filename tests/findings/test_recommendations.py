"""纪检监察建议书 (recommendations): the services (drafting with per-field messages, the draft → issued → replied
table, gap-free numbers, the stored PDF and its hash, immutability once issued, overdue replies, the audit trail)
and the pages (who may and who may not, role by role: 404 for anything not visible; query budgets that do not
grow with rows)."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from findings.models import Recommendation, RecommendationState
from findings.services.findings import finding_confirm
from findings.services.recommendations import (
    RECOMMENDATION_TRANSITIONS,
    is_overdue,
    recommendation_create,
    recommendation_issue,
    recommendation_overdue_q,
    recommendation_reply,
    recommendation_update,
    recommendations_overdue,
)
from supervision.documents import cn_date, letterhead
from supervision.models import AuditEvent
from tests.helpers import audit_actions, last_audit_id, text
from tests.pdf_checks import assert_official_pdf

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings", "tests.findings.fixtures_results"]
pytestmark = pytest.mark.usefixtures("zh_hans")

S = RecommendationState
ROLES = ["admin", "commission", "commission_leader", "case_office", "leader", "member", "liaison", "target_liaison",
         "outsider"]
# Who sees an issued recommendation to 水南湾村 (list, detail, PDF), and who may record its reply.
READERS = {"commission", "commission_leader", "target_liaison"}
REPLIERS = {"commission", "target_liaison"}
FACTS = "2025年1月至9月，水南湾村集体土地流转收入12.6万元存入出纳个人银行卡，未及时入账。"
CAUSES = "村级财务制度执行不严，村务监督委员会未履行监督职责。"
ITEMS = ["立即将存放在个人账户的集体资金全部收回入账", "建立村级资金收支月度公开制度", "组织村“两委”干部开展财经纪律专题学习"]


def messages_of(error) -> str:
    return " ".join(error.value.messages)


def today():
    return timezone.localdate()


@pytest.fixture
def rec_make(results_world):
    world = results_world

    def make(actor=None, **fields):
        values = {"organ": world.town, "recipient": world.villages["水南湾村"], "station": world.stations["A"],
                  "findings": [world.sheet], "title": "关于规范村集体资金管理的建议", "facts": FACTS,
                  "causes": CAUSES, "items": "\n".join(ITEMS), "reply_due": today() + timedelta(days=30)}
        values.update(fields)
        return recommendation_create(actor=actor or world.users["commission"], **values)

    return make


@pytest.fixture
def issued(results_world, rec_make):
    return recommendation_issue(actor=results_world.users["commission"], recommendation=rec_make())


def url(name, recommendation=None):
    return reverse(name, args=[recommendation.pk]) if recommendation else reverse(name)


# --- drafting --------------------------------------------------------------------------------------------------------

def test_commission_drafts_a_recommendation(results_world, rec_make):
    since = last_audit_id()
    rec = rec_make(items="1. 立即收回集体资金\n\n（二）建立月度公开制度\n  三、开展专题学习  ")
    assert rec.state == S.DRAFT and rec.number == "" and rec.drafted_by == results_world.users["commission"]
    assert rec.item_list() == ["立即收回集体资金", "建立月度公开制度", "开展专题学习"]  # numbered on issue
    assert list(rec.findings.all()) == [results_world.sheet]
    assert audit_actions(since) == ["recommendation.create"]
    event = AuditEvent.objects.get(pk__gt=since)
    assert event.changes["state"] == {"before": "", "after": "起草中"}


def test_every_missing_field_gets_its_own_message(results_world, rec_make):
    with pytest.raises(ValidationError) as error:
        rec_make(title=" ", facts="", causes="", items="\n \n", reply_due=None)
    assert set(error.value.message_dict) == {"title", "facts", "causes", "items", "reply_due"}
    assert "请填写查明的事实" in messages_of(error)
    assert "请填写原因分析" in messages_of(error)
    assert "请至少填写一条监督建议（每行一条）" in messages_of(error)
    assert "请填写回复期限" in messages_of(error)
    with pytest.raises(ValidationError) as error:
        rec_make(reply_due=today())
    assert error.value.message_dict == {"reply_due": ["回复期限应晚于今天"]}


def test_organ_must_be_an_issuing_organ_and_not_the_recipient(results_world, rec_make):
    with pytest.raises(ValidationError) as error:
        rec_make(organ=results_world.villages["柯大兴村"])
    assert error.value.message_dict == {"organ": ["发文机关须为纪委监委、派驻纪检监察组或乡镇（街道）纪（工）委"]}
    with pytest.raises(ValidationError) as error:
        rec_make(recipient=results_world.town)
    assert error.value.message_dict == {"recipient": ["主送单位不能是发文机关本身"]}


def test_linked_sheets_must_be_confirmed_and_of_the_station(results_world, rec_make):
    world = results_world
    with pytest.raises(ValidationError) as error:
        rec_make(findings=[world.sheet, world.draft_sheet])
    assert error.value.message_dict == {"findings": [f"只能关联已确认的问题底稿：{world.draft_sheet.number}"]}
    with pytest.raises(ValidationError) as error:
        rec_make(station=world.stations["B"], recipient=world.villages["柯大兴村"])
    assert error.value.message_dict == {"findings": [f"问题底稿不属于本建议书所依据的驻点：{world.sheet.number}"]}
    # Without a station, any confirmed sheet may be linked.
    assert list(rec_make(station=None).findings.all()) == [world.sheet]
    assert Recommendation.objects.count() == 1


@pytest.mark.parametrize("role", ["leader", "member", "case_office", "commission_leader", "target_liaison", "admin"])
def test_only_commission_staff_draft(results_world, rec_make, role):
    with pytest.raises(ValidationError) as error:
        rec_make(actor=results_world.users[role])
    assert "只有纪委监委工作人员才能起草纪检监察建议书" in messages_of(error)
    assert not Recommendation.objects.exists()


def test_update_a_draft_records_what_changed(results_world, rec_make):
    rec = rec_make()
    since = last_audit_id()
    recommendation_update(actor=results_world.users["commission"], recommendation=rec, title="关于规范资金管理的建议",
                          items="只有一条建议", findings=[])
    rec.refresh_from_db()
    assert rec.title == "关于规范资金管理的建议" and rec.item_list() == ["只有一条建议"]
    assert list(rec.findings.all()) == []
    event = AuditEvent.objects.get(pk__gt=since)
    assert event.action == "recommendation.update"
    assert event.changes["title"] == {"before": "关于规范村集体资金管理的建议", "after": "关于规范资金管理的建议"}
    assert event.changes["findings"] == {"before": results_world.sheet.number, "after": ""}
    assert event.changes["state"] == {"before": "起草中", "after": "起草中"}
    # Nothing changed: nothing written.
    since = last_audit_id()
    recommendation_update(actor=results_world.users["commission"], recommendation=rec, title="关于规范资金管理的建议")
    assert audit_actions(since) == []
    with pytest.raises(ValidationError) as error:
        recommendation_update(actor=results_world.users["commission"], recommendation=rec, items="")
    assert error.value.message_dict == {"items": ["请至少填写一条监督建议（每行一条）"]}
    with pytest.raises(ValidationError) as error:
        recommendation_update(actor=results_world.users["commission_leader"], recommendation=rec, title="改")
    assert "只有纪委监委工作人员才能修改纪检监察建议书" in messages_of(error)


# --- issuing ---------------------------------------------------------------------------------------------------------

def test_transition_table_is_explicit():
    assert set(RECOMMENDATION_TRANSITIONS) == {(S.DRAFT, S.ISSUED), (S.ISSUED, S.REPLIED)}
    assert RECOMMENDATION_TRANSITIONS[(S.DRAFT, S.ISSUED)].who == {"issuer"}
    assert RECOMMENDATION_TRANSITIONS[(S.ISSUED, S.REPLIED)].who == {"staff", "liaison"}


def test_issue_numbers_without_gaps_and_stores_the_pdf(results_world, rec_make):
    commission = results_world.users["commission"]
    year = today().year
    since = last_audit_id()
    first = recommendation_issue(actor=commission, recommendation=rec_make())
    second = recommendation_issue(actor=commission, recommendation=rec_make(title="关于规范低保审批的建议"))
    assert (first.number, first.year, first.sequence) == (f"大箕纪建〔{year}〕1号", year, 1)
    assert second.number == f"大箕纪建〔{year}〕2号"
    assert first.state == S.ISSUED and first.issued_by == commission and first.issued_at
    stored = Path(first.pdf.path)
    assert stored.read_bytes().startswith(b"%PDF")
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == first.pdf_sha256
    assert audit_actions(since) == ["recommendation.create", "recommendation.issue"] * 2
    event = AuditEvent.objects.filter(action="recommendation.issue").order_by("id").first()
    assert event.changes["state"] == {"before": "起草中", "after": "已发出"}
    assert event.changes["number"] == {"before": "", "after": first.number}


def test_issue_refuses_a_deadline_not_after_today_and_gives_the_number_back(results_world, rec_make):
    commission = results_world.users["commission"]
    rec = rec_make()
    Recommendation.objects.filter(pk=rec.pk).update(reply_due=today())
    with pytest.raises(ValidationError) as error:
        recommendation_issue(actor=commission, recommendation=rec)
    assert error.value.message_dict == {"reply_due": ["回复期限应晚于发文日期"]}
    rec.refresh_from_db()
    assert rec.state == S.DRAFT and rec.number == "" and not rec.pdf
    later = recommendation_issue(actor=commission, recommendation=rec_make())
    assert later.number.endswith("〕1号")


def test_issue_refuses_a_sheet_withdrawn_since_it_was_linked(results_world, rec_make):
    rec = rec_make()
    results_world.sheet.__class__.objects.filter(pk=results_world.sheet.pk).update(state="withdrawn")
    with pytest.raises(ValidationError) as error:
        recommendation_issue(actor=results_world.users["commission"], recommendation=rec)
    assert results_world.sheet.number in messages_of(error)


def test_only_an_issuer_issues(results_world, rec_make):
    rec = rec_make()
    with pytest.raises(ValidationError) as error:
        recommendation_issue(actor=results_world.users["commission_leader"], recommendation=rec)
    assert "您无权签发这份建议书" in messages_of(error)


def test_the_issued_letter_passes_the_official_checks(results_world, issued, tmp_path, client_for):
    response = client_for("target_liaison").get(url("recommendation_pdf", issued))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "recommendation.pdf"
    path.write_bytes(response.content)
    assert hashlib.sha256(response.content).hexdigest() == issued.pdf_sha256  # the stored file, as issued
    due = cn_date(issued.reply_due)
    pdf = assert_official_pdf(path, organ=letterhead(issued.organ).lines[0], number=issued.number,
                              title="纪检监察建议书",
                              expected=["水南湾村：", FACTS, CAUSES, *ITEMS, f"请于{due}前将落实情况书面回复本机关。",
                                        "一、查明的事实", "二、原因分析", "三、监督建议", "（一）", "（三）",
                                        cn_date(issued.issued_at)])
    flat = "".join(pdf.split())
    assert flat.index("（一）" + ITEMS[0]) < flat.index("（二）" + ITEMS[1]) < flat.index("（三）" + ITEMS[2])
    assert f"请于{due}前" in flat and "草稿" not in flat


def test_a_draft_previews_marked_as_draft(results_world, rec_make, client_for, tmp_path):
    from tests.pdf_checks import pdf_text

    rec = rec_make()
    response = client_for("commission").get(url("recommendation_pdf", rec))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "draft.pdf"
    path.write_bytes(response.content)
    assert "草稿" in "".join(pdf_text(path).split())
    rec.refresh_from_db()
    assert rec.state == S.DRAFT and not rec.pdf  # a preview stores nothing


def test_an_issued_recommendation_is_immutable(results_world, issued, client_for):
    commission = results_world.users["commission"]
    with pytest.raises(ValidationError) as error:
        recommendation_update(actor=commission, recommendation=issued, title="改标题")
    assert "建议书已签发，文号和内容不可更改" in messages_of(error)
    with pytest.raises(ValidationError) as error:
        recommendation_issue(actor=commission, recommendation=issued)
    assert "“已发出”的建议书不能签发" in messages_of(error)
    client = client_for("commission")
    assert client.get(url("recommendation_edit", issued)).status_code == 404
    assert client.post(url("recommendation_edit", issued), {"title": "改标题"}).status_code == 404
    assert client.post(url("recommendation_issue", issued)).status_code == 404
    issued.refresh_from_db()
    assert issued.title == "关于规范村集体资金管理的建议" and issued.sequence == 1


# --- reply and overdue -----------------------------------------------------------------------------------------------

def test_the_recipient_liaison_records_the_reply(results_world, issued, client_for):
    client = client_for("target_liaison")
    since = last_audit_id()
    response = client.post(url("recommendation_reply", issued), {"reply": "", "replied_on": ""})
    assert response.status_code == 200
    assert "请填写回复内容（落实情况）" in text(response) and "请填写回复日期" in text(response)
    tomorrow = today() + timedelta(days=1)
    response = client.post(url("recommendation_reply", issued), {"reply": "已收回", "replied_on": tomorrow})
    assert "回复日期不能晚于今天" in text(response)
    response = client.post(url("recommendation_reply", issued), {"reply": "资金已全部收回入账。", "replied_on": today()},
                           follow=True)
    assert "已登记建议书" in text(response)
    issued.refresh_from_db()
    assert issued.state == S.REPLIED and issued.reply == "资金已全部收回入账。" and issued.replied_on == today()
    assert issued.reply_recorded_by == results_world.users["target_liaison"]
    assert audit_actions(since) == ["recommendation.reply"]
    assert AuditEvent.objects.get(pk__gt=since).changes["state"] == {"before": "已发出", "after": "已回复"}
    assert client.get(url("recommendation_reply", issued)).status_code == 404  # replied once
    with pytest.raises(ValidationError) as error:
        recommendation_reply(actor=results_world.users["commission"], recommendation=issued, reply="再次",
                             replied_on=today())
    assert "“已回复”的建议书不能登记回复" in messages_of(error)


def test_a_draft_cannot_be_replied_to(results_world, rec_make):
    with pytest.raises(ValidationError) as error:
        recommendation_reply(actor=results_world.users["commission"], recommendation=rec_make(), reply="x",
                             replied_on=today())
    assert "“起草中”的建议书不能登记回复" in messages_of(error)


def test_another_units_liaison_cannot_reply(results_world, issued):
    with pytest.raises(ValidationError) as error:
        recommendation_reply(actor=results_world.users["liaison"], recommendation=issued, reply="x",
                             replied_on=today())
    assert "您无权登记回复这份建议书" in messages_of(error)


def test_overdue_is_issued_unreplied_and_past_the_deadline(results_world, rec_make, issued, client_for):
    draft = rec_make(title="还在起草")
    Recommendation.objects.filter(pk__in=[issued.pk, draft.pk]).update(reply_due=today() - timedelta(days=1))
    issued.refresh_from_db()
    assert is_overdue(issued) and not is_overdue(issued, today() - timedelta(days=1))  # the day itself is on time
    everything = Recommendation.objects.all()
    assert list(recommendations_overdue(everything)) == [issued]
    assert list(everything.filter(recommendation_overdue_q(today()))) == [issued]
    for role in ("commission", "target_liaison"):
        page = text(client_for(role).get(url("recommendation_list")))
        assert page.count('data-testid="overdue"') == 1, role
    assert 'data-testid="overdue"' in text(client_for("commission").get(url("recommendation_detail", issued)))
    recommendation_reply(actor=results_world.users["commission"], recommendation=issued, reply="已整改",
                         replied_on=today())
    assert list(recommendations_overdue(everything)) == []
    assert 'data-testid="overdue"' not in text(client_for("commission").get(url("recommendation_list")))


# --- who may see and do what -----------------------------------------------------------------------------------------

def test_access_matrix_for_an_issued_recommendation(results_world, issued, client):
    users = results_world.users
    for role in ROLES:
        client.force_login(users[role])
        listing = client.get(url("recommendation_list"))
        if role in READERS:
            assert listing.status_code == 200 and issued.number in text(listing), role
        elif role == "liaison":  # a liaison has a list of their own unit's letters: empty here
            assert listing.status_code == 200 and issued.number not in text(listing), role
            assert 'data-testid="recommendation-empty"' in text(listing)
        else:
            assert listing.status_code == 404, role
        expected = 200 if role in READERS else 404
        assert client.get(url("recommendation_detail", issued)).status_code == expected, role
        assert client.get(url("recommendation_pdf", issued)).status_code == expected, role
        assert client.get(url("recommendation_reply", issued)).status_code == (200 if role in REPLIERS else 404), role
        assert client.get(url("recommendation_new")).status_code == (200 if role == "commission" else 404), role
        assert client.get(url("recommendation_edit", issued)).status_code == 404, role
        assert client.post(url("recommendation_issue", issued)).status_code == 404, role


def test_access_matrix_for_a_draft(results_world, rec_make, client):
    users = results_world.users
    draft = rec_make()
    for role in ROLES:
        client.force_login(users[role])
        staff = role in {"commission", "commission_leader"}
        expected = 200 if staff else 404
        assert client.get(url("recommendation_detail", draft)).status_code == expected, role
        assert client.get(url("recommendation_edit", draft)).status_code == (200 if role == "commission" else 404), role
        assert client.get(url("recommendation_reply", draft)).status_code == 404, role
        listing = client.get(url("recommendation_list"))
        assert (listing.status_code == 200 and draft.title in text(listing)) == staff, role
    for role in ROLES:
        if role != "commission":
            client.force_login(users[role])
            assert client.post(url("recommendation_issue", draft)).status_code == 404, role
    draft.refresh_from_db()
    assert draft.state == S.DRAFT


def test_another_team_member_sees_nothing(results_world, issued, client):
    client.force_login(results_world.users["other_team"])
    for name in ("recommendation_detail", "recommendation_pdf", "recommendation_reply"):
        assert client.get(url(name, issued)).status_code == 404
    assert client.get(url("recommendation_list")).status_code == 404


def test_the_liaison_sees_only_issued_letters_to_their_unit(results_world, rec_make, issued, client_for):
    draft = rec_make(title="尚未签发的建议")
    page = text(client_for("target_liaison").get(url("recommendation_list")))
    assert issued.number in page and draft.title not in page
    assert "起草中" not in page  # not even as a filter choice
    detail = text(client_for("target_liaison").get(url("recommendation_detail", issued)))
    assert results_world.sheet.number not in detail  # the team's sheets are not the unit's to read
    assert 'data-testid="recommendation-reply"' in detail and "签发后文号和内容不可更改" not in detail


def test_commission_leader_reads_and_changes_nothing(results_world, issued, client_for):
    client = client_for("commission_leader")
    page = text(client.get(url("recommendation_detail", issued)))
    assert issued.number in page and results_world.sheet.number in page
    assert 'data-testid="recommendation-reply"' not in page
    assert client.post(url("recommendation_reply", issued), {"reply": "x", "replied_on": today()}).status_code == 404
    assert 'data-testid="recommendation-new"' not in text(client.get(url("recommendation_list")))


# --- pages -----------------------------------------------------------------------------------------------------------

def test_new_from_a_station_prefills_and_offers_its_confirmed_sheets(results_world, client_for):
    world = results_world
    client = client_for("commission")
    station = world.stations["A"]
    page = client.get(url("recommendation_new"), {"station": station.pk})
    form = page.context["form"]
    assert form.initial["recipient"] == world.villages["水南湾村"].pk
    assert form.initial["organ"] == station.round.batch.organiser_id
    assert world.sheet.number in text(page) and world.draft_sheet.number not in text(page)
    response = client.post(url("recommendation_new"), {
        "station": station.pk, "organ": world.town.pk, "recipient": world.villages["水南湾村"].pk,
        "title": "关于规范村集体资金管理的建议", "facts": FACTS, "causes": CAUSES, "items": "\n".join(ITEMS),
        "reply_due": (today() + timedelta(days=20)).isoformat(), "findings": [world.sheet.pk]}, follow=True)
    rec = Recommendation.objects.get()
    assert response.redirect_chain[-1][0] == url("recommendation_detail", rec)
    assert rec.station == station and list(rec.findings.all()) == [world.sheet]
    assert "已保存为草稿" in text(response)
    assert 'data-confirm="签发后文号和内容不可更改，确定签发？"' in text(response)


def test_new_shows_messages_and_keeps_the_input(results_world, client_for):
    client = client_for("commission")
    response = client.post(url("recommendation_new"), {
        "organ": results_world.town.pk, "recipient": results_world.villages["水南湾村"].pk, "title": "保留的标题",
        "facts": "", "causes": "", "items": "", "reply_due": today().isoformat()})
    page = text(response)
    assert response.status_code == 200 and "保留的标题" in page
    for message in ("请填写查明的事实", "请填写原因分析", "请至少填写一条监督建议（每行一条）"):
        assert message in page
    response = client.post(url("recommendation_new"), {
        "organ": results_world.town.pk, "recipient": results_world.villages["水南湾村"].pk, "title": "标题",
        "facts": FACTS, "causes": CAUSES, "items": "一条", "reply_due": today().isoformat()})
    assert "回复期限应晚于今天" in text(response)
    assert not Recommendation.objects.exists()


def test_new_for_a_station_one_cannot_see_is_404(results_world, client_for):
    client = client_for("commission")
    assert client.get(url("recommendation_new"), {"station": "x"}).status_code == 404
    assert client.get(url("recommendation_new"), {"station": 999999}).status_code == 404


def test_edit_then_issue_through_the_pages(results_world, rec_make, client_for):
    rec = rec_make()
    client = client_for("commission")
    page = client.get(url("recommendation_edit", rec))
    assert page.context["form"].initial["findings"] == [results_world.sheet.pk]
    response = client.post(url("recommendation_edit", rec), {
        "organ": results_world.town.pk, "recipient": results_world.villages["水南湾村"].pk, "title": "新标题",
        "facts": FACTS, "causes": CAUSES, "items": "一条建议", "reply_due": (today() + timedelta(days=9)).isoformat()})
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.title == "新标题" and not rec.findings.exists()
    assert client.get(url("recommendation_issue", rec)).status_code == 405
    response = client.post(url("recommendation_issue", rec), follow=True)
    rec.refresh_from_db()
    assert rec.state == S.ISSUED and f"建议书已签发，文号 {rec.number}" in text(response)


def test_issue_refusal_is_shown_on_the_page(results_world, rec_make, client_for):
    rec = rec_make()
    Recommendation.objects.filter(pk=rec.pk).update(reply_due=today())
    response = client_for("commission").post(url("recommendation_issue", rec), follow=True)
    assert "回复期限应晚于发文日期" in text(response)


def test_list_filters_by_state_and_paginates(results_world, rec_make, issued, client_for):
    draft = rec_make(title="一份草稿")
    client = client_for("commission")
    page = text(client.get(url("recommendation_list"), {"state": "draft"}))
    assert draft.title in page and issued.number not in page
    page = text(client.get(url("recommendation_list"), {"state": "replied"}))
    assert "没有符合条件的建议书" in page
    page = text(client.get(url("recommendation_list"), {"state": "bogus"}))
    assert draft.title in page and issued.number in page
    for n in range(55):
        rec_make(title=f"批量{n}")
    response = client.get(url("recommendation_list"))
    assert len(response.context["page"].object_list) == 50 and "下一页" in text(response)


def test_empty_list(results_world, client_for):
    assert "还没有纪检监察建议书" in text(client_for("commission").get(url("recommendation_list")))
    assert "本单位还没有收到纪检监察建议书" in text(client_for("target_liaison").get(url("recommendation_list")))


# --- query budgets ---------------------------------------------------------------------------------------------------

def _issue_quickly(rec, n):
    """Mark a draft issued without rendering (the budget tests count queries, not PDFs)."""
    Recommendation.objects.filter(pk=rec.pk).update(state=S.ISSUED, number=f"大箕纪建〔2099〕{n}号", year=2099,
                                                     sequence=n, issued_at=timezone.now())


@pytest.mark.parametrize("role", ["commission", "target_liaison"])
def test_list_budget_does_not_grow_with_rows(results_world, rec_make, client_for, within_budget, role):
    client = client_for(role)
    _issue_quickly(rec_make(), 1)
    budget = 12
    within_budget(client, url("recommendation_list"), budget)
    for n in range(2, 11):
        _issue_quickly(rec_make(title=f"建议{n}"), n)
    response = within_budget(client, url("recommendation_list"), budget)
    assert len(response.context["page"].object_list) == 10


@pytest.mark.parametrize("role", ["commission", "target_liaison"])
def test_detail_budget_does_not_grow_with_linked_sheets(results_world, rec_make, findings_make, client_for,
                                                        within_budget, role):
    users = results_world.users
    client = client_for(role)
    rec = rec_make()
    _issue_quickly(rec, 1)
    budget = 14
    within_budget(client, url("recommendation_detail", rec), budget)
    more = [finding_confirm(actor=users["leader"], finding=findings_make(title=f"问题{n}")) for n in range(9)]
    rec.findings.add(*more)
    response = within_budget(client, url("recommendation_detail", rec), budget)
    if role == "commission":
        assert len(response.context["findings"]) == 10
