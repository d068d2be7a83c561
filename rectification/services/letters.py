"""交办函 (hand-off letters): the commission hands an approved report's problems to the unit, with a requirement,
a responsible person and a deadline for each, a reply deadline and a contact; issued with a number from the
organ's gap-free sequence and a stored PDF whose SHA-256 is filed.

States (one table, LETTER_TRANSITIONS):
    draft → issued   by an issuer (rectification.issue_handoffletter): takes the number, renders and stores the
                     PDF, moves the station 形成报告 → 已交办; from then on nothing of the letter changes.

A draft is made (letter_draft) and edited (letter_update, item_rows_update) by commission staff
(rectification.add/change_handoffletter). The rectification items are created with the draft, one per CONFIRMED
problem sheet of the station, so the per-problem requirement / responsible / deadline are part of the draft;
nobody but the commission sees them before the letter is issued (access follows the letter).

letters_generate starts a LetterRun; rectification.tasks.letters runs it (letters_run_execute): one letter per
station of the round whose report is approved and which has no issued letter, each in its own transaction."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from findings.models import Finding, FindingState, ReportState, StationReport
from rounds.models import Round, Station, StationState
from rounds.services.stations import station_transition
from supervision.audit import audit_record
from supervision.documents import filing, letterhead, render_pdf
from supervision.models import UnitKind
from supervision.outbox import enqueue
from supervision.services.numbering import document_number_next

from ..models import HandoffLetter, LetterRun, LetterRunState, LetterState, RectificationItem

S = LetterState
DOCUMENT_TEMPLATE = "documents/handoff.html"
FIELDS = ["title", "addressee", "basis", "reply_due", "contact_name", "contact_phone"]
ROW_FIELDS = ["requirement", "responsible", "deadline"]
DEFAULT_REQUIREMENT = gettext_lazy("限期整改到位")
MAX_REPLY_DAYS = 365


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    who: frozenset[str]  # "issuer": may issue letters


LETTER_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t for t in [Transition(S.DRAFT, S.ISSUED, gettext_lazy("签发"), frozenset({"issuer"}))]
}


# --- reads ------------------------------------------------------------------------------------------------------

def letter_roles(user) -> set[str]:
    roles = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if user.has_perm("rectification.change_handoffletter"):
        roles.add("staff")
    if user.has_perm("rectification.issue_handoffletter"):
        roles.add("issuer")
    if user.has_perm("rectification.add_handoffletter"):
        roles.add("drafter")
    return roles


def letter_moves(user, letter: HandoffLetter) -> dict[str, bool]:
    roles = letter_roles(user)
    move = LETTER_TRANSITIONS.get((letter.state, S.ISSUED))
    return {"edit": letter.state == S.DRAFT and "staff" in roles, "issue": bool(move and move.who & roles)}


def default_title(station: Station) -> str:
    return _("关于%(target)s巡回驻点监督发现问题的交办函") % {"target": station.target.name}


def default_addressee(station: Station) -> str:
    target = station.target
    if target.kind in (UnitKind.VILLAGE, UnitKind.COMMUNITY):
        return _("%(name)s党组织、村（居）民委员会") % {"name": target.name}
    return target.name


def confirmed_sheets(station: Station):
    return Finding.objects.filter(station=station, state=FindingState.CONFIRMED).order_by("sequence", "id")


def default_basis(station: Station, problems: int) -> str:
    rnd = station.round
    return _("根据%(batch)s%(round)s工作安排，监督检查组于%(start)s至%(end)s对%(target)s开展巡回驻点监督检查，"
             "发现%(count)d个问题。") % {
        "batch": rnd.batch.name, "round": str(rnd), "start": _cn(rnd.start_date), "end": _cn(rnd.end_date),
        "target": station.target.name, "count": problems}


def _cn(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def letter_context(letter: HandoffLetter, items=None, *, draft: bool = False) -> dict:
    """The context of documents/handoff.html (see its comment)."""
    items = list(items if items is not None else letter.items.order_by("sequence"))
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "letterhead": letterhead(letter.organ),
            "number": letter.number or _("草稿（未签发，无文号）"),
            "draft": draft,
            "title": letter.title,
            "addressee": letter.addressee,
            "basis": letter.basis,
            "problems": [{"problem": i.problem, "requirement": i.requirement, "responsible": i.responsible,
                          "deadline": i.deadline} for i in items],
            "reply_due": letter.reply_due,
            "contact_name": letter.contact_name,
            "contact_phone": letter.contact_phone,
            "issued": timezone.localdate(letter.issued_at) if letter.issued_at else timezone.localdate(),
        }


def letter_pdf_preview(letter: HandoffLetter) -> bytes:
    """A draft as it would print, marked 草稿 and without a number."""
    return render_pdf(DOCUMENT_TEMPLATE, letter_context(letter, draft=True))


# --- validation -------------------------------------------------------------------------------------------------

def _require(actor, perm: str, message: str) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(perm):
        raise ValidationError(message)


def _clean(values: dict) -> dict:
    errors: dict[str, list[str]] = {}
    data = dict(values)
    for name in ("title", "addressee", "basis", "contact_name", "contact_phone"):
        if name in data:
            data[name] = (data[name] or "").strip()
    required = {"title": _("请填写标题"), "addressee": _("请填写主送单位"), "basis": _("请填写交办依据"),
                "contact_name": _("请填写联系人"), "contact_phone": _("请填写联系电话")}
    for name, message in required.items():
        if name in data and not data[name]:
            errors.setdefault(name, []).append(message)
    limits = {"title": 200, "addressee": 200, "contact_name": 50, "contact_phone": 40}
    for name, limit in limits.items():
        if data.get(name) and len(data[name]) > limit:
            errors.setdefault(name, []).append(_("不能超过%(n)d字") % {"n": limit})
    if "reply_due" in data:
        due = data["reply_due"]
        if not isinstance(due, date):
            errors.setdefault("reply_due", []).append(_("请填写书面回复期限"))
        elif due <= timezone.localdate():
            errors.setdefault("reply_due", []).append(_("书面回复期限应晚于今天"))
    if errors:
        raise ValidationError(errors)
    return data


def _locked(letter: HandoffLetter) -> HandoffLetter:
    return (HandoffLetter.objects.select_for_update(of=("self",))
            .select_related("station__round__batch", "station__target", "organ", "recipient").get(pk=letter.pk))


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _state_change(before: str, after: str) -> dict:
    return {"state": {"before": str(S(before).label) if before else "", "after": str(S(after).label)}}


# --- writes -----------------------------------------------------------------------------------------------------

@transaction.atomic
def letter_draft(*, actor, station: Station, reply_days: int = 30, contact_name: str,
                 contact_phone: str) -> HandoffLetter:
    """A draft letter for an approved report, with one open item per confirmed problem sheet."""
    _require(actor, "rectification.add_handoffletter", _("只有纪委监委工作人员才能起草交办函"))
    station = (Station.objects.select_for_update(of=("self",))
               .select_related("round__batch__organiser", "target").get(pk=station.pk))
    report = StationReport.objects.filter(station=station).only("state").first()
    if report is None or report.state != ReportState.APPROVED:
        raise ValidationError(_("驻点报告审定后才能交办"))
    if HandoffLetter.objects.filter(station=station).exists():
        raise ValidationError(_("该驻点已有交办函"))
    if not isinstance(reply_days, int) or not 1 <= reply_days <= MAX_REPLY_DAYS:
        raise ValidationError({"reply_days": _("回复期限应为1至%(max)d天") % {"max": MAX_REPLY_DAYS}})
    sheets = list(confirmed_sheets(station))
    reply_due = timezone.localdate() + timedelta(days=reply_days)
    data = _clean({"title": default_title(station), "addressee": default_addressee(station),
                   "basis": default_basis(station, len(sheets)), "reply_due": reply_due,
                   "contact_name": contact_name, "contact_phone": contact_phone})
    letter = HandoffLetter.objects.create(station=station, organ=station.round.batch.organiser,
                                          recipient=station.target, created_by=actor, state=S.DRAFT, **data)
    RectificationItem.objects.bulk_create([
        RectificationItem(letter=letter, finding=sheet, sequence=n, problem=sheet.title,
                          requirement=(sheet.team_opinion or "").strip() or str(DEFAULT_REQUIREMENT),
                          responsible=(sheet.responsible_person or "")[:100], deadline=reply_due)
        for n, sheet in enumerate(sheets, start=1)])
    audit_record(actor=actor, action="letter.draft", obj=letter, changes={
        **_state_change("", S.DRAFT),
        "title": {"before": "", "after": letter.title},
        "recipient": {"before": "", "after": station.target.full_name},
        "items": {"before": "", "after": str(len(sheets))},
    })
    return letter


@transaction.atomic
def letter_update(*, actor, letter: HandoffLetter, rows: dict | None = None, **fields) -> HandoffLetter:
    """Change a draft: its fields and (rows: {item pk: {"requirement", "responsible", "deadline"}}) its problems."""
    letter = _locked(letter)
    _require(actor, "rectification.change_handoffletter", _("只有纪委监委工作人员才能修改交办函"))
    if letter.state != S.DRAFT:
        raise ValidationError(_("交办函已签发，文号和内容不可更改"))
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些内容：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    data = _clean(fields)
    changes = {}
    for name, value in data.items():
        before = _display(getattr(letter, name))
        setattr(letter, name, value)
        if before != _display(value):
            changes[name] = {"before": before, "after": _display(value)}
    if rows:
        changes.update(_rows_update(letter, rows))
    if changes:
        letter.save()
        audit_record(actor=actor, action="letter.update", obj=letter, changes={
            **changes, "state": {"before": str(S.DRAFT.label), "after": str(S.DRAFT.label)}})
    return letter


def _rows_update(letter: HandoffLetter, rows: dict) -> dict:
    items = {item.pk: item for item in letter.items.select_for_update(of=("self",))}
    unknown = set(rows) - set(items)
    if unknown:
        raise ValidationError(_("问题不属于这份交办函"))
    errors: dict[str, list[str]] = {}
    changed, changes = [], {}
    for pk, values in rows.items():
        item = items[pk]
        requirement = (values.get("requirement", item.requirement) or "").strip()
        responsible = (values.get("responsible", item.responsible) or "").strip()
        deadline = values.get("deadline", item.deadline)
        field = f"row-{item.sequence}"
        if not requirement:
            errors.setdefault(field, []).append(_("第%(n)d项：请填写整改要求") % {"n": item.sequence})
        if len(responsible) > 100:
            errors.setdefault(field, []).append(_("第%(n)d项：责任人不能超过100字") % {"n": item.sequence})
        if not isinstance(deadline, date):
            errors.setdefault(field, []).append(_("第%(n)d项：请填写完成时限") % {"n": item.sequence})
        if errors.get(field):
            continue
        before = (item.requirement, item.responsible, item.deadline)
        item.requirement, item.responsible, item.deadline = requirement, responsible, deadline
        if before != (requirement, responsible, deadline):
            changed.append(item)
            changes[f"item{item.sequence}"] = {
                "before": " | ".join(_display(v) for v in before),
                "after": " | ".join(_display(v) for v in (requirement, responsible, deadline))}
    if errors:
        raise ValidationError(errors)
    if changed:
        RectificationItem.objects.bulk_update(changed, ROW_FIELDS)
    return changes


@transaction.atomic
def letter_issue(*, actor, letter: HandoffLetter) -> HandoffLetter:
    """Number the draft, render the letter and file it; the station is handed off (已交办)."""
    letter = _locked(letter)
    move = LETTER_TRANSITIONS.get((letter.state, S.ISSUED))
    if move is None:
        raise ValidationError(_("交办函已签发，文号和内容不可更改"))
    if not move.who & letter_roles(actor):
        raise ValidationError(_("您无权签发交办函"))
    today = timezone.localdate()
    items = list(letter.items.order_by("sequence"))
    if not items:
        raise ValidationError(_("交办函至少要有一个问题"))
    late = [str(item.sequence) for item in items if item.deadline < today]
    if late:
        raise ValidationError(_("整改时限不能早于今天（第%(rows)s项）") % {"rows": "、".join(late)})
    if letter.reply_due <= today:
        raise ValidationError({"reply_due": _("书面回复期限应晚于发文日期")})
    sequence, number = document_number_next(organ=letter.organ, kind="handoff", year=today.year)
    letter.number, letter.year, letter.sequence = number, today.year, sequence
    letter.state = S.ISSUED
    letter.issued_by = actor
    letter.issued_at = timezone.now()
    content = render_pdf(DOCUMENT_TEMPLATE, letter_context(letter, items))
    with filing(letter.pdf, content, "handoff.pdf") as digest:
        letter.pdf_sha256 = digest
        letter.save()
        if letter.station.state == StationState.REPORTING:
            station_transition(actor=actor, station=letter.station, to=StationState.HANDED_OFF)
        audit_record(actor=actor, action="letter.issue", obj=letter, changes={
            **_state_change(S.DRAFT, S.ISSUED),
            "number": {"before": "", "after": number},
            "pdf_sha256": {"before": "", "after": digest},
        })
    return letter


# --- batch ------------------------------------------------------------------------------------------------------

def stations_to_hand_off(round_: Round):
    """The round's stations whose report is approved and which have no issued letter yet."""
    return (Station.objects.filter(round=round_, report__state=ReportState.APPROVED)
            .exclude(handoff_letter__state=S.ISSUED).select_related("target").order_by("target__name", "id"))


@transaction.atomic
def letters_generate(*, actor, round: Round, reply_days: int = 30, contact_name: str,  # noqa: A002
                     contact_phone: str) -> LetterRun:
    """Start a background run drafting and issuing the round's letters; the task starts after the commit."""
    _require(actor, "rectification.issue_handoffletter", _("您无权签发交办函"))
    _require(actor, "rectification.add_handoffletter", _("只有纪委监委工作人员才能起草交办函"))
    errors = {}
    if not isinstance(reply_days, int) or not 1 <= reply_days <= MAX_REPLY_DAYS:
        errors["reply_days"] = [_("回复期限应为1至%(max)d天") % {"max": MAX_REPLY_DAYS}]
    try:
        _clean({"contact_name": contact_name, "contact_phone": contact_phone})
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    total = stations_to_hand_off(round).count()
    if not total:
        raise ValidationError(_("本轮没有待交办的驻点（报告已审定且尚未签发交办函的驻点）"))
    run = LetterRun.objects.create(round=round, total=total, reply_days=reply_days,
                                   contact_name=contact_name.strip(), contact_phone=contact_phone.strip(),
                                   started_by=actor)
    audit_record(actor=actor, action="letter.generate", obj=run, changes={
        "round": {"before": "", "after": f"{round.batch.name}{round}"}, "total": {"before": "", "after": str(total)}})
    enqueue("rectification.letters_run", run.pk, dedup_key=f"letters_run:{run.pk}")  # published after the commit
    return run


def letters_run_execute(run_id: int) -> LetterRun:
    """Do a run: each station in its own transaction; a failure is recorded with the station and the reason and
    the others go on. Safe to run twice: a station with an issued letter is skipped, a draft is issued."""
    run = LetterRun.objects.select_related("round__batch", "started_by").get(pk=run_id)
    if run.state == LetterRunState.DONE:
        return run
    LetterRun.objects.filter(pk=run.pk).update(state=LetterRunState.RUNNING)
    actor = run.started_by
    stations = list(stations_to_hand_off(run.round))
    done = run.done
    errors = [e for e in run.errors if e.get("station_id") not in {s.pk for s in stations}]
    failed = []
    for station in stations:
        try:
            with transaction.atomic():
                letter = HandoffLetter.objects.filter(station=station).first()
                if letter is None:
                    letter = letter_draft(actor=actor, station=station, reply_days=run.reply_days,
                                          contact_name=run.contact_name, contact_phone=run.contact_phone)
                letter_issue(actor=actor, letter=letter)
        except ValidationError as error:
            failed.append({"station_id": station.pk, "station": station.target.name,
                           "reason": "；".join(error.messages)})
        except Exception as error:  # noqa: BLE001 - one station's failure must not stop the run
            failed.append({"station_id": station.pk, "station": station.target.name, "reason": str(error)[:300]})
        else:
            done += 1
            LetterRun.objects.filter(pk=run.pk).update(done=done)
    errors += failed
    LetterRun.objects.filter(pk=run.pk).update(
        done=done, errors=errors, finished_at=timezone.now(),
        state=LetterRunState.FAILED if failed else LetterRunState.DONE)
    run.refresh_from_db()
    return run
