"""/healthz: database, broker and outbox status as JSON.

- database down -> 503 "error": no page can work, a load balancer should take this process out of rotation.
- broker (Redis) down, database up -> 200 "degraded": every page still works (work for Celery waits in the outbox,
  supervision/outbox.py, and is sent when Redis returns), so a load balancer must keep serving; taking every web
  process out because the shared Redis is down would turn a degraded service into an outage. Monitoring alerts on
  "degraded" and on the outbox backlog instead.
- "outbox": pending messages, the age in seconds of the oldest one, and "unfinished" (published long ago and never
  completed: see supervision.outbox)."""

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from ..outbox import outbox_status


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as exc:  # any failure means "down"; the message goes to the operator
        return False, f"{type(exc).__name__}: {exc}"[:200]


def check_broker() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL or ""
    if url.startswith("memory://"):
        return True, "in-process"
    timeout = settings.HEALTHZ_BROKER_TIMEOUT
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
            try:
                client.ping()
            finally:
                client.close()
            return True, "redis"
        with Connection(url, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1)
        return True, url.split(":", 1)[0]
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"[:200]


@login_not_required
@never_cache
@require_GET
def healthz(request):
    db_ok, db_detail = check_database()
    broker_ok, broker_detail = check_broker()
    outbox = None
    if db_ok:
        try:
            outbox = outbox_status()
        except Exception as exc:  # the table is missing (migrations not run) or the query failed
            outbox = {"error": f"{type(exc).__name__}: {exc}"[:200]}
    status = "ok" if db_ok and broker_ok else "degraded" if db_ok else "error"
    return JsonResponse(
        {
            "status": status,
            "database": {"ok": db_ok, "detail": db_detail},
            "broker": {"ok": broker_ok, "detail": broker_detail},
            "outbox": outbox,
        },
        status=503 if status == "error" else 200,
    )
