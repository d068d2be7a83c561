import shutil
import socket
import subprocess
import time

import pytest
from django.test import override_settings

from tests.conftest import require_service


def test_healthz_ok_with_configured_services(db, client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    if settings.REDIS_URL:
        assert body["broker"]["detail"] == "redis"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of this test's own, so stopping it does not disturb anything else on the machine."""
    binary = shutil.which("redis-server")
    if not binary:
        require_service("redis-server", "the redis-server binary is not installed")
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield proc, f"redis://127.0.0.1:{port}/0"
    if proc.poll() is None:
        proc.terminate()
        proc.wait(5)


def test_healthz_answers_degraded_when_redis_stops(db, client, private_redis):
    # Pages keep working without Redis (the outbox holds the work): 200 "degraded", not 503 (see the view).
    proc, url = private_redis
    with override_settings(CELERY_BROKER_URL=url, HEALTHZ_BROKER_TIMEOUT=1):
        up = client.get("/healthz")
        assert up.status_code == 200, up.content
        proc.terminate()
        proc.wait(5)
        down = client.get("/healthz")
    assert down.status_code == 200
    body = down.json()
    assert body["status"] == "degraded"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


def test_healthz_answers_503_when_database_is_down(db, client, monkeypatch):
    from supervision.views import health

    monkeypatch.setattr(health, "check_database", lambda: (False, "OperationalError: down"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "detail": "OperationalError: down"}
