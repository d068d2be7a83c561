"""The writes of the results API that the pages had and the API lacked: editing a draft problem lead, recording and
changing dispositions, drafting and editing recommendations, opening special campaigns from the system's flag,
starting, changing and closing them.

For each: the role the page lets act succeeds through the page's service (the state, the linked rows and the audit
event are the service's); a role that does not see the object gets a 404; a role that sees it but may not act gets
a 404 too, because that is what the page answers (checked on the page in the same test); a refusal of the service
is a 400 carrying the service's Chinese message, and changes nothing."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from findings.models import (
    CampaignState,
    Disposition,
    LeadState,
    ProblemLead,
    Recommendation,
    RecommendationState,
    SpecialCampaign,
)
from findings.services.campaigns import campaign_open
from findings.services.dispositions import disposition_create
from findings.services.findings import finding_confirm
from findings.services.leads import lead_transfer
from findings.services.recommendations import recommendation_create, recommendation_issue
from rounds.models import Theme
from supervision.models import AuditEvent
from tests.findings.test_leads import SUBJECT, SUMMARY, raise_lead
from tests.helpers import audit_actions, last_audit_id

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings", "tests.findings.fixtures_results"]
pytestmark = pytest.mark.usefixtures("zh_hans")

FAKE_PDF = b"%PDF-1.4\n% stand-in\n%%EOF\n"


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    monkeypatch.setattr("findings.services.leads.render_pdf", lambda template, context: FAKE_PDF)
    monkeypatch.setattr("findings.services.recommendations.render_pdf", lambda template, context: FAKE_PDF)


def client_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api(results_world):
    """role -> an API client of that role's user."""
    return lambda role: client_as(results_world.users[role])


@pytest.fixture
def page(results_world):
    """role -> a browser client of that role's user (what the page answers)."""

    def login(role):
        client = Client()
        client.force_login(results_world.users[role])
        return client

    return login


def messages(response) -> str:
    """Every message of a 400, whether the service's ("detail") or a field's."""
    body = response.json()
    values = body.values() if isinstance(body, dict) else [body]
    return " ".join(str(m) for value in values for m in (value if isinstance(value, list) else [value]))


def refused(response, message: str) -> bool:
    return response.status_code == 400 and message in messages(response)


def statuses(api, roles, method: str, url: str, data=None) -> dict[str, int]:
    return {role: getattr(api(role), method)(url, data, format="json").status_code for role in roles}


# --- problem leads: editing a draft ----------------------------------------------------------------------------------


def test_lead_edit_changes_the_draft_through_the_service(results_world, api):
    lead = raise_lead(results_world)
    since = last_audit_id()
    response = api("leader").patch(f"/api/leads/{lead.pk}/", {"summary": "  新的线索内容  ", "evidence": []},
                                   format="json")
    assert response.status_code == 200, response.content
    assert response.json()["summary"] == "新的线索内容" and response.json()["state"] == LeadState.DRAFT
    lead.refresh_from_db()
    # Only what was given changed.
    assert (lead.summary, lead.subject_name, lead.evidence.count()) == ("新的线索内容", SUBJECT, 0)
    assert audit_actions(since) == ["lead.update"]
    event = AuditEvent.objects.get(action="lead.update", object_id=str(lead.pk))
    assert "新的线索内容" not in str(event.changes) and SUBJECT not in str(event.changes)
    # A planner (commission staff) may edit it too, as on the page.
    unit = results_world.town.pk
    response = api("commission").patch(f"/api/leads/{lead.pk}/", {"subject_post": "村会计", "subject_unit": unit},
                                       format="json")
    assert response.status_code == 200 and response.json()["subject_unit"] == unit


def test_lead_edit_is_404_for_who_may_not_edit_and_refusals_are_400(results_world, api, page):
    lead = raise_lead(results_world)
    url = f"/api/leads/{lead.pk}/"
    hidden = ["other_team", "liaison", "target_liaison", "case_office", "commission_leader", "admin", "outsider"]
    assert set(statuses(api, hidden, "get", url).values()) == {404}
    assert set(statuses(api, hidden, "patch", url, {"summary": "x"}).values()) == {404}
    # The member sees the draft but may not edit it: the page answers 404, and so does the API.
    assert api("member").get(url).status_code == 200
    assert page("member").get(reverse("lead_edit", args=[lead.pk])).status_code == 404
    assert api("member").patch(url, {"summary": "x"}, format="json").status_code == 404

    leader = api("leader")
    assert refused(leader.patch(url, {"subject_name": "  "}, format="json"), "请填写被反映人姓名")
    assert refused(leader.patch(url, {"summary": ""}, format="json"), "请填写线索内容")
    # A unit the page does not offer (another village), or an evidence file of no file of this sheet.
    other_village = results_world.villages["柯大兴村"].pk
    assert refused(leader.patch(url, {"subject_unit": other_village}, format="json"), "所在单位须为本驻点")
    assert refused(leader.patch(url, {"evidence": [999999]}, format="json"), "证据材料须为本问题底稿的材料")
    lead.refresh_from_db()
    assert (lead.summary, lead.subject_name, lead.evidence.count()) == (SUMMARY, SUBJECT, 1)
    # Transferred: nobody edits it any more (the page answers 404 too).
    lead_transfer(actor=results_world.users["leader"], lead=lead)
    assert leader.patch(url, {"summary": "x"}, format="json").status_code == 404
    assert page("leader").get(reverse("lead_edit", args=[lead.pk])).status_code == 404
    assert ProblemLead.objects.get(pk=lead.pk).summary == SUMMARY


# --- dispositions ----------------------------------------------------------------------------------------------------


def disposition_data(world, **fields) -> dict:
    data = {"person_name": "刘出纳", "person_post": "村出纳", "person_unit": world.villages["水南湾村"].pk,
            "person_kind": "village_manager", "party_member": True, "form": 2, "party_sanction": "warning",
            "decided_on": timezone.localdate().isoformat(), "decided_by": "中共大箕铺镇纪律检查委员会"}
    data.update(fields)
    return data


def test_disposition_from_a_sheet(results_world, api, page):
    world = results_world
    since = last_audit_id()
    response = api("commission").post("/api/dispositions/", {"finding": world.sheet.pk, **disposition_data(world)},
                                      format="json")
    assert response.status_code == 201, response.content
    disposition = Disposition.objects.get(pk=response.json()["id"])
    assert (disposition.finding, disposition.lead, disposition.form, disposition.party_sanction) == (
        world.sheet, None, 2, "warning")
    assert disposition.recorded_by == world.users["commission"]
    assert audit_actions(since) == ["disposition.create"]
    assert AuditEvent.objects.get(action="disposition.create").object_id == str(disposition.pk)

    data = {"finding": world.sheet.pk, **disposition_data(world)}
    # The team leader sees the sheet but records no disposition: 404 on the page and in the API.
    assert page("leader").get(reverse("disposition_new_for_finding", args=[world.sheet.pk])).status_code == 404
    roles = ["leader", "member", "other_team", "case_office", "commission_leader", "liaison", "admin", "outsider"]
    assert set(statuses(api, roles, "post", "/api/dispositions/", data).values()) == {404}

    commission = api("commission")
    # 降级 is refused for a village manager, with the service's message.
    response = commission.post("/api/dispositions/", {**data, "form": 3, "party_sanction": "",
                                                      "gov_sanction": "demotion"}, format="json")
    assert refused(response, "村（社区）管理人员只能给予警告、记过或记大过，不能给予“降级”")
    assert refused(commission.post("/api/dispositions/", {**data, "form": 1}, format="json"),
                   "第一种形态不给予党纪处分")
    assert refused(commission.post("/api/dispositions/", {**data, "person_name": ""}, format="json"), "请填写姓名")
    assert refused(commission.post("/api/dispositions/", disposition_data(world), format="json"),
                   "处理处分须来自一份问题底稿或一条问题线索")
    other_village = world.villages["柯大兴村"].pk
    assert refused(commission.post("/api/dispositions/", {**data, "person_unit": other_village}, format="json"),
                   "单位须为本驻点")
    # A sheet still in draft: the service's rule.
    assert refused(commission.post("/api/dispositions/", {**data, "finding": world.draft_sheet.pk}, format="json"),
                   "只有已确认的问题底稿才能录入处理处分")
    assert Disposition.objects.count() == 1


def test_disposition_from_a_lead_is_the_case_offices_and_names_nobody_in_the_audit(results_world, api):
    world = results_world
    lead = lead_transfer(actor=world.users["leader"], lead=raise_lead(world))
    data = {"lead": lead.pk, **disposition_data(world, person_name=SUBJECT)}
    # Commission staff track the lead but do not handle it; the team does not either.
    roles = ["commission", "leader", "commission_leader", "other_team", "outsider"]
    assert set(statuses(api, roles, "post", "/api/dispositions/", data).values()) == {404}
    since = last_audit_id()
    response = api("case_office").post("/api/dispositions/", data, format="json")
    assert response.status_code == 201, response.content
    disposition = Disposition.objects.get(pk=response.json()["id"])
    assert disposition.lead == lead and disposition.finding is None
    assert audit_actions(since) == ["disposition.create"]
    event = AuditEvent.objects.get(action="disposition.create")
    assert SUBJECT not in str(event.changes) and SUBJECT not in event.object_repr
    # A draft lead is not the case office's.
    draft = raise_lead(world)
    assert api("case_office").post("/api/dispositions/", {**data, "lead": draft.pk}, format="json").status_code == 404


def test_disposition_update(results_world, api, page):
    world = results_world
    disposition = disposition_create(actor=world.users["commission"], finding=world.sheet, **{
        **disposition_data(world), "person_unit": world.villages["水南湾村"], "decided_on": timezone.localdate()})
    url = f"/api/dispositions/{disposition.pk}/"
    since = last_audit_id()
    response = api("commission").patch(url, {"person_post": "村报账员"}, format="json")
    assert response.status_code == 200 and response.json()["person_post"] == "村报账员"
    event = AuditEvent.objects.get(action="disposition.update")
    assert audit_actions(since) == ["disposition.update"]
    assert event.changes["person_post"] == {"before": "村出纳", "after": "村报账员"}
    # The commission's leader reads it but changes nothing (the page: 404).
    assert api("commission_leader").get(url).status_code == 200
    assert page("commission_leader").get(reverse("disposition_edit", args=[disposition.pk])).status_code == 404
    roles = ["commission_leader", "leader", "liaison", "admin", "outsider"]
    assert set(statuses(api, roles, "patch", url, {"person_post": "x"}).values()) == {404}
    # The rules hold over the merged record: the Party sanction already given does not fit the first form.
    assert refused(api("commission").patch(url, {"form": 1}, format="json"), "第一种形态不给予党纪处分")
    disposition.refresh_from_db()
    assert (disposition.form, disposition.person_post) == (2, "村报账员")


# --- recommendations -------------------------------------------------------------------------------------------------


def recommendation_data(world, **fields) -> dict:
    data = {"station": world.stations["A"].pk, "organ": world.town.pk, "recipient": world.villages["水南湾村"].pk,
            "findings": [world.sheet.pk], "title": "关于规范村集体资金管理的建议", "facts": "集体资金存入个人账户。",
            "causes": "财务制度执行不严。", "items": "1. 收回入账\n2、建立公开制度",
            "reply_due": (timezone.localdate() + timedelta(days=30)).isoformat()}
    data.update(fields)
    return data


def test_recommendation_draft(results_world, api, page):
    world = results_world
    since = last_audit_id()
    response = api("commission").post("/api/recommendations/", recommendation_data(world), format="json")
    assert response.status_code == 201, response.content
    recommendation = Recommendation.objects.get(pk=response.json()["id"])
    assert (recommendation.state, recommendation.number, recommendation.items) == (
        RecommendationState.DRAFT, "", "收回入账\n建立公开制度")
    assert list(recommendation.findings.all()) == [world.sheet]
    assert recommendation.station == world.stations["A"] and recommendation.drafted_by == world.users["commission"]
    assert audit_actions(since) == ["recommendation.create"]

    # The commission's leader reads recommendations but drafts none (the page: 404).
    assert page("commission_leader").get(reverse("recommendation_new")).status_code == 404
    roles = ["commission_leader", "leader", "target_liaison", "case_office", "admin", "outsider"]
    assert set(statuses(api, roles, "post", "/api/recommendations/", recommendation_data(world)).values()) == {404}

    commission = api("commission")
    today = timezone.localdate().isoformat()
    assert refused(commission.post("/api/recommendations/", recommendation_data(world, reply_due=today),
                                   format="json"), "回复期限应晚于今天")
    assert refused(commission.post("/api/recommendations/", recommendation_data(world, title=" "), format="json"),
                   "请填写标题")
    # A sheet the page does not offer (still a draft), an organ that issues nothing (a village).
    assert refused(commission.post("/api/recommendations/", recommendation_data(
        world, findings=[world.draft_sheet.pk]), format="json"), "只能关联本驻点已确认的问题底稿")
    assert refused(commission.post("/api/recommendations/", recommendation_data(
        world, organ=world.villages["柯大兴村"].pk), format="json"), "请选择发文机关")
    assert Recommendation.objects.count() == 1


def test_recommendation_draft_update(results_world, api, page):
    world = results_world
    recommendation = recommendation_create(actor=world.users["commission"], organ=world.town,
                                           recipient=world.villages["水南湾村"], station=world.stations["A"],
                                           findings=[world.sheet], title="关于规范村集体资金管理的建议",
                                           facts="事实。", causes="原因。", items="收回入账",
                                           reply_due=timezone.localdate() + timedelta(days=30))
    url = f"/api/recommendations/{recommendation.pk}/"
    since = last_audit_id()
    response = api("commission").patch(url, {"title": "关于加强村级财务管理的建议", "findings": []}, format="json")
    assert response.status_code == 200, response.content
    recommendation.refresh_from_db()
    assert recommendation.title == "关于加强村级财务管理的建议" and recommendation.findings.count() == 0
    assert recommendation.facts == "事实。"  # not given: unchanged
    assert audit_actions(since) == ["recommendation.update"]
    event = AuditEvent.objects.get(action="recommendation.update")
    assert event.changes["title"]["after"] == "关于加强村级财务管理的建议"
    assert event.changes["findings"]["before"] == world.sheet.number

    assert api("commission_leader").get(url).status_code == 200
    assert page("commission_leader").get(reverse("recommendation_edit", args=[recommendation.pk])).status_code == 404
    roles = ["commission_leader", "target_liaison", "leader", "outsider"]
    assert set(statuses(api, roles, "patch", url, {"title": "x"}).values()) == {404}
    assert refused(api("commission").patch(url, {"items": "  "}, format="json"), "请至少填写一条监督建议（每行一条）")
    # Issued: the text never changes again (the page: 404).
    recommendation_issue(actor=world.users["commission"], recommendation=recommendation)
    assert api("commission").patch(url, {"title": "x"}, format="json").status_code == 404
    assert Recommendation.objects.get(pk=recommendation.pk).title == "关于加强村级财务管理的建议"


# --- special campaigns -----------------------------------------------------------------------------------------------


@pytest.fixture
def flagged(results_world, findings_make):
    """村级三资 confirmed in three units within the window (水南湾村, 程家湾村, and 柯大兴村 of station B): the
    system flags the category. Returns the flag's sheets."""
    world = results_world
    today = timezone.localdate()
    sheets = []
    for station, unit, days in (("A", "水南湾村", 20), ("A", "程家湾村", 10), ("B", "柯大兴村", 3)):
        sheet = findings_make(station=world.stations[station], actor=world.users["commission"],
                              category=Theme.THREE_ASSETS, responsible_unit=world.villages[unit],
                              found_on=today - timedelta(days=days))
        sheets.append(finding_confirm(actor=world.users["commission"], finding=sheet))
    return sheets


def test_signals_and_opening_a_campaign_from_the_flag(results_world, api, page, flagged):
    response = api("commission").get("/api/campaigns/signals/")
    assert response.status_code == 200
    signal = next(s for s in response.json() if s["category"] == Theme.THREE_ASSETS)
    assert signal["unit_count"] == 3 and signal["flag"] == "可能为系统性问题" and signal["campaign"] is None
    assert {s.pk for s in flagged} <= set(signal["findings"])
    assert api("commission_leader").get("/api/campaigns/signals/").status_code == 200
    for role in ["case_office", "leader", "liaison", "admin", "outsider"]:
        assert api(role).get("/api/campaigns/signals/").status_code == 404, role

    # Only the category: the title, the window, the sheets and the units are the flag's.
    since = last_audit_id()
    response = api("commission").post("/api/campaigns/open/", {"category": Theme.THREE_ASSETS}, format="json")
    assert response.status_code == 201, response.content
    campaign = SpecialCampaign.objects.get(pk=response.json()["id"])
    assert (campaign.state, campaign.title) == (CampaignState.OPEN, "村级三资问题专项治理")
    assert set(campaign.findings.values_list("pk", flat=True)) == set(signal["findings"])
    assert sorted(campaign.units.values_list("name", flat=True)) == ["柯大兴村", "水南湾村", "程家湾村"]
    assert (campaign.period_start.isoformat(), campaign.period_end.isoformat()) == (
        signal["window_start"], signal["window_end"])
    assert audit_actions(since) == ["campaign.open"]
    assert api("commission").get("/api/campaigns/signals/").json()[0]["campaign"] == campaign.pk

    # The commission's leader reads campaigns but opens none (the page: 404).
    category_url = reverse("campaign_new") + f"?category={Theme.LAND}"
    assert page("commission_leader").get(category_url).status_code == 404
    roles = ["commission_leader", "case_office", "leader", "admin", "outsider"]
    assert set(statuses(api, roles, "post", "/api/campaigns/open/", {"category": Theme.LAND}).values()) == {404}

    commission = api("commission")
    assert refused(commission.post("/api/campaigns/open/", {"category": Theme.THREE_ASSETS}, format="json"),
                   "已有正在进行的专项治理")
    land = {"category": Theme.LAND, "title": "土地问题专项治理"}
    assert refused(commission.post("/api/campaigns/open/", {**land, "title": " "}, format="json"),
                   "请填写专项治理名称")
    # A sheet the page does not offer for this category (a 村级三资 sheet for a 土地 campaign).
    assert refused(commission.post("/api/campaigns/open/", {**land, "findings": [flagged[0].pk]}, format="json"),
                   "只能关联本类别已确认的问题底稿")
    assert SpecialCampaign.objects.count() == 1


def test_campaign_start_change_and_close(results_world, api, page, flagged):
    world = results_world
    campaign = campaign_open(actor=world.users["commission"], category=Theme.THREE_ASSETS, title="村级三资专项治理")
    url = f"/api/campaigns/{campaign.pk}/"
    commission = api("commission")
    # Who reads campaigns but does not run them, and who does not read them: 404 (the page: 404 too).
    assert api("commission_leader").get(url).status_code == 200
    assert page("commission_leader").post(reverse("campaign_start", args=[campaign.pk])).status_code == 404
    roles = ["commission_leader", "case_office", "leader", "outsider"]
    assert set(statuses(api, roles, "post", f"{url}start/").values()) == {404}
    assert set(statuses(api, roles, "post", f"{url}close/", {"summary": "x"}).values()) == {404}
    assert set(statuses(api, roles, "patch", url, {"title": "x"}).values()) == {404}
    assert refused(commission.post(f"{url}close/", {"summary": "已整改"}, format="json"), "“已立项”的专项治理不能结束")

    since = last_audit_id()
    response = commission.post(f"{url}start/")
    assert response.status_code == 200 and response.json()["state"] == CampaignState.ACTIVE
    response = commission.patch(url, {"title": "村级三资问题专项治理", "units": [world.villages["水南湾村"].pk]},
                                format="json")
    assert response.status_code == 200, response.content
    assert response.json()["units"] == [world.villages["水南湾村"].pk]
    assert refused(commission.post(f"{url}close/", {"summary": " "}, format="json"), "请填写治理成效")
    response = commission.post(f"{url}close/", {"summary": "三个村追回资金并建立公开制度"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == CampaignState.CLOSED
    assert audit_actions(since) == ["campaign.start", "campaign.update", "campaign.close"]
    campaign.refresh_from_db()
    assert (campaign.title, campaign.summary) == ("村级三资问题专项治理", "三个村追回资金并建立公开制度")
    assert campaign.closed_at is not None
    assert refused(commission.patch(url, {"title": "x"}, format="json"), "已结束的专项治理不能修改")
    assert refused(commission.post(f"{url}start/"), "“已结束”的专项治理不能启动治理")
    assert SpecialCampaign.objects.get(pk=campaign.pk).state == CampaignState.CLOSED
