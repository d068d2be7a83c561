"""Access choke points for rounds: an object the user may not see is a 404.

Planners (commission staff) hold global permissions through their role group. A team's members hold
object permissions on their own stations (guardian), granted when the batch is confirmed: view_station for
every member, lead_station for the leader."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Batch, Station, StationMember, StationState, TrainingSession


def can_plan(user) -> bool:
    return user.is_authenticated and user.has_perm("rounds.plan_batch")


def can_lead(user, station: Station) -> bool:
    return can_plan(user) or (user.is_authenticated and user.has_perm("rounds.lead_station", station))


def can_view_station(user, station: Station) -> bool:
    if not user.is_authenticated:
        return False
    if user.has_perm("rounds.view_station"):
        return True
    return station.state != StationState.PROPOSED and user.has_perm("rounds.view_station", station)


def can_work(user, station: Station) -> bool:
    """Record the station's work (checklist, field records, problem sheets, report drafts): its own team, and
    the planners. Other viewers (an administrator) may read but not write."""
    if station.state == StationState.PROPOSED or not user.is_authenticated:
        return False
    return can_plan(user) or user.has_perm("rounds.view_station", station)


def batch_for_user(user, pk, action: str = "view") -> Batch:
    batch = get_object_or_404(Batch.objects.select_related("organiser", "formula"), pk=pk)
    if not user.has_perm("rounds.view_batch"):
        raise Http404
    if action == "plan" and not can_plan(user):
        raise Http404
    return batch


def station_for_user(user, pk, action: str = "view") -> Station:
    station = get_object_or_404(
        Station.objects.select_related("round__batch__organiser", "round__batch__formula", "target__parent"), pk=pk)
    if not can_view_station(user, station):
        raise Http404
    if action == "lead" and not can_lead(user, station):
        raise Http404
    if action == "work" and not can_work(user, station):
        raise Http404
    if action == "plan" and not can_plan(user):
        raise Http404
    return station


def member_for_user(user, pk, action: str = "view") -> StationMember:
    member = get_object_or_404(StationMember.objects.select_related("person__user", "slot"), pk=pk)
    station_for_user(user, member.station_id, action)
    return member


def training_for_user(user, pk, action: str = "view") -> TrainingSession:
    session = get_object_or_404(TrainingSession.objects.select_related("batch"), pk=pk)
    batch_for_user(user, session.batch_id, action)
    return session
