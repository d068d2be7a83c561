"""Reminders (督办提醒) that fire exactly once, delivered as in-app notices and one e-mail digest per person per day.

The periodic sweep (`reminder_sweep`, run by Celery beat through rectification.tasks.reminders) has three steps,
each safe to run again, concurrently, or after a crash:

1. `reminders_due(today)` writes one Reminder row per due reminder. Its unique key names the subject, the level and
   the day — ``item:<pk>:<green|yellow|red>:<YYYY-MM-DD>`` for an unclosed item of an issued letter whose deadline
   colour (rectification.deadlines) is green, yellow or red today, ``recommendation:<pk>:overdue:<YYYY-MM-DD>`` for
   an issued recommendation whose reply is overdue — so a second sweep (a retry, a second worker) inserts nothing.
   Recipients (user ids, fixed when the reminder is written): green → the handler, i.e. the recipient unit's
   liaison accounts; yellow → also the unit's leader in charge (分管领导); red → also the unit's principal
   (主要负责人); an overdue recommendation → the recipient unit's liaisons and the recommendation's drafter.
2. `reminders_deliver()` claims undelivered reminders (SELECT … FOR UPDATE SKIP LOCKED), writes one Notification
   per recipient with the reminder's key (unique per user) and marks the reminders delivered — all in one
   transaction per batch. A worker killed mid-batch rolls its transaction back, so the next sweep delivers that
   batch; a second worker skips the locked rows; a retry finds them delivered. In-app notices are exactly once.
3. `digests_send(day)` sends each person one e-mail listing that day's notices. The EmailDigest row (unique per
   user and day) is created in the same transaction that sends, so a digest is sent at most once per person per
   day *as far as the database knows*. SMTP itself cannot take part in the transaction: if the process dies after
   the mail server accepted the message and before the commit, the row is rolled back and the next sweep sends
   that one digest again. E-mail is therefore at-least-once (one digest may repeat after such a crash); the in-app
   notices are exactly once.

Test hook: the environment variable REMINDER_DELIVER_DELAY (seconds per reminder, default 0) slows delivery down
inside the claiming transaction, so a test can kill a worker in the middle of it. Leave it unset in production."""

import logging
import os
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission

from findings.models import Recommendation
from findings.services.recommendations import recommendation_overdue_q
from supervision.models import EmailDigest, Notification, Unit
from supervision.roles import Role
from supervision.services.notifications import notifications_create_many

from ..deadlines import GREEN, RED, YELLOW, days_left, deadline_level, level_q
from ..models import ItemState, LetterState, RectificationItem, Reminder, ReminderLevel

logger = logging.getLogger(__name__)
User = get_user_model()

ITEM_LEVELS = (GREEN, YELLOW, RED)
OPEN_STATES = [ItemState.OPEN, ItemState.IN_PROGRESS, ItemState.SUBMITTED, ItemState.RETURNED]
DELAY_ENV = "REMINDER_DELIVER_DELAY"


def item_key(item_id: int, level: str, day: date) -> str:
    return f"item:{item_id}:{level}:{day.isoformat()}"


def recommendation_key(recommendation_id: int, day: date) -> str:
    return f"recommendation:{recommendation_id}:overdue:{day.isoformat()}"


# --- recipients --------------------------------------------------------------------------------------------------

def unit_liaisons(unit_ids) -> dict[int, list[int]]:
    """unit id -> ids of the active liaison accounts tied to it (object permission supervision.view_unit on the
    unit and the unit_liaison role: see supervision.services.accounts.account_set_roles). One query."""
    unit_ids = {int(pk) for pk in unit_ids}
    if not unit_ids:
        return {}
    rows = (UserObjectPermission.objects
            .filter(content_type=ContentType.objects.get_for_model(Unit), permission__codename="view_unit",
                    object_pk__in=[str(pk) for pk in unit_ids], user__is_active=True,
                    user__groups__name=Role.UNIT_LIAISON)
            .values_list("object_pk", "user_id").distinct())
    liaisons: dict[int, list[int]] = defaultdict(list)
    for object_pk, user_id in rows:
        liaisons[int(object_pk)].append(user_id)
    return {pk: sorted(users) for pk, users in liaisons.items()}


def _account(person) -> int | None:
    return person.user_id if person is not None else None


def item_recipients(unit: Unit, level: str, liaisons: dict[int, list[int]]) -> list[int]:
    """green: the handler (the unit's liaisons); yellow: + the leader in charge; red: + the principal."""
    ids = list(liaisons.get(unit.pk, []))
    if level in (YELLOW, RED):
        ids.append(_account(unit.leader_in_charge))
    if level == RED:
        ids.append(_account(unit.principal))
    return _unique(ids)


def _unique(ids) -> list[int]:
    seen: list[int] = []
    for pk in ids:
        if pk is not None and pk not in seen:
            seen.append(pk)
    return seen


# --- 1. what is due ----------------------------------------------------------------------------------------------

def reminders_due(today: date | None = None) -> int:
    """Write the Reminder rows due today (see the module docstring); returns how many were not there yet when it
    looked (when two sweeps run at the same moment both may count the same rows; the database keeps one per key)."""
    today = today or timezone.localdate()
    items = list(
        RectificationItem.objects
        .filter(letter__state=LetterState.ISSUED, state__in=OPEN_STATES)
        .filter(level_q(GREEN, today) | level_q(YELLOW, today) | level_q(RED, today))
        .select_related("letter__recipient__leader_in_charge", "letter__recipient__principal")
        .order_by("pk"))
    recommendations = list(Recommendation.objects.filter(recommendation_overdue_q(today)).order_by("pk"))
    liaisons = unit_liaisons({item.letter.recipient_id for item in items}
                             | {rec.recipient_id for rec in recommendations})
    rows = []
    for item in items:
        level = deadline_level(item.deadline, today, closed=item.state == ItemState.CLOSED)
        if level not in ITEM_LEVELS:
            continue
        rows.append(Reminder(key=item_key(item.pk, level, today), item=item, level=level, day=today,
                             recipients=item_recipients(item.letter.recipient, level, liaisons)))
    for rec in recommendations:
        rows.append(Reminder(key=recommendation_key(rec.pk, today), recommendation=rec,
                             level=ReminderLevel.RECOMMENDATION_OVERDUE, day=today,
                             recipients=_unique([*liaisons.get(rec.recipient_id, []), rec.drafted_by_id])))
    if not rows:
        return 0
    existing = set(Reminder.objects.filter(key__in=[row.key for row in rows]).values_list("key", flat=True))
    new = [row for row in rows if row.key not in existing]
    # ignore_conflicts: a second worker inserting the same keys at the same moment adds nothing.
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# --- 2. delivery -------------------------------------------------------------------------------------------------

def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # the page is not wired (yet): a notice without a link
        return ""


def reminder_message(reminder: Reminder) -> tuple[str, str, str]:
    """(title, body, url) of a reminder's notice, in the site's language, as of the reminder's day."""
    day = reminder.day
    if reminder.item_id:
        item = reminder.item
        letter, unit = item.letter, item.letter.recipient
        problem = _short(item.problem)
        left = days_left(item.deadline, day)
        if reminder.level == RED:
            title = _("红色督办：整改事项“%(problem)s”已逾期%(days)d天") % {"problem": problem, "days": -left}
        else:
            label = _("黄色预警") if reminder.level == YELLOW else _("绿色提醒")
            when = (_("今日到期") if left == 0 else _("剩余%(days)d天到期") % {"days": left})
            title = _("%(label)s：整改事项“%(problem)s”%(when)s") % {"label": label, "problem": problem,
                                                                     "when": when}
        body = _("%(unit)s，交办函%(number)s第%(sequence)d项：%(problem)s。整改时限%(deadline)s，"
                 "责任人：%(responsible)s。请按时完成整改并报送整改情况。") % {
            "unit": unit.name, "number": letter.number or letter.title, "sequence": item.sequence,
            "problem": " ".join(item.problem.split()), "deadline": item.deadline.isoformat(),
            "responsible": item.responsible or _("未填写")}
        return title, body, _url("item_detail", item.pk)
    rec = reminder.recommendation
    late = (day - rec.reply_due).days
    title = _("建议书逾期未回复：“%(title)s”已逾期%(days)d天") % {"title": _short(rec.title), "days": late}
    body = _("%(unit)s收到的纪检监察建议书%(number)s，书面回复期限为%(due)s，至今未回复。") % {
        "unit": rec.recipient.name, "number": rec.number or rec.title, "due": rec.reply_due.isoformat()}
    return title, body, _url("recommendation_detail", rec.pk)


def _claim(batch: int) -> list[Reminder]:
    return list(Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(delivered_at__isnull=True)
                .select_related("item__letter__recipient", "recommendation__recipient")
                .order_by("pk")[:batch])


def reminders_deliver(batch: int = 100) -> int:
    """Deliver every undelivered reminder as notices, a batch per transaction; returns how many were delivered."""
    delay = float(os.environ.get(DELAY_ENV) or 0)
    delivered = 0
    with translation.override(settings.LANGUAGE_CODE):
        while True:
            with transaction.atomic():
                reminders = _claim(batch)
                if not reminders:
                    break
                logger.info("reminders claimed: %d (%s … %s)", len(reminders), reminders[0].key, reminders[-1].key)
                wanted = {pk for reminder in reminders for pk in reminder.recipients}
                active = set(User.objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
                notices = []
                for reminder in reminders:
                    if delay:
                        time.sleep(delay)  # test hook (see the module docstring)
                    title, body, url = reminder_message(reminder)
                    notices += [Notification(user_id=pk, key=reminder.key, title=title, body=body, url=url,
                                             level=reminder.level)
                                for pk in reminder.recipients if pk in active]
                notifications_create_many(notices)
                Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(delivered_at=timezone.now())
                delivered += len(reminders)
            if len(reminders) < batch:
                break
    return delivered


# --- 3. the daily e-mail digest ----------------------------------------------------------------------------------

def _day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, dtime.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), dtime.min, tzinfo=tz)


def _absolute(url: str) -> str:
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}{url}" if url and base else url


def digest_text(user, notices: list[Notification], day: date) -> tuple[str, str]:
    subject = _("督办提醒摘要（%(day)s，共%(count)d条）") % {"day": day.isoformat(), "count": len(notices)}
    lines = [_("%(name)s：") % {"name": user.get_full_name() or user.get_username()}, "",
             _("%(day)s您有以下%(count)d条督办提醒：") % {"day": day.isoformat(), "count": len(notices)}, ""]
    for n, notice in enumerate(notices, 1):
        lines.append(f"{n}. {notice.title}")
        if notice.body:
            lines.append(f"   {notice.body}")
        if notice.url:
            lines.append(f"   {_absolute(notice.url)}")
    lines += ["", _("请登录巡回驻点监督平台查看并处理。本邮件由系统自动发送，每人每天一封。")]
    return subject, "\n".join(lines)


def digests_send(day: date | None = None) -> int:
    """Send each person with notices created on `day` (and an e-mail address, and no digest for that day yet) one
    e-mail listing them. Returns how many digests were sent. See the module docstring for what "once" means."""
    day = day or timezone.localdate()
    start, end = _day_bounds(day)
    notices = (Notification.objects.filter(created_at__gte=start, created_at__lt=end)
               .exclude(user__email="")
               .filter(~Exists(EmailDigest.objects.filter(user=OuterRef("user"), day=day)))
               .select_related("user").order_by("user_id", "created_at", "id"))
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notice in notices:
        by_user[notice.user_id].append(notice)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user_notices in by_user.values():
            user = user_notices[0].user
            subject, body = digest_text(user, user_notices, day)
            with transaction.atomic():
                digest, created = EmailDigest.objects.get_or_create(
                    user=user, day=day, defaults={"address": user.email, "subject": subject[:200], "body": body,
                                                  "count": len(user_notices)})
                if not created:  # another worker got there first
                    continue
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
                digest.sent_at = timezone.now()
                digest.save(update_fields=["sent_at"])
            sent += 1
    return sent


# --- the sweep ---------------------------------------------------------------------------------------------------

def reminder_sweep(today: date | None = None, batch: int = 100) -> dict[str, int]:
    """The periodic task's work: write what is due, deliver it, send today's digests (once every reminder of the
    day is delivered). Returns the counts {"due", "delivered", "digests"}."""
    today = today or timezone.localdate()
    counts = {"due": reminders_due(today), "delivered": reminders_deliver(batch=batch), "digests": 0}
    # Reminders still undelivered here are being delivered by another sweep right now (rows it holds locked):
    # that sweep sends the digests once they are all in, so no one gets a digest missing some of today's notices.
    if not Reminder.objects.filter(day=today, delivered_at__isnull=True).exists():
        counts["digests"] = digests_send(today)
    logger.info("reminder sweep %s: %s", today.isoformat(), counts)
    return counts
