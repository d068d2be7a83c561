"""交办函 (hand-off letters): drafting from an approved report (items from confirmed sheets only), issuing (gap-free
number, filed PDF with its hash passing the official-document checks, station handed off, immutability, audit),
who sees what role by role (404 otherwise), the batch run with its progress partial, and query budgets."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from findings.models import Finding, FindingState, ReportState, StationReport
from rectification.models import HandoffLetter, LetterRun, LetterState, RectificationItem
from rectification.services.letters import letter_draft, letter_issue, letter_update, letters_generate
from rounds.models import Station, StationState
from supervision.documents import letterhead
from tests.helpers import audit_actions, last_audit_id, text
from tests.pdf_checks import assert_official_pdf

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results"]
pytestmark = pytest.mark.usefixtures("zh_hans")

ROLES = ["commission", "commission_leader", "admin", "leader", "member", "other_team", "target_liaison", "liaison",
         "case_office", "outsider"]
# Who sees the issued letter to 水南湾村 (station A): the commission, station A's team, 水南湾村's liaison.
READERS = {"commission", "commission_leader", "leader", "member", "target_liaison"}
DRAFT_READERS = {"commission", "commission_leader"}
CONTACT = {"contact_name": "吴开生", "contact_phone": "0714-8721234"}


def approve(station):
    StationReport.objects.update_or_create(station=station, defaults={
        "state": ReportState.APPROVED, "approved_at": timezone.now(), "overall": "总体较好。"})
    Station.objects.filter(pk=station.pk).update(state=StationState.REPORTING)
    station.refresh_from_db()
    return station


@pytest.fixture
def world(results_world):
    return results_world


@pytest.fixture
def draft(world):
    return letter_draft(actor=world.users["commission"], station=approve(world.stations["A"]), **CONTACT)


@pytest.fixture
def issued(world, draft):
    return letter_issue(actor=world.users["commission"], letter=draft)


def url(name, *args):
    return reverse(name, args=args)


# --- services ------------------------------------------------------------------------------------------------------

def test_draft_refused_before_the_report_is_approved(world):
    with pytest.raises(ValidationError) as error:
        letter_draft(actor=world.users["commission"], station=world.stations["A"], **CONTACT)
    assert "驻点报告审定后才能交办" in error.value.messages
    assert not HandoffLetter.objects.exists()


def test_draft_refused_to_others_and_twice(world, draft):
    with pytest.raises(ValidationError):
        letter_draft(actor=world.users["leader"], station=world.stations["B"], **CONTACT)
    with pytest.raises(ValidationError) as error:
        letter_draft(actor=world.users["commission"], station=world.stations["A"], **CONTACT)
    assert "该驻点已有交办函" in error.value.messages


def test_items_come_from_confirmed_sheets_only(world, findings_make, draft):
    withdrawn = Finding.objects.create(station=world.stations["A"], number="W-1", sequence=90, title="已撤回的问题",
                                       observed="x", category=world.sheet.category, found_on=timezone.localdate(),
                                       state=FindingState.WITHDRAWN)
    items = list(draft.items.order_by("sequence"))
    assert [i.finding_id for i in items] == [world.sheet.pk]
    assert world.draft_sheet.pk not in {i.finding_id for i in items} and withdrawn.pk not in {i.finding_id for i in items}
    item = items[0]
    assert item.problem == world.sheet.title and item.state == "open"
    assert item.requirement == (world.sheet.team_opinion or "限期整改到位")
    assert item.responsible == world.sheet.responsible_person and item.deadline == draft.reply_due
    assert draft.reply_due == timezone.localdate() + timedelta(days=30)
    assert draft.title == "关于水南湾村巡回驻点监督发现问题的交办函"
    assert draft.addressee == "水南湾村党组织、村（居）民委员会"
    assert draft.organ == world.town and draft.recipient == world.villages["水南湾村"]
    assert "1个问题" in draft.basis and world.batch.name in draft.basis


def test_update_changes_fields_and_rows(world, draft):
    item = draft.items.get()
    due = timezone.localdate() + timedelta(days=10)
    letter_update(actor=world.users["commission"], letter=draft, title="新标题",
                  rows={item.pk: {"requirement": "立即收回入账", "responsible": "出纳", "deadline": due}})
    item.refresh_from_db()
    draft.refresh_from_db()
    assert draft.title == "新标题" and (item.requirement, item.responsible, item.deadline) == ("立即收回入账", "出纳", due)
    with pytest.raises(ValidationError):
        letter_update(actor=world.users["leader"], letter=draft, title="x")


def test_issue_numbers_files_and_hands_off(world, draft, tmp_path):
    since = last_audit_id()
    letter = letter_issue(actor=world.users["commission"], letter=draft)
    year = timezone.localdate().year
    assert letter.number == f"大箕纪交〔{year}〕1号" and letter.state == LetterState.ISSUED
    content = Path(letter.pdf.path).read_bytes()
    assert hashlib.sha256(content).hexdigest() == letter.pdf_sha256
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    body = assert_official_pdf(path, organ=letterhead(world.town).lines[0], number=letter.number, title=letter.title,
                               expected=[letter.addressee + "：", world.sheet.title])
    assert all(word in body for word in ["序号", "问题", "整改要求", "责任人", "时限"])
    assert Station.objects.get(pk=world.stations["A"].pk).state == StationState.HANDED_OFF
    assert audit_actions(since) == ["station.transition", "letter.issue"]


def test_numbers_are_gap_free_and_a_refusal_takes_none(world, draft):
    station_b = approve(world.stations["B"])
    Finding.objects.filter(pk=world.sheet.pk).update(station=station_b)  # B's only problem; A keeps none
    empty = HandoffLetter.objects.create(station=station_b, organ=world.town, recipient=station_b.target,
                                         title="t", addressee="a", basis="b", reply_due=draft.reply_due, **CONTACT)
    with pytest.raises(ValidationError) as error:
        letter_issue(actor=world.users["commission"], letter=empty)
    assert "交办函至少要有一个问题" in error.value.messages
    late = draft.items.get()
    late.deadline = timezone.localdate() - timedelta(days=1)
    late.save()
    with pytest.raises(ValidationError):
        letter_issue(actor=world.users["commission"], letter=draft)
    late.deadline = timezone.localdate()
    late.save()
    first = letter_issue(actor=world.users["commission"], letter=draft)
    assert first.sequence == 1


def test_issued_letter_is_immutable(world, issued, client_for):
    with pytest.raises(ValidationError):
        letter_update(actor=world.users["commission"], letter=issued, title="改")
    with pytest.raises(ValidationError):
        letter_issue(actor=world.users["commission"], letter=issued)
    client = client_for("commission")
    assert client.get(url("letter_edit", issued.pk)).status_code == 404
    assert client.post(url("letter_issue", issued.pk)).status_code == 404
    issued.refresh_from_db()
    assert issued.sequence == 1


def test_audit_events(world, draft):
    since = last_audit_id()
    letter_update(actor=world.users["commission"], letter=draft, title="改过的标题")
    letter_issue(actor=world.users["commission"], letter=draft)
    assert audit_actions(since) == ["letter.update", "station.transition", "letter.issue"]
    assert "letter.draft" in audit_actions(0)


# --- pages ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_issued_letter_access(world, issued, client_for, role):
    client = client_for(role)
    expected = 200 if role in READERS else 404
    assert client.get(url("letter_detail", issued.pk)).status_code == expected
    assert client.get(url("letter_pdf", issued.pk)).status_code == expected
    listing = client.get(url("letter_list"))
    assert (listing.status_code == 200 and issued.number in text(listing)) == (role in READERS)


@pytest.mark.parametrize("role", ROLES)
def test_draft_is_invisible_but_to_the_commission(world, draft, client_for, role):
    client = client_for(role)
    expected = 200 if role in DRAFT_READERS else 404
    assert client.get(url("letter_detail", draft.pk)).status_code == expected
    assert client.get(url("letter_pdf", draft.pk)).status_code == expected
    listing = client.get(url("letter_list"))
    assert (listing.status_code == 200 and url("letter_detail", draft.pk) in text(listing)) == (role in DRAFT_READERS)
    edit = client.get(url("letter_edit", draft.pk)).status_code
    assert edit == (200 if role == "commission" else 404)


def test_new_edit_and_issue_pages(world, client_for):
    approve(world.stations["A"])
    client = client_for("commission")
    response = client.post(url("letter_new", world.stations["A"].pk), {"reply_days": 20, **CONTACT})
    letter = HandoffLetter.objects.get()
    assert response.status_code == 302 and response.url == url("letter_detail", letter.pk)
    detail = text(client.get(url("letter_detail", letter.pk)))
    assert "签发后文号和内容不可更改，确定签发？" in detail and world.sheet.title in detail
    item = letter.items.get()
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    data = {"title": letter.title, "addressee": letter.addressee, "basis": letter.basis,
            "reply_due": letter.reply_due.isoformat(), **CONTACT,
            f"req_{item.pk}": "立即整改", f"who_{item.pk}": "村支书", f"due_{item.pk}": due}
    assert client.post(url("letter_edit", letter.pk), data).status_code == 302
    item.refresh_from_db()
    assert item.requirement == "立即整改" and item.deadline.isoformat() == due
    assert client.get(url("letter_pdf", letter.pk))["Content-Type"] == "application/pdf"
    assert client.post(url("letter_issue", letter.pk)).status_code == 302
    letter.refresh_from_db()
    page = text(client.get(url("letter_detail", letter.pk)))
    assert letter.number in page and letter.pdf_sha256 in page


def test_new_page_refuses_before_approval(world, client_for):
    response = client_for("commission").post(url("letter_new", world.stations["A"].pk), {"reply_days": 30, **CONTACT})
    assert response.status_code == 200 and "驻点报告审定后才能交办" in text(response)
    assert client_for("leader").get(url("letter_new", world.stations["A"].pk)).status_code == 404


# --- batch run -----------------------------------------------------------------------------------------------------

def _third_station(world):
    """A third station in round 1 (程家湾村) whose report is not approved."""
    station = Station.objects.create(round=world.stations["A"].round, target=world.villages["程家湾村"],
                                     state=StationState.REPORTING)
    StationReport.objects.create(station=station, state=ReportState.SUBMITTED)
    return station


def test_batch_run(world, django_capture_on_commit_callbacks, client_for):
    round1 = world.stations["A"].round
    approve(world.stations["A"])
    other = Station.objects.create(round=round1, target=world.villages["大箕铺村"], state=StationState.REPORTING)
    approve(other)
    Finding.objects.create(station=other, number="D-1", sequence=1, title="大箕铺村的问题", observed="x",
                           category=world.sheet.category, found_on=timezone.localdate(),
                           state=FindingState.CONFIRMED)
    _third_station(world)
    with django_capture_on_commit_callbacks(execute=True):
        run = letters_generate(actor=world.users["commission"], round=round1, **CONTACT)
    run.refresh_from_db()
    assert (run.done, run.total, run.errors, run.state) == (2, 2, [], "done")
    assert HandoffLetter.objects.filter(station__round=round1, state=LetterState.ISSUED).count() == 2
    # Twice: nothing left to do, no duplicates.
    from rectification.services.letters import letters_run_execute

    letters_run_execute(run.pk)
    with pytest.raises(ValidationError):
        letters_generate(actor=world.users["commission"], round=round1, **CONTACT)
    assert HandoffLetter.objects.filter(station__round=round1).count() == 2
    assert RectificationItem.objects.filter(letter__station__round=round1).count() == 2
    client = client_for("commission")
    partial = text(client.get(url("letter_run_progress", run.pk)))
    assert "2/2" in partial and "<progress" in partial
    assert 'hx-trigger="every 1s"' not in partial  # finished: no more polling
    assert client.get(url("round_letters", round1.pk)).status_code == 200
    leader = client_for("leader")  # the same test client, now the team leader
    assert leader.get(url("letter_run", run.pk)).status_code == 404
    assert leader.get(url("round_letters", round1.pk)).status_code == 404


def test_batch_run_records_a_failure_and_goes_on(world, django_capture_on_commit_callbacks):
    round1 = world.stations["A"].round
    approve(world.stations["A"])
    empty = approve(Station.objects.create(round=round1, target=world.villages["大箕铺村"],
                                           state=StationState.REPORTING))
    with django_capture_on_commit_callbacks(execute=True):
        run = letters_generate(actor=world.users["commission"], round=round1, **CONTACT)
    run.refresh_from_db()
    assert run.done == 1 and run.total == 2
    assert run.errors == [{"station_id": empty.pk, "station": "大箕铺村", "reason": "交办函至少要有一个问题"}]
    running = LetterRun.objects.create(round=round1, total=3, done=1, **CONTACT)
    assert 'hx-trigger="every 1s"' in text(_client(world).get(url("letter_run_progress", running.pk)))


def _client(world):
    from django.test import Client

    client = Client()
    client.force_login(world.users["commission"])
    return client


# --- query budgets -------------------------------------------------------------------------------------------------

def _quick_issue(letter, n):
    HandoffLetter.objects.filter(pk=letter.pk).update(state=LetterState.ISSUED, number=f"大箕纪交〔2026〕{n}号",
                                                      year=2026, sequence=n, issued_at=timezone.now())


@pytest.mark.parametrize("role", ["commission", "target_liaison"])
def test_list_budget_does_not_grow(world, client_for, within_budget, role):
    station = approve(world.stations["A"])
    letter = letter_draft(actor=world.users["commission"], station=station, **CONTACT)
    _quick_issue(letter, 1)
    client = client_for(role)
    budget = 12
    within_budget(client, url("letter_list"), budget)
    for n in range(2, 11):
        other = HandoffLetter.objects.create(station=Station.objects.create(
            round=station.round, target=type(world.villages["五金村"]).objects.create(
                name=f"测试村{n}", kind="village", parent=world.town), state=StationState.HANDED_OFF),
            organ=world.town, recipient=world.villages["水南湾村"], title=f"t{n}", addressee="a", basis="b",
            reply_due=letter.reply_due, **CONTACT)
        _quick_issue(other, n)
    response = within_budget(client, url("letter_list"), budget)
    assert text(response).count('data-testid="letter-row"') == 10


@pytest.mark.parametrize("role", ["commission", "target_liaison"])
def test_detail_budget_does_not_grow(world, client_for, within_budget, role):
    station = approve(world.stations["A"])
    letter = letter_draft(actor=world.users["commission"], station=station, **CONTACT)
    _quick_issue(letter, 1)
    client = client_for(role)
    budget = 12
    within_budget(client, url("letter_detail", letter.pk), budget)
    for n in range(2, 11):
        sheet = Finding.objects.create(station=station, number=f"B-{n}", sequence=200 + n, title=f"问题{n}",
                                       observed="x", category=world.sheet.category, found_on=timezone.localdate(),
                                       state=FindingState.CONFIRMED)
        RectificationItem.objects.create(letter=letter, finding=sheet, sequence=n, problem=sheet.title,
                                         requirement="r", deadline=letter.reply_due)
    response = within_budget(client, url("letter_detail", letter.pk), budget)
    assert "问题10" in text(response)
