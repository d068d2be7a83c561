"""Special campaigns (专项治理): the system's flag of possibly systemic problems, and the campaigns opened from it.

Signals (`campaign_signals`): confirmed problem sheets found within the last CAMPAIGN_WINDOW_DAYS days, grouped by
category; a category whose sheets fall in at least CAMPAIGN_MIN_UNITS distinct units is flagged "可能为系统性问题".
A sheet's unit is its responsible unit, else its station's target. Three queries at most, however many categories.

States (one table, CAMPAIGN_TRANSITIONS): (new) → open 已立项 → active 治理中 → closed 已结束; every move needs the
permission in the table (commission staff). While not closed the campaign's title, description, period and its
linked sheets and units may change (`campaign_update`); only confirmed sheets may be linked."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rounds.models import Theme
from supervision.audit import audit_record
from supervision.models import Unit

from ..models import CampaignState, Finding, FindingState, SpecialCampaign
from ..tallies import flagged_categories

C = CampaignState
CURRENT_STATES = (C.OPEN, C.ACTIVE)
SYSTEMIC = gettext_lazy("可能为系统性问题")


@dataclass(frozen=True)
class Transition:
    source: str | None  # None: the campaign does not exist yet
    target: str
    label: str
    perm: str


CAMPAIGN_TRANSITIONS: dict[tuple[str | None, str], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(None, C.OPEN, gettext_lazy("立项"), "findings.add_specialcampaign"),
        Transition(C.OPEN, C.ACTIVE, gettext_lazy("启动治理"), "findings.change_specialcampaign"),
        Transition(C.ACTIVE, C.CLOSED, gettext_lazy("结束"), "findings.change_specialcampaign"),
    ]
}


VERBS = {C.ACTIVE: gettext_lazy("启动治理"), C.CLOSED: gettext_lazy("结束")}


def campaign_moves(user, campaign: SpecialCampaign) -> dict[str, bool]:
    """Which moves the user may make now: {"start": bool, "close": bool, "edit": bool}."""

    def may(target):
        move = CAMPAIGN_TRANSITIONS.get((campaign.state, target))
        return bool(move and user.has_perm(move.perm))

    return {"start": may(C.ACTIVE), "close": may(C.CLOSED),
            "edit": campaign.state != C.CLOSED and user.has_perm("findings.change_specialcampaign")}


# --- signals -----------------------------------------------------------------------------------------------------

@dataclass
class CampaignSignal:
    category: str
    label: str
    window_start: date
    window_end: date
    first_on: date
    last_on: date
    finding_ids: list[int] = field(default_factory=list)
    unit_ids: list[int] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    campaign: SpecialCampaign | None = None
    flag: str = SYSTEMIC

    @property
    def unit_count(self) -> int:
        return len(self.unit_ids)

    @property
    def sheet_count(self) -> int:
        return len(self.finding_ids)

    @property
    def suggested_title(self) -> str:
        return _("%(label)s问题专项治理") % {"label": self.label}


def campaign_window(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - timedelta(days=settings.CAMPAIGN_WINDOW_DAYS), today


def sheet_unit_expression():
    """The unit a sheet counts for: its responsible unit, else its station's target."""
    return Coalesce(F("responsible_unit_id"), F("station__target_id"))


def _window_sheets(start: date, end: date):
    return Finding.objects.filter(state=FindingState.CONFIRMED, found_on__gte=start, found_on__lte=end)


def _flagged_categories(start: date, end: date) -> list[str]:
    """The categories over the threshold. A window that runs to today reads the category × unit tally (no sheet
    is dated after today, so a unit's latest sheet on or after `start` is one within the window); another window
    is counted from its sheets by the database (one grouped query)."""
    if end >= timezone.localdate():
        return flagged_categories(start, settings.CAMPAIGN_MIN_UNITS)
    return list(_window_sheets(start, end).values("category")
                .annotate(units=Count(sheet_unit_expression(), distinct=True))
                .filter(units__gte=settings.CAMPAIGN_MIN_UNITS).order_by().values_list("category", flat=True))


def campaign_signal_count(*, today: date | None = None) -> int:
    """How many categories are flagged now: for counts (the overview), without loading any sheet."""
    return len(_flagged_categories(*campaign_window(today)))


def campaign_signals(*, today: date | None = None) -> list[CampaignSignal]:
    """The flagged categories, most units first, with their sheets and units (loaded for flagged categories
    only). Not scoped to a user: callers show them only to those who may see campaigns
    (findings.view_specialcampaign)."""
    start, end = campaign_window(today)
    flagged = _flagged_categories(start, end)
    if not flagged:
        return []
    rows = (_window_sheets(start, end).filter(category__in=flagged)
            .annotate(unit_id=sheet_unit_expression())
            .values_list("pk", "category", "found_on", "unit_id").order_by("found_on", "pk"))
    groups: dict[str, CampaignSignal] = {}
    labels = dict(Theme.choices)
    for pk, category, found_on, unit_id in rows:
        signal = groups.get(category)
        if signal is None:
            signal = groups[category] = CampaignSignal(
                category=category, label=str(labels.get(category, category)), window_start=start, window_end=end,
                first_on=found_on, last_on=found_on)
        signal.finding_ids.append(pk)
        signal.last_on = found_on
        if unit_id is not None and unit_id not in signal.unit_ids:
            signal.unit_ids.append(unit_id)
    signals = [s for s in groups.values() if s.unit_count >= settings.CAMPAIGN_MIN_UNITS]
    if not signals:
        return []
    units = Unit.objects.in_bulk({pk for s in signals for pk in s.unit_ids})
    covering: dict[str, SpecialCampaign] = {}
    for campaign in (SpecialCampaign.objects.filter(category__in=[s.category for s in signals],
                                                    state__in=CURRENT_STATES).order_by("opened_at", "pk")):
        covering[campaign.category] = campaign  # the latest one when (against the rule) there are several
    for signal in signals:
        signal.units = sorted((units[pk] for pk in signal.unit_ids if pk in units), key=lambda u: u.name)
        signal.campaign = covering.get(signal.category)
    signals.sort(key=lambda s: (-s.unit_count, -s.sheet_count, s.category))
    return signals


def campaign_signal(category: str, *, today: date | None = None) -> CampaignSignal | None:
    return next((s for s in campaign_signals(today=today) if s.category == category), None)


# --- services ----------------------------------------------------------------------------------------------------

def _ids(items: Iterable | None) -> list[int]:
    return sorted({getattr(item, "pk", item) for item in (items or [])})


def _check_move(actor, source, target) -> Transition:
    move = CAMPAIGN_TRANSITIONS.get((source, target))
    if move is None:
        raise ValidationError(_("“%(state)s”的专项治理不能%(verb)s") % {
            "state": C(source).label if source else "", "verb": VERBS.get(target, "")})
    if not actor.has_perm(move.perm):
        raise ValidationError(_("只有委机关工作人员才能%(label)s专项治理") % {"label": move.label})
    return move


def _clean(*, title=None, description=None, period_start=None, period_end=None, check_period=True) -> dict:
    errors: dict[str, list[str]] = {}
    data = {}
    if title is not None:
        data["title"] = (title or "").strip()
        if not data["title"]:
            errors.setdefault("title", []).append(_("请填写专项治理名称"))
        elif len(data["title"]) > 200:
            errors.setdefault("title", []).append(_("专项治理名称不能超过200字"))
    if description is not None:
        data["description"] = (description or "").strip()
    if check_period:
        if not isinstance(period_start, date):
            errors.setdefault("period_start", []).append(_("请填写问题发现起始日期"))
        if not isinstance(period_end, date):
            errors.setdefault("period_end", []).append(_("请填写问题发现截止日期"))
        if isinstance(period_start, date) and isinstance(period_end, date) and period_start > period_end:
            errors.setdefault("period_end", []).append(_("截止日期不能早于起始日期"))
        data["period_start"], data["period_end"] = period_start, period_end
    if errors:
        raise ValidationError(errors)
    return data


def _check_sheets(ids: list[int]) -> list[Finding]:
    sheets = list(Finding.objects.filter(pk__in=ids).order_by("number"))
    if len(sheets) != len(ids):
        raise ValidationError({"findings": _("所选问题底稿不存在")})
    unconfirmed = [s.number for s in sheets if s.state != FindingState.CONFIRMED]
    if unconfirmed:
        raise ValidationError({"findings": _("只能关联已确认的问题底稿：%(numbers)s") % {
            "numbers": "、".join(unconfirmed)}})
    return sheets


def _check_units(ids: list[int]) -> list[Unit]:
    units = list(Unit.objects.filter(pk__in=ids).order_by("name"))
    if len(units) != len(ids):
        raise ValidationError({"units": _("所选单位不存在")})
    return units


def _numbers(sheets) -> str:
    return "、".join(sorted(s.number for s in sheets))


def _names(units) -> str:
    return "、".join(sorted(u.name for u in units))


@transaction.atomic
def campaign_open(*, actor, category: str, title: str, description: str = "", period_start: date | None = None,
                  period_end: date | None = None, findings: Iterable | None = None, units: Iterable | None = None,
                  today: date | None = None) -> SpecialCampaign:
    """Open a campaign on a category. Left out, the period is the signal's window and the links are the signal's
    sheets and units (none when the category is not flagged)."""
    _check_move(actor, None, C.OPEN)
    if category not in Theme.values:
        raise ValidationError({"category": _("请选择问题类别")})
    signal = campaign_signal(category, today=today)
    window = (signal.window_start, signal.window_end) if signal else campaign_window(today)
    data = _clean(title=title, description=description, period_start=period_start or window[0],
                  period_end=period_end or window[1])
    # One current campaign per category: later sheets are linked to it rather than opening another.
    current = (SpecialCampaign.objects.select_for_update(of=("self",))
               .filter(category=category, state__in=CURRENT_STATES).first())
    if current is not None:
        raise ValidationError(_("“%(label)s”已有正在进行的专项治理“%(title)s”，请在其中关联新的问题底稿") % {
            "label": Theme(category).label, "title": current.title})
    sheet_ids = _ids(findings) if findings is not None else (signal.finding_ids if signal else [])
    unit_ids = _ids(units) if units is not None else (signal.unit_ids if signal else [])
    sheets = _check_sheets(sorted(set(sheet_ids)))
    unit_rows = _check_units(sorted(set(unit_ids)))
    try:
        with transaction.atomic():
            campaign = SpecialCampaign.objects.create(category=category, opened_by=actor, state=C.OPEN, **data)
    except IntegrityError:  # opened by someone else a moment ago
        raise ValidationError(_("“%(label)s”刚刚已有人立项专项治理，请刷新后在其中关联问题底稿") % {
            "label": Theme(category).label}) from None
    campaign.findings.set(sheets)
    campaign.units.set(unit_rows)
    audit_record(actor=actor, action="campaign.open", obj=campaign, changes={
        "state": {"before": "", "after": str(C.OPEN.label)},
        "title": {"before": "", "after": campaign.title},
        "category": {"before": "", "after": str(campaign.get_category_display())},
        "period": {"before": "", "after": f"{campaign.period_start.isoformat()}—{campaign.period_end.isoformat()}"},
        "findings": {"before": "", "after": _numbers(sheets)},
        "units": {"before": "", "after": _names(unit_rows)},
    })
    return campaign


def _locked(campaign: SpecialCampaign) -> SpecialCampaign:
    return SpecialCampaign.objects.select_for_update(of=("self",)).get(pk=campaign.pk)


@transaction.atomic
def campaign_update(*, actor, campaign: SpecialCampaign, title: str | None = None, description: str | None = None,
                    period_start: date | None = None, period_end: date | None = None,
                    findings: Iterable | None = None, units: Iterable | None = None) -> SpecialCampaign:
    """Change what is given (None leaves a field as it is). Sheets newly linked must be confirmed; a sheet
    linked earlier and withdrawn since may stay linked."""
    campaign = _locked(campaign)
    if not actor.has_perm("findings.change_specialcampaign"):
        raise ValidationError(_("只有委机关工作人员才能修改专项治理"))
    if campaign.state == C.CLOSED:
        raise ValidationError(_("已结束的专项治理不能修改"))
    data = _clean(title=title, description=description,
                  period_start=period_start or campaign.period_start, period_end=period_end or campaign.period_end)
    changes = {}
    for name, value in data.items():
        before = getattr(campaign, name)
        if before != value:
            changes[name] = {"before": str(before), "after": str(value)}
            setattr(campaign, name, value)
    if findings is not None:
        current = list(campaign.findings.all())
        wanted = set(_ids(findings))
        current_ids = {s.pk for s in current}
        added = _check_sheets(sorted(wanted - current_ids))
        if wanted != current_ids:
            kept = [s for s in current if s.pk in wanted]
            changes["findings"] = {"before": _numbers(current), "after": _numbers(kept + added)}
            campaign.findings.set(wanted)
    if units is not None:
        current_units = list(campaign.units.all())
        wanted_units = set(_ids(units))
        if wanted_units != {u.pk for u in current_units}:
            rows = _check_units(sorted(wanted_units))
            changes["units"] = {"before": _names(current_units), "after": _names(rows)}
            campaign.units.set(rows)
    if changes:
        campaign.save()
        audit_record(actor=actor, action="campaign.update", obj=campaign, changes=changes)
    return campaign


@transaction.atomic
def campaign_start(*, actor, campaign: SpecialCampaign) -> SpecialCampaign:
    campaign = _locked(campaign)
    _check_move(actor, campaign.state, C.ACTIVE)
    before = campaign.get_state_display()
    campaign.state = C.ACTIVE
    campaign.save(update_fields=["state"])
    audit_record(actor=actor, action="campaign.start", obj=campaign,
                 changes={"state": {"before": str(before), "after": str(C.ACTIVE.label)}})
    return campaign


@transaction.atomic
def campaign_close(*, actor, campaign: SpecialCampaign, summary: str) -> SpecialCampaign:
    campaign = _locked(campaign)
    _check_move(actor, campaign.state, C.CLOSED)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("请填写治理成效")})
    before = campaign.get_state_display()
    campaign.state = C.CLOSED
    campaign.summary = summary
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["state", "summary", "closed_at"])
    audit_record(actor=actor, action="campaign.close", obj=campaign,
                 changes={"state": {"before": str(before), "after": str(C.CLOSED.label)},
                          "summary": {"before": "", "after": summary}})
    return campaign
