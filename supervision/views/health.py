"""/healthz: database and broker status as JSON; 503 when either is down."""

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection


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
    ok = db_ok and broker_ok
    return JsonResponse(
        {
            "status": "ok" if ok else "error",
            "database": {"ok": db_ok, "detail": db_detail},
            "broker": {"ok": broker_ok, "detail": broker_detail},
        },
        status=200 if ok else 503,
    )
