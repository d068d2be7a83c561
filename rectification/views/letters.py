"""Views of hand-off letters (交办函): list, draft from a station, the letter with its problem table (editable while
a draft), issue, the PDF, a round's letters with the batch run, and the run's progress (htmx, every second).

Every letter goes through rectification.access.letter_for_user (anything the user may not see is a 404); every
list comes from rectification.selectors.letters_visible_to; every write is a service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from findings.access import liaison_unit_ids
from findings.models import ReportState
from rounds.access import station_for_user
from rounds.models import Round, Station
from rounds.selectors import user_has_stations
from supervision.documents import document_response, filed_pdf_response
from supervision.views.common import apply_service_errors, paginate, posted, refuse, require_perm

from ..access import letter_for_user, run_for_user
from ..forms_letters import LetterForm, LetterStartForm
from ..models import HandoffLetter, LetterRun, LetterRunState, LetterState
from ..selectors import letters_visible_to
from ..services.letters import (
    letter_draft,
    letter_issue,
    letter_moves,
    letter_pdf_preview,
    letter_update,
    letters_generate,
)

S = LetterState
STATE_TAGS = {S.DRAFT: "amber", S.ISSUED: "blue"}
RUN_TAGS = {LetterRunState.QUEUED: "", LetterRunState.RUNNING: "amber", LetterRunState.DONE: "green",
            LetterRunState.FAILED: "red"}


def _is_staff(user) -> bool:
    return user.has_perm("rectification.view_handoffletter")


def letter_list(request):
    user = request.user
    staff = _is_staff(user)
    # (Not the global station viewers, e.g. the administrator: letter_visible does not let them open a letter.)
    if not user.is_authenticated or not (staff or liaison_unit_ids(user) or user_has_stations(user)):
        raise Http404
    states = S.choices if staff else [c for c in S.choices if c[0] != S.DRAFT]
    state = request.GET.get("state", "")
    if state not in {value for value, _label in states}:
        state = ""
    queryset = (letters_visible_to(user).select_related("recipient__parent")
                .annotate(item_count=Count("items")).order_by("-created_at", "-id"))
    if state:
        queryset = queryset.filter(state=state)
    page = paginate(request, queryset)
    page.object_list = list(page.object_list)
    for letter in page.object_list:
        letter.state_tag = STATE_TAGS.get(letter.state, "")
    return render(request, "rectification/letter_list.html", {"page": page, "state": state, "states": states,
                                                              "staff": staff})


def letter_new(request, pk):
    require_perm(request.user, "rectification.add_handoffletter")
    station = station_for_user(request.user, pk)
    existing = HandoffLetter.objects.filter(station=station).values_list("pk", flat=True).first()
    if existing:
        return redirect("letter_detail", pk=existing)
    form = LetterStartForm(posted(request), initial=_contact(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            letter = letter_draft(actor=request.user, station=station, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("交办函草稿已生成，请核对每个问题的整改要求、责任人和时限后签发"))
            return redirect("letter_detail", pk=letter.pk)
    report = getattr(station, "report", None)  # RelatedObjectDoesNotExist is an AttributeError
    return render(request, "rectification/letter_new.html", {
        "form": form, "station": station,
        "approved": report is not None and report.state == ReportState.APPROVED,
    })


def _item_links(items) -> None:
    """Each item's page, once the items' pages exist (rectification.views.items)."""
    for item in items:
        try:
            item.url = reverse("item_detail", args=[item.pk])
        except NoReverseMatch:
            item.url = ""


def letter_detail(request, pk):
    letter = letter_for_user(request.user, pk)
    items = list(letter.items.order_by("sequence"))
    moves = letter_moves(request.user, letter)
    form = LetterForm(initial=_initial(letter), items=items) if moves["edit"] else None
    if letter.state == S.ISSUED:
        _item_links(items)
    return render(request, "rectification/letter_detail.html", {
        "letter": letter, "items": items, "moves": moves, "form": form,
        "staff": _is_staff(request.user), "state_tag": STATE_TAGS.get(letter.state, ""),
    })


def _initial(letter: HandoffLetter) -> dict:
    return {name: getattr(letter, name) for name in ("title", "addressee", "basis", "reply_due", "contact_name",
                                                      "contact_phone")}


def letter_edit(request, pk):
    letter = letter_for_user(request.user, pk, "edit")
    items = list(letter.items.order_by("sequence"))
    form = LetterForm(posted(request), initial=_initial(letter), items=items)
    if request.method == "POST" and form.is_valid():
        fields, rows = form.values()
        try:
            letter_update(actor=request.user, letter=letter, rows=rows, **fields)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("交办函草稿已保存"))
            return redirect("letter_detail", pk=letter.pk)
    return render(request, "rectification/letter_edit.html", {"form": form, "letter": letter})


@require_POST
def letter_issue_view(request, pk):
    letter = letter_for_user(request.user, pk, "issue")
    try:
        letter = letter_issue(actor=request.user, letter=letter)
    except ValidationError as error:
        refuse(request, error)
    else:
        messages.success(request, _("交办函已签发，文号 %(number)s") % {"number": letter.number})
    return redirect("letter_detail", pk=letter.pk)


def letter_pdf(request, pk):
    """An issued letter: the stored file, exactly as filed. A draft: a preview marked 草稿, without a number."""
    letter = letter_for_user(request.user, pk)
    if letter.state == S.DRAFT:
        return document_response(letter_pdf_preview(letter), content_type="application/pdf",
                                 filename=f"handoff-{letter.pk}-draft.pdf", inline=True)
    return filed_pdf_response(letter.pdf, filename=f"handoff-{letter.pk}.pdf")


def round_letters(request, pk):
    require_perm(request.user, "rectification.add_handoffletter")
    round_ = get_object_or_404(Round.objects.select_related("batch"), pk=pk)
    stations = list(Station.objects.filter(round=round_).select_related("target", "report", "handoff_letter")
                    .order_by("target__name", "id"))
    for station in stations:
        station.report_row = getattr(station, "report", None)  # RelatedObjectDoesNotExist is an AttributeError
        station.letter_row = getattr(station, "handoff_letter", None)
    form = LetterStartForm(posted(request), initial=_contact(request.user))
    if request.method == "POST":
        require_perm(request.user, "rectification.issue_handoffletter")
        if form.is_valid():
            try:
                run = letters_generate(actor=request.user, round=round_, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("已开始批量生成交办函（共%(n)d份）") % {"n": run.total})
                return redirect("letter_run", pk=run.pk)
    return render(request, "rectification/letter_round.html", {
        "round": round_, "stations": stations, "form": form,
        "runs": list(round_.letter_runs.order_by("-created_at", "-id")[:5]),
        "can_issue": request.user.has_perm("rectification.issue_handoffletter"),
    })


def _run_context(run: LetterRun) -> dict:
    finished = run.state in (LetterRunState.DONE, LetterRunState.FAILED)
    return {"run": run, "finished": finished, "run_tag": RUN_TAGS.get(run.state, "")}


def letter_run(request, pk):
    run = run_for_user(request.user, pk)
    return render(request, "rectification/letter_run.html", _run_context(run))


def letter_run_progress(request, pk):
    run = run_for_user(request.user, pk)
    response = render(request, "rectification/_run_progress.html", _run_context(run))
    response["Cache-Control"] = "no-store"
    return response


def _contact(user) -> dict:
    """The person issuing is the contact unless they change it."""
    person = getattr(user, "person", None)
    return {"contact_name": person.name, "contact_phone": person.phone} if person else {}


urlpatterns = [
    path("letters/", letter_list, name="letter_list"),
    path("stations/<int:pk>/letter/new/", letter_new, name="letter_new"),
    path("letters/<int:pk>/", letter_detail, name="letter_detail"),
    path("letters/<int:pk>/edit/", letter_edit, name="letter_edit"),
    path("letters/<int:pk>/issue/", letter_issue_view, name="letter_issue"),
    path("letters/<int:pk>/document.pdf", letter_pdf, name="letter_pdf"),
    path("rounds/<int:pk>/letters/", round_letters, name="round_letters"),
    path("letter-runs/<int:pk>/", letter_run, name="letter_run"),
    path("letter-runs/<int:pk>/progress/", letter_run_progress, name="letter_run_progress"),
]
