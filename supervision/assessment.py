"""The annual assessment feed (党风廉政建设责任制考核): one row per unit that had a station in a batch of the year,
with what the rounds found and what came of it, and a score from configurable weights
(settings.ASSESSMENT_WEIGHTS): score = 100 − Σ weight × measure, at least 0.

All counts come from the scoped selectors, as correlated subqueries on the units: one query for the whole table
whatever the number of units or rows. The measures:
  stations        stations at the unit in batches of the year;
  problems        confirmed problem sheets of stations at the unit found in the year;
  items …         rectification items addressed to the unit from stations of the year's batches: closed on time
                  (the local date of closed_at ≤ deadline), closed late, open past the deadline today, reopened
                  (with a 回头看 reopen event);
  recommendations issued to the unit in the year;
  leads           leads from the unit's stations transferred in the year (a count, no content);
  people_dealt    dispositions of people of the unit decided in the year (dispositions_counted_for: a count,
                  no names)."""

from io import BytesIO

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from findings.access import TRANSFERRED_LEAD_STATES
from findings.models import FindingState, RecommendationState
from findings.selectors import (
    dispositions_counted_for,
    findings_visible_to,
    leads_visible_to,
    recommendations_visible_to,
)
from rectification.selectors import items_visible_to
from rounds.selectors import batches_visible_to, stations_visible_to

from .models import Unit
from .profile import item_measures
from .spreadsheets import cell_value

# weight key → measure (a column of the table)
WEIGHT_MEASURES = {
    "station": "stations",
    "problem": "problems",
    "item": "items",
    "closed_on_time": "closed_on_time",
    "closed_late": "closed_late",
    "overdue_open": "overdue_open",
    "reopened": "reopened",
    "recommendation": "recommendations",
    "lead": "leads",
    "person_dealt": "people_dealt",
}
ITEM_MEASURES = ("items", "closed_on_time", "closed_late", "overdue_open", "reopened")


def columns() -> list[tuple[str, str]]:
    """(key, heading) of every column, in order: the page and the Excel file share them."""
    return [
        ("name", _("单位")),
        ("parent", _("上级单位")),
        ("stations", _("驻点数")),
        ("problems", _("发现问题")),
        ("per_station", _("每驻点问题数")),
        ("items", _("整改事项")),
        ("closed_on_time", _("按期销号")),
        ("closed_late", _("逾期销号")),
        ("overdue_open", _("逾期未销号")),
        ("reopened", _("回头看重新打开")),
        ("recommendations", _("纪检监察建议书")),
        ("leads", _("移送问题线索")),
        ("people_dealt", _("处理人数")),
        ("score", _("得分")),
    ]


def can_see_assessment(user) -> bool:
    return (getattr(user, "is_authenticated", False) and user.has_perm("findings.track_leads")
            and user.has_perm("rounds.view_batch"))


def weights() -> dict[str, float]:
    return {key: value for key, value in getattr(settings, "ASSESSMENT_WEIGHTS", {}).items()
            if key in WEIGHT_MEASURES}


def weight_list() -> list[dict]:
    """The weights in force, with the heading of the measure each applies to (shown on the page and in the file)."""
    headings = dict(columns())
    return [{"key": key, "label": headings[WEIGHT_MEASURES[key]], "value": value} for key, value in weights().items()]


def _count(qs: QuerySet, field: str) -> Coalesce:
    """The number of rows of qs whose `field` is the outer unit."""
    sub = qs.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


def _item_count(qs: QuerySet, measure: str, today) -> Coalesce:
    sub = (qs.filter(letter__recipient=OuterRef("pk")).order_by().values("letter__recipient")
           .annotate(n=item_measures(today)[measure]).values("n"))
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


def assessment_units(user, year: int, today=None) -> QuerySet[Unit]:
    today = today or timezone.localdate()
    stations = stations_visible_to(user).filter(round__batch__in=batches_visible_to(user).filter(year=year))
    items = items_visible_to(user).filter(letter__station__round__batch__year=year)
    issued = [RecommendationState.ISSUED, RecommendationState.REPLIED]
    counts = {
        "stations": _count(stations, "target"),
        "problems": _count(findings_visible_to(user).filter(state=FindingState.CONFIRMED, found_on__year=year),
                           "station__target"),
        "recommendations": _count(recommendations_visible_to(user).filter(state__in=issued, issued_at__year=year),
                                  "recipient"),
        "leads": _count(leads_visible_to(user).filter(state__in=TRANSFERRED_LEAD_STATES, transferred_at__year=year),
                        "finding__station__target"),
        "people_dealt": _count(dispositions_counted_for(user).filter(decided_on__year=year), "person_unit"),
        **{measure: _item_count(items, measure, today) for measure in ITEM_MEASURES},
    }
    # Annotated as n_<measure>: some measures share their name with a relation of Unit (stations, …).
    return (Unit.objects.filter(pk__in=stations.values("target"))
            .annotate(parent_name=F("parent__name"), **{f"n_{key}": value for key, value in counts.items()})
            .order_by("name", "pk"))


def score(row: dict, weights_: dict[str, float]) -> float:
    value = 100 - sum(weight * row[WEIGHT_MEASURES[key]] for key, weight in weights_.items())
    return max(0, round(value, 2))


def assessment_rows(user, year: int, today=None) -> list[dict]:
    """The table: one dict per unit with every column of columns(), best score first."""
    weights_ = weights()
    measures = ["stations", "problems", "recommendations", "leads", "people_dealt", *ITEM_MEASURES]
    rows = []
    for row in assessment_units(user, year, today).values("pk", "name", "parent_name",
                                                          *(f"n_{key}" for key in measures)):
        row.update({key: row.pop(f"n_{key}") for key in measures})
        row["parent"] = row.pop("parent_name") or ""
        row["per_station"] = round(row["problems"] / row["stations"], 2) if row["stations"] else 0
        row["score"] = score(row, weights_)
        rows.append(row)
    rows.sort(key=lambda r: (-r["score"], r["name"], r["pk"]))
    return rows


def assessment_workbook(rows: list[dict], year: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("%(year)d年度考核") % {"year": year})
    cols = columns()
    sheet.append([cell_value(heading) for _key, heading in cols])
    for row in rows:
        sheet.append([cell_value(row[key]) for key, _heading in cols])
    notes = workbook.create_sheet(title=_("权重"))
    notes.append([_("指标"), _("权重")])
    for weight in weight_list():
        notes.append([cell_value(weight["label"]), weight["value"]])
    notes.append([_("得分 = 100 − Σ 权重 × 指标，最低0分")])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
