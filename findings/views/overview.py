"""成果运用概览: what the rounds of a year led to — leads transferred and handled, people dealt with, sanctions,
recommendations, special campaigns — as the commission watches it.

Every count comes from the scoped selectors in findings.selectors, and a section shows only to those whose role
includes it, so nobody learns a number they are not entitled to. Users with none of track_leads,
view_disposition, view_recommendation get a 404."""

from datetime import date

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone

from supervision.filters import ResultFilter

from ..access import TRANSFERRED_LEAD_STATES, can_see_results
from ..models import (
    CampaignState,
    DispositionForm,
    LeadDisposal,
    LeadState,
    RecommendationState,
)
from ..selectors import (
    campaigns_visible_to,
    dispositions_counted_for,
    lead_content_filter,
    leads_visible_to,
    recommendations_visible_to,
)
from ..services.campaigns import campaign_signal_count
from ..tallies import sheet_total

YEARS_BACK = 5


def _year(request, today) -> int:
    value = request.GET.get("year", "")
    if value.isdigit() and 2000 <= int(value) <= today.year + 1:
        return int(value)
    return today.year


def _leads(user, year: int) -> dict:
    leads = leads_visible_to(user).filter(state__in=TRANSFERRED_LEAD_STATES, transferred_at__year=year)
    counts = leads.aggregate(transferred=Count("pk"), handled=Count("pk", filter=Q(state=LeadState.CONCLUDED)))
    if user.has_perm("findings.view_lead_content"):
        # The disposal is part of a lead's content: counted only over the leads whose content the user may read.
        by_way = dict(leads.filter(lead_content_filter(user)).exclude(disposal="")
                      .values_list("disposal").annotate(n=Count("pk")).order_by())
        counts["by_disposal"] = [{"value": value, "label": label, "count": by_way.get(value, 0)}
                                 for value, label in LeadDisposal.choices]
    return counts


def _people(user, year: int) -> dict:
    sanctioned = Q(party_sanction__gt="") | Q(gov_sanction__gt="")
    forms = {f"form_{value}": Count("pk", filter=Q(form=value)) for value in DispositionForm.values}
    counts = (dispositions_counted_for(user).filter(decided_on__year=year)
              .aggregate(dealt=Count("pk"), sanctioned=Count("pk", filter=sanctioned), **forms))
    counts["by_form"] = [{"value": value, "label": label, "count": counts.pop(f"form_{value}")}
                         for value, label in DispositionForm.choices]
    return counts


def _recommendations(user, year: int, today) -> dict:
    issued = Q(state__in=[RecommendationState.ISSUED, RecommendationState.REPLIED])
    return (recommendations_visible_to(user).filter(issued, issued_at__year=year)
            .aggregate(issued=Count("pk"), replied=Count("pk", filter=Q(state=RecommendationState.REPLIED)),
                       overdue=Count("pk", filter=Q(state=RecommendationState.ISSUED, reply_due__lt=today))))


def _campaigns(user, year: int) -> dict:
    counts = (campaigns_visible_to(user).filter(opened_at__year=year)
              .aggregate(**{state: Count("pk", filter=Q(state=state)) for state in CampaignState.values}))
    counts["signals"] = campaign_signal_count()
    return counts


def _link(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:  # the list page is not there (yet)
        return ""


def results_overview(request):
    user = request.user
    if not can_see_results(user):
        raise Http404
    today = timezone.localdate()
    year = _year(request, today)
    context = {"year": year, "years": list(range(today.year, today.year - YEARS_BACK, -1)), "today": today}
    if year not in context["years"]:
        context["years"].append(year)
    if user.has_perm("findings.track_leads"):
        context["leads"] = _leads(user, year)
        context["lead_url"] = _link("lead_list")
    if user.has_perm("findings.view_disposition"):
        context["people"] = _people(user, year)
        context["disposition_url"] = _link("disposition_list")
    if user.has_perm("findings.view_recommendation"):
        context["recommendations"] = _recommendations(user, year, today)
        context["recommendation_url"] = _link("recommendation_list")
    if user.has_perm("findings.view_specialcampaign"):
        context["campaigns"] = _campaigns(user, year)
        context["campaign_url"] = _link("campaign_list")
    if user.has_perm("rounds.view_station"):  # a global viewer of every station
        context["sheets"] = sheet_total(ResultFilter(start=date(year, 1, 1), end=date(year, 12, 31)))
    return render(request, "findings/results_overview.html", context)


urlpatterns = [
    path("results/", results_overview, name="results_overview"),
]
