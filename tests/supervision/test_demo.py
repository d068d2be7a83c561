import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from supervision.demo import ACCOUNTS, DEMO_PASSWORD
from supervision.models import Person, PersonCategory, Unit, UnitKind
from supervision.roles import Role, user_roles
from supervision.selectors import units_visible_to


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))


def test_load_demo_is_idempotent(demo):
    counts = (Unit.objects.count(), Person.objects.count(), get_user_model().objects.count())
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert (Unit.objects.count(), Person.objects.count(), get_user_model().objects.count()) == counts


def test_demo_has_the_seed_organisation(demo):
    assert Unit.objects.filter(kind=UnitKind.COMMISSION).count() == 1
    for township in ("茗山乡", "金牛镇", "刘仁八镇", "大箕铺镇"):
        assert Unit.objects.filter(name=township, kind=UnitKind.TOWNSHIP).exists(), township
    assert Unit.objects.filter(parent__name="大箕铺镇").count() == 26
    assert Unit.objects.filter(name="市教育局", kind=UnitKind.DEPARTMENT).exists()
    group = Unit.objects.get(name="第七纪检监察组")
    assert group.kind == UnitKind.DISPATCHED_GROUP
    assert group.covered_units.count() == 6
    assert Person.objects.count() >= 60
    categories = set(Person.objects.values_list("category", flat=True))
    assert {c.value for c in PersonCategory} <= categories


def test_every_demo_account_logs_in(demo, client):
    assert len(ACCOUNTS) >= 8
    for username in [row[0] for row in ACCOUNTS] + ["liaison3"]:
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get(reverse("home")).status_code == 200, username
        client.post(reverse("logout"))


def test_demo_roles_and_liaisons(demo):
    User = get_user_model()
    roles = {u.username: user_roles(u) for u in User.objects.all()}
    assert roles["norole"] == set()
    for role in (Role.ADMIN, Role.COMMISSION_STAFF, Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.CASE_OFFICE):
        assert any(role in r for r in roles.values()), role
    liaison_units = {name: list(units_visible_to(User.objects.get(username=name))) for name in ("liaison1", "liaison2")}
    assert [u.kind for u in liaison_units["liaison1"]] == [UnitKind.VILLAGE]
    assert [u.kind for u in liaison_units["liaison2"]] == [UnitKind.VILLAGE]
    assert liaison_units["liaison1"] != liaison_units["liaison2"]


def test_demo_shows_results_to_each_role(demo):
    """The demo's results: a lead the case office is verifying, a person dealt with, a recommendation that
    liaison1 reads, and a flagged possibly systemic problem."""
    from django.contrib.auth import get_user_model

    from findings.models import LeadDisposal, LeadState
    from findings.selectors import leads_visible_to, recommendations_visible_to
    from findings.services.campaigns import campaign_signals

    users = get_user_model().objects
    office = users.get(username="caseoffice")
    lead = leads_visible_to(office).get()
    assert (lead.state, lead.disposal) == (LeadState.DISPOSING, LeadDisposal.VERIFY)
    assert lead.transfer_number.startswith("大箕纪移〔") and lead.transfer_pdf_sha256
    assert leads_visible_to(users.get(username="liaison1")).count() == 0
    assert recommendations_visible_to(users.get(username="liaison1")).get().number.startswith("大箕纪建〔")
    assert recommendations_visible_to(users.get(username="liaison2")).count() == 0
    assert [signal.category for signal in campaign_signals()] == ["three_assets"]


def test_demo_has_an_issued_letter_a_plan_and_a_reminder_for_its_liaison(demo):
    from rectification.models import HandoffLetter, ItemState, LetterState
    from rectification.selectors import letters_visible_to
    from supervision.models import Notification

    letter = HandoffLetter.objects.get()
    assert letter.state == LetterState.ISSUED and letter.number.startswith("大箕纪交〔")
    liaison = get_user_model().objects.get(username="liaison3")
    assert list(letters_visible_to(liaison)) == [letter]
    assert letters_visible_to(get_user_model().objects.get(username="liaison1")).count() == 0
    assert letter.items.order_by("sequence").first().state == ItemState.IN_PROGRESS
    assert Notification.objects.filter(user=liaison, level="yellow").count() == 1
    call_command("load_demo", stdout=open("/dev/null", "w"))  # idempotent: no second letter, no second notice
    assert HandoffLetter.objects.count() == 1 and Notification.objects.filter(user=liaison).count() == 1
