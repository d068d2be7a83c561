"""Reads of the rounds app, scoped to the user."""

from django.db.models import Count, Prefetch, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from .models import Batch, Station, StationMember, StationState


def batches_visible_to(user) -> QuerySet[Batch]:
    if not user.is_authenticated or not user.has_perm("rounds.view_batch"):
        return Batch.objects.none()
    return Batch.objects.all()


def stations_visible_to(user) -> QuerySet[Station]:
    if not user.is_authenticated:
        return Station.objects.none()
    if user.has_perm("rounds.view_station"):
        return Station.objects.all()
    return (get_objects_for_user(user, "rounds.view_station", Station, accept_global_perms=False)
            .exclude(state=StationState.PROPOSED))


def user_has_stations(user) -> bool:
    """One query: does the user hold a station permission of their own (as a team member)?"""
    from guardian.models import UserObjectPermission

    return UserObjectPermission.objects.filter(
        user=user, permission__codename="view_station", permission__content_type__app_label="rounds").exists()


def batch_list(user) -> QuerySet[Batch]:
    return (batches_visible_to(user).select_related("organiser", "formula")
            .annotate(round_count=Count("rounds", distinct=True), target_count=Count("targets", distinct=True))
            .order_by("-year", "-created_at", "-id"))


def members_prefetch() -> Prefetch:
    return Prefetch("members", queryset=StationMember.objects.select_related("person__home_unit", "slot")
                    .order_by("slot__order", "person__name"))


def batch_stations(batch: Batch) -> QuerySet[Station]:
    return (Station.objects.filter(round__batch=batch).select_related("round", "target__parent")
            .prefetch_related(members_prefetch()).order_by("round__number", "target__name", "id"))


def my_stations(user) -> QuerySet[Station]:
    return (stations_visible_to(user).select_related("round__batch", "target__parent")
            .prefetch_related(members_prefetch()).order_by("-round__start_date", "target__name"))


def station_search(user, *, q: str = "", state: str = "") -> QuerySet[Station]:
    qs = my_stations(user)
    if q:
        qs = qs.filter(Q(target__name__icontains=q) | Q(round__batch__name__icontains=q))
    if state:
        qs = qs.filter(state=state)
    return qs


def team_station_ids(user) -> QuerySet:
    """Stations whose work the user may do: a planner all of them, a team member their own (not proposals)."""
    if user.has_perm("rounds.plan_batch"):
        return Station.objects.values("pk")
    if user.has_perm("rounds.view_station"):
        # A global viewer who is not a planner (an administrator, a commission leader) is on no team.
        return (get_objects_for_user(user, "rounds.view_station", Station, accept_global_perms=False)
                .exclude(state=StationState.PROPOSED).values("pk"))
    return stations_visible_to(user).values("pk")
