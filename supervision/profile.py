"""A unit's profile (政治生态画像): what the rounds found at a unit (and, for a township, its villages) over the
years, and what came of it. Every number is a database aggregation over a scoped selector, so the profile shows
nobody more than the lists behind it would: leads through leads_visible_to, dispositions (which name people)
through dispositions_visible_to — never dispositions_counted_for —, recommendations through
recommendations_visible_to, items through items_visible_to.

Who may open it: those who see every station (rounds.view_station) and the unit's own liaison. The liaison sees
the rounds at their unit, its problems as their rectification items, the rectification performance and the
recommendations addressed to it; no leads and no dispositions."""

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone

from findings.access import TRANSFERRED_LEAD_STATES, liaison_unit_ids
from findings.models import FindingState, LeadState, RecommendationState
from findings.selectors import (
    dispositions_visible_to,
    findings_visible_to,
    leads_visible_to,
    recommendations_visible_to,
)
from rectification.models import ItemEvent, ItemEventKind, ItemState, RectificationItem
from rectification.selectors import items_visible_to
from rounds.models import Station, StationState, Theme
from rounds.selectors import stations_visible_to

from .access import unit_for_user
from .models import Unit

LIST_LIMIT = 50


def profile_unit_for_user(user, pk) -> tuple[Unit, bool]:
    """The unit (404 if the user may not see it or its profile) and whether the user views it as its liaison
    rather than as a global viewer of stations."""
    unit = unit_for_user(user, pk)
    if user.has_perm("rounds.view_station"):
        return unit, False
    if unit.pk not in liaison_unit_ids(user):
        raise Http404
    return unit, True


def unit_scope(unit: Unit) -> QuerySet:
    """The unit and its children (a township's villages), as a subquery of primary keys."""
    return Unit.objects.filter(Q(pk=unit.pk) | Q(parent_id=unit.pk)).values("pk")


def reopened_exists() -> Exists:
    return Exists(ItemEvent.objects.filter(item=OuterRef("pk"), kind=ItemEventKind.REOPEN))


def item_measures(today) -> dict:
    """Aggregates over rectification items: the same definitions on the profile and in the assessment. Closed on
    time: the local date of closed_at is on or before the deadline; reopened: the item has a reopen event. (The
    conditions sit inside the aggregates rather than on annotations: Django drops an Exists annotation from the
    inner query of an aggregate over an annotated queryset.)"""
    closed = Q(state=ItemState.CLOSED, closed_at__isnull=False)
    return {
        "items": Count("pk"),
        "closed_on_time": Count("pk", filter=closed & Q(closed_at__date__lte=F("deadline"))),
        "closed_late": Count("pk", filter=closed & Q(closed_at__date__gt=F("deadline"))),
        "overdue_open": Count("pk", filter=~Q(state=ItemState.CLOSED) & Q(deadline__lt=today)),
        "reopened": Count("pk", filter=Q(reopened_exists())),
    }


def unit_stations(user, unit: Unit, as_liaison: bool) -> QuerySet[Station]:
    scope = unit_scope(unit)
    if as_liaison:
        # The rounds at the liaison's own unit are no secret to them (the notice is public); a proposal is.
        qs = Station.objects.filter(target__in=scope).exclude(state=StationState.PROPOSED)
    else:
        qs = stations_visible_to(user).filter(target__in=scope)
    confirmed = Q(findings__state=FindingState.CONFIRMED)
    return (qs.select_related("round__batch", "target")
            .annotate(problem_count=Count("findings", filter=confirmed, distinct=True))
            .order_by("-round__start_date", "target__name", "pk"))


def _by_year_and_category(rows) -> dict:
    """rows: (year, category, n) from the database → {"years": [...], "categories": [...], "rows": [...]}."""
    labels = dict(Theme.choices)
    cells: dict[tuple[int, str], int] = {}
    years: set[int] = set()
    categories: set[str] = set()
    for year, category, n in rows:
        cells[(year, category)] = n
        years.add(year)
        categories.add(category)
    order = [value for value in Theme.values if value in categories]
    return {
        "categories": [{"value": value, "label": labels.get(value, value)} for value in order],
        "rows": [{"year": year, "cells": [{"value": value, "label": labels.get(value, value),
                                            "count": cells.get((year, value), 0)} for value in order],
                  "total": sum(cells.get((year, value), 0) for value in order)}
                 for year in sorted(years, reverse=True)],
        "total": sum(cells.values()),
    }


def unit_problems(user, unit: Unit, as_liaison: bool) -> dict:
    scope = unit_scope(unit)
    if as_liaison:
        qs = (items_visible_to(user).filter(letter__recipient__in=scope)
              .values_list(ExtractYear("finding__found_on"), "finding__category"))
    else:
        qs = (findings_visible_to(user).filter(station__target__in=scope, state=FindingState.CONFIRMED)
              .values_list(ExtractYear("found_on"), "category"))
    return _by_year_and_category(qs.annotate(n=Count("pk")).order_by())


def unit_items(user, unit: Unit) -> QuerySet[RectificationItem]:
    return items_visible_to(user).filter(letter__recipient__in=unit_scope(unit))


def unit_rectification(user, unit: Unit, today=None) -> dict:
    today = today or timezone.localdate()
    return unit_items(user, unit).aggregate(**item_measures(today))


def unit_leads(user, unit: Unit) -> dict | None:
    if not user.has_perm("findings.track_leads"):
        return None
    leads = leads_visible_to(user).filter(finding__station__target__in=unit_scope(unit))
    by_state = dict(leads.values_list("state").annotate(n=Count("pk")).order_by())
    return {
        "total": sum(by_state.values()),
        "transferred": sum(n for state, n in by_state.items() if state in TRANSFERRED_LEAD_STATES),
        "by_state": [{"value": value, "label": label, "count": by_state.get(value, 0)}
                     for value, label in LeadState.choices],
    }


def unit_dispositions(user, unit: Unit) -> dict | None:
    if not user.has_perm("findings.view_disposition"):
        return None
    scope = unit_scope(unit)
    qs = dispositions_visible_to(user).filter(
        Q(person_unit__in=scope) | Q(finding__station__target__in=scope) | Q(lead__finding__station__target__in=scope))
    qs = qs.select_related("person_unit").order_by("-decided_on", "-pk")
    return {"count": qs.count(), "rows": list(qs[:LIST_LIMIT])}


def unit_recommendations(user, unit: Unit) -> dict:
    qs = (recommendations_visible_to(user).filter(recipient__in=unit_scope(unit))
          .exclude(state=RecommendationState.DRAFT).select_related("recipient")
          .order_by("-issued_at", "-pk"))
    return {"count": qs.count(), "rows": list(qs[:LIST_LIMIT])}


def unit_profile(user, unit: Unit, as_liaison: bool, today=None) -> dict:
    today = today or timezone.localdate()
    stations = list(unit_stations(user, unit, as_liaison)[:LIST_LIMIT * 4])
    return {
        "unit": unit,
        "as_liaison": as_liaison,
        "stations": stations,
        "problems": unit_problems(user, unit, as_liaison),
        "rectification": unit_rectification(user, unit, today),
        "leads": None if as_liaison else unit_leads(user, unit),
        "dispositions": None if as_liaison else unit_dispositions(user, unit),
        "recommendations": unit_recommendations(user, unit),
        "today": today,
    }
