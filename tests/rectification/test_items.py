"""Rectification items (整改事项): the services (the explicit transition table, plan → progress with evidence →
submit → return / verify → 回头看 reopen; every refusal with its message; the audit trail) and the pages (the unit's
portal, the list, an item's page: who may and who may not, role by role, 404 for anything not visible; colours on
every list; query budgets that do not grow with rows or events)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from rectification.models import ItemEvent, ItemState, RectificationEvidence, RectificationItem
from rectification.services.items import (
    ITEM_TRANSITIONS,
    item_plan_save,
    item_progress_report,
    item_reopen,
    item_return,
    item_submit,
    item_verify,
)
from supervision.models import AuditEvent
from tests.helpers import audit_actions, last_audit_id, text

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results", "tests.rectification.fixtures_rectification"]
pytestmark = pytest.mark.usefixtures("zh_hans")

S = ItemState
PLAN = {"target": "集体资金全部收回入账", "measures": "1. 收回出纳个人账户资金\n2. 建立月度公开制度",
        "responsible_leader": "村党支部书记 张某某", "responsible_department": "村委会"}
POSTS = ["item_plan", "item_progress", "item_submit", "item_return", "item_verify", "item_reopen"]


def url(name, pk=None):
    return reverse(name, args=[pk]) if pk is not None else reverse(name)


def messages_of(error) -> str:
    return " ".join(error.value.messages)


@pytest.fixture
def item(rect_world):
    return rect_world.items[0]


@pytest.fixture
def png(evidence_bytes):
    return lambda name="整改照片.png": SimpleUploadedFile(name, evidence_bytes["png"], content_type="image/png")


@pytest.fixture
def planned(rect_world, item):
    return item_plan_save(actor=rect_world.users["target_liaison"], item=item, **PLAN)


@pytest.fixture
def submitted(rect_world, planned, png):
    liaison = rect_world.users["target_liaison"]
    item_progress_report(actor=liaison, item=planned, text="已收回12.6万元", files=[png()])
    return item_submit(actor=liaison, item=planned)


# --- the table and the flow ------------------------------------------------------------------------------------------

def test_transition_table_is_explicit():
    assert {(a, b): sorted(t.who) for (a, b), t in ITEM_TRANSITIONS.items()} == {
        (S.OPEN, S.IN_PROGRESS): ["liaison"],
        (S.IN_PROGRESS, S.SUBMITTED): ["liaison"],
        (S.RETURNED, S.SUBMITTED): ["liaison"],
        (S.SUBMITTED, S.RETURNED): ["verifier"],
        (S.SUBMITTED, S.CLOSED): ["verifier"],
        (S.CLOSED, S.IN_PROGRESS): ["staff"],
    }


def test_the_whole_flow_through_the_pages(rect_world, item, client, png, media_files, evidence_bytes):
    users = rect_world.users
    since = last_audit_id()
    before_files = media_files()
    client.force_login(users["target_liaison"])
    response = client.post(url("item_plan", item.pk), PLAN, follow=True)
    assert "整改方案已保存" in text(response)
    item.refresh_from_db()
    assert item.state == S.IN_PROGRESS and item.target == PLAN["target"]
    assert item.responsible_department == "村委会"
    response = client.post(url("item_progress", item.pk), {"text": "已收回12.6万元", "files": [png()]}, follow=True)
    assert "整改进展已报告，附佐证材料1份" in text(response)
    evidence = RectificationEvidence.objects.get()
    assert evidence.original_name == "整改照片.png" and evidence.content_type == "image/png"
    assert len(evidence.sha256) == 64 and evidence.event.kind == "progress"
    stored = Path(evidence.file.path)
    assert stored.exists() and "整改照片" not in stored.name and stored.suffix == ""  # a random name
    assert media_files() - before_files == {stored}
    page = text(client.get(url("item_detail", item.pk)))
    assert url("rectification_evidence", evidence.pk) in page and "已收回12.6万元" in page
    response = client.post(url("item_submit", item.pk), follow=True)
    assert "已提交核验" in text(response)
    item.refresh_from_db()
    assert item.state == S.SUBMITTED

    client.force_login(users["leader"])
    page = text(client.get(url("item_detail", item.pk)))
    assert 'data-testid="item-verify"' in page and 'data-testid="return-form"' in page
    assert 'data-confirm="核验通过后该问题销号，确定销号？"' in page
    response = client.post(url("item_return", item.pk), {"comment": "缺少银行入账凭证"}, follow=True)
    assert "已退回整改单位" in text(response)
    item.refresh_from_db()
    assert item.state == S.RETURNED

    client.force_login(users["target_liaison"])
    page = text(client.get(url("item_detail", item.pk)))
    assert "缺少银行入账凭证" in page and 'data-testid="item-submit"' in page
    client.post(url("item_submit", item.pk))
    item.refresh_from_db()
    assert item.state == S.SUBMITTED

    client.force_login(users["leader"])
    response = client.post(url("item_verify", item.pk), follow=True)
    assert "已核验销号" in text(response)
    item.refresh_from_db()
    assert item.state == S.CLOSED and item.closed_at is not None
    assert 'data-testid="reopen-form"' not in text(response)  # a team leader does not reopen

    client.force_login(users["commission"])
    page = text(client.get(url("item_detail", item.pk)))
    assert 'data-testid="reopen-form"' in page
    response = client.post(url("item_reopen", item.pk), {"reason": "回头看发现资金又存入个人账户"}, follow=True)
    assert "已重新打开" in text(response)
    item.refresh_from_db()
    assert item.state == S.IN_PROGRESS and item.closed_at is None

    assert list(item.events.values_list("kind", flat=True)) == [
        "plan", "progress", "submit", "return", "submit", "verify", "reopen"]
    names = list(item.events.values_list("actor_name", flat=True))
    assert names[0] == names[1] == users["target_liaison"].person.name
    assert names[3] == users["leader"].person.name and item.events.get(kind="return").text == "缺少银行入账凭证"
    assert audit_actions(since) == ["item.plan", "item.progress", "item.submit", "item.return", "item.submit",
                                    "item.verify", "item.reopen"]
    changes = [e.changes["state"] for e in AuditEvent.objects.filter(pk__gt=since).order_by("id")]
    assert changes == [{"before": "待整改", "after": "整改中"}, {"before": "整改中", "after": "整改中"},
                       {"before": "整改中", "after": "待核验"}, {"before": "待核验", "after": "已退回"},
                       {"before": "已退回", "after": "待核验"}, {"before": "待核验", "after": "已销号"},
                       {"before": "已销号", "after": "整改中"}]
    reopen = AuditEvent.objects.filter(action="item.reopen").get()
    assert reopen.changes["reason"]["after"] == "回头看发现资金又存入个人账户"
    assert reopen.actor == users["commission"]

    # The file downloads as an attachment, exactly as uploaded.
    client.force_login(users["target_liaison"])
    response = client.get(url("rectification_evidence", evidence.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == evidence_bytes["png"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")


def test_saving_the_plan_again_updates_it(rect_world, planned):
    since = last_audit_id()
    liaison = rect_world.users["target_liaison"]
    item_plan_save(actor=liaison, item=planned, **{**PLAN, "responsible_leader": "村主任 李某某"})
    planned.refresh_from_db()
    assert planned.state == S.IN_PROGRESS and planned.responsible_leader == "村主任 李某某"
    assert audit_actions(since) == ["item.plan"]
    assert AuditEvent.objects.get(pk__gt=since).changes["responsible_leader"] == {
        "before": PLAN["responsible_leader"], "after": "村主任 李某某"}
    since = last_audit_id()
    item_plan_save(actor=liaison, item=planned, **{**PLAN, "responsible_leader": "村主任 李某某"})
    assert audit_actions(since) == []  # the same plan again: nothing recorded


# --- refusals --------------------------------------------------------------------------------------------------------

def test_plan_with_missing_fields_gets_a_message_per_field(rect_world, item, client):
    with pytest.raises(ValidationError) as error:
        item_plan_save(actor=rect_world.users["target_liaison"], item=item, target=" ", measures="",
                       responsible_leader="", responsible_department="")
    assert error.value.message_dict == {"target": ["请填写整改目标"], "measures": ["请填写整改措施"],
                                        "responsible_leader": ["请填写责任领导"],
                                        "responsible_department": ["请填写责任部门"]}
    client.force_login(rect_world.users["target_liaison"])
    response = client.post(url("item_plan", item.pk), {**PLAN, "measures": "", "responsible_leader": ""})
    page = text(response)
    assert response.status_code == 200 and "请填写整改措施" in page and "请填写责任领导" in page
    assert PLAN["target"] in page  # the input is kept
    item.refresh_from_db()
    assert item.state == S.OPEN and item.target == "" and not ItemEvent.objects.exists()


def test_submit_needs_a_plan_and_a_progress_report(rect_world, item, planned):
    liaison = rect_world.users["target_liaison"]
    fresh = rect_world.items[1]
    with pytest.raises(ValidationError) as error:
        item_submit(actor=liaison, item=fresh)
    assert messages_of(error) == "请先填写整改方案（整改目标、措施、责任领导、责任部门）"
    with pytest.raises(ValidationError) as error:
        item_submit(actor=liaison, item=planned)
    assert messages_of(error) == "请先报告整改进展（文字说明或佐证材料）"
    RectificationItem.objects.filter(pk=fresh.pk).update(state=S.IN_PROGRESS)  # e.g. a plan lost in a data fix
    with pytest.raises(ValidationError) as error:
        item_submit(actor=liaison, item=fresh)
    assert "请先填写整改方案" in messages_of(error) and "请先报告整改进展" in messages_of(error)
    assert RectificationItem.objects.filter(state=S.SUBMITTED).count() == 0


def test_submit_refusal_is_shown_on_the_page(rect_world, planned, client):
    client.force_login(rect_world.users["target_liaison"])
    response = client.post(url("item_submit", planned.pk), follow=True)
    assert "请先报告整改进展（文字说明或佐证材料）" in text(response)


def test_progress_needs_text_or_files_and_a_plan_first(rect_world, item, planned):
    liaison = rect_world.users["target_liaison"]
    with pytest.raises(ValidationError) as error:
        item_progress_report(actor=liaison, item=planned, text="  ", files=[])
    assert error.value.message_dict == {"text": ["请填写整改进展或上传佐证材料"]}
    event = item_progress_report(actor=liaison, item=planned, text="已召开专题会议")
    assert event.kind == "progress" and not event.evidence.exists()
    fresh = rect_world.items[1]
    with pytest.raises(ValidationError) as error:
        item_progress_report(actor=liaison, item=fresh, text="x")
    assert messages_of(error) == "“待整改”的整改事项不能报告整改进展"


def test_a_disguised_exe_is_refused_and_nothing_is_stored(rect_world, planned, png, evidence_bytes, media_files,
                                                          client):
    before = media_files()
    since = last_audit_id()
    exe = SimpleUploadedFile("照片.png", evidence_bytes["exe"], content_type="image/png")
    with pytest.raises(ValidationError) as error:
        item_progress_report(actor=rect_world.users["target_liaison"], item=planned, text="见附件",
                             files=[png(), exe])
    message = messages_of(error)
    assert "“照片.png”未上传" in message and "application/x-dosexec" in message
    assert "本次进展未保存" in message
    assert not RectificationEvidence.objects.exists() and not planned.events.filter(kind="progress").exists()
    assert media_files() == before and audit_actions(since) == []
    # The same through the page: the message next to the field, the text kept, nothing stored.
    client.force_login(rect_world.users["target_liaison"])
    exe.seek(0)
    response = client.post(url("item_progress", planned.pk), {"text": "见附件", "files": [png(), exe]})
    page = text(response)
    assert response.status_code == 200 and "application/x-dosexec" in page and "见附件" in page
    assert not RectificationEvidence.objects.exists() and media_files() == before


def test_return_needs_a_comment(rect_world, submitted, client):
    with pytest.raises(ValidationError) as error:
        item_return(actor=rect_world.users["leader"], item=submitted, comment="  ")
    assert error.value.message_dict == {"comment": ["请填写退回意见"]}
    client.force_login(rect_world.users["leader"])
    response = client.post(url("item_return", submitted.pk), {"comment": ""})
    assert response.status_code == 200 and "请填写退回意见" in text(response)
    submitted.refresh_from_db()
    assert submitted.state == S.SUBMITTED


def test_reopen_needs_a_reason_and_commission_staff(rect_world, submitted):
    users = rect_world.users
    item_verify(actor=users["leader"], item=submitted)
    with pytest.raises(ValidationError) as error:
        item_reopen(actor=users["commission"], item=submitted, reason="")
    assert error.value.message_dict == {"reason": ["请填写重新打开的原因（回头看发现的情况）"]}
    with pytest.raises(ValidationError) as error:
        item_reopen(actor=users["leader"], item=submitted, reason="回头看")
    assert messages_of(error) == "您无权回头看重新打开这项整改事项"


def test_moves_out_of_turn_are_refused(rect_world, item, planned, submitted):
    users = rect_world.users
    with pytest.raises(ValidationError) as error:
        item_verify(actor=users["leader"], item=rect_world.items[1])
    assert messages_of(error) == "“待整改”的整改事项不能核验销号"
    with pytest.raises(ValidationError) as error:
        item_plan_save(actor=users["target_liaison"], item=submitted, **PLAN)
    assert messages_of(error) == "“待核验”的整改事项不能填写整改方案"
    with pytest.raises(ValidationError) as error:
        item_verify(actor=users["target_liaison"], item=submitted)
    assert messages_of(error) == "您无权核验销号这项整改事项"
    with pytest.raises(ValidationError) as error:
        item_verify(actor=users["member"], item=submitted)
    assert messages_of(error) == "您无权核验销号这项整改事项"
    with pytest.raises(ValidationError) as error:
        item_submit(actor=users["commission"], item=submitted)
    assert "不能提交核验" in messages_of(error)


def test_commission_staff_verify_too(rect_world, submitted):
    item = item_verify(actor=rect_world.users["commission"], item=submitted, comment="材料齐全")
    assert item.state == S.CLOSED and item.events.get(kind="verify").text == "材料齐全"


# --- who may see and do what -----------------------------------------------------------------------------------------

def _every_page_is_404(client, item, evidence):
    assert client.get(url("item_detail", item.pk)).status_code == 404
    for name in POSTS:
        assert client.post(url(name, item.pk), {**PLAN, "text": "x", "comment": "x", "reason": "x"}
                           ).status_code == 404, name
    assert client.get(url("rectification_evidence", evidence.pk)).status_code == 404


@pytest.mark.parametrize("who", ["other_liaison", "liaison", "case_office", "outsider", "admin", "other_team"])
def test_strangers_get_404_on_everything_of_the_item(rect_world, submitted, client, who):
    user = rect_world.other_liaison if who == "other_liaison" else rect_world.users[who]
    evidence = RectificationEvidence.objects.get()
    client.force_login(user)
    _every_page_is_404(client, submitted, evidence)
    for other in rect_world.items:
        assert client.get(url("item_detail", other.pk)).status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == S.SUBMITTED and RectificationEvidence.objects.count() == 1
    listing = client.get(url("item_list"))
    if who == "other_team":
        assert listing.status_code == 200 and f'data-item="{submitted.pk}"' not in text(listing)
    elif who in ("other_liaison", "liaison"):
        assert listing.status_code == 302 and listing["Location"] == url("portal")
    else:
        assert listing.status_code == 404
        assert client.get(url("portal")).status_code == 404


def test_team_member_reads_but_cannot_verify(rect_world, submitted, client):
    client.force_login(rect_world.users["member"])
    page = text(client.get(url("item_detail", submitted.pk)))
    assert "整改事项 1" in page and 'data-testid="item-verify"' not in page
    for name in POSTS:
        assert client.post(url(name, submitted.pk), {**PLAN, "comment": "x", "reason": "x"}).status_code == 404
    assert client.get(url("rectification_evidence", RectificationEvidence.objects.get().pk)).status_code == 200
    submitted.refresh_from_db()
    assert submitted.state == S.SUBMITTED


def test_commission_leader_reads_and_cannot_act(rect_world, submitted, client):
    client.force_login(rect_world.users["commission_leader"])
    page = text(client.get(url("item_detail", submitted.pk)))
    assert PLAN["target"] in page
    for marker in ("item-verify", "return-form", "reopen-form", "plan-form", "progress-form", "item-submit"):
        assert f'data-testid="{marker}"' not in page
    for name in POSTS:
        assert client.post(url(name, submitted.pk), {**PLAN, "comment": "x", "reason": "x"}).status_code == 404
    assert client.get(url("portal")).status_code == 404
    listing = text(client.get(url("item_list")))
    assert all(f'data-item="{i.pk}"' in listing for i in [*rect_world.items, rect_world.other_item])
    submitted.refresh_from_db()
    assert submitted.state == S.SUBMITTED


def test_the_liaison_works_but_does_not_verify(rect_world, submitted, client):
    client.force_login(rect_world.users["target_liaison"])
    page = text(client.get(url("item_detail", submitted.pk)))
    assert 'data-testid="item-verify"' not in page and 'data-testid="return-form"' not in page
    for name in ("item_return", "item_verify", "item_reopen"):
        assert client.post(url(name, submitted.pk), {"comment": "x", "reason": "x"}).status_code == 404


def test_the_other_liaison_works_on_their_own_item(rect_world, client):
    other = rect_world.other_item
    client.force_login(rect_world.other_liaison)
    client.post(url("item_plan", other.pk), PLAN)
    other.refresh_from_db()
    assert other.state == S.IN_PROGRESS
    client.force_login(rect_world.users["target_liaison"])
    assert client.get(url("item_detail", other.pk)).status_code == 404
    assert client.post(url("item_progress", other.pk), {"text": "x"}).status_code == 404


# --- portal and list -------------------------------------------------------------------------------------------------

def test_the_portal_lists_only_the_liaisons_letters_and_items_with_colours(rect_world, client):
    client.force_login(rect_world.users["target_liaison"])
    response = client.get(url("portal"))
    page = text(response)
    assert rect_world.letter.number in page and rect_world.other_letter.number not in page
    for item in rect_world.items:
        assert f'data-item="{item.pk}"' in page and url("item_detail", item.pk) in page
    assert f'data-item="{rect_world.other_item.pk}"' not in page
    assert 'class="tag amber" data-level="yellow" data-testid="deadline"' in page and "剩余5天" in page
    assert "剩余30天" in page
    counts = {c["level"]: c["count"] for c in response.context["counts"]}
    assert counts == {"red": 0, "yellow": 1, "green": 0}
    client.force_login(rect_world.other_liaison)
    page = text(client.get(url("portal")))
    assert rect_world.other_letter.number in page and rect_world.letter.number not in page
    assert "剩余15天" in page and 'class="tag green"' in page
    client.force_login(rect_world.users["liaison"])
    page = text(client.get(url("portal")))
    assert 'data-testid="portal-empty"' in page and rect_world.letter.number not in page


@pytest.mark.parametrize("who", ["commission", "leader", "member", "case_office", "outsider", "admin",
                                 "commission_leader"])
def test_the_portal_is_for_liaisons_only(rect_world, client, who):
    client.force_login(rect_world.users[who])
    assert client.get(url("portal")).status_code == 404


def test_list_scopes_sorts_filters_and_colours(rect_world, rect_make_item, client):
    today = timezone.localdate()
    late = rect_make_item(rect_world.letter, today - timedelta(days=3), title="逾期的问题")
    client.force_login(rect_world.users["leader"])
    response = client.get(url("item_list"))
    rows = [i.pk for i in response.context["page"].object_list]
    assert rows == [late.pk, rect_world.items[1].pk, rect_world.items[0].pk]  # by deadline
    page = text(response)
    assert "逾期3天" in page and 'class="tag red"' in page and "剩余5天" in page
    assert f'data-item="{rect_world.other_item.pk}"' not in page
    counts = {c["level"]: c["count"] for c in response.context["counts"]}
    assert counts == {"red": 1, "yellow": 1, "green": 0}
    red = client.get(url("item_list"), {"level": "red"})
    assert [i.pk for i in red.context["page"].object_list] == [late.pk]
    client.force_login(rect_world.users["commission"])
    green = client.get(url("item_list"), {"level": "green"})
    assert [i.pk for i in green.context["page"].object_list] == [rect_world.other_item.pk]
    RectificationItem.objects.filter(pk=late.pk).update(state=S.CLOSED)
    closed = client.get(url("item_list"), {"state": "closed"})
    assert [i.pk for i in closed.context["page"].object_list] == [late.pk]
    assert "已销号" in text(closed)
    assert client.get(url("item_list"), {"level": "red"}).context["page"].object_list == []
    empty = client.get(url("item_list"), {"level": "purple", "state": "nonsense"})
    assert len(empty.context["page"].object_list) == 4  # unknown filters are ignored


# --- query budgets ---------------------------------------------------------------------------------------------------

def _more_items(rect_world, rect_make_item, n):
    today = timezone.localdate()
    for days in range(n):
        rect_make_item(rect_world.letter, today + timedelta(days=days - 3))


def test_portal_budget_does_not_grow_with_items(rect_world, rect_make_item, client, within_budget):
    client.force_login(rect_world.users["target_liaison"])
    budget = 12
    within_budget(client, url("portal"), budget)
    _more_items(rect_world, rect_make_item, 10)
    response = within_budget(client, url("portal"), budget)
    assert len(response.context["letters"][0].item_rows) == 12


@pytest.mark.parametrize("who", ["commission", "leader"])
def test_list_budget_does_not_grow_with_items(rect_world, rect_make_item, client, within_budget, who):
    client.force_login(rect_world.users[who])
    budget = 12
    within_budget(client, url("item_list"), budget)
    _more_items(rect_world, rect_make_item, 10)
    response = within_budget(client, url("item_list"), budget)
    assert len(response.context["page"].object_list) >= 12


@pytest.mark.parametrize("who", ["target_liaison", "leader", "commission"])
def test_detail_budget_does_not_grow_with_events(rect_world, planned, png, client, within_budget, who):
    client.force_login(rect_world.users[who])
    budget = 15
    within_budget(client, url("item_detail", planned.pk), budget)
    for n in range(9):
        item_progress_report(actor=rect_world.users["target_liaison"], item=planned, text=f"进展{n}",
                             files=[png(f"照片{n}.png")])
    response = within_budget(client, url("item_detail", planned.pk), budget)
    assert len(response.context["events"]) == 10


def test_item_list_takes_the_dashboard_filters_and_its_ledger_link_carries_them(rect_world, client_for):
    """A number on the dashboard drills down here with its filters (township, category...); the export keeps them."""
    client = client_for("commission")
    village_b = rect_world.stations["B"].target
    response = client.get(reverse("item_list"), {"township": village_b.pk})
    shown = {item.pk for item in response.context["page"].object_list}
    assert shown == {rect_world.other_item.pk}
    assert f"township={village_b.pk}" in response.context["ledger_query"]
    bad = client.get(reverse("item_list"), {"township": "x", "start": "2026-13-01"})
    assert bad.status_code == 200 and len(bad.context["filters"].errors) == 2
