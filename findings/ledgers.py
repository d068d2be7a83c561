"""The two ledgers (台账) as Excel workbooks, and the scoped, filtered querysets behind them and behind the problem list.

    problem ledger (问题台账)           every problem sheet the user may see, within the filters of the list page;
    rectification ledger (整改台账)     "建账—更新—销号": every rectification item the user may see.

The querysets come from the scoped selectors (findings_visible_to, items_visible_to) narrowed by
supervision.filters.ResultFilter — the same GET parameters as the dashboards — so a page and its export hold the
same rows. A workbook is written row by row in openpyxl's write-only mode from `values()` rows read with
`.iterator()`: one query for the rows whatever their number, memory bounded, no ORM objects.

Cells: text that a spreadsheet would take for a formula (starting with = + - @, a tab or a carriage return) gets a
leading apostrophe; numbers stay numbers and dates stay dates."""

from datetime import date
from tempfile import NamedTemporaryFile

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from rounds.models import Theme
from supervision.filters import ResultFilter
from supervision.models import UnitKind
from supervision.spreadsheets import cell_value, safe_text

from .models import Finding, FindingState
from .selectors import findings_visible_to

CHUNK = 2000
ALL = "all"
PROBLEM_ORDER = ("-found_on", "number")
ITEM_ORDER = ("deadline", "letter_id", "sequence")
VILLAGE_KINDS = (UnitKind.VILLAGE, UnitKind.COMMUNITY)


def write_workbook(title: str, columns: list[tuple[str, int]], rows) -> NamedTemporaryFile:
    """A write-only workbook with one sheet: a bold, frozen header row, the column widths, then `rows` (iterables of
    raw values) one by one. Returns the saved temporary file, positioned at its start (deleted when closed)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold, centre = Font(bold=True), Alignment(horizontal="center", vertical="center", wrap_text=True)
    header = []
    for text, _width in columns:
        cell = WriteOnlyCell(sheet, value=safe_text(text))
        cell.font, cell.alignment = bold, centre
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([cell_value(value) for value in row])
    handle = NamedTemporaryFile(suffix=".xlsx")
    try:
        workbook.save(handle)
        handle.flush()
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle


# --- problems ------------------------------------------------------------------------------------------------------

def problem_state(params) -> str:
    """The state filter of the problem list: confirmed unless asked otherwise ("all", "draft", "withdrawn")."""
    value = (params.get("state") or "").strip()
    return value if value == ALL or value in FindingState.values else FindingState.CONFIRMED


def problems_for(user, result_filter: ResultFilter, state: str) -> QuerySet[Finding]:
    """The problem sheets of the list and the ledger: visible to the user, within the filters, in list order."""
    queryset = result_filter.findings(findings_visible_to(user))
    if state != ALL:
        queryset = queryset.filter(state=state)
    return queryset.order_by(*PROBLEM_ORDER)


def _township():
    """The township (street, department) of a station's target: its parent for a village, else itself."""
    return Case(When(station__target__kind__in=VILLAGE_KINDS, then=F("station__target__parent__name")),
                default=F("station__target__name"), output_field=CharField())


PROBLEM_FIELDS = ("number", "title", "category", "station__target__name", "township_name", "station__round__batch__name",
                  "station__round__number", "found_on", "amount", "observed", "state", "rectification__state")


def problem_columns() -> list[tuple[str, int]]:
    return [(_("序号"), 7), (_("底稿编号"), 18), (_("问题标题"), 36), (_("问题类别"), 14), (_("被监督单位"), 16),
            (_("所属乡镇"), 14), (_("批次"), 22), (_("轮次"), 7), (_("发现日期"), 12), (_("涉及金额（元）"), 15),
            (_("问题表现"), 60), (_("状态"), 9), (_("整改状态"), 10)]


def problem_rows(queryset: QuerySet[Finding]):
    from rectification.models import ItemState

    categories = {value: str(label) for value, label in Theme.choices}
    states = {value: str(label) for value, label in FindingState.choices}
    item_states = {value: str(label) for value, label in ItemState.choices}
    rows = queryset.annotate(township_name=_township()).values_list(*PROBLEM_FIELDS).iterator(chunk_size=CHUNK)
    for n, (number, title, category, unit, township, batch, round_number, found_on, amount, observed, state,
            item_state) in enumerate(rows, start=1):
        yield (n, number, title, categories.get(category, category), unit, township, batch, round_number, found_on,
               amount, observed, states.get(state, state), item_states.get(item_state, "") if item_state else "")


def problem_ledger(queryset: QuerySet[Finding]) -> NamedTemporaryFile:
    return write_workbook(_("问题台账"), problem_columns(), problem_rows(queryset))


# --- rectification items -------------------------------------------------------------------------------------------

def item_filters(params) -> tuple[str, str]:
    """(state, level) of the item filters, with the names of rectification's item list; unknown values ignored."""
    from rectification.deadlines import LEVELS
    from rectification.models import ItemState

    state = (params.get("state") or "").strip()
    level = (params.get("level") or "").strip()
    return (state if state in ItemState.values else ""), (level if level in LEVELS else "")


def items_for(user, result_filter: ResultFilter, state: str = "", level: str = "", today: date | None = None):
    from rectification.deadlines import level_q
    from rectification.models import LetterState
    from rectification.selectors import items_visible_to

    # Handed-off items only: a draft letter's rows are not the unit's to rectify yet (the list shows the same).
    queryset = result_filter.items(items_visible_to(user).filter(letter__state=LetterState.ISSUED))
    if state:
        queryset = queryset.filter(state=state)
    if level:
        queryset = queryset.filter(level_q(level, today or timezone.localdate()))
    return queryset.order_by(*ITEM_ORDER)


ITEM_FIELDS = ("letter__number", "sequence", "problem", "requirement", "target", "measures", "responsible_leader",
               "responsible_department", "deadline", "state", "closed_at", "reopens")


def item_columns() -> list[tuple[str, int]]:
    return [(_("交办函文号"), 22), (_("序号"), 7), (_("问题"), 40), (_("整改要求"), 30), (_("整改目标"), 30),
            (_("措施"), 40), (_("责任领导"), 14), (_("责任部门"), 14), (_("完成时限"), 12), (_("状态"), 9),
            (_("距期限"), 11), (_("销号时间"), 18), (_("回头看次数"), 11)]


def _reopens():
    from rectification.models import ItemEvent, ItemEventKind

    count = (ItemEvent.objects.filter(item=OuterRef("pk"), kind=ItemEventKind.REOPEN).order_by()
             .values("item").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))


def item_rows(queryset, today: date):
    from rectification.deadlines import deadline_text
    from rectification.models import ItemState

    states = {value: str(label) for value, label in ItemState.choices}
    rows = queryset.annotate(reopens=_reopens()).values_list(*ITEM_FIELDS).iterator(chunk_size=CHUNK)
    for (number, sequence, problem, requirement, target, measures, leader, department, deadline, state, closed_at,
         reopens) in rows:
        closed = state == ItemState.CLOSED
        yield (number, sequence, problem, requirement, target, measures, leader, department, deadline,
               states.get(state, state), deadline_text(deadline, today, closed), closed_at, reopens)


def rectification_ledger(queryset, today: date | None = None) -> NamedTemporaryFile:
    today = today or timezone.localdate()
    return write_workbook(_("整改台账（建账—更新—销号）"), item_columns(), item_rows(queryset, today))
