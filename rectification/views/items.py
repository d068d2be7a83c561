"""Views of rectification items (整改事项): the unit's portal (整改台账), the list for the commission and the teams,
an item's page (plan, progress with evidence, submit; return, verify, reopen), and evidence downloads.

Every object goes through rectification.access (anything the user may not see is a 404); every list comes from
rectification.selectors; every write is a service of rectification.services.items; colours come from
rectification.deadlines."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from findings.access import liaison_unit_ids
from findings.views.findings import evidence_response
from rounds.selectors import user_has_stations
from supervision.filters import ResultFilter
from supervision.views.common import apply_service_errors, paginate, refuse

from ..access import item_for_user, rectification_evidence_for_user
from ..deadlines import LEVEL_LABELS, LEVEL_TAGS, LEVELS, NORMAL, item_deadline, level_q
from ..forms_items import CommentForm, PlanForm, ProgressForm, ReopenForm, VerifyForm
from ..models import ItemState, LetterState, RectificationItem
from ..selectors import items_visible_to, letters_visible_to
from ..services.items import (
    has_plan,
    item_moves,
    item_plan_save,
    item_progress_report,
    item_reopen,
    item_return,
    item_roles,
    item_submit,
    item_verify,
)
from ..tallies import item_figures

S = ItemState
STATE_TAGS = {S.OPEN: "", S.IN_PROGRESS: "blue", S.SUBMITTED: "amber", S.RETURNED: "red", S.CLOSED: "green"}
COLOURS = ("red", "yellow", "green")  # the levels counted at the top of the lists


def _decorate(items, today):
    for item in items:
        item.due = item_deadline(item, today)
        item.state_tag = STATE_TAGS.get(item.state, "")
    return items


def _colour_counts(items) -> list[dict]:
    counts = {level: 0 for level in COLOURS}
    for item in items:
        if item.due.level in counts:
            counts[item.due.level] += 1
    return [{"level": level, "label": LEVEL_LABELS[level], "tag": LEVEL_TAGS[level], "count": counts[level]}
            for level in COLOURS]


# --- the unit's portal ---------------------------------------------------------------------------------------------

def portal(request):
    """The liaison's home for rectification: their unit's issued letters, each with its items and colours."""
    units = liaison_unit_ids(request.user)
    if not units:
        raise Http404
    today = timezone.localdate()
    letters = list(letters_visible_to(request.user).filter(recipient__in=units, state=LetterState.ISSUED)
                   .select_related("recipient__parent", "organ").order_by("-issued_at", "-id")
                   .prefetch_related(Prefetch("items", queryset=RectificationItem.objects.order_by("sequence"))))
    everything = []
    for letter in letters:
        letter.item_rows = _decorate(list(letter.items.all()), today)
        letter.open_count = sum(1 for item in letter.item_rows if item.state != S.CLOSED)
        everything.extend(letter.item_rows)
    return render(request, "rectification/portal.html", {
        "letters": letters, "counts": _colour_counts(everything), "total": len(everything),
        "closed": sum(1 for item in everything if item.state == S.CLOSED),
    })


# --- the list ------------------------------------------------------------------------------------------------------

def _may_list(user) -> bool:
    return user.has_perm("rectification.view_rectificationitem") or user_has_stations(user)


def _level_count(totals: dict, level: str) -> int:
    """How many items of a level (all of them for no level) the tally's figures hold."""
    if level == NORMAL:
        return totals["items"] - totals["closed"] - sum(totals[colour] for colour in COLOURS)
    return totals[level or "items"]


def item_list(request):
    """Commission staff and leaders: every item; a station's team: their station's. A liaison has the portal."""
    user = request.user
    if not _may_list(user):
        if liaison_unit_ids(user):
            return redirect("portal")
        raise Http404
    today = timezone.localdate()
    state = request.GET.get("state", "")
    if state not in S.values:
        state = ""
    level = request.GET.get("level", "")
    if level not in LEVELS:
        level = ""
    filters = ResultFilter.from_request(request)  # the dashboard's numbers drill down here with its filters
    visible = filters.items(items_visible_to(user).filter(letter__state=LetterState.ISSUED))
    count = None
    if user.has_perm("rectification.view_handoffletter") and filters.rollups_answer:  # the tally counts for them
        totals = item_figures(filters, today)
        if not state:
            count = _level_count(totals, level)
    else:
        totals = visible.aggregate(**{name: Count("pk", filter=level_q(name, today)) for name in COLOURS})
    queryset = visible.select_related("letter__recipient__parent").order_by("deadline", "letter_id", "sequence")
    if state:
        queryset = queryset.filter(state=state)
    if level:
        queryset = queryset.filter(level_q(level, today))
    page = paginate(request, queryset, count=count)
    page.object_list = _decorate(list(page.object_list), today)
    counts = [{"level": name, "label": LEVEL_LABELS[name], "tag": LEVEL_TAGS[name], "count": totals[name]}
              for name in COLOURS]
    return render(request, "rectification/item_list.html", {
        "page": page, "state": state, "states": S.choices, "level": level,
        "levels": [(name, LEVEL_LABELS[name]) for name in LEVELS], "counts": counts,
        "filters": filters, "filter_params": filters.as_params(),
        "ledger_query": filters.querystring(state=state, level=level),
    })


# --- an item -------------------------------------------------------------------------------------------------------

def _detail(request, item, *, plan_form=None, progress_form=None, comment_form=None, reopen_form=None, status=200):
    user = request.user
    roles = item_roles(user, item)
    moves = item_moves(user, item, roles)
    events = list(item.events.prefetch_related("evidence").order_by("created_at", "id"))
    initial = {name: getattr(item, name) for name in ("target", "measures", "responsible_leader",
                                                      "responsible_department")}
    item.due = item_deadline(item)
    return render(request, "rectification/item_detail.html", {
        "item": item, "letter": item.letter, "events": events, "moves": moves,
        "state_tag": STATE_TAGS.get(item.state, ""), "has_plan": has_plan(item),
        "liaison": "liaison" in roles,
        "plan_form": plan_form or PlanForm(initial=initial),
        "progress_form": progress_form or ProgressForm(),
        "comment_form": comment_form or CommentForm(),
        "verify_form": VerifyForm(),
        "reopen_form": reopen_form or ReopenForm(),
    }, status=status)


def item_detail(request, pk):
    return _detail(request, item_for_user(request.user, pk))


def _on_page(error: ValidationError) -> bool:
    """Field errors are shown on the form, with the input kept; a refusal of the move itself as a message."""
    return hasattr(error, "error_dict")


@require_POST
def item_plan(request, pk):
    item = item_for_user(request.user, pk, "work")
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            item_plan_save(actor=request.user, item=item, **form.values())
        except ValidationError as error:
            if not _on_page(error):
                refuse(request, error)
                return redirect("item_detail", pk=item.pk)
            apply_service_errors(form, error)
        else:
            messages.success(request, _("整改方案已保存"))
            return redirect("item_detail", pk=item.pk)
    return _detail(request, item, plan_form=form)


@require_POST
def item_progress(request, pk):
    item = item_for_user(request.user, pk, "work")
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            event = item_progress_report(actor=request.user, item=item, text=form.cleaned_data["text"],
                                         files=form.cleaned_data["files"])
        except ValidationError as error:
            if not _on_page(error):
                refuse(request, error)
                return redirect("item_detail", pk=item.pk)
            apply_service_errors(form, error)
        else:
            count = event.evidence.count()
            messages.success(request, _("整改进展已报告") + (_("，附佐证材料%(n)d份") % {"n": count} if count else ""))
            return redirect("item_detail", pk=item.pk)
    return _detail(request, item, progress_form=form)


@require_POST
def item_submit_view(request, pk):
    item = item_for_user(request.user, pk, "work")
    try:
        item_submit(actor=request.user, item=item)
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, _("已提交核验，等待驻点组组长或纪委监委核验"))
    return redirect("item_detail", pk=item.pk)


def _move_with_text(request, item, form, move, field: str, form_key: str, success: str):
    """A verifier's move that carries a text (return: the comment; reopen: the reason). A refusal of the text shows
    on the page with what was typed; a refusal of the move itself comes back as a message."""
    form.is_valid()
    try:
        move(actor=request.user, item=item, **{field: form.cleaned_data.get(field, "")})
    except ValidationError as error:
        if not _on_page(error):
            refuse(request, error)
            return redirect("item_detail", pk=item.pk)
        apply_service_errors(form, error)
        return _detail(request, item, **{form_key: form})
    messages.success(request, success)
    return redirect("item_detail", pk=item.pk)


@require_POST
def item_return_view(request, pk):
    item = item_for_user(request.user, pk, "verify")
    return _move_with_text(request, item, CommentForm(request.POST), item_return, "comment", "comment_form",
                           _("已退回整改单位"))


@require_POST
def item_verify_view(request, pk):
    item = item_for_user(request.user, pk, "verify")
    form = VerifyForm(request.POST)
    form.is_valid()
    try:
        item_verify(actor=request.user, item=item, comment=form.cleaned_data.get("comment", ""))
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, _("已核验销号"))
    return redirect("item_detail", pk=item.pk)


@require_POST
def item_reopen_view(request, pk):
    item = item_for_user(request.user, pk, "reopen")
    return _move_with_text(request, item, ReopenForm(request.POST), item_reopen, "reason", "reopen_form",
                           _("已重新打开，整改单位须继续整改"))


def evidence_download(request, pk):
    return evidence_response(rectification_evidence_for_user(request.user, pk))


urlpatterns = [
    path("portal/", portal, name="portal"),
    path("rectification/items/", item_list, name="item_list"),
    path("rectification/items/<int:pk>/", item_detail, name="item_detail"),
    path("rectification/items/<int:pk>/plan/", item_plan, name="item_plan"),
    path("rectification/items/<int:pk>/progress/", item_progress, name="item_progress"),
    path("rectification/items/<int:pk>/submit/", item_submit_view, name="item_submit"),
    path("rectification/items/<int:pk>/return/", item_return_view, name="item_return"),
    path("rectification/items/<int:pk>/verify/", item_verify_view, name="item_verify"),
    path("rectification/items/<int:pk>/reopen/", item_reopen_view, name="item_reopen"),
    path("rectification/evidence/<int:pk>/", evidence_download, name="rectification_evidence"),
]
