"""成果运用概览 (results overview): who sees which counts (every count through the scoped selectors, so nobody
learns a number they are not entitled to), the counts following the records (a lead transferred, a disposition
added), the year filter, and a query budget that does not grow with the rows."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from findings.models import (
    Disposition,
    DispositionForm,
    GovSanction,
    LeadDisposal,
    LeadState,
    PartySanction,
    PersonKind,
    ProblemLead,
    Recommendation,
    RecommendationState,
)
from findings.services.campaigns import campaign_close, campaign_open, campaign_start
from rounds.models import Theme
from tests.helpers import text

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results"]
pytestmark = pytest.mark.usefixtures("zh_hans")

URL = "/results/"
BUDGET = 14
NO_ACCESS = ["admin", "leader", "member", "liaison", "target_liaison", "other_team", "outsider"]


def count(page: str, testid: str) -> int | None:
    match = re.search(rf'data-testid="{testid}">(\d+)<', page)
    return int(match.group(1)) if match else None


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def make(results_world, now):
    world = results_world
    village = world.villages["水南湾村"]

    class Make:
        @staticmethod
        def lead(state=LeadState.TRANSFERRED, when=None, disposal=""):
            transferred = state in {LeadState.TRANSFERRED, LeadState.DISPOSING, LeadState.CONCLUDED}
            return ProblemLead.objects.create(
                finding=world.sheet, subject_name="刘某某", subject_post="村出纳", subject_unit=village,
                summary="挪用村集体资金", state=state, disposal=disposal,
                transferred_at=(when or now) if transferred else None)

        @staticmethod
        def disposition(lead=None, form=DispositionForm.FIRST, party="", gov="", decided_on=None):
            return Disposition.objects.create(
                finding=None if lead else world.sheet, lead=lead, person_name="刘某某", person_post="村出纳",
                person_unit=village, person_kind=PersonKind.VILLAGE_MANAGER, form=form, party_sanction=party,
                gov_sanction=gov, decided_on=decided_on or timezone.localdate(), decided_by="大箕铺镇纪委")

        @staticmethod
        def recommendation(state=RecommendationState.ISSUED, reply_due=None, when=None):
            return Recommendation.objects.create(
                organ=world.town, recipient=village, title="关于加强村级财务管理的纪检监察建议书", facts="事实",
                causes="原因", items="建议一", state=state,
                reply_due=reply_due or timezone.localdate() + timedelta(days=30),
                issued_at=None if state == RecommendationState.DRAFT else (when or now))

    return Make


def page_for(client_for, role, params=None) -> str:
    response = client_for(role).get(URL, params)
    assert response.status_code == 200
    return text(response)


@pytest.fixture
def some_of_each(make, results_world):
    """2 transferred leads (one concluded after 初步核实), a draft lead; 3 dispositions (one from a lead, two with
    sanctions); recommendations: issued, replied, overdue, draft."""
    concluded = make.lead(LeadState.CONCLUDED, disposal=LeadDisposal.VERIFY)
    make.lead(LeadState.TRANSFERRED)
    make.lead(LeadState.DRAFT)
    make.disposition(form=DispositionForm.FIRST)
    make.disposition(form=DispositionForm.SECOND, party=PartySanction.WARNING)
    make.disposition(lead=concluded, form=DispositionForm.SECOND, gov=GovSanction.DEMERIT)
    make.recommendation()
    make.recommendation(RecommendationState.REPLIED, reply_due=timezone.localdate() - timedelta(days=3))
    make.recommendation(reply_due=timezone.localdate() - timedelta(days=1))
    make.recommendation(RecommendationState.DRAFT)
    return results_world


def test_url_name():
    assert reverse("results_overview") == URL


def test_commission_staff_see_counts_but_not_lead_contents(client_for, some_of_each):
    page = page_for(client_for, "commission")
    assert count(page, "leads-transferred") == 2  # not the draft
    assert count(page, "leads-handled") == 1
    assert 'data-testid="leads-by-disposal"' not in page  # the disposal is a lead's content
    # Staff count every person dealt with, those from leads included (the commission reports the totals), though
    # a disposition that came from a lead is not theirs to open (tests/findings/test_dispositions.py).
    assert count(page, "people-dealt") == 3
    assert count(page, "people-sanctioned") == 2
    assert count(page, "people-form-2") == 2
    assert count(page, "recommendations-issued") == 3
    assert count(page, "recommendations-replied") == 1
    assert count(page, "recommendations-overdue") == 1
    assert count(page, "campaigns-open") == 0
    assert count(page, "sheets-confirmed") is not None


def test_case_office_sees_leads_with_disposal_ways_and_people_only(client_for, some_of_each):
    page = page_for(client_for, "case_office")
    assert count(page, "leads-transferred") == 2
    assert count(page, "leads-handled") == 1
    assert count(page, "leads-disposal-verify") == 1
    assert count(page, "leads-disposal-talk") == 0
    assert count(page, "people-dealt") == 3
    assert count(page, "people-sanctioned") == 2
    for absent in ["recommendations-issued", "recommendations-overdue", "campaigns-open", "sheets-confirmed"]:
        assert count(page, absent) is None, absent


def test_commission_leader_sees_everything(client_for, some_of_each):
    page = page_for(client_for, "commission_leader")
    assert count(page, "leads-transferred") == 2
    assert count(page, "leads-disposal-verify") == 1
    assert count(page, "people-dealt") == 3
    assert count(page, "recommendations-issued") == 3
    assert count(page, "campaigns-open") == 0
    assert count(page, "sheets-confirmed") is not None


@pytest.mark.parametrize("role", NO_ACCESS)
def test_everyone_else_gets_404(client_for, some_of_each, role):
    assert client_for(role).get(URL).status_code == 404


def test_counts_follow_a_transfer_and_a_disposition(client_for, make, results_world):
    page = page_for(client_for, "commission")
    assert count(page, "leads-transferred") == 0
    assert count(page, "people-dealt") == 0
    lead = make.lead(LeadState.DRAFT)
    assert count(page_for(client_for, "commission"), "leads-transferred") == 0
    ProblemLead.objects.filter(pk=lead.pk).update(state=LeadState.TRANSFERRED, transferred_at=timezone.now())
    page = page_for(client_for, "commission")
    assert count(page, "leads-transferred") == 1
    assert count(page, "leads-handled") == 0
    ProblemLead.objects.filter(pk=lead.pk).update(state=LeadState.CONCLUDED, disposal=LeadDisposal.TALK)
    assert count(page_for(client_for, "commission"), "leads-handled") == 1
    assert count(page_for(client_for, "case_office"), "leads-disposal-talk") == 1
    make.disposition(form=DispositionForm.THIRD, party=PartySanction.REMOVAL)
    page = page_for(client_for, "commission")
    assert count(page, "people-dealt") == 1
    assert count(page, "people-sanctioned") == 1
    assert count(page, "people-form-3") == 1


def test_campaign_counts_and_signals(client_for, results_world, settings):
    users = results_world.users
    settings.CAMPAIGN_MIN_UNITS = 1
    settings.CAMPAIGN_WINDOW_DAYS = (timezone.localdate() - results_world.sheet.found_on).days + 1
    opened = campaign_open(actor=users["commission"], category=Theme.THREE_ASSETS, title="村级三资问题专项治理")
    closed = campaign_open(actor=users["commission"], category=Theme.LAND, title="土地问题专项治理")
    campaign_start(actor=users["commission"], campaign=closed)
    campaign_close(actor=users["commission"], campaign=closed, summary="完成")
    page = page_for(client_for, "commission")
    assert count(page, "campaigns-open") == 1
    assert count(page, "campaigns-active") == 0
    assert count(page, "campaigns-closed") == 1
    assert count(page, "campaigns-signals") == 1
    campaign_start(actor=users["commission"], campaign=opened)
    assert count(page_for(client_for, "commission_leader"), "campaigns-active") == 1


def test_year_filter(client_for, make, results_world):
    this_year = timezone.localdate().year
    last_year = timezone.make_aware(datetime(this_year - 1, 6, 1, 10))
    make.lead(LeadState.TRANSFERRED, when=last_year)
    make.lead(LeadState.TRANSFERRED)
    make.disposition(decided_on=date(this_year - 1, 6, 2))
    make.recommendation(when=last_year)
    page = page_for(client_for, "commission")
    assert count(page, "leads-transferred") == 1
    assert count(page, "people-dealt") == 0
    assert count(page, "recommendations-issued") == 0
    page = page_for(client_for, "commission", {"year": this_year - 1})
    assert count(page, "leads-transferred") == 1
    assert count(page, "people-dealt") == 1
    assert count(page, "recommendations-issued") == 1
    assert f'value="{this_year - 1}" selected' in page
    # Nonsense falls back to this year.
    assert count(page_for(client_for, "commission", {"year": "abc"}), "people-dealt") == 0


def test_numbers_link_to_their_list_pages(client_for, results_world):
    page = page_for(client_for, "commission")
    assert f'href="{reverse("campaign_list")}"' in page


@pytest.mark.parametrize("role", ["commission", "case_office", "commission_leader"])
def test_budget_does_not_grow(client_for, make, results_world, within_budget, role):
    users = results_world.users

    def rows(n, offset):
        for i in range(n):
            lead = make.lead(LeadState.CONCLUDED, disposal=LeadDisposal.VERIFY)
            make.disposition(lead=lead, form=DispositionForm.SECOND, party=PartySanction.WARNING)
            make.disposition(form=DispositionForm.FIRST)
            make.recommendation()
            category = Theme.values[offset + i]
            campaign_open(actor=users["commission"], category=category, title=f"专项治理{offset + i}")

    client = client_for(role)
    rows(1, 0)
    within_budget(client, URL, BUDGET)
    rows(9, 1)
    response = within_budget(client, URL, BUDGET)
    assert count(text(response), "leads-transferred") == 10
