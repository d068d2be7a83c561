"""The hand-off letter writes the pages had and the API lacked: drafting a letter from a station whose report is
approved, changing the draft and its problem rows, and the batch run of a round's letters (started through the
service that queues the Celery task, its progress polled until it is finished).

As in test_api_writes_results.py: the role the page lets act succeeds through the page's service (state, number,
rows, audit events); whoever does not see the object, or sees it and may not act, gets the 404 the page gives; a
service refusal is a 400 with its Chinese message and changes nothing."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from findings.models import Finding, FindingState
from rectification.models import HandoffLetter, LetterRun, LetterRunState, LetterState, RectificationItem
from rectification.services.letters import letter_draft
from rounds.models import Station, StationState
from supervision.models import AuditEvent
from tests.api.test_api_writes_results import client_as, refused, statuses
from tests.helpers import audit_actions, last_audit_id
from tests.rectification.test_letters import CONTACT, approve

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings", "tests.findings.fixtures_results"]
pytestmark = pytest.mark.usefixtures("zh_hans")


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    monkeypatch.setattr("rectification.services.letters.render_pdf", lambda template, context: b"%PDF-1.4\n%%EOF\n")


@pytest.fixture
def api(results_world):
    """role -> an API client of that role's user."""
    return lambda role: client_as(results_world.users[role])


def answers(api, roles, method: str, url: str, data=None) -> set[int]:
    return set(statuses(api, roles, method, url, data).values())


def page_status(world, role, name, *args) -> int:
    client = Client()
    client.force_login(world.users[role])
    return client.get(reverse(name, args=args)).status_code


# --- drafting ----------------------------------------------------------------------------------------------------


def test_letter_draft_from_an_approved_station(results_world, api):
    world = results_world
    station = approve(world.stations["A"])
    # Not allowed to draft: the team leader (sees the station), the commission's leader (sees letters), others.
    assert page_status(world, "commission_leader", "letter_new", station.pk) == 404
    roles = ["leader", "member", "commission_leader", "case_office", "target_liaison", "other_team", "outsider"]
    assert answers(api, roles, "post", "/api/letters/", {"station": station.pk}) == {404}
    assert not HandoffLetter.objects.exists()

    since = last_audit_id()
    response = api("commission").post("/api/letters/", {"station": station.pk, "reply_days": 20}, format="json")
    assert response.status_code == 201, response.content
    letter = HandoffLetter.objects.get(pk=response.json()["id"])
    person = world.users["commission"].person
    assert (letter.state, letter.number, letter.recipient) == (LetterState.DRAFT, "", world.villages["水南湾村"])
    # The contact is the drafter unless given (as the page fills it in).
    assert (letter.contact_name, letter.contact_phone) == (person.name, person.phone)
    assert letter.reply_due == timezone.localdate() + timedelta(days=20)
    rows = list(letter.items.order_by("sequence"))
    confirmed = list(Finding.objects.filter(station=station, state=FindingState.CONFIRMED))
    assert [r.finding for r in rows] == confirmed and rows[0].deadline == letter.reply_due
    assert audit_actions(since) == ["letter.draft"]
    # The rows are the draft's items, for the staff who see the draft.
    items = api("commission").get(f"/api/items/?letter={letter.pk}").json()["results"]
    assert [row["id"] for row in items] == [r.pk for r in rows]

    commission = api("commission")
    assert refused(commission.post("/api/letters/", {"station": station.pk}, format="json"), "该驻点已有交办函")
    assert refused(commission.post("/api/letters/", {"station": world.stations["B"].pk}, format="json"),
                   "驻点报告审定后才能交办")
    approve(world.stations["B"])
    assert refused(commission.post("/api/letters/", {"station": world.stations["B"].pk, "reply_days": 0},
                                   format="json"), "回复期限应为1至365天")
    assert refused(commission.post("/api/letters/", {"station": world.stations["B"].pk, "contact_phone": " "},
                                   format="json"), "请填写联系电话")
    assert HandoffLetter.objects.count() == 1


# --- changing the draft and its rows -----------------------------------------------------------------------------


def test_letter_update_fields_and_rows(results_world, api):
    world = results_world
    letter = letter_draft(actor=world.users["commission"], station=approve(world.stations["A"]), **CONTACT)
    item = letter.items.get()
    url = f"/api/letters/{letter.pk}/"
    due = timezone.localdate() + timedelta(days=10)
    since = last_audit_id()
    response = api("commission").patch(url, {"title": "关于水南湾村问题整改的交办函", "rows": [
        {"item": item.pk, "requirement": "立即收回并入账", "deadline": due.isoformat()}]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "关于水南湾村问题整改的交办函"
    item.refresh_from_db()
    responsible = world.sheet.responsible_person
    assert (item.requirement, item.responsible, item.deadline) == ("立即收回并入账", responsible, due)
    assert audit_actions(since) == ["letter.update"]
    event = AuditEvent.objects.get(action="letter.update", object_id=str(letter.pk))
    assert event.changes["item1"]["after"] == f"立即收回并入账 | {responsible} | {due.isoformat()}"

    # The commission's leader sees the draft and changes nothing; nobody else sees it.
    assert api("commission_leader").get(url).status_code == 200
    assert page_status(world, "commission_leader", "letter_edit", letter.pk) == 404
    roles = ["commission_leader", "leader", "target_liaison", "case_office", "outsider"]
    assert answers(api, roles, "patch", url, {"title": "x"}) == {404}

    commission = api("commission")
    assert refused(commission.patch(url, {"rows": [{"item": item.pk, "requirement": " "}]}, format="json"),
                   "第1项：请填写整改要求")
    assert refused(commission.patch(url, {"rows": [{"item": item.pk + 1000, "requirement": "x"}]}, format="json"),
                   "问题不属于这份交办函")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert refused(commission.patch(url, {"reply_due": yesterday}, format="json"), "书面回复期限应晚于今天")
    item.refresh_from_db()
    assert item.requirement == "立即收回并入账"

    # Issued through the API: numbered; from then on the draft's edit is gone (404, as on the page).
    response = commission.post(f"{url}issue/")
    assert response.status_code == 200 and response.json()["number"] and response.json()["state"] == "issued"
    assert commission.patch(url, {"title": "x"}, format="json").status_code == 404
    assert HandoffLetter.objects.get(pk=letter.pk).title == "关于水南湾村问题整改的交办函"


# --- the batch run of a round --------------------------------------------------------------------------------------


@pytest.fixture
def round_to_hand_off(results_world):
    """Round 1 with two stations whose reports are approved (水南湾村, and 大箕铺村 with one confirmed sheet)."""
    world = results_world
    round1 = world.stations["A"].round
    approve(world.stations["A"])
    other = approve(Station.objects.create(round=round1, target=world.villages["大箕铺村"],
                                           state=StationState.REPORTING))
    Finding.objects.create(station=other, number="D-1", sequence=1, title="大箕铺村的问题", observed="x",
                           category=world.sheet.category, found_on=timezone.localdate(),
                           state=FindingState.CONFIRMED)
    return round1


def test_letter_run_starts_the_task_and_reports_its_progress(results_world, api, round_to_hand_off,
                                                             django_capture_on_commit_callbacks):
    world, round1 = results_world, round_to_hand_off
    # Who may not run it: the leader (their round), the commission's leader (reads letters), others.
    roles = ["leader", "commission_leader", "case_office", "target_liaison", "outsider"]
    assert answers(api, roles, "post", "/api/letter-runs/", {"round": round1.pk, **CONTACT}) == {404}
    assert not LetterRun.objects.exists()

    since = last_audit_id()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api("commission").post("/api/letter-runs/", {"round": round1.pk, **CONTACT}, format="json")
    assert response.status_code == 202, response.content
    started = response.json()
    # Answered before the task ran (it starts after the commit).
    assert (started["state"], started["total"], started["done"], started["finished"]) == (
        LetterRunState.QUEUED, 2, 0, False)
    assert len(callbacks) == 1
    progress = api("commission").get(started["progress"])
    assert progress.status_code == 200 and progress["Cache-Control"] == "no-store"
    body = progress.json()
    assert (body["state"], body["done"], body["total"], body["errors"], body["finished"]) == (
        LetterRunState.DONE, 2, 2, [], True)
    assert HandoffLetter.objects.filter(station__round=round1, state=LetterState.ISSUED).count() == 2
    assert RectificationItem.objects.filter(letter__station__round=round1).count() == 2
    assert audit_actions(since).count("letter.issue") == 2 and "letter.generate" in audit_actions(since)

    for role in roles:
        assert api(role).get(started["progress"]).status_code == 404, role
    assert page_status(world, "commission_leader", "letter_run", started["id"]) == 404
    # Nothing left to hand off: the service's refusal.
    response = api("commission").post("/api/letter-runs/", {"round": round1.pk, **CONTACT}, format="json")
    assert refused(response, "本轮没有待交办的驻点")
    assert LetterRun.objects.count() == 1


def test_letter_run_refusals_and_a_run_in_progress(results_world, api, round_to_hand_off):
    commission = api("commission")
    data = {"round": round_to_hand_off.pk, **CONTACT}
    assert refused(commission.post("/api/letter-runs/", {**data, "reply_days": 400}, format="json"),
                   "回复期限应为1至365天")
    assert refused(commission.post("/api/letter-runs/", {**data, "contact_name": ""}, format="json"), "请填写联系人")
    assert commission.post("/api/letter-runs/", {**data, "round": 999999}, format="json").status_code == 404
    assert not LetterRun.objects.exists()
    running = LetterRun.objects.create(round=round_to_hand_off, total=3, done=1, state=LetterRunState.RUNNING,
                                       **CONTACT)
    body = commission.get(f"/api/letter-runs/{running.pk}/").json()
    assert (body["state"], body["done"], body["total"], body["finished"]) == (LetterRunState.RUNNING, 1, 3, False)
