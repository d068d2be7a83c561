"""The filters every dashboard, list behind a number, and ledger share, read from the same GET parameters so a
number drills down to exactly the rows it counts and an export holds exactly what the page shows:

    start, end   dates (YYYY-MM-DD), inclusive: a problem by its found_on, an item by its letter's issue date
    batch        a batch id
    township     a unit id: the township (or street, department...) whose own unit and children count
    category     a problem category code (rounds.models.Theme)

Values that do not parse are ignored (and reported in `errors`), never a server error."""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

PARAMS = ("start", "end", "batch", "township", "category")


@dataclass
class ResultFilter:
    start: date | None = None
    end: date | None = None
    batch: int | None = None
    township: int | None = None
    category: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_request(cls, request) -> "ResultFilter":
        return cls.from_params(request.GET)

    @classmethod
    def from_params(cls, params) -> "ResultFilter":
        from rounds.models import Theme

        result = cls()
        for name in ("start", "end"):
            value = (params.get(name) or "").strip()
            if value:
                try:
                    setattr(result, name, date.fromisoformat(value))
                except ValueError:
                    result.errors.append(_("日期格式应为 年-月-日：%(value)s") % {"value": value[:20]})
        for name in ("batch", "township"):
            value = (params.get(name) or "").strip()
            if value:
                if value.isdigit():
                    setattr(result, name, int(value))
                else:
                    result.errors.append(_("无效的筛选条件：%(value)s") % {"value": value[:20]})
        category = (params.get("category") or "").strip()
        if category in Theme.values:
            result.category = category
        elif category:
            result.errors.append(_("无效的问题类别：%(value)s") % {"value": category[:30]})
        if result.start and result.end and result.start > result.end:
            result.errors.append(_("开始日期不能晚于结束日期"))
            result.start, result.end = result.end, result.start
        return result

    def as_params(self) -> dict[str, str]:
        """The active filters as GET parameters (for links that drill down and for exports)."""
        values = {"start": self.start.isoformat() if self.start else "", "end": self.end.isoformat() if self.end else "",
                  "batch": str(self.batch or ""), "township": str(self.township or ""), "category": self.category}
        return {name: value for name, value in values.items() if value}

    def querystring(self, **extra) -> str:
        from urllib.parse import urlencode

        return urlencode({**self.as_params(), **{k: v for k, v in extra.items() if v not in (None, "")}})

    @cached_property
    def rollups_answer(self) -> bool:
        """Whether the rollups (supervision.tally) answer this filter exactly (one query when a township is set)."""
        from .tally import tally_covers

        return tally_covers(self)

    def month_split(self) -> tuple[date | None, date | None, list[tuple[date, date]]]:
        """The period cut for monthly rollups: (first whole month, last whole month, part-months at the edges).

        The months are given by their first day (None: the period is open at that end; first > last: no whole
        month); the edges are inclusive day ranges at the start and the end that do not fill their month."""
        def month_end(day: date) -> date:
            return day.replace(day=calendar.monthrange(day.year, day.month)[1])

        edges: list[tuple[date, date]] = []
        first = self.start
        if self.start and self.start.day != 1:
            first = month_end(self.start) + timedelta(days=1)
            edges.append((self.start, min(first - timedelta(days=1), self.end or first)))
        last = self.end.replace(day=1) if self.end else None
        if self.end and self.end != month_end(self.end):
            last = (self.end.replace(day=1) - timedelta(days=1)).replace(day=1)
            low = max(self.end.replace(day=1), self.start or self.end.replace(day=1))
            if not edges or low > edges[0][1]:
                edges.append((low, self.end))
        return first, last, edges

    def _unit_q(self, path: str) -> Q:
        return Q(**{path: self.township}) | Q(**{f"{path}__parent": self.township})

    def findings(self, queryset: QuerySet) -> QuerySet:
        """Problem sheets (findings.Finding) within the filters; the unit is the station's target."""
        if self.start:
            queryset = queryset.filter(found_on__gte=self.start)
        if self.end:
            queryset = queryset.filter(found_on__lte=self.end)
        if self.batch:
            queryset = queryset.filter(station__round__batch=self.batch)
        if self.township:
            queryset = queryset.filter(self._unit_q("station__target"))
        if self.category:
            queryset = queryset.filter(category=self.category)
        return queryset

    def stations(self, queryset: QuerySet) -> QuerySet:
        """Stations within the filters but the category: by their round's start date, batch and target."""
        if self.start:
            queryset = queryset.filter(round__start_date__gte=self.start)
        if self.end:
            queryset = queryset.filter(round__start_date__lte=self.end)
        if self.batch:
            queryset = queryset.filter(round__batch=self.batch)
        if self.township:
            queryset = queryset.filter(self._unit_q("target"))
        return queryset

    def letters(self, queryset: QuerySet) -> QuerySet:
        """Hand-off letters within the filters but the category: by their issue date and their station."""
        if self.start:
            queryset = queryset.filter(issued_at__date__gte=self.start)
        if self.end:
            queryset = queryset.filter(issued_at__date__lte=self.end)
        if self.batch:
            queryset = queryset.filter(station__round__batch=self.batch)
        if self.township:
            queryset = queryset.filter(self._unit_q("station__target"))
        return queryset

    def items(self, queryset: QuerySet) -> QuerySet:
        """Rectification items within the filters: by their letter's issue date and their problem's station."""
        if self.start:
            queryset = queryset.filter(letter__issued_at__date__gte=self.start)
        if self.end:
            queryset = queryset.filter(letter__issued_at__date__lte=self.end)
        if self.batch:
            queryset = queryset.filter(letter__station__round__batch=self.batch)
        if self.township:
            queryset = queryset.filter(self._unit_q("letter__station__target"))
        if self.category:
            queryset = queryset.filter(finding__category=self.category)
        return queryset
