"""The city-wide problem list (问题清单: the list the dashboard's numbers drill into) and the two ledgers (台账) as Excel.

    problems/                     problem_list          the problem sheets the user may see, filtered and paginated
    problems/ledger.xlsx          problem_ledger        the same rows as the problem ledger (问题台账)
    rectification/ledger.xlsx     rectification_ledger  the rectification ledger (整改台账: 建账—更新—销号)

Filters: supervision.filters.ResultFilter (start, end, batch, township, category) plus `state` (problems: confirmed
by default, "all", draft, withdrawn; items: an item state) and `level` (items: a deadline colour, as on the item
list). Rows come from the scoped selectors only (findings.ledgers). Who sees the problem list and its ledger:
whoever sees stations (commission: all, a team: its own); anyone else gets a 404. The rectification ledger also
serves a unit's liaison (their unit's items)."""

from urllib.parse import quote

from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from findings.access import liaison_unit_ids
from rounds.models import Batch, Theme
from rounds.selectors import stations_visible_to, user_has_stations
from supervision.filters import ResultFilter
from supervision.models import Unit, UnitKind
from supervision.views.common import paginate

from ..ledgers import (
    ALL,
    item_filters,
    items_for,
    problem_ledger,
    problem_state,
    problems_for,
    rectification_ledger,
)
from ..models import FindingState
from ..tallies import sheet_total

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARENT_KINDS = (UnitKind.TOWNSHIP, UnitKind.STREET, UnitKind.DEPARTMENT)


def _sees_stations(user) -> bool:
    return user.is_authenticated and (user.has_perm("rounds.view_station") or user_has_stations(user))


def _sees_items(user) -> bool:
    return user.is_authenticated and (user.has_perm("rectification.view_rectificationitem")
                                      or user_has_stations(user) or bool(liaison_unit_ids(user)))


def xlsx_response(handle, filename: str, ascii_name: str) -> FileResponse:
    """The saved workbook streamed in chunks as a download (the temporary file is deleted once sent)."""
    response = FileResponse(handle, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


def problem_list(request):
    user = request.user
    if not _sees_stations(user):
        raise Http404
    result_filter = ResultFilter.from_request(request)
    state = problem_state(request.GET)
    queryset = (problems_for(user, result_filter, state)
                .select_related("station__target__parent", "station__round__batch", "rectification"))
    everything = user.has_perm("rounds.view_station")  # sees every station: the tally counts for them
    counted = everything and state == FindingState.CONFIRMED and result_filter.rollups_answer
    page = paginate(request, queryset, count=sheet_total(result_filter) if counted else None)
    batches, townships = Batch.objects.all(), Unit.objects.filter(kind__in=PARENT_KINDS)
    if not everything:
        stations = stations_visible_to(user)
        batches = batches.filter(pk__in=stations.values("round__batch"))
        townships = townships.filter(Q(pk__in=stations.values("target__parent")) | Q(pk__in=stations.values("target")))
    batches, townships = batches.order_by("-year", "name"), townships.order_by("name")
    query = result_filter.querystring(state=state if state != FindingState.CONFIRMED else "")
    return render(request, "findings/problem_list.html", {
        "page": page, "filter": result_filter, "state": state, "all_states": ALL,
        "states": FindingState.choices, "categories": Theme.choices, "batches": batches, "townships": townships,
        "ledger_url": reverse("problem_ledger") + (f"?{query}" if query else ""),
        "filtered": bool(result_filter.as_params()) or state != FindingState.CONFIRMED,
    })


def problem_ledger_download(request):
    user = request.user
    if not _sees_stations(user):
        raise Http404
    queryset = problems_for(user, ResultFilter.from_request(request), problem_state(request.GET))
    stamp = _stamp()
    return xlsx_response(problem_ledger(queryset), _("问题台账-%(date)s.xlsx") % {"date": stamp},
                         f"problem-ledger-{stamp}.xlsx")


def rectification_ledger_download(request):
    user = request.user
    if not _sees_items(user):
        raise Http404
    today = timezone.localdate()
    state, level = item_filters(request.GET)
    queryset = items_for(user, ResultFilter.from_request(request), state, level, today)
    stamp = _stamp()
    return xlsx_response(rectification_ledger(queryset, today), _("整改台账-%(date)s.xlsx") % {"date": stamp},
                         f"rectification-ledger-{stamp}.xlsx")


urlpatterns = [
    path("problems/", problem_list, name="problem_list"),
    path("problems/ledger.xlsx", problem_ledger_download, name="problem_ledger"),
    path("rectification/ledger.xlsx", rectification_ledger_download, name="rectification_ledger"),
]
