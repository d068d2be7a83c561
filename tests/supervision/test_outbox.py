"""The transactional outbox (supervision/outbox.py): with Redis stopped a problem sheet is still confirmed through its
page, the notification waits in the database, and it is sent — exactly once — after Redis returns.

The first tests run anywhere (SQLite, eager or a dead broker port). The last one is the issue's test with the real
stack: PostgreSQL (the worker is another process and must see the committed rows: transaction=True) and Redis
(settings.REDIS_URL) with a real Celery worker; without them it skips on a developer machine and fails in CI
(REQUIRE_SERVICES=1)."""

import time
import uuid
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

from findings.models import Finding, FindingState
from supervision.models import Notification
from supervision.outbox import OutboxMessage, enqueue, outbox_relay, outbox_status
from supervision.services.notifications import finding_confirmed_key
from tests.conftest import require_service

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings"]
pytestmark = pytest.mark.usefixtures("zh_hans")

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: "Redis stopped" (connection refused at once)
TASK = "supervision.notify_finding_confirmed"


@contextmanager
def broker(url: str):
    """Send tasks through the broker at `url` (not eagerly); /healthz checks the same URL."""
    from supervision.celery import app

    saved = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, url
    try:
        with override_settings(CELERY_BROKER_URL=url, HEALTHZ_BROKER_TIMEOUT=1):
            yield app
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved


@pytest.fixture
def sheet(findings_world, findings_make):
    """A draft sheet of station "A"; its team member (who wrote it) has an e-mail address."""
    member = findings_world.users["member"]
    member.email = "member@example.cn"
    member.save(update_fields=["email"])
    return findings_make()


def confirm(client_for, sheet):
    return client_for("leader").post(f"/findings/{sheet.pk}/confirm/")


def notices(sheet):
    return list(Notification.objects.filter(key=finding_confirmed_key(sheet.pk)).values_list("user__username",
                                                                                              flat=True))


# --- anywhere ----------------------------------------------------------------------------------------------------

def test_eager_mode_runs_the_task_after_the_commit(sheet, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client_for, sheet)
    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert (message.task, message.args, message.dedup_key) == (TASK, [sheet.pk], f"finding:{sheet.pk}:confirmed")
    assert message.sent_at and message.done_at and message.attempts == 1
    # the station team is told (the leader confirmed it: not the leader)
    assert notices(sheet) == ["u_member"]
    assert [m.to for m in mail.outbox] == [["member@example.cn"]]
    assert sheet.number in mail.outbox[0].subject


def test_rolled_back_change_leaves_no_message(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(TASK, 1, dedup_key="gone")
        raise RuntimeError
    assert not OutboxMessage.objects.exists()


def test_dedup_key_queues_once(db, django_capture_on_commit_callbacks):
    with broker(DEAD_BROKER), django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = enqueue("supervision.outbox_relay", dedup_key="same")
        second = enqueue("supervision.outbox_relay", dedup_key="same")
    assert first.pk == second.pk and OutboxMessage.objects.count() == 1
    assert len(callbacks) == 1


def test_broker_down_the_page_succeeds_and_the_work_waits(sheet, client, client_for,
                                                          django_capture_on_commit_callbacks):
    with broker(DEAD_BROKER):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = confirm(client_for, sheet)
        assert time.monotonic() - started < 30  # a safety net against a retry loop, not a timing assertion
        assert response.status_code == 302
        sheet.refresh_from_db()
        assert sheet.state == FindingState.CONFIRMED
        message = OutboxMessage.objects.get()
        assert message.sent_at is None and message.attempts == 1 and message.last_error
        assert notices(sheet) == [] and mail.outbox == []
        # the relay finds the broker still down: nothing lost, nothing sent
        assert outbox_relay(min_age=0) == {"sent": 0, "failed": 1, "pending": 1}
        health = client.get("/healthz")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "degraded" and body["broker"]["ok"] is False
    assert body["outbox"]["pending"] == 1 and body["outbox"]["oldest_pending_seconds"] >= 0
    # Redis is back (eager here: in process); the relay sends it, a second relay finds nothing to send.
    assert outbox_relay(min_age=0) == {"sent": 1, "failed": 0, "pending": 0}
    assert outbox_relay(min_age=0) == {"sent": 0, "failed": 0, "pending": 0}
    assert notices(sheet) == ["u_member"] and len(mail.outbox) == 1
    assert client.get("/healthz").json()["outbox"]["pending"] == 0


def test_a_duplicate_delivery_is_a_no_op(sheet, client_for, django_capture_on_commit_callbacks):
    from supervision.tasks import notify_finding_confirmed_task

    with django_capture_on_commit_callbacks(execute=True):
        confirm(client_for, sheet)
    message = OutboxMessage.objects.get()
    Notification.objects.all().delete()  # were the task to run again, it would create the notice again
    result = notify_finding_confirmed_task.apply(args=[sheet.pk], task_id=message.task_id, throw=True)
    assert result.get() is None and notices(sheet) == []
    assert len(mail.outbox) == 1


def test_a_withdrawn_sheet_is_not_announced(sheet, findings_world):
    from findings.services.findings import finding_withdraw
    from supervision.services.notifications import notify_finding_confirmed

    finding_withdraw(actor=findings_world.users["leader"], finding=sheet, reason="重复")
    assert notify_finding_confirmed(finding_id=sheet.pk) == 0


def test_relay_command_once(db):
    OutboxMessage.objects.create(task="supervision.tallies_rebuild", dedup_key="t")
    call_command("outbox_relay", "--once", "--min-age", "0")
    assert OutboxMessage.objects.get().sent_at is not None
    assert outbox_status()["pending"] == 0


def test_pages_do_not_depend_on_redis_for_cache_or_sessions():
    """Redis is the broker only. A cache or session store on Redis would make every page fail with it; should one
    be added, it must swallow connection errors (django-redis IGNORE_EXCEPTIONS)."""
    for alias, cache in settings.CACHES.items():
        if "redis" in cache["BACKEND"].lower():
            assert cache.get("OPTIONS", {}).get("IGNORE_EXCEPTIONS") is True, alias
    assert settings.SESSION_ENGINE in ("django.contrib.sessions.backends.db",
                                       "django.contrib.sessions.backends.signed_cookies")
    # login throttling keeps its counts in the database, not in a (Redis) cache
    assert getattr(settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler").endswith("DatabaseHandler")


def test_compose_runs_a_relay_and_beat_schedules_one(db):
    from pathlib import Path

    import yaml
    from django_celery_beat.models import PeriodicTask

    compose = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text(encoding="utf-8"))
    assert compose["services"]["relay"]["command"][:3] == ["python", "manage.py", "outbox_relay"]
    task = PeriodicTask.objects.get(task="supervision.outbox_relay")
    assert task.enabled and task.crontab.minute == "*"


# --- the real stack: PostgreSQL, Redis and a Celery worker --------------------------------------------------------

@pytest.fixture
def services():
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "the worker process must see the test database (DATABASE_URL is not PostgreSQL)")
    if not settings.REDIS_URL:
        require_service("Redis", "REDIS_URL is empty")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        require_service("Redis", f"{settings.REDIS_URL} does not answer: {error}")


@pytest.fixture
def worker(services, tmp_path):
    from tests.rectification.test_reminders_worker import Workers

    pool = Workers(tmp_path)
    pool.queue = f"outbox-test-{uuid.uuid4().hex[:10]}"
    try:
        yield pool
    finally:
        pool.stop()


def succeeded(worker, message: OutboxMessage) -> int:
    return worker.all_logs().count(f"{TASK}[{message.task_id}] succeeded")


@pytest.mark.django_db(transaction=True)
def test_redis_stopped_sheet_saved_and_notified_after_redis_returns(services, sheet, client, client_for, worker):
    # Redis stopped: the leader confirms the sheet through its page.
    with broker(DEAD_BROKER):
        response = confirm(client_for, sheet)
        assert response.status_code == 302
        assert Finding.objects.get(pk=sheet.pk).state == FindingState.CONFIRMED
        message = OutboxMessage.objects.get()
        assert message.sent_at is None and message.attempts == 1
        assert notices(sheet) == []
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["outbox"]["pending"] == 1
    # Redis is back: a real worker, and the relay.
    with broker(settings.REDIS_URL):
        worker.start()
        call_command("outbox_relay", "--once", "--min-age", "0", "--queue", worker.queue)
        message.refresh_from_db()
        assert message.sent_at is not None
        worker.wait_for(lambda: succeeded(worker, message) == 1, "the notification task did not run", worker=0)
        assert notices(sheet) == ["u_member"]
        message.refresh_from_db()
        assert message.done_at is not None
        # The relay again: nothing pending, nothing sent.
        assert outbox_relay(min_age=0, queue=worker.queue) == {"sent": 0, "failed": 0, "pending": 0}
        # A duplicate delivery (the message published a second time): the worker runs it and changes nothing.
        OutboxMessage.objects.filter(pk=message.pk).update(sent_at=None)
        assert outbox_relay(min_age=0, queue=worker.queue)["sent"] == 1
        worker.wait_for(lambda: succeeded(worker, message) == 2, "the duplicate was not delivered", worker=0)
        assert "already done, duplicate delivery ignored" in worker.all_logs()
        assert notices(sheet) == ["u_member"]
        health = client.get("/healthz").json()
        assert health["status"] == "ok" and health["outbox"]["pending"] == 0

