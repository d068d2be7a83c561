"""Load bench (issue 8): 50 concurrent users against gunicorn, as production runs it.

Run from the repository root:  .venv/bin/python bench/load.py [--findings 100000] [--users 50] [--duration 60]
                                                              [--workers N] [--keep]

It creates the database `supervision_loadbench` on 127.0.0.1:5432 (user postgres; dropped and recreated at the
start), migrates it, loads the demo data plus `synthetic_data --findings N`, creates the users' accounts (commission
staff, every tenth a commission leader), collects the static files into a temporary directory and starts gunicorn
(sync workers, default 2 × cores + 1, like the Dockerfile) on a free port with the production settings. Each user
logs in through the login form (its own session cookie). Each endpoint is first timed for one user alone (median
of 5 sequential requests); then every user requests the endpoints below in turn, with no think
time, for --duration seconds (after a short warm-up that is not counted). Per endpoint it prints the requests,
failures (any answer other than 200, or an error), throughput and the 50th/95th/99th percentile of the response
time, in lines of the form `name: value unit`. gunicorn is stopped at the end and the database dropped unless
--keep is given.

The client is plain Python (threads and http.client): no extra dependency, and it costs little CPU next to the
server. The load generator shares the machine with the server, so the numbers are a floor, not a capacity plan.
The overview caches its figures 60 s per user and filter in each worker's local memory (as in production without a
shared cache): most overview requests after a user's first one per worker are served from that cache.
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "supervision_loadbench"
SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/13"
PASSWORD = "Load-bench@2026"
ENDPOINTS = [("overview", "/dashboard/"), ("problems", "/problems/"), ("items", "/rectification/items/"),
             ("api_findings", "/api/findings/")]
IDLE_RUNS = 5  # sequential requests per endpoint by one user before the load (after one warm-up request)
WARMUP = 5  # seconds of load before the measured window
TIMEOUT = 120  # seconds per request, like gunicorn's worker timeout


def _admin(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{SERVER}/postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(sql)
    finally:
        conn.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=100_000, help="synthetic problem sheets to load")
    parser.add_argument("--users", type=int, default=50, help="concurrent users")
    parser.add_argument("--duration", type=int, default=60, help="measured seconds of load")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    var = Path(tempfile.mkdtemp(prefix="supervision-loadbench-"))
    _admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    _admin(f"CREATE DATABASE {DB}")
    # The loading process: embedded tasks (no broker), DEBUG off; the files go to the same directory gunicorn uses.
    os.environ.update({"DJANGO_SETTINGS_MODULE": "supervision.settings.dev", "DATABASE_URL": f"{SERVER}/{DB}",
                       "REDIS_URL": "", "DEBUG": "0", "VAR_DIR": str(var), "MEDIA_ROOT": str(var / "media"),
                       "STATIC_ROOT": str(var / "static")})
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connections

    from supervision.celery import app as celery_app

    celery_app.loader.import_default_modules()  # the tasks the embedded (eager) mode runs while loading the demo

    server = None
    try:
        prepare(args)
        connections.close_all()
        server, port, log = start_gunicorn(args, var)
        try:
            return run(args, port, log)
        except SystemExit:
            print(f"gunicorn_log_tail:\n{log.read_text(errors='replace')[-4000:]}")
            raise
    finally:
        if server is not None:
            stop_gunicorn(server)
        connections.close_all()
        if not args.keep:
            _admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            shutil.rmtree(var, ignore_errors=True)
            print(f"database: dropped {DB}")
        else:
            print(f"database: kept {SERVER}/{DB} (files and gunicorn log in {var})")


def prepare(args) -> None:
    from django.core.management import call_command
    from django.db import connection

    from findings.models import Finding
    from rectification.models import RectificationItem
    from supervision.roles import Role
    from supervision.services.accounts import account_create

    quiet = open(os.devnull, "w")
    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", stdout=quiet)
    call_command("synthetic_data", findings=args.findings, seed=7, append=True, yes_i_know=True, chunk=2000,
                 stdout=quiet)
    for n in range(args.users):
        role = Role.COMMISSION_LEADER if n % 10 == 9 else Role.COMMISSION_STAFF
        account_create(actor=None, username=f"load{n:03d}", password=PASSWORD, roles=[role])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"load_data: {time.monotonic() - started:.1f} s")
    print(f"rows: {Finding.objects.count()} findings, {RectificationItem.objects.count()} items, "
          f"{args.users} accounts")


def _server_env(var: Path) -> dict:
    env = dict(os.environ)
    env.update({"DJANGO_SETTINGS_MODULE": "supervision.settings.production", "SECRET_KEY": secrets.token_urlsafe(50),
                "DATABASE_URL": f"{SERVER}/{DB}", "REDIS_URL": REDIS, "ALLOWED_HOSTS": "127.0.0.1",
                "TRUST_X_FORWARDED_FOR": "0", "LOG_LEVEL": "WARNING"})
    env.pop("DEBUG", None)
    return env


def start_gunicorn(args, var: Path):
    env = _server_env(var)
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, check=True)
    print(f"collectstatic: {time.monotonic() - started:.1f} s")
    port = _free_port()
    log = var / "gunicorn.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "supervision.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--timeout", str(TIMEOUT), "--backlog", "2048"]
    server = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            status, _headers, _body = request(port, "GET", "/healthz", {})
        except OSError:
            time.sleep(0.3)
            continue
        print(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}, /healthz answers {status}")
        return server, port, log
    stop_gunicorn(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_gunicorn(server) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # graceful: the arbiter stops its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    print("gunicorn: stopped")


def request(port: int, method: str, path: str, cookies: dict, body: str | None = None):
    """One request on a new connection (gunicorn's sync workers close it after each answer), as if through the
    TLS-terminating proxy (X-Forwarded-Proto). Returns (status, Set-Cookie values, body)."""
    headers = {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https", "Accept-Encoding": "identity"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = f"https://127.0.0.1:{port}"
        headers["Referer"] = f"https://127.0.0.1:{port}{path}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body.encode() if body is not None else None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, response.headers.get_all("Set-Cookie") or [], data
    finally:
        conn.close()


def _keep(cookies: dict, set_cookies: list[str]) -> None:
    for raw in set_cookies:
        jar = SimpleCookie()
        jar.load(raw)
        for name, morsel in jar.items():
            cookies[name] = morsel.value


def login(port: int, username: str) -> dict:
    from urllib.parse import urlencode

    cookies: dict = {}
    status, set_cookies, body = request(port, "GET", "/accounts/login/", cookies)
    _keep(cookies, set_cookies)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not match:
        raise SystemExit(f"login page of {username}: {status}, no CSRF token")
    form = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": PASSWORD})
    status, set_cookies, _body = request(port, "POST", "/accounts/login/", cookies, body=form)
    _keep(cookies, set_cookies)
    if status != 302:
        raise SystemExit(f"login of {username} answered {status} (expected a redirect)")
    return cookies


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return float("nan")
    rank = max(1, int(-(-share * len(values) // 1)))  # ceil
    return values[min(rank, len(values)) - 1]


def run(args, port: int, log: Path) -> int:
    started = time.monotonic()
    sessions = [login(port, f"load{n:03d}") for n in range(args.users)]
    print(f"login: {args.users} users in {time.monotonic() - started:.1f} s")
    for name, path in ENDPOINTS:  # every endpoint answers before the load starts; its time for one user alone
        times = []
        for _run in range(IDLE_RUNS + 1):
            began = time.perf_counter()
            status, _c, _b = request(port, "GET", path, sessions[0])
            times.append((time.perf_counter() - began) * 1000)
            if status != 200:
                raise SystemExit(f"{name}: {path} answers {status} before the load")
        print(f"{name}_single_user: {statistics.median(times[1:]):.0f} ms (median of {IDLE_RUNS}, no other load)")

    samples: dict[str, list[float]] = {name: [] for name, _path in ENDPOINTS}
    failures: dict[str, dict[str, int]] = {name: {} for name, _path in ENDPOINTS}
    lock = threading.Lock()
    barrier = threading.Barrier(args.users + 1)
    window: dict[str, float] = {}

    def user(n: int) -> None:
        cookies = sessions[n]
        step = n  # users start on different endpoints
        barrier.wait()
        while True:
            now = time.monotonic()
            if now >= window["end"]:
                return
            name, path = ENDPOINTS[step % len(ENDPOINTS)]
            step += 1
            began = time.perf_counter()
            try:
                status, _c, _b = request(port, "GET", path, cookies)
                outcome = None if status == 200 else f"HTTP {status}"
            except OSError as error:
                outcome = type(error).__name__
            elapsed = (time.perf_counter() - began) * 1000
            if began < window["start_perf"]:
                continue  # warm-up
            with lock:
                if outcome is None:
                    samples[name].append(elapsed)
                else:
                    failures[name][outcome] = failures[name].get(outcome, 0) + 1

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(args.users)]
    for thread in threads:
        thread.start()
    window["start_perf"] = time.perf_counter() + WARMUP
    window["end"] = time.monotonic() + WARMUP + args.duration
    barrier.wait()
    for thread in threads:
        thread.join()
    measured = args.duration  # requests that began in the window and finished by its end (± the last one's time)

    print(f"load: {args.users} users, {args.workers} gunicorn workers, {measured} s measured after {WARMUP} s warm-up")
    total_ok = total_failed = 0
    for name, path in ENDPOINTS:
        values = sorted(samples[name])
        failed = sum(failures[name].values())
        total_ok += len(values)
        total_failed += failed
        print(f"{name}_path: {path}")
        print(f"{name}_requests: {len(values) + failed} requests")
        print(f"{name}_failures: {failed} requests" + (f" ({failures[name]})" if failed else ""))
        print(f"{name}_throughput: {(len(values) + failed) / measured:.1f} req/s")
        for share in (0.50, 0.95, 0.99):
            print(f"{name}_p{int(share * 100)}: {percentile(values, share):.0f} ms")
    print(f"total_requests: {total_ok + total_failed} requests")
    print(f"total_failures: {total_failed} requests")
    print(f"total_throughput: {(total_ok + total_failed) / measured:.1f} req/s")
    if total_failed:
        print(f"gunicorn_log_tail:\n{log.read_text(errors='replace')[-3000:]}")
    return 0 if total_failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
