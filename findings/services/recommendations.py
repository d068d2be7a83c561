"""纪检监察建议书 (recommendations): drafted by commission staff, issued with a number from the organ's gap-free
sequence and a stored PDF in the official layout, then answered by the recipient unit.

States (one table, RECOMMENDATION_TRANSITIONS):
    draft  → issued   by an issuer (findings.issue_recommendation): takes the number, renders and stores the PDF;
                      from then on the text never changes.
    issued → replied  by commission staff (findings.change_recommendation) or the recipient unit's liaison.

A draft is edited by commission staff (findings.change_recommendation). An issued recommendation whose reply
deadline has passed without a reply is overdue: `recommendation_overdue_q(today)` is the one definition, shared
with the rectification reminders."""

import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rounds.models import Station
from supervision.audit import audit_record
from supervision.documents import cn_date, cn_number, filing, letterhead, render_pdf
from supervision.models import Unit, UnitKind
from supervision.services.numbering import document_number_next

from ..access import liaison_unit_ids
from ..models import Finding, FindingState, Recommendation, RecommendationState

S = RecommendationState

# Units that issue recommendations (发文机关).
ISSUING_KINDS = (UnitKind.COMMISSION, UnitKind.DISPATCHED_GROUP, UnitKind.TOWNSHIP, UnitKind.STREET)
FIELDS = ["organ", "recipient", "title", "facts", "causes", "items", "reply_due"]
MAX_ITEMS = 99  # numbered （一） to （九十九）
DOCUMENT_TEMPLATE = "documents/recommendation.html"
# A number the writer typed in front of a recommendation ("1.", "2、", "（三）", "四、"): the letter numbers them.
_ENUMERATOR = re.compile(r"^\s*(?:[（(]\s*[0-9一二三四五六七八九十]+\s*[)）]|[0-9一二三四五六七八九十]+\s*[、.．)）])\s*")


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    who: frozenset[str]  # "issuer" (may issue), "staff" (commission staff who change recommendations), "liaison"


RECOMMENDATION_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(S.DRAFT, S.ISSUED, gettext_lazy("签发"), frozenset({"issuer"})),
        Transition(S.ISSUED, S.REPLIED, gettext_lazy("登记回复"), frozenset({"staff", "liaison"})),
    ]
}


# --- reads ------------------------------------------------------------------------------------------------------

def recommendation_overdue_q(today: date) -> Q:
    """Issued, not replied, and the reply deadline has passed (the day itself is still on time)."""
    return Q(state=S.ISSUED, reply_due__lt=today)


def recommendations_overdue(queryset: QuerySet[Recommendation], today: date | None = None) -> QuerySet:
    return queryset.filter(recommendation_overdue_q(today or timezone.localdate()))


def is_overdue(recommendation: Recommendation, today: date | None = None) -> bool:
    return (recommendation.state == S.ISSUED and recommendation.reply_due is not None
            and recommendation.reply_due < (today or timezone.localdate()))


def recommendation_roles(user, recommendation: Recommendation) -> set[str]:
    """The user's parts in the recommendation's moves: "drafter", "staff", "issuer", "liaison"."""
    roles = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if user.has_perm("findings.change_recommendation"):
        roles.add("staff")
    if user.has_perm("findings.issue_recommendation"):
        roles.add("issuer")
    if user.has_perm("findings.add_recommendation"):
        roles.add("drafter")
    if not roles and recommendation.recipient_id in liaison_unit_ids(user):
        roles.add("liaison")
    return roles


def recommendation_moves(user, recommendation: Recommendation) -> dict[str, bool]:
    """What the user may do now: {"edit", "issue", "reply"}."""
    roles = recommendation_roles(user, recommendation)

    def may(target):
        move = RECOMMENDATION_TRANSITIONS.get((recommendation.state, target))
        return bool(move and move.who & roles)

    return {"edit": recommendation.state == S.DRAFT and "staff" in roles,
            "issue": may(S.ISSUED), "reply": may(S.REPLIED)}


def issuing_organs() -> QuerySet[Unit]:
    return Unit.objects.filter(kind__in=ISSUING_KINDS, is_active=True)


def item_lines(text: str) -> list[str]:
    """One recommendation a line, without any number the writer typed in front."""
    lines = []
    for line in (text or "").splitlines():
        line = _ENUMERATOR.sub("", line.strip(), count=1).strip()
        if line:
            lines.append(line)
    return lines


def recipient_name(unit: Unit) -> str:
    """The recipient as a letter addresses it: a village with its township (大箕铺镇水南湾村)."""
    return unit.full_name.replace("/", "")


def recommendation_context(recommendation: Recommendation, *, draft: bool = False) -> dict:
    """What the letter says, in the language official documents are written in."""
    with translation.override(settings.LANGUAGE_CODE):
        head = letterhead(recommendation.organ)
        issued = recommendation.issued_at or timezone.now()
        due = cn_date(recommendation.reply_due)
        return {
            "letterhead": head,
            "number": recommendation.number or _("草稿（未签发，无文号）"),
            "draft": draft,
            "subtitle": recommendation.title,
            "addressee": recipient_name(recommendation.recipient),
            "facts": _paragraphs(recommendation.facts),
            "causes": _paragraphs(recommendation.causes),
            "items": [{"ordinal": f"（{cn_number(n)}）", "text": text}
                      for n, text in enumerate(recommendation.item_list()[:MAX_ITEMS], start=1)],
            "reply_sentence": _("请于%(date)s前将落实情况书面回复本机关。") % {"date": due},
            "issued": cn_date(issued),
        }


def recommendation_pdf_preview(recommendation: Recommendation) -> bytes:
    """A draft as it would print, marked 草稿 and without a number."""
    return render_pdf(DOCUMENT_TEMPLATE, recommendation_context(recommendation, draft=True))


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# --- validation -------------------------------------------------------------------------------------------------

def _clean(values: dict) -> dict:
    """Tidy and check the fields given; every problem at once, by field."""
    errors: dict[str, list[str]] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    data = dict(values)
    for name in ("title", "facts", "causes"):
        if name in data:
            data[name] = (data[name] or "").strip()
    if "organ" in data:
        organ = data["organ"]
        if not isinstance(organ, Unit):
            error("organ", _("请选择发文机关"))
        elif organ.kind not in ISSUING_KINDS:
            error("organ", _("发文机关须为纪委监委、派驻纪检监察组或乡镇（街道）纪（工）委"))
        elif not organ.is_active:
            error("organ", _("发文机关已停用"))
    if "recipient" in data:
        recipient = data["recipient"]
        if not isinstance(recipient, Unit):
            error("recipient", _("请选择主送单位"))
        elif not recipient.is_active:
            error("recipient", _("主送单位已停用"))
        elif isinstance(data.get("organ"), Unit) and recipient.pk == data["organ"].pk:
            error("recipient", _("主送单位不能是发文机关本身"))
    if "title" in data:
        if not data["title"]:
            error("title", _("请填写标题（建议书针对的问题，如：关于规范村集体资金管理的建议）"))
        elif len(data["title"]) > 200:
            error("title", _("标题不能超过200字"))
    if "facts" in data and not data["facts"]:
        error("facts", _("请填写查明的事实"))
    if "causes" in data and not data["causes"]:
        error("causes", _("请填写原因分析"))
    if "items" in data:
        lines = item_lines(data["items"])
        if not lines:
            error("items", _("请至少填写一条监督建议（每行一条）"))
        elif len(lines) > MAX_ITEMS:
            error("items", _("监督建议最多%(max)d条") % {"max": MAX_ITEMS})
        data["items"] = "\n".join(lines)
    if "reply_due" in data:
        due = data["reply_due"]
        if not isinstance(due, date):
            error("reply_due", _("请填写回复期限"))
        elif due <= timezone.localdate():
            error("reply_due", _("回复期限应晚于今天"))
    if errors:
        raise ValidationError(errors)
    return data


def _clean_findings(findings, station: Station | None) -> list[Finding]:
    findings = list(findings or ())
    if not findings:
        return []
    rows = list(Finding.objects.filter(pk__in=[f.pk for f in findings]).order_by("station_id", "sequence"))
    unconfirmed = [f.number for f in rows if f.state != FindingState.CONFIRMED]
    if unconfirmed:
        raise ValidationError({"findings": _("只能关联已确认的问题底稿：%(numbers)s") % {
            "numbers": "、".join(unconfirmed)}})
    if station is not None:
        foreign = [f.number for f in rows if f.station_id != station.pk]
        if foreign:
            raise ValidationError({"findings": _("问题底稿不属于本建议书所依据的驻点：%(numbers)s") % {
                "numbers": "、".join(foreign)}})
    return rows


def _display(recommendation: Recommendation, name: str) -> str:
    value = getattr(recommendation, name)
    if value is None:
        return ""
    if isinstance(value, Unit):
        return value.full_name
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _numbers(findings) -> str:
    return "、".join(f.number for f in findings)


def _locked_for_update(recommendation: Recommendation) -> Recommendation:
    return (Recommendation.objects.select_for_update(of=("self",))
            .select_related("organ", "recipient__parent", "station").get(pk=recommendation.pk))


def _state_change(before: str, after: str) -> dict:
    return {"state": {"before": str(S(before).label) if before else "", "after": str(S(after).label)}}


def _move(actor, recommendation: Recommendation, target: str) -> Transition:
    move = RECOMMENDATION_TRANSITIONS.get((recommendation.state, target))
    if move is None:
        raise ValidationError(_("“%(state)s”的建议书不能%(verb)s") % {
            "state": recommendation.get_state_display(), "verb": VERBS[target]})
    if not move.who & recommendation_roles(actor, recommendation):
        raise ValidationError(_("您无权%(label)s这份建议书") % {"label": move.label})
    return move


VERBS = {S.ISSUED: gettext_lazy("签发"), S.REPLIED: gettext_lazy("登记回复")}


# --- writes -----------------------------------------------------------------------------------------------------

@transaction.atomic
def recommendation_create(*, actor, organ: Unit, recipient: Unit, station: Station | None = None, findings=(),
                          title: str, facts: str, causes: str, items: str, reply_due: date | None) -> Recommendation:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm("findings.add_recommendation"):
        raise ValidationError(_("只有纪委监委工作人员才能起草纪检监察建议书"))
    errors = {}
    try:
        data = _clean({"organ": organ, "recipient": recipient, "title": title, "facts": facts, "causes": causes,
                       "items": items, "reply_due": reply_due})
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        linked = _clean_findings(findings, station)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    recommendation = Recommendation.objects.create(station=station, drafted_by=actor, state=S.DRAFT, **data)
    recommendation.findings.set(linked)
    audit_record(actor=actor, action="recommendation.create", obj=recommendation, changes={
        **_state_change("", S.DRAFT),
        "title": {"before": "", "after": recommendation.title},
        "recipient": {"before": "", "after": recipient.full_name},
        "organ": {"before": "", "after": organ.name},
        **({"findings": {"before": "", "after": _numbers(linked)}} if linked else {}),
    })
    return recommendation


@transaction.atomic
def recommendation_update(*, actor, recommendation: Recommendation, findings=None, **fields) -> Recommendation:
    """Change a draft. `findings` (when given) replaces the linked sheets."""
    recommendation = _locked_for_update(recommendation)
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm("findings.change_recommendation"):
        raise ValidationError(_("只有纪委监委工作人员才能修改纪检监察建议书"))
    if recommendation.state != S.DRAFT:
        raise ValidationError(_("建议书已签发，文号和内容不可更改"))
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些内容：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    errors = {}
    data = {}
    try:
        data = _clean({"organ": recommendation.organ, "recipient": recommendation.recipient, **fields})
    except ValidationError as error:
        errors.update(error.message_dict)
    linked = None
    if findings is not None:
        try:
            linked = _clean_findings(findings, recommendation.station)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    changes = {}
    for name, value in data.items():
        if name not in fields:
            continue
        before = _display(recommendation, name)
        setattr(recommendation, name, value)
        after = _display(recommendation, name)
        if before != after:
            changes[name] = {"before": before, "after": after}
    if linked is not None:
        current = list(recommendation.findings.order_by("station_id", "sequence"))
        if {f.pk for f in current} != {f.pk for f in linked}:
            recommendation.findings.set(linked)
            changes["findings"] = {"before": _numbers(current), "after": _numbers(linked)}
    if changes:
        recommendation.save()
        audit_record(actor=actor, action="recommendation.update", obj=recommendation, changes={
            **changes, "state": {"before": str(S.DRAFT.label), "after": str(S.DRAFT.label)}})
    return recommendation


@transaction.atomic
def recommendation_issue(*, actor, recommendation: Recommendation) -> Recommendation:
    """Number the draft, render the letter and store it; from now on nothing of it changes."""
    recommendation = _locked_for_update(recommendation)
    _move(actor, recommendation, S.ISSUED)
    today = timezone.localdate()
    if recommendation.reply_due <= today:
        raise ValidationError({"reply_due": _("回复期限应晚于发文日期")})
    if not recommendation.item_list():
        raise ValidationError({"items": _("请至少填写一条监督建议（每行一条）")})
    withdrawn = list(recommendation.findings.exclude(state=FindingState.CONFIRMED).values_list("number", flat=True))
    if withdrawn:
        raise ValidationError({"findings": _("关联的问题底稿已不是“已确认”状态，请先取消关联：%(numbers)s") % {
            "numbers": "、".join(withdrawn)}})
    sequence, number = document_number_next(organ=recommendation.organ, kind="recommendation", year=today.year)
    recommendation.number = number
    recommendation.year = today.year
    recommendation.sequence = sequence
    recommendation.state = S.ISSUED
    recommendation.issued_by = actor
    recommendation.issued_at = timezone.now()
    content = render_pdf(DOCUMENT_TEMPLATE, recommendation_context(recommendation))
    with filing(recommendation.pdf, content, "recommendation.pdf") as digest:
        recommendation.pdf_sha256 = digest
        recommendation.save()
        audit_record(actor=actor, action="recommendation.issue", obj=recommendation, changes={
            **_state_change(S.DRAFT, S.ISSUED),
            "number": {"before": "", "after": number},
            "pdf_sha256": {"before": "", "after": digest},
        })
    return recommendation


@transaction.atomic
def recommendation_reply(*, actor, recommendation: Recommendation, reply: str,
                         replied_on: date | None) -> Recommendation:
    """Record the recipient unit's written reply."""
    recommendation = _locked_for_update(recommendation)
    _move(actor, recommendation, S.REPLIED)
    errors: dict[str, list[str]] = {}
    reply = (reply or "").strip()
    if not reply:
        errors["reply"] = [_("请填写回复内容（落实情况）")]
    if not isinstance(replied_on, date):
        errors["replied_on"] = [_("请填写回复日期")]
    elif replied_on > timezone.localdate():
        errors["replied_on"] = [_("回复日期不能晚于今天")]
    elif recommendation.issued_at and replied_on < timezone.localdate(recommendation.issued_at):
        errors["replied_on"] = [_("回复日期不能早于发文日期")]
    if errors:
        raise ValidationError(errors)
    overdue = is_overdue(recommendation, replied_on)
    recommendation.reply = reply
    recommendation.replied_on = replied_on
    recommendation.reply_recorded_by = actor
    recommendation.state = S.REPLIED
    recommendation.save()
    audit_record(actor=actor, action="recommendation.reply", obj=recommendation, changes={
        **_state_change(S.ISSUED, S.REPLIED),
        "replied_on": {"before": "", "after": replied_on.isoformat()},
        **({"overdue": {"before": "", "after": _("逾期回复")}} if overdue else {}),
    })
    return recommendation
