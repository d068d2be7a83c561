"""The home page, per role: a station's team sees its stations, a leader the approvals waiting for them, both the
overdue and near-deadline items of their stations' letters; a liaison sees their unit's open items with deadline
colours; commission staff get the link to the overview dashboard. Every list comes from the scoped selectors and
has a fixed number of queries (a few rows shown, counts by database aggregation)."""

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from findings.models import Finding, FindingState, ReportState, StationReport
from rectification.deadlines import item_deadline, level_q
from rectification.models import ItemState
from rectification.selectors import items_visible_to
from rounds.models import Station
from rounds.selectors import my_stations, team_station_ids

from ..dashboard import can_see_dashboard
from ..roles import Role, user_roles
from ..selectors import people_visible_to, units_visible_to
from ..services.notifications import unread_count

SHOWN = 10  # rows of each list on the home page
WATCHED = ("red", "yellow")  # overdue and near the deadline


def _item_rows(queryset, today) -> list:
    rows = list(queryset.select_related("letter__recipient").order_by("deadline", "letter_id", "sequence")[:SHOWN])
    for item in rows:
        item.due = item_deadline(item, today)
    return rows


def _team(user, roles, today) -> dict:
    """A team leader's or member's stations, approvals waiting for a leader, and their stations' watched items."""
    context = {"my_stations": list(my_stations(user).prefetch_related(None)[:SHOWN])}
    if Role.TEAM_LEADER in roles:
        led = get_objects_for_user(user, "rounds.lead_station", Station, accept_global_perms=False).values("pk")
        context["draft_sheets"] = Finding.objects.filter(station__in=led, state=FindingState.DRAFT).count()
        context["reports_waiting"] = list(
            StationReport.objects.filter(station__in=led, state=ReportState.SUBMITTED)
            .select_related("station__target", "station__round").order_by("updated_at")[:SHOWN])
    watched = level_q("red", today) | level_q("yellow", today)
    items = items_visible_to(user).filter(letter__station__in=team_station_ids(user))
    context["team_items"] = _item_rows(items.filter(watched), today)
    context["team_item_counts"] = items.aggregate(**{c: Count("pk", filter=level_q(c, today)) for c in WATCHED})
    return context


def _liaison(user, today) -> dict:
    """A liaison's units, their open items (nearest deadline first) and the count of each colour."""
    own_units = list(units_visible_to(user).select_related("parent"))
    items = (items_visible_to(user).filter(letter__recipient__in=[unit.pk for unit in own_units])
             .filter(~Q(state=ItemState.CLOSED)))
    counts = items.aggregate(open=Count("pk"), **{c: Count("pk", filter=level_q(c, today)) for c in WATCHED})
    return {"own_units": own_units, "liaison_items": _item_rows(items, today), "liaison_item_counts": counts}


def home(request):
    user = request.user
    roles = user_roles(user)
    today = timezone.localdate()
    context = {"roles": roles, "has_role": bool(roles) or user.is_superuser, "unread": unread_count(user)}
    if user.has_perm("supervision.view_unit"):
        context["unit_count"] = units_visible_to(user).count()
    if user.has_perm("supervision.view_person"):
        context["person_count"] = people_visible_to(user).count()
    if roles & {Role.TEAM_LEADER, Role.TEAM_MEMBER}:
        context.update(_team(user, roles, today))
    if Role.UNIT_LIAISON in roles:
        context.update(_liaison(user, today))
    context["dashboard"] = can_see_dashboard(user)
    return render(request, "supervision/home.html", context)
