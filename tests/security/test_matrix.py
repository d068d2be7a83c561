"""The permission matrix (issue 8): every route of the URL conf (found by walking the resolver, so a new route is
covered without anyone remembering it) × every role (the seven of supervision.roles, a logged-in user without a
role, an anonymous visitor) × the own and the other object → the status the rules say (tests/security/expectations.py).

test_every_route_has_one_expectation fails naming each route missing from the table, each stale entry, and each API
route answering a method (a viewset's action) the table does not exercise, or not answering one it does;
test_permission_matrix makes every request, each inside a transaction that is rolled back (so an allowed POST to a
"delete" route cannot take the object from the next role), and fails once, listing every mismatch."""

import copy
import logging
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse

from .actors import ANONYMOUS, ROLES
from .expectations import (
    ADMIN_LOGIN,
    FORMAT_SUFFIX,
    LOGIN,
    OK,
    REDIRECT,
    RULES,
    TABLE,
    checks_of,
)
from .routes import PARAM, all_routes

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings", "tests.findings.fixtures_results",
                  "tests.rectification.fixtures_rectification", "tests.security.fixtures_matrix"]

LOGIN_PATHS = {"/accounts/login/", "/admin/login/"}
DENIED = {401, 403, 404, 405}


def resolve_expectations(routes) -> tuple[dict, list[str]]:
    """route -> its entry (a Check, a tuple of them, or FORMAT_SUFFIX), and the problems: routes with none or with
    more than one, table entries that match no route, API routes whose methods the checks do not match."""
    found, problems, used_names = {}, [], set()
    for route in routes:
        matches = []
        if route.key in TABLE and not route.format_suffix:
            matches.append(("table", TABLE[route.key]))
            used_names.add(route.key)
        for rule in RULES:
            entry = rule(route)
            if entry is not None:
                matches.append((rule.__name__, entry))
        if not matches:
            problems.append(f"no expectation for route {route}")
        elif len(matches) > 1:
            problems.append(f"route {route} matches {len(matches)} expectations: {[m[0] for m in matches]}")
        else:
            found[route] = matches[0][1]
    for route, entry in found.items():
        if entry == FORMAT_SUFFIX:
            if route.name not in TABLE:
                problems.append(f"format-suffix route {route} has no route of its name in the table")
            continue
        answered, checked = route.api_methods, {check.method for check in checks_of(entry)}
        if answered is not None and answered != checked:
            problems.append(f"route {route} answers {sorted(answered)} but the table checks {sorted(checked)}")
    # (A rule may match nothing: the format-suffix twins go if the router stops making them.)
    problems += [f"stale expectation (no such route): {name}" for name in sorted(set(TABLE) - used_names)]
    return found, problems


def test_every_route_has_one_expectation():
    routes = all_routes()
    _found, problems = resolve_expectations(routes)
    assert not problems, f"{len(problems)} problem(s) in tests/security/expectations.py:\n" + "\n".join(problems)
    assert len(routes) > 250  # the walk found the pages, the API and the admin


def url_of(route, kwargs: dict) -> str:
    if route.name:
        return reverse(route.name, kwargs=kwargs)
    # An unnamed route (the admin's object redirect and catch-all): fill its parameters in.
    path = PARAM.sub(lambda m: str(kwargs[m[1] or m[2]]), route.pattern.replace("(?P<url>.*)", "<url>"))
    return "/" + path.replace("^", "").replace("$", "")


def reaches(url: str, route) -> bool:
    """Whether the URL resolves to this very route (a name can have several: the format-suffix twins). The
    resolver reports regex segments without their leading "^"."""
    return resolve(urlsplit(url).path).route.replace("^", "") == route.pattern.replace("^", "")


def _is_login(location: str | None) -> bool:
    return bool(location) and urlsplit(location).path in LOGIN_PATHS


def verdict(expected, check, route, status: int, location: str | None) -> bool:
    if expected == OK:
        if check.method == "GET":
            return status == check.ok and not (status == 302 and _is_login(location))
        return status < 500 and status not in DENIED and not (status == 302 and _is_login(location))
    if expected == LOGIN:
        if route.kind == "api":
            return status == 403
        return status == 302 and _is_login(location)
    if expected == ADMIN_LOGIN:
        return status == 302 and urlsplit(location or "").path == "/admin/login/"
    if expected == REDIRECT:
        return status == 302 and not _is_login(location)
    return status == expected


class Requester:
    """One client per role, logged in once; every request inside a transaction rolled back afterwards, with the
    client's cookies put back (a logout, a language switch), so each request meets the same world."""

    def __init__(self, world):
        self.clients = {}
        for role in ROLES:
            client = Client(raise_request_exception=False)
            if role != ANONYMOUS:
                client.force_login(world.users[role])
            self.clients[role] = client
        self.count = 0

    def __call__(self, role: str, method: str, url: str):
        client = self.clients[role]
        cookies = copy.deepcopy(client.cookies)
        with transaction.atomic():
            # An empty body: GET, POST as a browser's empty form, PATCH and DELETE without content.
            response = client.post(url) if method == "POST" else client.generic(method, url)
            if response.streaming:  # a download: read it through, which closes the file (as a server would)
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
        client.cookies = cookies
        self.count += 1
        error = getattr(response, "exc_info", None)
        return response.status_code, response.get("Location"), repr(error[1])[:200] if error else ""


def requests_of(world, route, entry):
    """(check, side, role, url) of every request a route's entry asks for."""
    extra = {}
    if entry == FORMAT_SUFFIX:
        entry, extra = TABLE[route.name], {"format": "json"}
    for check in checks_of(entry):
        for side in world.sides(check.obj):
            for role in ROLES:
                kwargs = {**(world.kwargs(check.obj, side, role) if check.obj else {}), **extra}
                yield check, side, role, url_of(route, kwargs)


@pytest.mark.usefixtures("zh_hans")
def test_permission_matrix(matrix_world, caplog, monkeypatch):
    # The audit record of each refusal (supervision.denied, tested in tests/supervision) is one chained INSERT per
    # 404: a third of the matrix's time. The answers are what the matrix checks.
    monkeypatch.setattr("supervision.denied.record_denied", lambda request, user, status: None)
    caplog.set_level(logging.ERROR, logger="django.request")  # thousands of expected 404s: only errors are news
    caplog.set_level(logging.WARNING, logger="axes")  # a line for every login and logout
    routes = all_routes()
    found, problems = resolve_expectations(routes)
    request = Requester(matrix_world)
    mismatches, started, timings = [], time.monotonic(), []
    for route in routes:
        entry = found.get(route)
        if entry is None or (entry == FORMAT_SUFFIX and route.name not in TABLE):
            continue  # in problems (and in test_every_route_has_one_expectation)
        route_started = time.monotonic()
        for check, side, role, url in requests_of(matrix_world, route, entry):
            if not reaches(url, route):
                problems.append(f"{url} does not reach route {route}")
                continue
            if check.query:
                url = f"{url}?{check.query}"
            expected = check.profile[role][0 if side == "own" else 1]
            status, location, error = request(role, check.method, url)
            if not verdict(expected, check, route, status, location):
                got = f"{status}" + (f" -> {location}" if location else "") + (f" {error}" if error else "")
                mismatches.append(f"{route.key:34} {check.method:6} {role:17} {side:5} "
                                  f"expected {expected!s:11} got {got}   ({url})")
        timings.append((time.monotonic() - route_started, route.key))
    seconds = time.monotonic() - started
    slowest = ", ".join(f"{key} {t:.1f}s" for t, key in sorted(timings, reverse=True)[:5])
    kinds = Counter(route.kind for route in routes)
    print(f"\npermission matrix: {len(routes)} routes ({kinds['page']} pages, {kinds['api']} API, {kinds['admin']} "
          f"admin), {len(ROLES)} roles, {len(matrix_world.objects)} object kinds (own and other), "
          f"{request.count} requests in {seconds:.1f} s (slowest: {slowest})")
    report = problems + mismatches
    assert not report, (f"{len(mismatches)} mismatch(es) and {len(problems)} problem(s) "
                        f"of {request.count} requests:\n" + "\n".join(report))
