"""Views of rounds: batches (list, new, the proposal review page, planning, confirmation, swaps, timeline,
training). Each module owns its urlpatterns; rounds/urls.py joins them."""

from collections import Counter
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from supervision.models import Person
from supervision.selectors import units_visible_to
from supervision.views.common import apply_service_errors, paginate, posted, require_perm

from ..access import batch_for_user, can_plan, member_for_user, training_for_user
from ..forms import AttendanceForm, BatchForm, SwapForm, TrainingForm
from ..models import BatchState, Station, StationState, Theme
from ..selectors import batch_list as batch_list_query
from ..selectors import batch_stations
from ..services.facts import batch_pool
from ..services.members import EDITABLE_STATES, member_replace
from ..services.planning import batch_confirm as batch_confirm_service
from ..services.planning import batch_create, candidates_for
from ..services.planning import batch_plan as batch_plan_service
from ..services.stations import training_attendance_set, training_create

# --- helpers shared with the station pages ---------------------------------------------------------------------


def team_by_slot(members, slots) -> list[tuple]:
    """[(slot, [members of that slot])] in the formula's order, from an already loaded list of members."""
    grouped: dict[int, list] = {slot.pk: [] for slot in slots}
    for member in members:
        grouped.setdefault(member.slot_id, []).append(member)
    known = {slot.pk for slot in slots}
    extra = [m.slot for m in members if m.slot_id not in known]  # a slot the formula no longer has
    return [(slot, grouped[slot.pk]) for slot in list(slots) + list(dict.fromkeys(extra))]


def theme_labels(codes) -> list[str]:
    labels = dict(Theme.choices)
    return [str(labels.get(code, code)) for code in codes]


STATE_TAGS = {
    StationState.PROPOSED: "",
    StationState.PLANNED: "blue",
    StationState.TRAINING: "amber",
    StationState.STATIONED: "red",
    StationState.REPORTING: "amber",
    StationState.HANDED_OFF: "green",
    StationState.FOLLOWING_UP: "green",
    StationState.CLOSED: "",
}


def state_tag(state: str) -> str:
    return STATE_TAGS.get(state, "")


# --- list and creation -------------------------------------------------------------------------------------------


def batch_list(request):
    require_perm(request.user, "rounds.view_batch")
    page = paginate(request, batch_list_query(request.user))
    return render(request, "rounds/batch_list.html", {
        "page": page, "can_add": request.user.has_perm("rounds.add_batch"),
    })


@require_http_methods(["GET", "POST"])
def batch_new(request):
    require_perm(request.user, "rounds.view_batch")
    require_perm(request.user, "rounds.add_batch")
    form = BatchForm(posted(request), units=units_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            batch = batch_create(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已新建批次：%(name)s。下一步：生成驻点方案。") % {"name": batch.name})
            return redirect("batch_detail", pk=batch.pk)
    return render(request, "rounds/batch_form.html", {"form": form, "title": _("新建批次")})


# --- the batch page: summary, rounds, stations (the proposal review page while a draft) ----------------------------


def _detail_context(request, batch) -> dict:
    slots = list(batch.formula.slots.all())
    rounds = list(batch.rounds.all())
    stations = list(batch_stations(batch))
    by_round: dict[int, list] = {r.pk: [] for r in rounds}
    load: Counter = Counter()
    for station in stations:
        members = list(station.members.all())
        station.team = team_by_slot(members, slots)
        station.state_tag = state_tag(station.state)
        load.update(m.person_id for m in members)
        by_round.setdefault(station.round_id, []).append(station)
    targets = list(batch.targets.select_related("parent").order_by("name", "id"))
    covered = {s.target_id for s in stations}
    planner = can_plan(request.user)
    is_draft = batch.state == BatchState.DRAFT
    return {
        "batch": batch,
        "slots": slots,
        "themes": theme_labels(batch.focus_themes),
        "rounds": [(r, by_round.get(r.pk, [])) for r in rounds],
        "station_count": len(stations),
        "targets": targets,
        "uncovered": [t for t in targets if t.pk not in covered] if stations else [],
        "people_count": len(load),
        "load_min": min(load.values(), default=0),
        "load_max": max(load.values(), default=0),
        "is_draft": is_draft,
        "can_plan": planner and is_draft,
        "can_swap": planner and is_draft,
        "today": timezone.localdate(),
    }


def batch_detail(request, pk):
    batch = batch_for_user(request.user, pk)
    return render(request, "rounds/batch_detail.html", _detail_context(request, batch))


@require_POST
def batch_plan(request, pk):
    batch = batch_for_user(request.user, pk, "plan")
    try:
        result = batch_plan_service(actor=request.user, batch=batch)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("batch_detail", pk=batch.pk)
    if result.ok:
        messages.success(request, _("已生成驻点方案：%(n)d个驻点。请逐组审核，可手工调换人员，无误后确认方案。")
                         % {"n": len(result.stations)})
        return redirect("batch_detail", pk=batch.pk)
    context = _detail_context(request, batch)
    context["plan_problems"] = result.problems
    return render(request, "rounds/batch_detail.html", context)


@require_POST
def batch_confirm(request, pk):
    batch = batch_for_user(request.user, pk, "plan")
    try:
        batch = batch_confirm_service(actor=request.user, batch=batch)
    except ValidationError as error:
        context = _detail_context(request, batch)
        context["confirm_problems"] = error.messages
        return render(request, "rounds/batch_detail.html", context)
    messages.success(request, _("方案已确认：各驻点已排定，组员现在可以看到自己的驻点任务。"))
    return redirect("batch_detail", pk=batch.pk)


# --- swapping one member ----------------------------------------------------------------------------------------


def _back_url(station) -> str:
    if station.state == StationState.PROPOSED:
        return reverse("batch_detail", args=[station.round.batch_id]) + f"#station-{station.pk}"
    return reverse("station_detail", args=[station.pk])


@require_http_methods(["GET", "POST"])
def member_swap(request, pk):
    member = member_for_user(request.user, pk, "plan")
    station = (Station.objects.select_related("round__batch__organiser", "target__parent")
               .get(pk=member.station_id))
    member.station = station
    batch = station.round.batch
    candidates = candidates_for(member)
    allowed = [person for person, problems in candidates if not problems]
    accepted = batch_pool(batch).filter(category__in=member.slot.categories).select_related("home_unit")
    form = SwapForm(posted(request), offered=allowed, accepted=accepted)
    editable = station.state in EDITABLE_STATES
    if request.method == "POST" and form.is_valid():
        before = member.person.name
        try:
            member_replace(actor=request.user, member=member, person=form.cleaned_data["person"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已将%(station)s的%(slot)s%(before)s调换为%(after)s") % {
                "station": station, "slot": member.slot.label, "before": before,
                "after": form.cleaned_data["person"].name})
            return redirect(_back_url(station))
    return render(request, "rounds/member_swap.html", {
        "member": member, "station": station, "batch": batch, "form": form, "editable": editable,
        "allowed": allowed, "blocked": [(p, problems) for p, problems in candidates if problems],
        "back_url": _back_url(station),
    })


# --- the timeline -------------------------------------------------------------------------------------------------


def _pct(days: float, span: int) -> str:
    return f"{100 * days / span:.3f}"


def _ticks(start, end, span: int) -> list[dict]:
    """Scale labels: the first of each month, and Mondays (every week, or every 2 or 4 weeks on long batches)
    that are not within three days of a month label. Every other Monday is "minor" (hidden on phones)."""
    step = 1 if span <= 70 else 2 if span <= 140 else 4
    months = [start + timedelta(days=d) for d in range(span) if (start + timedelta(days=d)).day == 1]
    ticks, week = [], 0
    for d in range(span):
        day = start + timedelta(days=d)
        if day.day == 1:
            ticks.append({"at": _pct(d, span), "label": f"{day.month}/{day.day}", "month": True})
        elif day.weekday() == 0:
            week += 1
            if (week - 1) % step or any(abs((day - m).days) <= 3 for m in months):
                continue
            ticks.append({"at": _pct(d, span), "label": f"{day.month}/{day.day}", "month": False,
                          "minor": len([t for t in ticks if not t["month"]]) % 2 == 1})
    return ticks


def batch_timeline(request, pk):
    batch = batch_for_user(request.user, pk)
    rounds = list(batch.rounds.all())
    stations = (Station.objects.filter(round__batch=batch).select_related("target")
                .order_by("round__number", "target__name", "id"))
    by_round: dict[int, list] = {r.pk: [] for r in rounds}
    for station in stations:
        station.state_tag = state_tag(station.state)
        by_round.setdefault(station.round_id, []).append(station)
    today = timezone.localdate()
    context = {"batch": batch, "today": today, "rows": [], "ticks": [], "today_at": None}
    if rounds:
        start = min(r.start_date for r in rounds)
        end = max(r.end_date for r in rounds)
        span = (end - start).days + 1
        for r in rounds:
            if r.end_date < today:
                phase, phase_label = "past", _("已结束")
            elif r.start_date > today:
                phase, phase_label = "future", _("未开始")
            else:
                phase, phase_label = "now", _("进行中")
            context["rows"].append({
                "round": r, "stations": by_round.get(r.pk, []), "phase": phase, "phase_label": phase_label,
                "left": _pct((r.start_date - start).days, span),
                "width": _pct((r.end_date - r.start_date).days + 1, span),
                "days": (r.end_date - r.start_date).days + 1,
            })
        context["ticks"] = _ticks(start, end, span)
        if start <= today <= end:
            context["today_at"] = _pct((today - start).days + 0.5, span)
        context["start"], context["end"] = start, end
    return render(request, "rounds/batch_timeline.html", context)


# --- training -----------------------------------------------------------------------------------------------------


def _batch_members(batch):
    return (Person.objects.filter(stations__station__round__batch=batch).distinct()
            .select_related("home_unit__parent").order_by("name", "id"))


@require_http_methods(["GET", "POST"])
def batch_training(request, pk):
    batch = batch_for_user(request.user, pk, "plan" if request.method == "POST" else "view")
    planner = can_plan(request.user)
    form = TrainingForm(posted(request)) if planner else None
    if request.method == "POST" and form.is_valid():
        try:
            session = training_create(actor=request.user, batch=batch, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已新增培训：%(topic)s。请登记出勤。") % {"topic": session.topic})
            return redirect("training_attendance", pk=session.pk)
    sessions = batch.trainings.annotate(attendee_count=Count("attendees")).order_by("date", "id")
    members = _batch_members(batch)
    trained = set(batch.trainings.values_list("attendees", flat=True))
    members = list(members)
    return render(request, "rounds/training.html", {
        "batch": batch, "sessions": sessions, "form": form, "can_plan": planner,
        "member_count": len(members), "untrained": [p for p in members if p.pk not in trained],
    })


@require_http_methods(["GET", "POST"])
def training_attendance(request, pk):
    session = training_for_user(request.user, pk, "plan" if request.method == "POST" else "view")
    batch = session.batch
    planner = can_plan(request.user)
    members = _batch_members(batch)
    form = None
    if planner:
        form = AttendanceForm(posted(request), members=members,
                              initial={"people": list(session.attendees.values_list("pk", flat=True))})
        if request.method == "POST" and form.is_valid():
            try:
                training_attendance_set(actor=request.user, session=session, people=form.cleaned_data["people"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("已保存出勤：%(n)d人参训") % {"n": len(form.cleaned_data["people"])})
                return redirect("batch_training", pk=batch.pk)
    return render(request, "rounds/training_attendance.html", {
        "batch": batch, "session": session, "form": form,
        "attendees": session.attendees.select_related("home_unit__parent").order_by("name", "id"),
    })


urlpatterns = [
    path("batches/", batch_list, name="batch_list"),
    path("batches/new/", batch_new, name="batch_new"),
    path("batches/<int:pk>/", batch_detail, name="batch_detail"),
    path("batches/<int:pk>/plan/", batch_plan, name="batch_plan"),
    path("batches/<int:pk>/confirm/", batch_confirm, name="batch_confirm"),
    path("batches/<int:pk>/timeline/", batch_timeline, name="batch_timeline"),
    path("batches/<int:pk>/training/", batch_training, name="batch_training"),
    path("training/<int:pk>/", training_attendance, name="training_attendance"),
    path("members/<int:pk>/swap/", member_swap, name="member_swap"),
]
