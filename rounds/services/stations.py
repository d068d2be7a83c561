"""Station lifecycle moves, the supervision notice, training and public complaints."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supervision.audit import audit_record
from supervision.services.numbering import document_number_next

from ..access import can_lead, can_plan
from ..models import Batch, Complaint, Station, StationState, TrainingSession
from ..states import ACCEPTS_COMPLAINTS, TRANSITIONS
from .fieldwork import station_checklist_open
from .members import team_problems


def opening_problems(station: Station) -> list[str]:
    """What stops a team from entering (进驻): the formula, declarations, training."""
    problems = list(team_problems(station))
    trained = set(TrainingSession.attendees.through.objects.filter(trainingsession__batch=station.round.batch_id)
                  .values_list("person_id", flat=True))
    for member in station.members.select_related("person"):
        if not member.declared_at:
            problems.append(_("%(name)s尚未签署回避承诺") % {"name": member.person.name})
        if member.person_id not in trained and not member.training_exempt_reason:
            problems.append(_("%(name)s未参加巡前培训，也未登记免训") % {"name": member.person.name})
    return problems


def allowed_moves(user, station: Station) -> list:
    roles = set()
    if can_plan(user):
        roles.add("plan")
    if can_lead(user, station):
        roles.add("lead")
    return [t for (source, _target), t in TRANSITIONS.items()
            if source == station.state and source != StationState.PROPOSED and t.who & roles]


@transaction.atomic
def station_transition(*, actor, station: Station, to: str) -> Station:
    station = Station.objects.select_for_update(of=("self",)).select_related("round__batch", "target").get(pk=station.pk)
    if to not in StationState.values:
        raise ValidationError(_("未知的驻点状态：%(state)s") % {"state": to})
    move = TRANSITIONS.get((station.state, to))
    if move is None or station.state == StationState.PROPOSED:
        raise ValidationError(_("不能从“%(source)s”变为“%(target)s”") % {
            "source": station.get_state_display(), "target": StationState(to).label})
    if move not in allowed_moves(actor, station):
        raise ValidationError(_("您无权执行“%(label)s”") % {"label": move.label})
    if to == StationState.STATIONED:
        problems = opening_problems(station)
        if problems:
            raise ValidationError(problems)
        station.opened_at = timezone.now()
    before = station.get_state_display()
    station.state = to
    station.save()
    if to == StationState.STATIONED:
        station_checklist_open(actor=actor, station=station)
    audit_record(actor=actor, action="station.transition", obj=station,
                 changes={"state": {"before": str(before), "after": str(station.get_state_display())}})
    return station


@transaction.atomic
def notice_issue(*, actor, station: Station) -> Station:
    """Give the station's supervision notice its number (once); the PDF is rendered from the station."""
    station = Station.objects.select_for_update(of=("self",)).select_related("round__batch__organiser", "target").get(pk=station.pk)
    if station.state == StationState.PROPOSED:
        raise ValidationError(_("方案确认后才能发布监督检查公告"))
    if station.notice_number:
        return station
    batch = station.round.batch
    _n, number = document_number_next(organ=batch.organiser, kind="notice", year=station.round.start_date.year)
    station.notice_number = number
    station.notice_issued_at = timezone.now()
    station.save(update_fields=["notice_number", "notice_issued_at"])
    audit_record(actor=actor, action="station.notice_issue", obj=station,
                 changes={"notice_number": {"before": "", "after": number}})
    return station


@transaction.atomic
def training_create(*, actor, batch: Batch, topic: str, date, place: str = "") -> TrainingSession:
    session = TrainingSession(batch=batch, topic=topic.strip(), date=date, place=place.strip())
    session.full_clean()
    session.save()
    audit_record(actor=actor, action="training.create", obj=batch,
                 changes={"training": {"before": "", "after": f"{date} {session.topic}"}})
    return session


@transaction.atomic
def training_attendance_set(*, actor, session: TrainingSession, people) -> None:
    people = list(people)
    members = set(session.batch.rounds.values_list("stations__members__person_id", flat=True))
    outsiders = [p.name for p in people if p.pk not in members]
    if outsiders:
        raise ValidationError(_("不是本批次驻点成员：%(names)s") % {"names": "、".join(outsiders)})
    before = sorted(session.attendees.values_list("name", flat=True))
    session.attendees.set(people)
    audit_record(actor=actor, action="training.attendance", obj=session.batch,
                 changes={session.topic: {"before": "、".join(before), "after": "、".join(sorted(p.name for p in people))}})


class Throttled(Exception):
    pass


def _source_hash(source: str) -> str:
    # Only a keyed hash of the sender's address is kept: enough to throttle, not enough to identify anyone.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{source}".encode()).hexdigest()


def complaint_submit(*, station: Station, kind: str, content: str, contact: str = "", source: str) -> Complaint:
    if station.state not in ACCEPTS_COMPLAINTS:
        raise ValidationError(_("本驻点目前不在受理期"))
    content = content.strip()
    if len(content) < 5:
        raise ValidationError({"content": _("请把情况写清楚（至少5个字）")})
    source_hash = _source_hash(source)
    window = timezone.now() - timedelta(seconds=settings.PUBLIC_COMPLAINT_WINDOW_SECONDS)
    with transaction.atomic():
        # One submission at a time per station, so a burst cannot slip past the count below.
        Station.objects.select_for_update().filter(pk=station.pk).first()
        recent = Complaint.objects.filter(source_hash=source_hash, created_at__gte=window).count()
        if recent >= settings.PUBLIC_COMPLAINT_LIMIT:
            raise Throttled
        complaint = Complaint.objects.create(
            station=station, kind=kind, content=content, contact=contact.strip()[:100],
            receipt="XS" + secrets.token_hex(4).upper(), source_hash=source_hash)
        audit_record(actor=None, action="complaint.receive", obj=station, anonymous_source=True,
                     changes={"receipt": {"before": "", "after": complaint.receipt}})
    return complaint
