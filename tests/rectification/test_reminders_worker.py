"""The reminder sweep with a REAL Redis broker and REAL Celery worker processes: the sweep sent twice to one worker,
two workers running it at the same time, and a worker killed (SIGKILL) in the middle of delivery — each time every
due reminder ends up as exactly one in-app notice per recipient, none twice.

Needs PostgreSQL (the worker is another process and must see this test's database, so the test commits:
transaction=True) and Redis (settings.REDIS_URL). Without them the tests skip on a developer machine and fail in CI
(REQUIRE_SERVICES=1). Each worker listens on a queue of its own test, so runs in parallel do not interfere.
Completion is read from the worker's log ("Task …[id] succeeded"), never timed."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from rectification.deadlines import GREEN, RED, YELLOW, deadline_level
from rectification.models import Reminder
from rectification.services.reminders import item_key
from supervision.models import EmailDigest, Notification
from supervision.services.accounts import account_create
from tests.conftest import require_service
from tests.factories import PersonFactory

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings",
                  "tests.findings.fixtures_results", "tests.rectification.fixtures_rectification"]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("zh_hans")]

User = get_user_model()
ROOT = Path(__file__).resolve().parents[2]
WAIT = 25  # seconds: the most any single wait may take before the test fails
TASK = "rectification.reminder_sweep"


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
def due_world(services, rect_world, rect_make_item):
    """rect_world plus 12 more items spread over red / yellow / green / not due, a leader in charge and a principal
    with accounts: about 12 due reminders going to 1–3 people each."""
    w = rect_world
    unit = w.villages["水南湾村"]
    for role, name in (("leader_in_charge", "程分管"), ("principal", "程书记")):
        person = PersonFactory(name=name, home_unit=unit)
        user = account_create(actor=None, username=f"u_{role}", password="Pw-for-tests-1", roles=[], person=person)
        user.email = f"{role}@example.cn"
        user.save(update_fields=["email"])
        setattr(unit, role, person)
    unit.save(update_fields=["leader_in_charge", "principal"])
    today = timezone.localdate()
    for days in (-9, -3, -1, 0, 2, 6, 10, 11, 15, 20, 21, 40):
        rect_make_item(w.letter, today + timedelta(days=days), title=f"问题（{days}天）")
    w.today = today
    w.due = {}
    from rectification.models import RectificationItem

    for item in RectificationItem.objects.all():
        level = deadline_level(item.deadline, today)
        if level in (GREEN, YELLOW, RED):
            w.due[item_key(item.pk, level, today)] = level
    assert len(w.due) >= 10
    return w


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


class Workers:
    """Celery worker subprocesses on one queue, each logging to its own file; all killed in `stop`."""

    def __init__(self, tmp_path: Path):
        self.queue = f"reminders-test-{uuid.uuid4().hex[:10]}"
        self.tmp = tmp_path
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(self, delay: float = 0.0) -> int:
        i = len(self.procs)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "supervision.settings.test", "DATABASE_URL": _database_url(),
               "REDIS_URL": settings.REDIS_URL, "CELERY_TASK_ALWAYS_EAGER": "0", "REQUIRE_SERVICES": "0",
               "REMINDER_DELIVER_DELAY": str(delay), "PYTHONUNBUFFERED": "1"}
        log = self.tmp / f"worker{i}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "supervision", "worker", "--pool=solo", "--concurrency=1",
                 "-Q", self.queue, "--without-heartbeat", "--without-mingle", "--without-gossip",
                 "--loglevel=INFO", "-n", f"w{i}.{self.queue}@%h"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        self.logs.append(log)
        self.wait_for(lambda: " ready." in self.log(i), f"worker {i} did not start", worker=i)
        return i

    def log(self, i: int) -> str:
        return self.logs[i].read_text(errors="replace")

    def all_logs(self) -> str:
        return "\n".join(self.log(i) for i in range(len(self.logs)))

    def wait_for(self, condition, what: str, worker: int | None = None):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if condition():
                return
            if worker is not None and self.procs[worker].poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"{what} within {WAIT} s.\n--- worker logs ---\n{self.all_logs()[-6000:]}")

    def send(self) -> str:
        from rectification.tasks.reminders import reminder_sweep_task

        return reminder_sweep_task.apply_async(queue=self.queue).id

    def wait_done(self, *task_ids: str):
        for task_id in task_ids:
            done = f"{TASK}[{task_id}] succeeded"
            self.wait_for(lambda done=done: done in self.all_logs(), f"task {task_id} did not finish")

    def kill(self, i: int):
        self.procs[i].send_signal(signal.SIGKILL)
        self.procs[i].wait(timeout=WAIT)

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        self.clean_broker()

    def clean_broker(self):
        """Remove this test's queue from Redis, with the message a killed worker left unacknowledged."""
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        client.delete(self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}")
        for tag, raw in client.hscan_iter("unacked"):
            if self.queue in json.loads(raw)[1:]:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


@pytest.fixture
def workers(services, tmp_path):
    from supervision.celery import app

    # The test settings run tasks eagerly (in this process); these tests send them through the broker.
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    pool = Workers(tmp_path)
    try:
        yield pool
    finally:
        pool.stop()
        app.conf.task_always_eager = eager


def sweep_counts(log: str) -> list[dict[str, int]]:
    return [{"due": int(due), "delivered": int(delivered)}
            for due, delivered in re.findall(r"reminder sweep \S+: \{'due': (\d+), 'delivered': (\d+)", log)]


def reminder_notices():
    """The notices the sweep sends (the fixtures' confirmed sheets also notify their teams, through the outbox)."""
    return Notification.objects.exclude(key__startswith="finding:")


def assert_exactly_once(world):
    """Every due reminder is written once, delivered, and is one notice for each of its recipients — no more."""
    reminders = {r.key: r for r in Reminder.objects.all()}
    assert {key: r.level for key, r in reminders.items()} == world.due
    assert all(r.delivered_at is not None for r in reminders.values())
    notices = list(reminder_notices().values_list("user_id", "key"))
    assert len(notices) == len(set(notices))
    assert sorted(notices) == sorted((user_id, key) for key, r in reminders.items() for user_id in r.recipients)
    assert all(r.recipients for r in reminders.values())
    # the e-mail digest: one per person with an address, per day
    recipients = {user_id for r in reminders.values() for user_id in r.recipients}
    with_email = set(User.objects.filter(pk__in=recipients).exclude(email="").values_list("pk", flat=True))
    assert with_email
    assert sorted(EmailDigest.objects.values_list("user_id", "day")) == sorted(
        (user_id, world.today) for user_id in with_email)
    assert not EmailDigest.objects.filter(sent_at__isnull=True).exists()


def test_sweep_sent_twice_to_one_worker(due_world, workers):
    workers.start()
    first, second = workers.send(), workers.send()
    workers.wait_done(first, second)
    assert_exactly_once(due_world)
    counts = sweep_counts(workers.log(0))
    assert counts == [{"due": len(due_world.due), "delivered": len(due_world.due)}, {"due": 0, "delivered": 0}]


def test_two_workers_at_once(due_world, workers):
    # A little delay per reminder keeps the first claim open while the other worker sweeps.
    workers.start(delay=0.2)
    workers.start(delay=0.2)
    first, second = workers.send(), workers.send()
    workers.wait_done(first, second)
    assert_exactly_once(due_world)
    per_worker = [sweep_counts(workers.log(i)) for i in (0, 1)]
    assert [len(counts) for counts in per_worker] == [1, 1], "each worker ran one of the two sweeps"
    # Deliveries are claimed exclusively (the other worker skips locked rows): together exactly all of them.
    assert sum(c[0]["delivered"] for c in per_worker) == len(due_world.due)
    assert all(c[0]["due"] <= len(due_world.due) for c in per_worker)


def test_worker_killed_mid_sweep(due_world, workers):
    slow = workers.start(delay=2)  # 2 s per reminder: the claim stays open long enough to kill it inside
    workers.send()
    workers.wait_for(lambda: "reminders claimed" in workers.log(slow), "the worker never claimed a batch",
                     worker=slow)
    workers.kill(slow)
    # Killed inside the delivery transaction: the reminders are written (committed before delivery), nothing of
    # the batch was delivered.
    assert Reminder.objects.count() == len(due_world.due)
    assert not Reminder.objects.filter(delivered_at__isnull=False).exists()
    assert not reminder_notices().exists()
    workers.start()
    workers.wait_done(workers.send())
    assert_exactly_once(due_world)
