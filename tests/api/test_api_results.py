"""The results API (problem leads, dispositions, recommendations, campaigns), the token endpoint, the docs pages.

Leads: who learns that a lead exists, and who reads its content, is the same as on the pages (findings.access):
anything else is a 404 in the detail and in every action, and absent from the list; content fields are null for
those who track a lead without reading it. Writes go through the same services, with the same audit events."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from findings.models import (
    Disposition,
    LeadDisposal,
    LeadState,
    ProblemLead,
    Recommendation,
    RecommendationState,
)
from supervision.models import AuditEvent
from tests.findings.test_leads import RESULT, SUBJECT, SUMMARY, lead_in, raise_lead

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings", "tests.findings.fixtures_results"]
pytestmark = pytest.mark.usefixtures("zh_hans")

ROLES = ["admin", "commission", "leader", "member", "other_team", "liaison", "target_liaison", "case_office",
         "commission_leader", "outsider"]
TEAM = {"commission", "leader", "member"}
TRACKERS = {"commission", "case_office", "commission_leader"}
CONTENT_AFTER = {"case_office", "commission_leader"}
# state -> role -> (exists for them, content readable)
MATRIX = {
    "draft": {r: (r in TEAM, r in TEAM) for r in ROLES},
    "transferred": {r: (r in TEAM | TRACKERS, r in CONTENT_AFTER) for r in ROLES},
}
FAKE_PDF = b"%PDF-1.4\n% stand-in\n%%EOF\n"


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    monkeypatch.setattr("findings.services.leads.render_pdf", lambda template, context: FAKE_PDF)
    monkeypatch.setattr("findings.services.recommendations.render_pdf", lambda template, context: FAKE_PDF)


@pytest.fixture
def api(results_world):
    def login(role):
        client = APIClient()
        client.force_authenticate(results_world.users[role])
        return client

    return login


def results(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("state", ["draft", "transferred"])
def test_lead_visibility_matrix(results_world, api, state):
    lead = lead_in(results_world, state)
    for role in ROLES:
        exists, content = MATRIX[state][role]
        client = api(role)
        rows = results(client, "/api/leads/")
        assert [r["id"] for r in rows] == ([lead.pk] if exists else []), role
        detail = client.get(f"/api/leads/{lead.pk}/")
        assert detail.status_code == (200 if exists else 404), role
        if exists:
            for data in (rows[0], detail.json()):
                assert data["content_visible"] is content, role
                assert (data["subject_name"] == SUBJECT) is content, role
                assert (data["summary"] == SUMMARY) is content, role
                if not content:
                    assert SUBJECT not in str(data) and SUMMARY not in str(data), role


def test_lead_actions_are_404_for_who_may_not_act(results_world, api):
    draft = lead_in(results_world, "draft")
    for role in ["other_team", "liaison", "target_liaison", "outsider", "admin", "case_office", "member"]:
        client = api(role)
        assert client.post(f"/api/leads/{draft.pk}/transfer/").status_code == 404, role
        assert client.post(f"/api/leads/{draft.pk}/cancel/", {"reason": "x"}).status_code == 404, role
    transferred = lead_in(results_world, "transferred")
    for role in ["leader", "member", "commission", "commission_leader", "other_team", "outsider", "admin"]:
        client = api(role)
        assert client.post(f"/api/leads/{transferred.pk}/dispose/", {"disposal": "verify"}).status_code == 404, role
        assert client.post(f"/api/leads/{transferred.pk}/conclude/", {"result": "x"}).status_code == 404, role
    assert ProblemLead.objects.get(pk=draft.pk).state == LeadState.DRAFT
    assert ProblemLead.objects.get(pk=transferred.pk).state == LeadState.TRANSFERRED


def test_lead_create_and_moves_through_the_services(results_world, api):
    world = results_world
    leader = api("leader")
    response = leader.post("/api/leads/", {"finding": world.sheet.pk, "subject_name": SUBJECT, "summary": SUMMARY,
                                           "evidence": [world.evidence.pk]}, format="json")
    assert response.status_code == 201, response.content
    lead = ProblemLead.objects.get(pk=response.json()["id"])
    assert lead.state == LeadState.DRAFT and list(lead.evidence.all()) == [world.evidence]
    assert AuditEvent.objects.filter(action="lead.create", object_id=str(lead.pk)).count() == 1

    response = leader.post(f"/api/leads/{lead.pk}/transfer/")
    assert response.status_code == 200 and response.json()["state"] == LeadState.TRANSFERRED
    assert response.json()["transfer_number"]
    assert AuditEvent.objects.filter(action="lead.transfer", object_id=str(lead.pk)).count() == 1

    case = api("case_office")
    response = case.post(f"/api/leads/{lead.pk}/dispose/", {"disposal": LeadDisposal.VERIFY})
    assert response.status_code == 200 and response.json()["disposal"] == LeadDisposal.VERIFY
    # A change of way needs a note: the service's own message, as a 400.
    response = case.post(f"/api/leads/{lead.pk}/dispose/", {"disposal": LeadDisposal.TALK})
    assert response.status_code == 400 and "变更处置方式须填写处置情况说明" in response.json()["detail"]
    response = case.post(f"/api/leads/{lead.pk}/conclude/", {"result": RESULT})
    assert response.status_code == 200 and response.json()["state"] == LeadState.CONCLUDED
    assert AuditEvent.objects.filter(action="lead.conclude", object_id=str(lead.pk)).count() == 1


def test_lead_create_refusals(results_world, api):
    world = results_world
    data = {"finding": world.draft_sheet.pk, "subject_name": SUBJECT, "summary": SUMMARY}
    response = api("leader").post("/api/leads/", data, format="json")
    assert response.status_code == 400 and "只有已确认的问题底稿才能形成问题线索" in response.json()["detail"]
    # Someone else's sheet, or one that does not exist: the same 404.
    for finding in (world.sheet.pk, 999999):
        response = api("other_team").post("/api/leads/", {**data, "finding": finding}, format="json")
        assert response.status_code == 404
    # Evidence of no file of this sheet: refused, nothing made.
    response = api("leader").post("/api/leads/", {**data, "finding": world.sheet.pk, "evidence": [999999]},
                                  format="json")
    assert response.status_code == 400 and not ProblemLead.objects.exists()


def test_lead_cancel_through_the_api(results_world, api):
    lead = lead_in(results_world, "draft")
    assert api("leader").post(f"/api/leads/{lead.pk}/cancel/", {"reason": ""}).status_code == 400
    response = api("leader").post(f"/api/leads/{lead.pk}/cancel/", {"reason": "经核查不属实"})
    assert response.status_code == 200 and response.json()["state"] == LeadState.CANCELLED
    assert AuditEvent.objects.filter(action="lead.cancel", object_id=str(lead.pk)).count() == 1


def test_lead_filters(results_world, api):
    lead = lead_in(results_world, "draft")
    client = api("leader")
    assert [r["id"] for r in results(client, "/api/leads/?state=draft")] == [lead.pk]
    assert results(client, "/api/leads/?state=transferred") == []
    station = results_world.sheet.station_id
    assert [r["id"] for r in results(client, f"/api/leads/?station={station}")] == [lead.pk]
    assert results(api("other_team"), f"/api/leads/?station={station}") == []


def test_lead_list_budget_does_not_grow(results_world, client, within_budget):
    client.force_login(results_world.users["case_office"])
    lead_in(results_world, "transferred")
    within_budget(client, "/api/leads/", 8)
    for _ in range(4):
        lead_in(results_world, "transferred")
    response = within_budget(client, "/api/leads/", 8)
    assert len(response.json()["results"]) == 5 and "count" not in response.json()


# --- dispositions, recommendations, campaigns ---------------------------------------------------------------------


@pytest.fixture
def disposition(results_world):
    from findings.services.dispositions import disposition_create

    return disposition_create(actor=results_world.users["commission"], finding=results_world.sheet,
                              person_name="刘某某", person_post="村出纳",
                              person_unit=results_world.villages["水南湾村"], person_kind="village_manager",
                              party_member=True, form=1, measure="谈话提醒", decided_on=results_world.sheet.found_on,
                              decided_by="大箕铺镇纪委")


def test_dispositions_follow_the_selectors(results_world, api, disposition):
    from findings.selectors import dispositions_visible_to

    seen = {r for r in ROLES if dispositions_visible_to(results_world.users[r]).filter(pk=disposition.pk).exists()}
    assert "commission" in seen and not seen & {"outsider", "liaison", "other_team"}  # the oracle is not vacuous
    for role in ROLES:
        visible = role in seen
        client = api(role)
        assert [r["id"] for r in results(client, "/api/dispositions/")] == ([disposition.pk] if visible else []), role
        assert client.get(f"/api/dispositions/{disposition.pk}/").status_code == (200 if visible else 404), role
    assert Disposition.objects.count() == 1


@pytest.fixture
def recommendation(results_world):
    from datetime import timedelta

    from django.utils import timezone

    from findings.services.recommendations import recommendation_create

    world = results_world
    return recommendation_create(actor=world.users["commission"], organ=world.sheet.station.round.batch.organiser,
                                 recipient=world.villages["水南湾村"], station=world.sheet.station,
                                 findings=[world.sheet], title="关于规范村集体资金管理的纪检监察建议书",
                                 facts="查明的事实。", causes="原因分析。", items="建立资金管理制度\n定期公开",
                                 reply_due=timezone.localdate() + timedelta(days=30))


def test_recommendation_visibility_issue_and_reply(results_world, api, recommendation):
    from django.utils import timezone

    # A draft: staff only; the recipient's liaison learns nothing of it.
    for role in ["target_liaison", "liaison", "outsider", "leader"]:
        client = api(role)
        assert results(client, "/api/recommendations/") == [], role
        assert client.get(f"/api/recommendations/{recommendation.pk}/").status_code == 404, role
        assert client.post(f"/api/recommendations/{recommendation.pk}/issue/").status_code == 404, role
    assert "findings" not in api("commission").get(f"/api/recommendations/{recommendation.pk}/").json()
    response = api("commission").post(f"/api/recommendations/{recommendation.pk}/issue/")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == RecommendationState.ISSUED
    assert AuditEvent.objects.filter(action="recommendation.issue", object_id=str(recommendation.pk)).exists()
    # Issued: the recipient's liaison sees it and records the reply; another village's liaison still a 404.
    liaison = api("target_liaison")
    assert [r["id"] for r in results(liaison, "/api/recommendations/")] == [recommendation.pk]
    other = api("liaison")
    assert other.get(f"/api/recommendations/{recommendation.pk}/").status_code == 404
    assert other.post(f"/api/recommendations/{recommendation.pk}/reply/",
                      {"reply": "已整改", "replied_on": timezone.localdate()}).status_code == 404
    response = liaison.post(f"/api/recommendations/{recommendation.pk}/reply/",
                            {"reply": "已建立制度", "replied_on": timezone.localdate()})
    assert response.status_code == 200, response.content
    assert Recommendation.objects.get(pk=recommendation.pk).state == RecommendationState.REPLIED
    assert AuditEvent.objects.filter(action="recommendation.reply", object_id=str(recommendation.pk)).exists()


def test_campaigns_read_only_for_who_may_see_them(results_world, api):
    from findings.models import SpecialCampaign
    from rounds.models import Theme

    campaign = SpecialCampaign.objects.create(title="集体三资专项治理", category=Theme.THREE_ASSETS,
                                              period_start=results_world.sheet.found_on,
                                              period_end=results_world.sheet.found_on)
    for role in ROLES:
        user = results_world.users[role]
        visible = user.has_perm("findings.view_specialcampaign")
        client = api(role)
        assert client.get(f"/api/campaigns/{campaign.pk}/").status_code == (200 if visible else 404), role
        assert len(results(client, "/api/campaigns/")) == (1 if visible else 0), role
        assert client.post("/api/campaigns/", {}).status_code in (403, 404, 405), role


# --- token auth and docs -------------------------------------------------------------------------------------------


def test_token_is_issued_audited_and_carries_the_users_permissions(results_world):
    from tests.rectification.fixtures_rectification import PASSWORD

    lead = lead_in(results_world, "transferred")
    anonymous = APIClient()
    assert anonymous.post("/api/token/", {"username": "u_case", "password": "wrong"}).status_code == 400
    assert not AuditEvent.objects.filter(action="auth.token").exists()
    response = anonymous.post("/api/token/", {"username": "u_case", "password": PASSWORD})
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    event = AuditEvent.objects.get(action="auth.token")
    assert event.actor == results_world.users["case_office"] and token not in str(event.changes)

    case = APIClient()
    case.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert case.get(f"/api/leads/{lead.pk}/").json()["summary"] == SUMMARY
    # The same user, the same limits: the team's draft lead is not theirs.
    draft = raise_lead(results_world)
    assert case.get(f"/api/leads/{draft.pk}/").status_code == 404
    # Another token, another user: an outsider sees nothing.
    outsider = APIClient()
    outsider_token = outsider.post("/api/token/", {"username": "u_outsider", "password": PASSWORD}).json()["token"]
    outsider.credentials(HTTP_AUTHORIZATION=f"Token {outsider_token}")
    assert outsider.get(f"/api/leads/{lead.pk}/").status_code == 404
    assert outsider.get("/api/leads/").json()["results"] == []
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert bad.get("/api/leads/").status_code in (401, 403)


def test_inactive_account_gets_no_token(results_world):
    from tests.rectification.fixtures_rectification import PASSWORD

    user = results_world.users["case_office"]
    user.is_active = False
    user.save()
    assert APIClient().post("/api/token/", {"username": "u_case", "password": PASSWORD}).status_code == 400


@pytest.mark.parametrize("url", ["/api/docs/"])
def test_docs_pages_serve_with_no_external_url(results_world, client, url):
    assert client.get(url).status_code in (401, 403)
    client.force_login(results_world.users["member"])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "http://" not in page and "https://" not in page and "//cdn" not in page, page
    assert "/static/drf_spectacular_sidecar/" in page
    if url == "/api/docs/":
        script = client.get(url, {"script": ""})
        assert script.status_code == 200 and "/api/schema/" in script.content.decode()


def test_token_endpoint_is_throttled_like_the_login_page(results_world, settings):
    from tests.rectification.fixtures_rectification import PASSWORD

    anonymous = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert anonymous.post("/api/token/", {"username": "u_case", "password": "wrong"}).status_code == 400
    assert anonymous.post("/api/token/", {"username": "u_case", "password": "wrong"}).status_code == 429
    # Locked: the right password gets no token either, and the answer says why and for how long.
    response = anonymous.post("/api/token/", {"username": "u_case", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["detail"] == "登录失败次数过多，账号已暂时锁定，请15分钟后再试。"
    assert not Token.objects.filter(user=results_world.users["case_office"]).exists()


def test_an_over_long_user_name_is_refused_before_authentication(db):
    from axes.models import AccessAttempt

    response = APIClient().post("/api/token/", {"username": "x" * 300, "password": "whatever"}, format="json")
    assert response.status_code == 400
    assert "username" in response.json()
    assert not AccessAttempt.objects.exists()
