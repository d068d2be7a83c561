"""Reads of the commission overview (委机关总览): the seed's figures for a period, problems by township and by
category, rectification rate, overdue items by colour and the monthly trend.

Every number comes from a scoped selector (findings_visible_to, leads_visible_to, dispositions_counted_for,
recommendations_visible_to, letters_visible_to, items_visible_to) narrowed by the shared ResultFilter, so a figure
drills down to exactly the rows it counts and nobody sees a count they may not. Every read is one database
aggregation (annotate/aggregate/values with Count/Sum and filter=, TruncMonth): the page runs the same number of
queries whatever the rows.

`dashboard_figures(user, result_filter)` is cached per user (see `cache_key`): 60 s, the key holds the user's id,
the filter and the day — never shared across users (a shared metrics cache leaked other products' numbers in
DefectDojo)."""

import hashlib
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from findings.access import TRANSFERRED_LEAD_STATES
from findings.models import LeadState, Recommendation, RecommendationState
from findings.selectors import (
    dispositions_counted_for,
    findings_visible_to,
    leads_visible_to,
    recommendations_visible_to,
)
from findings.tallies import sheet_counts, sheet_counts_of
from rectification.deadlines import level_q
from rectification.models import ItemState, LetterState, RectificationItem
from rectification.selectors import items_visible_to, letters_visible_to
from rectification.tallies import item_figures
from rounds.selectors import batches_visible_to, stations_visible_to
from rounds.tallies import held_figures, held_stations
from supervision.filters import ResultFilter
from supervision.models import Unit, UnitKind
from supervision.selectors import units_visible_to

CACHE_SECONDS = 60
CACHE_VERSION = 1
TOWNSHIP_KINDS = (UnitKind.TOWNSHIP, UnitKind.STREET, UnitKind.DEPARTMENT)
VILLAGE_KINDS = (UnitKind.VILLAGE, UnitKind.COMMUNITY)
COLOURS = ("red", "yellow", "green")
TOP_TOWNSHIPS = 10
TREND_MONTHS = 12


def can_see_dashboard(user) -> bool:
    """Commission staff and the commission's leaders: those who see every batch and follow leads or items."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("rounds.view_batch") and (
        user.has_perm("findings.track_leads") or user.has_perm("rectification.view_rectificationitem")))


# --- the filter on records ResultFilter has no method for ------------------------------------------------------------

def _unit_q(path: str, township: int) -> Q:
    return Q(**{path: township}) | Q(**{f"{path}__parent": township})


def _dates(queryset, f: ResultFilter, field: str):
    if f.start:
        queryset = queryset.filter(**{f"{field}__gte": f.start})
    if f.end:
        queryset = queryset.filter(**{f"{field}__lte": f.end})
    return queryset


def filter_letters(queryset, f: ResultFilter):
    """Hand-off letters: by their issue date and station; a category counts the letters with an item of it."""
    queryset = f.letters(queryset)
    if f.category:
        queryset = queryset.filter(Exists(RectificationItem.objects.filter(
            letter=OuterRef("pk"), finding__category=f.category)))
    return queryset


def filter_recommendations(queryset, f: ResultFilter):
    """Recommendations: by their issue date, their station's batch, their recipient; a category counts those
    citing a sheet of it."""
    queryset = _dates(queryset, f, "issued_at__date")
    if f.batch:
        queryset = queryset.filter(station__round__batch=f.batch)
    if f.township:
        queryset = queryset.filter(_unit_q("recipient", f.township))
    if f.category:
        queryset = queryset.filter(Exists(Recommendation.findings.through.objects.filter(
            recommendation=OuterRef("pk"), finding__category=f.category)))
    return queryset


def filter_leads(queryset, f: ResultFilter):
    """Leads: by their transfer date and their sheet (station, category)."""
    queryset = _dates(queryset, f, "transferred_at__date")
    if f.batch:
        queryset = queryset.filter(finding__station__round__batch=f.batch)
    if f.township:
        queryset = queryset.filter(_unit_q("finding__station__target", f.township))
    if f.category:
        queryset = queryset.filter(finding__category=f.category)
    return queryset


def filter_dispositions(queryset, f: ResultFilter):
    """People dealt with: by the decision date and the sheet they came from (directly or through a lead)."""
    queryset = _dates(queryset, f, "decided_on")
    for lookup, value in (("station__round__batch", f.batch), ("category", f.category)):
        if value:
            queryset = queryset.filter(Q(**{f"finding__{lookup}": value}) | Q(**{f"lead__finding__{lookup}": value}))
    if f.township:
        queryset = queryset.filter(_unit_q("finding__station__target", f.township)
                                   | _unit_q("lead__finding__station__target", f.township))
    return queryset


# --- the figures ----------------------------------------------------------------------------------------------------

def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def trend_window(f: ResultFilter, today: date) -> tuple[date, date]:
    """The months of the trend: the last 12 up to the filter's end (or today), not before the filter's start."""
    end = f.end or today
    start = _add_months(_month_start(end), -(TREND_MONTHS - 1))
    if f.start and f.start > start:
        start = f.start
    return start, end


def _sheet_figures(user, f: ResultFilter, today: date) -> dict:
    """Problems, amount, the top townships, the categories and the monthly trend of the confirmed sheets the user
    sees within the filter: from the tally for those who see every station (commission staff and leaders), else
    grouped by the database from their own sheets."""
    start, end = trend_window(f, today)
    months_from = _month_start(start)
    if user.has_perm("rounds.view_station") and f.rollups_answer:
        counts = sheet_counts(f, months_from)
    else:
        counts = sheet_counts_of(f.findings(findings_visible_to(user)), months_from)
    names = dict(Unit.objects.filter(pk__in=counts.towns).values_list("pk", "name")) if counts.towns else {}
    trend, month = [], months_from
    while month <= end:
        trend.append({"month": month, "count": counts.months.get(month, 0)})
        month = _add_months(month, 1)
    return {
        "problems": counts.problems, "amount": counts.amount, "trend": trend,
        "by_township": sorted(({"town": pk, "town_name": names.get(pk, ""), "count": n}
                               for pk, n in counts.towns.items()),
                              key=lambda row: (-row["count"], row["town_name"]))[:TOP_TOWNSHIPS],
        "by_category": sorted(({"category": c, "count": n} for c, n in counts.categories.items()),
                              key=lambda row: (-row["count"], row["category"])),
    }


def _stations(user, f: ResultFilter) -> dict:
    """Rounds and stations held (confirmed stations, not proposals) whose round starts within the period, of the
    batch, at a unit of the township; the category does not narrow them (a station is not of a category). From the
    station tally for those who see every station, else counted from what they see."""
    if user.has_perm("rounds.view_station") and f.rollups_answer:
        return held_figures(f)
    stations = held_stations(f, stations_visible_to(user))
    return stations.aggregate(stations=Count("pk"), rounds=Count("round", distinct=True))


def _followup(user, f: ResultFilter, today: date) -> dict:
    """Items of issued letters (total, closed, by colour) and the issued letters: from the rectification tally for
    those who see every letter, else counted from what they see."""
    if user.has_perm("rectification.view_handoffletter") and f.rollups_answer:
        counts = item_figures(f, today)
        return {"items": {"total": counts["items"], "closed": counts["closed"],
                          **{colour: counts[colour] for colour in COLOURS}},
                "letters": counts["letters"]}
    items = f.items(items_visible_to(user).filter(letter__state=LetterState.ISSUED))
    return {"items": items.aggregate(total=Count("pk"), closed=Count("pk", filter=Q(state=ItemState.CLOSED)),
                                     **{colour: Count("pk", filter=level_q(colour, today)) for colour in COLOURS}),
            "letters": filter_letters(letters_visible_to(user).filter(state=LetterState.ISSUED), f).count()}


def dashboard_figures(user, f: ResultFilter, today: date | None = None) -> dict:
    """Every number of the overview as plain data (ints, strings, dates), computed with a fixed number of queries."""
    today = today or timezone.localdate()
    figures = _sheet_figures(user, f, today)
    figures.update(_stations(user, f))

    figures.update(_followup(user, f, today))

    if user.has_perm("findings.view_recommendation"):
        issued = Q(state__in=[RecommendationState.ISSUED, RecommendationState.REPLIED])
        figures["recommendations"] = filter_recommendations(recommendations_visible_to(user).filter(issued),
                                                            f).count()
    if user.has_perm("findings.track_leads"):
        figures["leads"] = filter_leads(leads_visible_to(user).filter(state__in=TRANSFERRED_LEAD_STATES), f).aggregate(
            transferred=Count("pk"), handled=Count("pk", filter=Q(state=LeadState.CONCLUDED)))
    if user.has_perm("findings.view_disposition"):
        sanctioned = Q(party_sanction__gt="") | Q(gov_sanction__gt="")
        figures["people"] = filter_dispositions(dispositions_counted_for(user), f).aggregate(
            dealt=Count("pk"), sanctioned=Count("pk", filter=sanctioned))
    return figures


def cache_key(user, f: ResultFilter, today: date) -> str:
    """Per user: the key holds the user's id (never shared across users), the filter and the day (the colours of
    the items change at midnight)."""
    digest = hashlib.sha256(f"{f.querystring()}|{today.isoformat()}".encode()).hexdigest()[:24]
    return f"dashboard:v{CACHE_VERSION}:user{user.pk}:{digest}"


def cached_dashboard_figures(user, f: ResultFilter, today: date | None = None) -> dict:
    """dashboard_figures, cached for CACHE_SECONDS per user and filter (django.core.cache). The cache is PER USER:
    two users never share an entry, whatever their filters, so one user's numbers are never served to another."""
    today = today or timezone.localdate()
    key = cache_key(user, f, today)
    figures = cache.get(key)
    if figures is None:
        figures = dashboard_figures(user, f, today)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def filter_choices(user) -> dict:
    """The selects of the filter form: visible batches and townships (streets, departments)."""
    return {
        "batches": list(batches_visible_to(user).order_by("-year", "-id").values("pk", "name")),
        "townships": list(units_visible_to(user).filter(kind__in=TOWNSHIP_KINDS).order_by("kind", "name")
                          .values("pk", "name")),
    }

