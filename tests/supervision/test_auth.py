"""Every page needs a login except the public ones; the API answers 401/403; roles see only what they may."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PASSWORD

PUBLIC = {"login", "healthz", "set_language"}
# A station's public pages need no login either; they are reached by an unguessable token, so the sample
# path's token is unknown: a 404, never a login redirect.
PUBLIC_BY_TOKEN = {"public_station", "public_receipt", "public_survey", "public_survey_thanks"}


def _routes(resolver=None, prefix=""):
    """(name, path with sample arguments) for every route in the URL conf, admin excluded."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if getattr(entry, "app_name", None) == "admin":
                continue
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if "format" in route:
                continue  # DRF's ".json" twins of the routes below
            sample = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)  # regex groups (DRF router)
            sample = re.sub(r"<int:\w+>", "1", sample).replace("<str:kind>", "people")
            sample = sample.replace("^", "").replace("$", "").replace("/?", "/").replace("\\", "")
            yield entry.name, "/" + sample.lstrip("/")


ROUTES = sorted(set(_routes()))


def test_route_list_is_not_empty():
    names = {name for name, _ in ROUTES}
    assert {"unit_list", "person_list", "import_upload", "audit_list", "home"} <= names


@pytest.mark.parametrize(("name", "path"), ROUTES)
def test_anonymous_is_sent_to_login_or_refused(db, client, name, path):
    response = client.get(path)
    if name in PUBLIC_BY_TOKEN:
        assert response.status_code == 404, path
    elif name in PUBLIC:
        assert response.status_code in (200, 302, 405, 503)
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("login"))
    elif path.startswith("/api/"):
        assert response.status_code in (401, 403), path
    else:
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_admin_site_needs_login(db, client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_login_page_is_chinese(db, client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert "用户名" in response.content.decode()


def test_login_and_logout(client, users):
    response = client.post(reverse("login"), {"username": "u_leader", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_message_in_chinese(client, users):
    response = client.post(reverse("login"), {"username": "u_leader", "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_password_change(client, users):
    client.force_login(users["member"])
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Xinmima-2026!", "new_password2": "Xinmima-2026!"})
    assert response.status_code == 302
    users["member"].refresh_from_db()
    assert users["member"].check_password("Xinmima-2026!")


def test_weak_password_is_refused(client, users):
    client.force_login(users["member"])
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    users["member"].refresh_from_db()
    assert users["member"].check_password(PASSWORD)


def test_no_role_account_sees_no_organisation_data(client, users, org):
    client.force_login(users["outsider"])
    home = client.get(reverse("home")).content.decode()
    assert "尚未分配角色" in home
    assert org["town"].name not in home
    for name in ("unit_list", "person_list", "import_home", "audit_list", "unit_new", "person_new"):
        assert client.get(reverse(name)).status_code == 404, name
    assert client.get(reverse("unit_detail", args=[org["town"].pk])).status_code == 404
    assert client.get("/api/units/").json()["count"] == 0
    assert client.get("/api/people/").json()["count"] == 0


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", {"批次编排", "驻点", "单位", "人员库", "批量导入", "审计日志"}),
    ("commission", {"总览", "批次编排", "驻点", "整改督办", "成果运用", "单位", "人员库", "批量导入"}),
    ("leader", {"单位", "人员库"}),
    ("member", {"单位"}),
    ("liaison", {"单位", "整改", "建议书"}),
    ("case_office", {"成果运用", "单位", "人员库"}),
    ("commission_leader", {"总览", "批次编排", "驻点", "整改督办", "成果运用", "单位", "人员库"}),
    ("outsider", set()),
])
def test_navigation_shows_each_role_what_it_may_use(client_for, role, expected):
    response = client_for(role).get(reverse("home"))
    labels = {str(item["label"]) for item in response.context["nav_items"]} - {"首页"}
    assert labels == expected


def test_not_found_page_is_the_sites_own_and_says_nothing_about_why(client_for, settings):
    settings.DEBUG = False
    response = client_for("member").get("/leads/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "找不到该页面" in body and "页面不存在，或您没有查看它的权限。" in body
    assert 'class="topbar"' in body  # the site's layout, usable on a phone
