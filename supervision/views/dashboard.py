"""委机关总览 (the commission overview dashboard): the seed's figures for any period, batch, township and category,
each a link to the list behind it with the same filter parameters (supervision.filters.ResultFilter).

Commission staff and the commission's leaders only (supervision.dashboard.can_see_dashboard); anyone else gets a
404. The numbers come from supervision.dashboard (scoped selectors, database aggregation), cached per user for
60 s — the cache key holds the user's id, so one user's figures are never served to another."""

from calendar import monthrange

from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone

from findings.views.findings import yuan
from rectification.deadlines import LEVEL_LABELS, LEVEL_TAGS
from rectification.models import ItemState
from rounds.models import Theme

from ..dashboard import COLOURS, cached_dashboard_figures, can_see_dashboard, filter_choices
from ..filters import ResultFilter


def _url(name: str, query: str = "") -> str:
    try:
        url = reverse(name)
    except NoReverseMatch:  # the list is not there (yet): the number shows without a link
        return ""
    return f"{url}?{query}" if query else url


def _month_query(f: ResultFilter, month) -> str:
    last = month.replace(day=monthrange(month.year, month.month)[1])
    start = max(month, f.start) if f.start else month
    end = min(last, f.end) if f.end else last
    return f.querystring(start=start.isoformat(), end=end.isoformat(), state="confirmed")


def _decorate(figures: dict, f: ResultFilter) -> dict:
    """Labels and drill-down links for the plain figures (kept out of the cache)."""
    problems_query = f.querystring(state="confirmed")
    links = {
        "problems": _url("problem_list", problems_query),
        "items": _url("item_list", f.querystring()),
        "closed": _url("item_list", f.querystring(state=ItemState.CLOSED)),
        "letters": _url("letter_list", f.querystring(state="issued")),
        "recommendations": _url("recommendation_list", f.querystring()),
        "leads": _url("lead_list", f.querystring()),
        "people": _url("disposition_list", f.querystring()),
    }
    problem_list = _url("problem_list")
    by_township = [{**row, "url": f"{problem_list}?{f.querystring(state='confirmed', township=row['town'])}"
                    if problem_list else ""} for row in figures["by_township"]]
    labels = dict(Theme.choices)
    by_category = [{**row, "label": str(labels.get(row["category"], row["category"])),
                    "url": f"{problem_list}?{f.querystring(state='confirmed', category=row['category'])}"
                    if problem_list else ""} for row in figures["by_category"]]
    trend = [{**row, "label": row["month"].strftime("%Y-%m"),
              "url": f"{problem_list}?{_month_query(f, row['month'])}" if problem_list else ""}
             for row in figures["trend"]]
    items = figures["items"]
    item_list = _url("item_list")
    colours = [{"level": colour, "label": LEVEL_LABELS[colour], "tag": LEVEL_TAGS[colour], "count": items[colour],
                "url": f"{item_list}?{f.querystring(level=colour)}" if item_list else ""} for colour in COLOURS]
    rate = round(items["closed"] * 100 / items["total"], 1) if items["total"] else None
    chart = {"categories": {"labels": [row["label"] for row in by_category],
                            "counts": [row["count"] for row in by_category]},
             "months": {"labels": [row["label"] for row in trend], "counts": [row["count"] for row in trend]}}
    return {**figures, "links": links, "by_township": by_township, "by_category": by_category, "trend": trend,
            "colours": colours, "rate": rate, "chart": chart}


def dashboard(request):
    user = request.user
    if not can_see_dashboard(user):
        raise Http404
    result_filter = ResultFilter.from_request(request)
    figures = _decorate(cached_dashboard_figures(user, result_filter, timezone.localdate()), result_filter)
    return render(request, "supervision/dashboard.html", {
        "f": result_filter, "errors": result_filter.errors, "categories": Theme.choices,
        "filter_query": result_filter.querystring(), "amount_display": yuan(figures.get("amount")),
        **filter_choices(user), **figures,
    })


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
]
