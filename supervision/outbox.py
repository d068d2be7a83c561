"""The transactional outbox (发件箱): work for Celery is written to the database with the business change and
published to the broker after the commit, so a Redis outage never loses it and never breaks a page.

- `enqueue(task_name, *args, dedup_key=None, **kwargs)` writes one OutboxMessage in the caller's transaction and
  registers `publish(pk)` with `transaction.on_commit`. A rolled-back change leaves no message; a committed change
  always leaves one. `dedup_key` (unique) makes a second enqueue of the same work a no-op.
- `publish(pk)` sends the message with a short broker timeout (settings.OUTBOX_PUBLISH_TIMEOUT, default 1.5 s)
  and no kombu retry loop: when Redis is down the page still answers at once and the message stays pending
  (attempts and last_error are kept). In eager mode (no REDIS_URL: development, the test settings) the task runs
  in this process, after the commit, as `.delay()` did before.
- `outbox_relay()` publishes pending messages oldest first (SELECT … FOR UPDATE SKIP LOCKED, so two relays never
  take the same rows). It runs from `manage.py outbox_relay` (a loop; `--once` for cron and tests; the relay
  service of docker-compose.yml) and from the periodic task "supervision.outbox_relay" (every minute, beat).
- Delivery is at least once: a message can be published twice (the relay and the on-commit publish racing, a
  relay dying between the broker's accept and its own commit, a worker killed before its ack: acks_late). The
  effect is exactly once: the Celery task id is ``outbox-<pk>`` and a task wrapped in `@once` records completion in
  `done_at`; a delivery finding `done_at` set does nothing. `@once(atomic=True)` runs the task's work inside the
  same transaction that locks the message row and sets `done_at`, so a duplicate running concurrently waits and
  then skips, and a worker killed mid-task rolls everything back. Long tasks (the letters run) use
  `@once()` (not atomic) and are themselves safe to run twice.
- A message published but never completed (the broker lost it: Redis restarted without its append-only file) is
  not re-sent automatically (a long task may still be running); /healthz shows it as "unfinished" and
  `manage.py outbox_relay --resend-unfinished MINUTES` re-sends it by hand (harmless: the tasks are idempotent)."""

import functools
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

TASK_ID_PREFIX = "outbox-"


class OutboxMessage(models.Model):
    """One Celery task to send, written in the transaction of the change that needs it."""

    task = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("位置参数"), default=list, blank=True)
    kwargs = models.JSONField(_("关键字参数"), default=dict, blank=True)
    dedup_key = models.CharField(_("去重键"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("发送次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        app_label = "supervision"
        verbose_name = _("发件箱消息")
        verbose_name_plural = _("发件箱消息")
        ordering = ["id"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outbox_pending")]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"

    @property
    def task_id(self) -> str:
        return f"{TASK_ID_PREFIX}{self.pk}"


# --- writing ------------------------------------------------------------------------------------------------------

def enqueue(task_name: str, *args, dedup_key: str | None = None, **kwargs) -> OutboxMessage:
    """Queue `task_name(*args, **kwargs)` in the current transaction; it is published after the commit. Arguments
    must be JSON (ids, not objects). With a dedup_key already queued, the existing message is returned."""
    message, created = OutboxMessage.objects.get_or_create(
        dedup_key=(dedup_key or uuid.uuid4().hex)[:200],
        defaults={"task": task_name, "args": list(args), "kwargs": kwargs})
    if created:
        pk = message.pk
        transaction.on_commit(lambda: publish(pk))
    return message


# --- publishing ---------------------------------------------------------------------------------------------------

def _celery():
    from .celery import app

    return app


def publish_timeout() -> float:
    return float(getattr(settings, "OUTBOX_PUBLISH_TIMEOUT", 1.5))


def _connection(app):
    timeout = publish_timeout()
    return app.connection_for_write(connect_timeout=timeout, transport_options={
        "socket_connect_timeout": timeout, "socket_timeout": timeout})


def _record_failure(pk: int, error: Exception) -> None:
    OutboxMessage.objects.filter(pk=pk).update(attempts=F("attempts") + 1,
                                               last_error=f"{type(error).__name__}: {error}"[:2000])


def _send(app, message: OutboxMessage, connection, queue: str | None) -> None:
    options = {"queue": queue} if queue else {}
    app.send_task(message.task, args=message.args, kwargs=message.kwargs, task_id=message.task_id,
                  connection=connection, retry=False, **options)


def _task(app, name: str):
    """The registered task; in a web process the tasks modules are imported the first time (Celery's
    autodiscovery is lazy: only a worker imports them at start)."""
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def _run_eagerly(app, message: OutboxMessage) -> None:
    try:
        _task(app, message.task).apply(args=message.args, kwargs=message.kwargs, task_id=message.task_id,
                                      throw=True)
    except Exception as error:
        _record_failure(message.pk, error)
        raise
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), attempts=F("attempts") + 1)


def publish(pk: int, *, queue: str | None = None) -> bool:
    """Send one message now (after the commit that wrote it). True when the broker took it (or, eagerly, the task
    ran); False when the broker is unreachable: the message stays pending for the relay. Never raises for a broker
    failure, so the page that committed the change still succeeds."""
    message = OutboxMessage.objects.filter(pk=pk, sent_at__isnull=True).first()
    if message is None:
        return True  # already sent (by the relay)
    app = _celery()
    if app.conf.task_always_eager:
        _run_eagerly(app, message)
        return True
    try:
        with _connection(app) as connection:
            _send(app, message, connection, queue)
    except Exception as error:  # broker down, refused, timed out: keep it for the relay
        logger.warning("outbox: %s kept pending, broker unreachable: %s", message, error)
        _record_failure(pk, error)
        return False
    OutboxMessage.objects.filter(pk=pk).update(sent_at=timezone.now(), attempts=F("attempts") + 1)
    return True


def pending() -> models.QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(sent_at__isnull=True)


def outbox_relay(*, limit: int = 200, min_age: float = 5.0, queue: str | None = None) -> dict[str, int]:
    """Publish pending messages created at least `min_age` seconds ago (younger ones are being published by their
    own on-commit hook right now), oldest first, in batches of `limit`, until none is left or the broker fails.
    Returns {"sent", "failed", "pending"}."""
    app = _celery()
    sent = failed = 0
    cutoff = timezone.now() - timedelta(seconds=min_age)
    while not failed:
        with transaction.atomic():
            batch = list(pending().filter(created_at__lte=cutoff)
                         .select_for_update(skip_locked=True).order_by("pk")[:limit])
            for message in batch:
                if app.conf.task_always_eager:
                    _run_eagerly(app, message)
                    sent += 1
            if batch and not app.conf.task_always_eager:
                sent_now, failed = _send_batch(app, batch, queue)
                sent += sent_now
        if len(batch) < limit:
            break
    left = pending().count()
    if sent or failed:
        logger.info("outbox relay: %d sent, %d pending", sent, left)
    return {"sent": sent, "failed": failed, "pending": left}


def _send_batch(app, batch: list[OutboxMessage], queue: str | None) -> tuple[int, int]:
    """Publish the batch over one connection; stop at the first broker failure (recorded on that message)."""
    sent = 0
    try:
        with _connection(app) as connection:
            for message in batch:
                _send(app, message, connection, queue)
                OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(),
                                                                   attempts=F("attempts") + 1)
                sent += 1
    except Exception as error:  # the broker is (still) down: the rest stays pending
        logger.warning("outbox relay: broker unreachable after %d sent: %s", sent, error)
        _record_failure(batch[sent].pk, error)
        return sent, 1
    return sent, 0


def outbox_resend_unfinished(*, older_than_minutes: int) -> int:
    """Mark messages published more than N minutes ago and never completed as pending again (the broker lost
    them); the relay re-sends them. Returns how many. Only for tasks wrapped in `@once` (they record completion)."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    return OutboxMessage.objects.filter(sent_at__lt=cutoff, done_at__isnull=True).update(sent_at=None)


def outbox_status() -> dict:
    """What /healthz reports: pending count, age in seconds of the oldest pending message, unfinished count."""
    now = timezone.now()
    oldest = pending().order_by("created_at").values_list("created_at", flat=True).first()
    stale = now - timedelta(minutes=int(getattr(settings, "OUTBOX_UNFINISHED_MINUTES", 60)))
    return {
        "pending": pending().count(),
        "oldest_pending_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0,
        "unfinished": OutboxMessage.objects.filter(sent_at__lt=stale, done_at__isnull=True).count(),
    }


# --- the receiving side: exactly-once effect ---------------------------------------------------------------------

def outbox_id(task_id: str | None) -> int | None:
    """The outbox message behind a Celery task id (None for a task not sent through the outbox, e.g. by beat)."""
    if task_id and task_id.startswith(TASK_ID_PREFIX):
        try:
            return int(task_id[len(TASK_ID_PREFIX):])
        except ValueError:
            return None
    return None


def once(atomic: bool = False):
    """Decorator for a bound Celery task (`@shared_task(bind=True, acks_late=True, ...)` above it): a delivery of
    an outbox message already completed is a no-op (returns None); completion is recorded in `done_at`.
    atomic=True: the work, the row lock and `done_at` are one transaction (exactly-once effect even when two
    deliveries run concurrently or the worker dies midway). Tasks not sent through the outbox just run."""

    def decorate(fn):
        @functools.wraps(fn)
        def run(task, *args, **kwargs):
            pk = outbox_id(getattr(task.request, "id", None))
            if pk is None:
                return fn(task, *args, **kwargs)
            if atomic:
                with transaction.atomic():
                    message = OutboxMessage.objects.select_for_update().filter(pk=pk).first()
                    if message is None or message.done_at is not None:
                        logger.info("outbox: %s #%s already done, duplicate delivery ignored", task.name, pk)
                        return None
                    result = fn(task, *args, **kwargs)
                    OutboxMessage.objects.filter(pk=pk).update(done_at=timezone.now())
                    return result
            if OutboxMessage.objects.filter(pk=pk, done_at__isnull=False).exists():
                logger.info("outbox: %s #%s already done, duplicate delivery ignored", task.name, pk)
                return None
            result = fn(task, *args, **kwargs)
            OutboxMessage.objects.filter(pk=pk, done_at__isnull=True).update(done_at=timezone.now())
            return result

        return run

    return decorate
