"""Shared fixtures: one user per role plus an outsider with no role, and a small organisation."""

import pytest
from django.conf import settings

from supervision.roles import Role
from supervision.services.accounts import account_create
from tests.factories import PersonFactory, TownshipFactory, VillageFactory

PASSWORD = "Pw-for-tests-1"


def require_service(name: str, reason: str):
    """A test that needs a service: skipped on a developer machine without it, failed in CI."""
    if getattr(settings, "REQUIRE_SERVICES", False):
        pytest.fail(f"{name} is required (REQUIRE_SERVICES=1) but {reason}")
    pytest.skip(f"{name} unavailable: {reason}")


def pytest_collection_modifyitems(items):
    """Mark the tests on a transactional database (see scripts/run-tests.sh: they run in a pass of their own)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if ({"transactional_db", "live_server"} & set(item.fixturenames)
                or (marker is not None and marker.kwargs.get("transaction"))):
            item.add_marker(pytest.mark.transactional)


@pytest.fixture
def org(db):
    town = TownshipFactory(name="金牛镇")
    village = VillageFactory(name="袁铺村", parent=town)
    other_village = VillageFactory(name="新华村", parent=town)
    return {"town": town, "village": village, "other_village": other_village}


@pytest.fixture
def users(db, org):
    """role -> user. 'liaison' is tied to org['village']; 'outsider' has no role at all."""

    def make(username, roles, **kw):
        person = PersonFactory(name=f"{username}姓名", home_unit=kw.get("liaison_unit") or org["town"])
        return account_create(actor=None, username=username, password=PASSWORD, roles=roles, person=person, **kw)

    return {
        "admin": make("u_admin", [Role.ADMIN]),
        "commission": make("u_commission", [Role.COMMISSION_STAFF]),
        "leader": make("u_leader", [Role.TEAM_LEADER]),
        "member": make("u_member", [Role.TEAM_MEMBER]),
        "liaison": make("u_liaison", [Role.UNIT_LIAISON], liaison_unit=org["village"]),
        "case_office": make("u_case", [Role.CASE_OFFICE]),
        "commission_leader": make("u_cleader", [Role.COMMISSION_LEADER]),
        "outsider": make("u_outsider", []),
    }


@pytest.fixture
def client_for(client, users):
    def login(role):
        client.force_login(users[role])
        return client

    return login


@pytest.fixture
def within_budget(django_assert_max_num_queries):
    """GET a page and assert it costs at most `budget` queries (after one warm-up request, as in a running
    server whose process-wide caches, such as content types, are filled)."""

    def check(client, url, budget, params=None):
        client.get(url, params)
        with django_assert_max_num_queries(budget):
            response = client.get(url, params)
        assert response.status_code == 200
        return response

    return check


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (per-user dashboard figures, the once-a-minute access.denied record):
    the SQLite test databases reuse ids, so a cached entry could speak for another test's user."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """A test that switches language (a request with an English cookie) must not leak it into the next one."""
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)
