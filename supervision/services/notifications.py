"""In-app notices (通知): one row per (user, key), so the same notice is never shown twice to the same person.

`notification_create` adds one notice, `notifications_create_many` a batch (the reminder sweep), both idempotent by
key. `notification_mark_read` / `notifications_mark_all_read` are the user's own reads (not audited: reading one's
own notice changes nothing anyone else relies on). `unread_count(user)` is one query, for the menu badge."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..models import Notification


def notifications_for(user) -> QuerySet[Notification]:
    """The user's own notices, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@transaction.atomic
def notification_create(*, user, key: str, title: str, body: str = "", url: str = "",
                        level: str = "") -> tuple[Notification, bool]:
    """The user's notice with this key: created now (True) or the one already there (False), unchanged."""
    return Notification.objects.get_or_create(
        user=user, key=key, defaults={"title": title[:200], "body": body, "url": url[:300], "level": level})


def notifications_create_many(notifications: Iterable[Notification]) -> int:
    """Insert notices, skipping any (user, key) that already exists (also one inserted concurrently by another
    worker). Returns how many were offered."""
    rows = list(notifications)
    for row in rows:
        row.title, row.url = row.title[:200], row.url[:300]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    """Mark the actor's own notice read (the first read time is kept)."""
    if notification.user_id != actor.pk:
        raise PermissionError("not the recipient of this notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, actor) -> int:
    """Mark every unread notice of the actor read; returns how many."""
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())


# --- notices sent through the outbox (supervision.tasks: the broker may be down when the change is made) ---------

def finding_confirmed_key(finding_id: int) -> str:
    return f"finding:{finding_id}:confirmed"


def finding_confirmed_recipients(finding) -> list:
    """The station team's active accounts and the sheet's finder, except whoever confirmed it."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return list(get_user_model().objects
                .filter(Q(person__stations__station_id=finding.station_id) | Q(person__pk=finding.found_by_id),
                        is_active=True)
                .exclude(pk=finding.confirmed_by_id).distinct().order_by("pk"))


def notify_finding_confirmed(*, finding_id: int) -> int:
    """In-app notice + e-mail to the station team that a problem sheet (问题底稿) was confirmed. Idempotent: the notice
    key is unique per user, and the e-mail goes only with a notice created now, in the transaction that creates it
    (a worker killed after the mail server accepted the mail and before the commit sends that one mail again:
    e-mail is at least once, the notice exactly once). Returns how many notices were created."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _

    from findings.models import Finding, FindingState

    finding = Finding.objects.select_related("station__target", "confirmed_by").filter(pk=finding_id).first()
    if finding is None or finding.state != FindingState.CONFIRMED:
        return 0  # withdrawn (or gone) before the notice went out: nothing to announce
    created = 0
    with translation.override(settings.LANGUAGE_CODE):
        by = finding.confirmed_by
        by = (by.get_full_name() or by.get_username()) if by else ""
        title = _("问题底稿已确认：%(number)s %(title)s") % {"number": finding.number, "title": finding.title}
        body = _("%(station)s的问题底稿%(number)s“%(title)s”已由%(by)s确认。") % {
            "station": finding.station.target.name, "number": finding.number, "title": finding.title,
            "by": by or _("组长")}
        url = reverse("finding_detail", args=[finding.pk])
        for user in finding_confirmed_recipients(finding):
            with transaction.atomic():
                notice, new = notification_create(user=user, key=finding_confirmed_key(finding.pk), title=title,
                                                  body=body, url=url, level="finding")
                if new and user.email:
                    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
                    send_mail(title, f"{body}\n\n{base}{url}", settings.DEFAULT_FROM_EMAIL, [user.email])
            created += new
    return created
