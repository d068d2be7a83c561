"""The rectification API: letters and items scoped as on the pages (another village's liaison, another team, an
outsider: absent from the lists, a 404 in the detail and in every action), the item moves through the same services
with the same ItemEvent and audit event, the list pages without COUNT(*) and with a query count that does not grow."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from rectification.models import ItemEvent, ItemState, RectificationItem
from supervision.models import AuditEvent

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings", "tests.findings.fixtures_results",
                  "tests.rectification.fixtures_rectification"]
pytestmark = pytest.mark.usefixtures("zh_hans")

PLAN = {"target": "资金全部入账", "measures": "追回并入账，建立制度", "responsible_leader": "村支书",
        "responsible_department": "村委会"}
# Who sees station A's letter and its items (an issued letter): staff and leaders, the team, the target's liaison.
SEES_A = {"admin", "commission", "commission_leader", "leader", "member", "target_liaison"}
ROLES = ["admin", "commission", "leader", "member", "other_team", "liaison", "target_liaison", "case_office",
         "commission_leader", "outsider"]


@pytest.fixture
def api(rect_world):
    def login(role):
        client = APIClient()
        user = rect_world.other_liaison if role == "other_liaison" else rect_world.users[role]
        client.force_authenticate(user)
        return client

    return login


def ids(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_letter_and_item_visibility(rect_world, api):
    from rectification.selectors import items_visible_to, letters_visible_to

    letter, items = rect_world.letter, rect_world.items
    for role in ROLES:
        client = api(role)
        user = rect_world.users[role]
        sees = letters_visible_to(user).filter(pk=letter.pk).exists()
        assert ids(client, "/api/letters/") == set(letters_visible_to(user).values_list("pk", flat=True)), role
        assert ids(client, "/api/items/") == set(items_visible_to(user).values_list("pk", flat=True)), role
        assert client.get(f"/api/letters/{letter.pk}/").status_code == (200 if sees else 404), role
        for item in items:
            assert client.get(f"/api/items/{item.pk}/").status_code == (200 if sees else 404), role
            assert client.get(f"/api/items/{item.pk}/events/").status_code == (200 if sees else 404), role
    # The rule itself, so the oracle above is not vacuous.
    assert {r for r in ROLES if letters_visible_to(rect_world.users[r]).filter(pk=letter.pk).exists()} >= {
        "commission", "leader", "member", "target_liaison"}
    for role in ["liaison", "other_team", "outsider"]:
        assert api(role).get(f"/api/letters/{letter.pk}/").status_code == 404, role
    other = api("other_liaison")
    assert ids(other, "/api/items/") == {rect_world.other_item.pk}
    assert other.get(f"/api/items/{items[0].pk}/").status_code == 404


def test_actions_are_404_for_who_may_not_act(rect_world, api):
    item = rect_world.items[0]
    for role in ["liaison", "other_liaison", "other_team", "outsider", "leader", "member", "commission"]:
        client = api(role)
        assert client.post(f"/api/items/{item.pk}/plan/", PLAN).status_code == 404, role
        assert client.post(f"/api/items/{item.pk}/progress/", {"text": "x"}).status_code == 404, role
        assert client.post(f"/api/items/{item.pk}/submit/").status_code == 404, role
    for role in ["liaison", "other_liaison", "target_liaison", "other_team", "outsider", "member"]:
        client = api(role)
        assert client.post(f"/api/items/{item.pk}/return/", {"comment": "x"}).status_code == 404, role
        assert client.post(f"/api/items/{item.pk}/verify/", {}).status_code == 404, role
    for role in ["leader", "target_liaison", "other_liaison", "outsider"]:
        assert api(role).post(f"/api/items/{item.pk}/reopen/", {"reason": "x"}).status_code == 404, role
    for role in ["leader", "target_liaison", "outsider"]:
        assert api(role).post(f"/api/letters/{rect_world.letter.pk}/issue/").status_code == 404, role
    item.refresh_from_db()
    assert item.state == ItemState.OPEN and not ItemEvent.objects.filter(item=item).exists()


def test_item_life_through_the_api(rect_world, api, evidence_bytes):
    item = rect_world.items[0]
    liaison = api("target_liaison")
    # Submit before a plan: the service's own message, as a 400.
    response = liaison.post(f"/api/items/{item.pk}/submit/")
    assert response.status_code == 400 and "请先填写整改方案" in " ".join(response.json()["detail"])
    response = liaison.post(f"/api/items/{item.pk}/plan/", {**PLAN, "target": ""})
    assert response.status_code == 400 and "请填写整改目标" in response.json()["detail"]
    response = liaison.post(f"/api/items/{item.pk}/plan/", PLAN)
    assert response.status_code == 200 and response.json()["state"] == ItemState.IN_PROGRESS
    upload = SimpleUploadedFile("入账凭证.pdf", evidence_bytes["pdf"], content_type="application/pdf")
    response = liaison.post(f"/api/items/{item.pk}/progress/", {"text": "已追回资金", "files": [upload]},
                            format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["evidence"][0]["original_name"] == "入账凭证.pdf"
    download = response.json()["evidence"][0]["download"]
    assert liaison.get(download).status_code == 200
    assert api("other_liaison").get(download).status_code == 404
    assert liaison.post(f"/api/items/{item.pk}/submit/").json()["state"] == ItemState.SUBMITTED

    leader = api("leader")
    response = leader.post(f"/api/items/{item.pk}/return/", {"comment": ""})
    assert response.status_code == 400 and "请填写退回意见" in response.json()["detail"]
    assert leader.post(f"/api/items/{item.pk}/return/", {"comment": "凭证不全"}).json()["state"] == ItemState.RETURNED
    assert liaison.post(f"/api/items/{item.pk}/submit/").json()["state"] == ItemState.SUBMITTED
    assert leader.post(f"/api/items/{item.pk}/verify/", {"comment": "已核实"}).json()["state"] == ItemState.CLOSED
    response = api("commission").post(f"/api/items/{item.pk}/reopen/", {"reason": "回头看发现资金再次存入个人账户"})
    assert response.status_code == 200 and response.json()["state"] == ItemState.IN_PROGRESS

    kinds = [e["kind"] for e in liaison.get(f"/api/items/{item.pk}/events/").json()]
    assert kinds == ["plan", "progress", "submit", "return", "submit", "verify", "reopen"]
    actions = list(AuditEvent.objects.filter(object_type="rectification.rectificationitem", object_id=str(item.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["item.plan", "item.progress", "item.submit", "item.return", "item.submit", "item.verify",
                       "item.reopen"]
    assert RectificationItem.objects.get(pk=item.pk).state == ItemState.IN_PROGRESS


def test_item_filters(rect_world, api):
    client = api("commission")
    a, b = rect_world.items
    assert ids(client, f"/api/items/?letter={rect_world.letter.pk}") == {a.pk, b.pk}
    assert ids(client, f"/api/items/?unit={rect_world.letter.recipient_id}") == {a.pk, b.pk}
    assert ids(client, f"/api/items/?deadline_before={b.deadline.isoformat()}") == {b.pk}
    assert ids(client, "/api/items/?state=closed") == set()
    # A filter on what the user may not see is an empty list, not an error.
    assert ids(api("other_liaison"), f"/api/items/?letter={rect_world.letter.pk}") == set()
    assert ids(api("commission"), f"/api/letters/?station={rect_world.letter.station_id}") == {rect_world.letter.pk}


def test_pagination_without_count(rect_world, api, rect_make_item):
    from datetime import timedelta

    from django.utils import timezone

    for n in range(3):
        rect_make_item(rect_world.letter, timezone.localdate() + timedelta(days=40 + n))
    client = api("commission")
    first = client.get("/api/items/?page_size=2").json()
    assert "count" not in first and len(first["results"]) == 2 and first["previous"] is None and first["next"]
    seen = [r["id"] for r in first["results"]]
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [r["id"] for r in page["results"]]
    assert sorted(seen) == sorted(RectificationItem.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("url", ["/api/items/", "/api/letters/"])
def test_list_budget_does_not_grow(rect_world, rect_make_item, client, within_budget, url):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(rect_world.users["target_liaison"])
    within_budget(client, url, 8)
    for n in range(6):
        rect_make_item(rect_world.letter, timezone.localdate() + timedelta(days=n))
    response = within_budget(client, url, 8)
    assert response.json()["results"]
