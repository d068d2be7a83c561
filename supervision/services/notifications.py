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
