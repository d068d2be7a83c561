"""Views of rounds: stations (the list, "my stations" for team members, the station page, recusal declarations,
training exemptions and lifecycle moves). Each module owns its urlpatterns; rounds/urls.py joins them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from supervision.roles import Role, user_roles
from supervision.views.common import paginate

from ..access import can_lead, can_plan, member_for_user, station_for_user
from ..forms import DeclarationForm, ExemptForm, TransitionForm
from ..models import StationState, TrainingSession
from ..selectors import station_search, user_has_stations
from ..services.members import DECLARATION_TEXT, EDITABLE_STATES, member_declare, member_exempt_training
from ..services.stations import allowed_moves, opening_problems, station_transition
from .batches import state_tag, team_by_slot

TEAM_ROLES = {Role.TEAM_LEADER, Role.TEAM_MEMBER}
# The main line of a station's life, shown as a small progress bar.
PROGRESS = [StationState.PLANNED, StationState.TRAINING, StationState.STATIONED, StationState.REPORTING,
            StationState.HANDED_OFF, StationState.FOLLOWING_UP, StationState.CLOSED]


def station_list(request):
    user = request.user
    sees_all = user.has_perm("rounds.view_station")
    if not sees_all and not (user_roles(user) & TEAM_ROLES) and not user_has_stations(user):
        raise Http404
    q = request.GET.get("q", "").strip()
    state = request.GET.get("state", "")
    if state not in StationState.values:
        state = ""
    page = paginate(request, station_search(user, q=q, state=state))
    page.object_list = list(page.object_list)
    for station in page.object_list:
        members = list(station.members.all())
        station.leader = next((m.person for m in members if m.slot.is_leader), None)
        station.member_count = len(members)
        station.mine = next((m for m in members if m.person.user_id == user.pk), None)
        station.state_tag = state_tag(station.state)
    states = StationState.choices if sees_all else [c for c in StationState.choices if c[0] != StationState.PROPOSED]
    return render(request, "rounds/station_list.html", {
        "page": page, "q": q, "state": state, "states": states, "sees_all": sees_all,
    })


def _progress(state: str) -> list[dict]:
    if state == StationState.PROPOSED:
        reached = -1
    else:
        reached = PROGRESS.index(state)
    return [{"label": s.label, "done": i < reached, "current": i == reached} for i, s in enumerate(PROGRESS)]


def _detail_context(request, station) -> dict:
    user = request.user
    batch = station.round.batch
    members = list(station.members.select_related("person__home_unit__parent", "person__user", "slot",
                                                  "training_exempted_by__person"))
    trained = set(TrainingSession.attendees.through.objects.filter(trainingsession__batch=batch.pk)
                  .values_list("person_id", flat=True))
    for member in members:
        member.trained = member.person_id in trained
    mine = next((m for m in members if m.person.user_id == user.pk), None)
    leads = can_lead(user, station)
    planner = can_plan(user)
    show_checks = leads and station.state == StationState.TRAINING
    complaints = station.complaints.all()
    return {
        "station": station,
        "batch": batch,
        "state_tag": state_tag(station.state),
        "progress": _progress(station.state),
        "team": team_by_slot(members, list(batch.formula.slots.all())),
        "mine": mine,
        "member_count": len(members),
        "declaration_text": DECLARATION_TEXT,
        "declaration_form": DeclarationForm() if mine and not mine.declared_at else None,
        "can_lead": leads,
        "can_swap": planner and station.state in EDITABLE_STATES,
        "moves": allowed_moves(user, station),
        "opening_checks": opening_problems(station) if show_checks else None,
        "complaints": complaints[:50],
        "complaint_count": complaints.count(),
        "is_proposed": station.state == StationState.PROPOSED,
    }


def station_detail(request, pk):
    station = station_for_user(request.user, pk)
    return render(request, "rounds/station_detail.html", _detail_context(request, station))


@require_POST
def station_move(request, pk):
    station = station_for_user(request.user, pk, "lead")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要执行的操作"))
        return redirect("station_detail", pk=station.pk)
    try:
        station = station_transition(actor=request.user, station=station, to=form.cleaned_data["to"])
    except ValidationError as error:
        context = _detail_context(request, station)
        context["refusal"] = error.messages
        context["opening_checks"] = None  # the refusal lists them already
        context["refused_label"] = StationState(form.cleaned_data["to"]).label
        return render(request, "rounds/station_detail.html", context)
    messages.success(request, _("驻点状态已变为“%(state)s”") % {"state": station.get_state_display()})
    return redirect("station_detail", pk=station.pk)


@require_POST
def member_declare_view(request, pk):
    member = member_for_user(request.user, pk)
    form = DeclarationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("station_detail", pk=member.station_id)
    try:
        member_declare(actor=request.user, member=member)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已签署回避承诺"))
    return redirect("station_detail", pk=member.station_id)


@require_POST
def member_exempt(request, pk):
    member = member_for_user(request.user, pk, "lead")
    form = ExemptForm(request.POST)
    if form.is_valid():
        try:
            member_exempt_training(actor=request.user, member=member, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已为%(name)s登记免训") % {"name": member.person.name})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("station_detail", pk=member.station_id)


urlpatterns = [
    path("stations/", station_list, name="station_list"),
    path("stations/<int:pk>/", station_detail, name="station_detail"),
    path("stations/<int:pk>/transition/", station_move, name="station_transition"),
    path("members/<int:pk>/declare/", member_declare_view, name="member_declare"),
    path("members/<int:pk>/exempt/", member_exempt, name="member_exempt"),
]
