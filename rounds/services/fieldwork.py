"""The team's week at a station: the checklist library's versions, the station's checklist and its results, and
field records (走访记录). Every write is validated here and leaves an AuditEvent; evidence files go through
findings.services.evidence (checked by content, hashed, stored outside the web root)."""

from datetime import date as Date

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from supervision.audit import audit_record
from supervision.models import Person

from ..access import can_work
from ..models import (
    ChecklistItem,
    ChecklistVersion,
    CheckResult,
    FieldMethod,
    FieldRecord,
    Station,
    StationCheck,
    StationState,
    Theme,
)

# The states in which the team records its work: stationed, and while the report is being written.
WORK_STATES = {StationState.STATIONED, StationState.REPORTING}
# The description that marks an interview's signed record among its evidence files.
SIGNED_RECORD = "签字谈话笔录"
MIN_INTERVIEWERS = 2


def person_of(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.person
    except ObjectDoesNotExist:
        return None


def _require_work(actor, station: Station) -> None:
    if not can_work(actor, station):
        raise ValidationError(_("您不是本驻点组成员，不能记录驻点工作"))
    if station.state not in WORK_STATES:
        raise ValidationError(_("驻点处于“%(state)s”状态，不能记录驻点工作") % {"state": station.get_state_display()})


# --- the checklist library ----------------------------------------------------------------------------------------

def checklist_latest() -> ChecklistVersion | None:
    """The latest published version: what a station opening now gets."""
    return ChecklistVersion.objects.filter(published_at__isnull=False).order_by("-number").first()


@transaction.atomic
def checklist_draft_from(*, actor=None, version: ChecklistVersion) -> ChecklistVersion:
    """A new draft with a copy of `version`'s items, numbered after every existing version. One draft at a time,
    so the draft's number is the next one when it is published."""
    if ChecklistVersion.objects.select_for_update().filter(published_at__isnull=True).exists():
        raise ValidationError(_("已有一个草稿版本，请先修改并发布它"))
    number = (ChecklistVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = ChecklistVersion.objects.create(
        number=number, note=_("据第%(n)d版修订") % {"n": version.number})
    ChecklistItem.objects.bulk_create(
        ChecklistItem(version=draft, theme=item.theme, code=item.code, order=item.order, text=item.text,
                      guidance=item.guidance, basis=item.basis)
        for item in version.items.all())
    audit_record(actor=actor, action="checklist.draft", obj=draft,
                 changes={"version": {"before": str(version), "after": str(draft)}})
    return draft


@transaction.atomic
def checklist_publish(*, actor, version: ChecklistVersion) -> ChecklistVersion:
    """Publish a draft as the next version number. A published version never changes again."""
    version = ChecklistVersion.objects.select_for_update().get(pk=version.pk)
    if version.published_at is not None:
        raise ValidationError(_("%(version)s已发布，不能再次发布") % {"version": version})
    if not version.items.exists():
        raise ValidationError(_("%(version)s没有任何事项，不能发布") % {"version": version})
    codes = list(version.items.values_list("code", flat=True))
    if any(not code.strip() for code in codes):
        raise ValidationError(_("每个事项都须有编号"))
    last = ChecklistVersion.objects.filter(published_at__isnull=False).aggregate(n=Max("number"))["n"] or 0
    before = str(version)
    if version.number != last + 1:
        if ChecklistVersion.objects.filter(number=last + 1).exclude(pk=version.pk).exists():
            raise ValidationError(_("版本号%(n)d已被占用") % {"n": last + 1})
        version.number = last + 1
    version.published_at = timezone.now()
    version.save(update_fields=["number", "published_at"])
    audit_record(actor=actor, action="checklist.publish", obj=version,
                 changes={"published": {"before": before, "after": f"{version}（{len(codes)}项）"}})
    return version


# --- the station's checklist --------------------------------------------------------------------------------------

@transaction.atomic
def station_checklist_open(*, actor, station: Station) -> int:
    """Give the station its checklist: the latest published version's items of the batch's focus themes (every
    theme when the batch names none). Idempotent: a station that has its checklist keeps it, and its version,
    forever. Returns how many items were created."""
    station = Station.objects.select_for_update(of=("self",)).select_related("round__batch").get(pk=station.pk)
    if station.checks.exists():
        return 0
    version = checklist_latest()
    if version is None:
        return 0
    themes = [t for t in (station.round.batch.focus_themes or []) if t in Theme.values] or list(Theme.values)
    items = list(version.items.filter(theme__in=themes))
    StationCheck.objects.bulk_create(StationCheck(station=station, item=item) for item in items)
    audit_record(actor=actor, action="checklist.open", obj=station,
                 changes={"checklist": {"before": "", "after": f"{version}，{len(items)}项"}})
    return len(items)


@transaction.atomic
def check_record(*, actor, check: StationCheck, result: str, note: str = "") -> StationCheck:
    """Record one item's result. Who checked and when are the actor and now ("未检查" clears them)."""
    check = StationCheck.objects.select_for_update(of=("self",)).select_related("station", "item").get(pk=check.pk)
    _require_work(actor, check.station)
    if result not in CheckResult.values:
        raise ValidationError({"result": _("请选择检查结果")})
    note = (note or "").strip()
    if result == CheckResult.PROBLEM and not note:
        raise ValidationError({"note": _("存在问题时，请在情况说明中写明发现的问题")})
    before = f"{check.get_result_display()} {check.note}".strip()
    check.result = result
    check.note = note
    if result == CheckResult.UNCHECKED:
        check.checked_by, check.checked_at = None, None
    else:
        check.checked_by, check.checked_at = person_of(actor), timezone.now()
    check.save(update_fields=["result", "note", "checked_by", "checked_at"])
    audit_record(actor=actor, action="checklist.check", obj=check,
                 changes={check.item.code: {"before": before, "after": f"{check.get_result_display()} {note}".strip()}})
    return check


def check_evidence_add(*, actor, check: StationCheck, upload, description: str = ""):
    from findings.services.evidence import evidence_add

    _require_work(actor, check.station)
    return evidence_add(actor=actor, station=check.station, upload=upload, station_check=check,
                        description=description)


# --- field records ------------------------------------------------------------------------------------------------

def _field_record_problems(*, station: Station, method: str, date, place: str, subject: str, interviewee: str,
                           interviewers, content: str, signed_record) -> dict:
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if method not in FieldMethod.values:
        add("method", _("请选择工作方式"))
    if not isinstance(date, Date):
        add("date", _("请填写日期"))
    elif date > timezone.localdate():
        add("date", _("日期不能晚于今天"))
    if not content:
        add("content", _("请填写主要内容"))
    if method == FieldMethod.INTERVIEW:
        if not interviewee:
            add("interviewee", _("请填写谈话对象"))
        team = set(station.members.values_list("person_id", flat=True))
        outsiders = [p.name for p in interviewers if p.pk not in team]
        if outsiders:
            add("interviewers", _("不是本驻点组成员：%(names)s") % {"names": "、".join(outsiders)})
        if len({p.pk for p in interviewers}) < MIN_INTERVIEWERS:
            add("interviewers", _("个别谈话须有至少两名谈话人"))
        if signed_record is None:
            add("signed_record", _("请上传经谈话对象签字的谈话笔录（拍照或扫描件）"))
    elif method in FieldMethod.values:
        if not place:
            add("place", _("请填写地点"))
        if not subject:
            add("subject", _("请填写对象"))
    return errors


@transaction.atomic
def field_record_create(*, actor, station: Station, method: str, date, content: str, place: str = "",
                        subject: str = "", interviewee: str = "", interviewers=(), signed_record=None,
                        attachments=()) -> FieldRecord:
    """Record one piece of field work. An interview needs at least two interviewers of the team, the interviewee
    and the signed record; the other methods need date, place, subject and content. Every file is checked before
    anything is saved, so a refused file leaves nothing behind."""
    from findings.services.evidence import evidence_add, evidence_check

    _require_work(actor, station)
    interviewers = list(interviewers or [])
    attachments = [f for f in (attachments or []) if f]
    place, subject, interviewee, content = (s.strip() for s in (place or "", subject or "", interviewee or "",
                                                                content or ""))
    errors = _field_record_problems(station=station, method=method, date=date, place=place, subject=subject,
                                    interviewee=interviewee, interviewers=interviewers, content=content,
                                    signed_record=signed_record)
    for field, upload in [("signed_record", signed_record)] + [("attachments", f) for f in attachments]:
        if upload is None:
            continue
        try:
            evidence_check(upload)
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    record = FieldRecord.objects.create(
        station=station, method=method, date=date, place=place, subject=subject,
        interviewee=interviewee if method == FieldMethod.INTERVIEW else "", content=content,
        recorded_by=person_of(actor))
    if method == FieldMethod.INTERVIEW:
        record.interviewers.set(interviewers)
        evidence_add(actor=actor, station=station, upload=signed_record, field_record=record,
                     description=SIGNED_RECORD)
    for upload in attachments:
        evidence_add(actor=actor, station=station, upload=upload, field_record=record)
    who = subject or interviewee
    audit_record(actor=actor, action="field_record.create", obj=station,
                 changes={"field_record": {"before": "", "after": f"{record.get_method_display()} {date} {who}".strip()}})
    return record


def field_record_attach(*, actor, record: FieldRecord, upload, description: str = ""):
    """Attach one more file (a photo, a document) to a field record; evidence_add audits it."""
    from findings.services.evidence import evidence_add

    _require_work(actor, record.station)
    return evidence_add(actor=actor, station=record.station, upload=upload, field_record=record,
                        description=description)
