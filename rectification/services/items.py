"""Rectification items (整改事项): the unit's plan, its progress with evidence, submission, verification (销号) or
return, and the 回头看 re-check that reopens a closed item.

States (one table, ITEM_TRANSITIONS; who: "liaison" = the recipient unit's liaison, "verifier" = the station's team
leader or commission staff, "staff" = commission staff):
    open                  → in_progress  item_plan_save      liaison   fills 整改目标 / 措施 / 责任领导 / 责任部门
    in_progress|returned  → submitted    item_submit         liaison   needs the plan and a progress report
    submitted             → returned     item_return         verifier  with a comment (退回意见)
    submitted             → closed       item_verify         verifier  销号, closed_at set
    closed                → in_progress  item_reopen         staff     回头看, with a reason
Moves that keep the state (ITEM_WORK): item_plan_save again (in_progress / returned: updates the plan) and
item_progress_report (in_progress / returned), both by the liaison.

Every call writes one ItemEvent (actor and actor_name) and one audit event "item.<verb>" with the state before and
after. Evidence files go through findings.services.evidence.evidence_check (content, size and name), are hashed
(SHA-256) and stored under a random name; if any file of a report is refused, nothing of the report is stored."""

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from findings.services.evidence import evidence_check
from supervision.audit import audit_record

from ..access import is_recipient_liaison, may_verify
from ..models import ItemEvent, ItemEventKind, ItemState, RectificationEvidence, RectificationItem

S = ItemState
K = ItemEventKind
PLAN_FIELDS = ("target", "measures", "responsible_leader", "responsible_department")
PLAN_REQUIRED = {
    "target": gettext_lazy("请填写整改目标"),
    "measures": gettext_lazy("请填写整改措施"),
    "responsible_leader": gettext_lazy("请填写责任领导"),
    "responsible_department": gettext_lazy("请填写责任部门"),
}
PLAN_MAX = {"responsible_leader": 100, "responsible_department": 100}
TEXT_MAX = 5000
MAX_FILES = 20


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    verb: str  # the event kind and the audit action item.<verb>
    label: str
    who: frozenset[str]  # "liaison", "verifier", "staff"


ITEM_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(S.OPEN, S.IN_PROGRESS, K.PLAN, gettext_lazy("制定整改方案"), frozenset({"liaison"})),
        Transition(S.IN_PROGRESS, S.SUBMITTED, K.SUBMIT, gettext_lazy("提交核验"), frozenset({"liaison"})),
        Transition(S.RETURNED, S.SUBMITTED, K.SUBMIT, gettext_lazy("提交核验"), frozenset({"liaison"})),
        Transition(S.SUBMITTED, S.RETURNED, K.RETURN, gettext_lazy("退回"), frozenset({"verifier"})),
        Transition(S.SUBMITTED, S.CLOSED, K.VERIFY, gettext_lazy("核验销号"), frozenset({"verifier"})),
        Transition(S.CLOSED, S.IN_PROGRESS, K.REOPEN, gettext_lazy("回头看重新打开"), frozenset({"staff"})),
    ]
}
# Work that keeps the state: verb -> (states it is allowed in, who).
ITEM_WORK: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    K.PLAN: (frozenset({S.IN_PROGRESS, S.RETURNED}), frozenset({"liaison"})),
    K.PROGRESS: (frozenset({S.IN_PROGRESS, S.RETURNED}), frozenset({"liaison"})),
}


# --- reads ------------------------------------------------------------------------------------------------------

def item_roles(user, item: RectificationItem) -> set[str]:
    """The user's parts in the item's moves: "liaison", "verifier", "staff"."""
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    letter = item.letter
    if user.has_perm("rectification.verify_rectificationitem"):
        roles |= {"staff", "verifier"}
    elif may_verify(user, letter):
        roles.add("verifier")
    if not roles and is_recipient_liaison(user, letter):
        roles.add("liaison")
    return roles


def _allowed(item: RectificationItem, verb: str, target: str | None, roles: set[str]) -> bool:
    if target is not None:
        move = ITEM_TRANSITIONS.get((item.state, target))
        if move is not None and move.verb == verb and move.who & roles:
            return True
    work = ITEM_WORK.get(verb)
    return bool(work and item.state in work[0] and work[1] & roles)


def item_moves(user, item: RectificationItem, roles: set[str] | None = None) -> dict[str, bool]:
    """What the user may do now: {"plan", "progress", "submit", "return", "verify", "reopen"}."""
    roles = item_roles(user, item) if roles is None else roles
    return {
        "plan": _allowed(item, K.PLAN, S.IN_PROGRESS, roles),
        "progress": _allowed(item, K.PROGRESS, None, roles),
        "submit": _allowed(item, K.SUBMIT, S.SUBMITTED, roles),
        "return": _allowed(item, K.RETURN, S.RETURNED, roles),
        "verify": _allowed(item, K.VERIFY, S.CLOSED, roles),
        "reopen": _allowed(item, K.REOPEN, S.IN_PROGRESS, roles),
    }


def has_plan(item: RectificationItem) -> bool:
    return all((getattr(item, name) or "").strip() for name in PLAN_FIELDS)


def actor_name(user) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    try:
        return user.person.name
    except ObjectDoesNotExist:
        return user.get_username()


# --- helpers of the writes ---------------------------------------------------------------------------------------

VERBS = {
    K.PLAN: gettext_lazy("填写整改方案"),
    K.PROGRESS: gettext_lazy("报告整改进展"),
    K.SUBMIT: gettext_lazy("提交核验"),
    K.RETURN: gettext_lazy("退回"),
    K.VERIFY: gettext_lazy("核验销号"),
    K.REOPEN: gettext_lazy("回头看重新打开"),
}


def _locked(item: RectificationItem) -> RectificationItem:
    return (RectificationItem.objects.select_for_update(of=("self",))
            .select_related("letter__station", "letter__recipient").get(pk=item.pk))


def _check(actor, item: RectificationItem, verb: str, target: str | None) -> None:
    """Refuse a move the state or the actor's part does not allow, with a message saying which."""
    roles = item_roles(actor, item)
    if _allowed(item, verb, target, roles):
        return
    state_fits = ((target is not None and (item.state, target) in ITEM_TRANSITIONS
                   and ITEM_TRANSITIONS[(item.state, target)].verb == verb)
                  or item.state in ITEM_WORK.get(verb, (frozenset(), frozenset()))[0])
    if state_fits:
        raise ValidationError(_("您无权%(verb)s这项整改事项") % {"verb": VERBS[verb]})
    raise ValidationError(_("“%(state)s”的整改事项不能%(verb)s") % {
        "state": item.get_state_display(), "verb": VERBS[verb]})


def _state_change(before: str, after: str) -> dict:
    return {"state": {"before": str(S(before).label), "after": str(S(after).label)}}


def _record(actor, item: RectificationItem, verb: str, before: str, text: str = "", changes: dict | None = None,
            ) -> ItemEvent:
    event = ItemEvent.objects.create(item=item, kind=verb, text=text,
                                     actor=actor if getattr(actor, "is_authenticated", False) else None,
                                     actor_name=actor_name(actor))
    audit_record(actor=actor, action=f"item.{verb}", obj=item,
                 changes={**_state_change(before, item.state), **(changes or {})})
    return event


def _text(value, field: str, message, required: bool = True, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [str(message)]})
    if len(value) > limit:
        raise ValidationError({field: [_("不能超过%(limit)d字") % {"limit": limit}]})
    return value


# --- writes -----------------------------------------------------------------------------------------------------

@transaction.atomic
def item_plan_save(*, actor, item: RectificationItem, target: str, measures: str, responsible_leader: str,
                   responsible_department: str) -> RectificationItem:
    """The unit's plan (整改方案). The first one starts the rectification (open → in_progress); later ones, while
    in progress or returned, update it."""
    item = _locked(item)
    _check(actor, item, K.PLAN, S.IN_PROGRESS)
    values = {"target": target, "measures": measures, "responsible_leader": responsible_leader,
              "responsible_department": responsible_department}
    errors: dict[str, list[str]] = {}
    for name in PLAN_FIELDS:
        value = (values[name] or "").strip()
        values[name] = value
        if not value:
            errors[name] = [str(PLAN_REQUIRED[name])]
        elif len(value) > PLAN_MAX.get(name, TEXT_MAX):
            errors[name] = [_("不能超过%(limit)d字") % {"limit": PLAN_MAX.get(name, TEXT_MAX)}]
    if errors:
        raise ValidationError(errors)
    before = item.state
    changes = {}
    for name in PLAN_FIELDS:
        old = getattr(item, name)
        if old != values[name]:
            changes[name] = {"before": old, "after": values[name]}
            setattr(item, name, values[name])
    if before == S.OPEN:
        item.state = S.IN_PROGRESS
    elif not changes:
        return item  # the same plan saved again: nothing to record
    item.save()
    summary = _("整改目标：%(target)s\n整改措施：%(measures)s\n责任领导：%(leader)s\n责任部门：%(department)s") % {
        "target": item.target, "measures": item.measures, "leader": item.responsible_leader,
        "department": item.responsible_department}
    _record(actor, item, K.PLAN, before, summary, changes)
    return item


@transaction.atomic
def item_progress_report(*, actor, item: RectificationItem, text: str = "", files=()) -> ItemEvent:
    """Progress (整改进展): a text, evidence files, or both. Every file is checked before anything is stored."""
    item = _locked(item)
    _check(actor, item, K.PROGRESS, None)
    text = _text(text, "text", "", required=False)
    files = [f for f in (files or ()) if f]
    if not text and not files:
        raise ValidationError({"text": [_("请填写整改进展或上传佐证材料")]})
    if len(files) > MAX_FILES:
        raise ValidationError({"files": [_("一次最多上传%(max)d个文件") % {"max": MAX_FILES}]})
    checked, refused = [], []
    for upload in files:
        try:
            name, content_type = evidence_check(upload)
        except ValidationError as error:
            refused.append(_("“%(name)s”未上传：%(reason)s") % {
                "name": (getattr(upload, "name", "") or "")[:100], "reason": "；".join(error.messages)})
        else:
            checked.append((upload, name, content_type))
    if refused:
        raise ValidationError({"files": refused + [_("本次进展未保存，请去掉不合规的文件后重新提交")]})
    before = item.state
    event = ItemEvent.objects.create(item=item, kind=K.PROGRESS, text=text,
                                     actor=actor if getattr(actor, "is_authenticated", False) else None,
                                     actor_name=actor_name(actor))
    stored, names = [], []
    try:
        for upload, name, content_type in checked:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            evidence = RectificationEvidence(item=item, event=event, original_name=name, content_type=content_type,
                                             size=upload.size, sha256=digest.hexdigest(),
                                             uploaded_by=actor if getattr(actor, "is_authenticated", False) else None)
            evidence.file.save(name, upload, save=False)  # random storage name (models.rectification_evidence_path)
            stored.append(evidence.file.name)
            evidence.save()
            names.append(f"{name}（{evidence.sha256[:12]}）")
        item.save(update_fields=["updated_at"])
        audit_record(actor=actor, action=f"item.{K.PROGRESS}", obj=item, changes={
            **_state_change(before, item.state),
            **({"text": {"before": "", "after": text[:200]}} if text else {}),
            **({"evidence": {"before": "", "after": "、".join(names)}} if names else {}),
        })
    except Exception:
        for name in stored:  # the rows roll back; the files must go too
            RectificationEvidence._meta.get_field("file").storage.delete(name)
        raise
    return event


@transaction.atomic
def item_submit(*, actor, item: RectificationItem) -> RectificationItem:
    """Submit for verification (提交核验): needs the plan and at least one progress report."""
    item = _locked(item)
    if item.state == S.OPEN and "liaison" in item_roles(actor, item):
        raise ValidationError(_("请先填写整改方案（整改目标、措施、责任领导、责任部门）"))
    _check(actor, item, K.SUBMIT, S.SUBMITTED)
    problems = []
    if not has_plan(item):
        problems.append(_("请先填写整改方案（整改目标、措施、责任领导、责任部门）"))
    reported = (item.events.filter(kind=K.PROGRESS).exclude(text="").exists()
                or item.evidence.filter(event__kind=K.PROGRESS).exists())
    if not reported:
        problems.append(_("请先报告整改进展（文字说明或佐证材料）"))
    if problems:
        raise ValidationError(problems)
    before = item.state
    item.state = S.SUBMITTED
    item.save()
    _record(actor, item, K.SUBMIT, before)
    return item


@transaction.atomic
def item_return(*, actor, item: RectificationItem, comment: str) -> RectificationItem:
    """Return to the unit (退回) with what is still missing."""
    item = _locked(item)
    _check(actor, item, K.RETURN, S.RETURNED)
    comment = _text(comment, "comment", gettext_lazy("请填写退回意见"))
    before = item.state
    item.state = S.RETURNED
    item.save()
    _record(actor, item, K.RETURN, before, comment, {"comment": {"before": "", "after": comment[:200]}})
    return item


@transaction.atomic
def item_verify(*, actor, item: RectificationItem, comment: str = "") -> RectificationItem:
    """Verified and closed (核验销号)."""
    item = _locked(item)
    _check(actor, item, K.VERIFY, S.CLOSED)
    comment = _text(comment, "comment", "", required=False)
    before = item.state
    item.state = S.CLOSED
    item.closed_at = timezone.now()
    item.save()
    _record(actor, item, K.VERIFY, before, comment,
            {"closed_at": {"before": "", "after": timezone.localtime(item.closed_at).isoformat(timespec="seconds")}})
    return item


@transaction.atomic
def item_reopen(*, actor, item: RectificationItem, reason: str) -> RectificationItem:
    """回头看: a re-check found the problem back; the item is open for rectification again."""
    item = _locked(item)
    _check(actor, item, K.REOPEN, S.IN_PROGRESS)
    reason = _text(reason, "reason", gettext_lazy("请填写重新打开的原因（回头看发现的情况）"))
    before = item.state
    closed_at = item.closed_at
    item.state = S.IN_PROGRESS
    item.closed_at = None
    item.save()
    _record(actor, item, K.REOPEN, before, reason, {
        "reason": {"before": "", "after": reason[:200]},
        "closed_at": {"before": timezone.localtime(closed_at).isoformat(timespec="seconds") if closed_at else "",
                      "after": ""}})
    return item
