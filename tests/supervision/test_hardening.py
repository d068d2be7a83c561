"""Account and HTTP hardening: login throttling, password rules, session limits, secure headers, login audit."""

import base64
import hashlib
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from supervision.models import AuditEvent
from supervision.roles import Role
from supervision.security import (
    SESSION_AUTH_AT,
    SESSION_LAST_SEEN,
    SecurityHeadersMiddleware,
)
from supervision.services.accounts import account_create
from tests.conftest import PASSWORD

ROOT = Path(settings.BASE_DIR)
LOCKED = "登录失败次数过多"


def _fail(client, username="u_leader", times=1, ip="10.0.0.7"):
    response = None
    for _ in range(times):
        response = client.post(reverse("login"), {"username": username, "password": "wrong-password"},
                               REMOTE_ADDR=ip)
    return response


# --- login throttling ---------------------------------------------------------------------------------------


def test_lockout_after_the_failure_limit_with_a_chinese_message(client, users):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _fail(client)
        assert response.status_code == 200 and LOCKED not in response.content.decode()
    response = _fail(client)
    assert response.status_code == 429
    # Now even the right password is refused, and the page says how long to wait.
    response = client.post(reverse("login"), {"username": "u_leader", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多，账号已暂时锁定，请15分钟后再试。" in page
    assert 'name="username"' in page  # the login form, not a bare error page
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_lockout_is_per_user_name_and_address(client, users):
    _fail(client, times=settings.AXES_FAILURE_LIMIT)
    # The same user from another computer, and another user from the same computer, may still log in.
    response = client.post(reverse("login"), {"username": "u_leader", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 302
    client.post(reverse("logout"))
    response = client.post(reverse("login"), {"username": "u_member", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302


def test_lockout_ends_after_the_cool_off(client, users):
    _fail(client, times=settings.AXES_FAILURE_LIMIT)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    response = client.post(reverse("login"), {"username": "u_leader", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302


def test_unlock_by_command(client, users):
    _fail(client, times=settings.AXES_FAILURE_LIMIT)
    call_command("axes_reset_username", "u_leader")
    response = client.post(reverse("login"), {"username": "u_leader", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302


def test_unlock_in_the_admin(client, users):
    _fail(client, times=settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get(username="u_leader")
    admin = Client()
    admin.force_login(users["admin"])  # the administrator role, not a superuser
    assert admin.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    response = admin.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302
    admin.post(reverse("logout"))
    response = client.post(reverse("login"), {"username": "u_leader", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302


def test_successful_login_resets_the_failure_count(client, users):
    _fail(client, times=settings.AXES_FAILURE_LIMIT - 1)
    assert client.post(reverse("login"), {"username": "u_leader", "password": PASSWORD},
                       REMOTE_ADDR="10.0.0.7").status_code == 302
    client.post(reverse("logout"))
    response = _fail(client, times=settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200


# --- password rules -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("password", "message"), [
    ("Ab-1x", "密码太短，至少需要10个字符。"),
    ("password123", "这个密码太常见了。"),
    ("3141592653589", "密码只包含数字。"),
    ("u_newcomer1", "密码跟 用户名 太相似了。"),
])
def test_account_create_applies_the_password_rules(db, password, message):
    with pytest.raises(ValidationError) as error:
        account_create(actor=None, username="u_newcomer", password=password, roles=[Role.TEAM_MEMBER])
    assert message in error.value.message_dict["password"]
    assert not AuditEvent.objects.filter(action="account.create").exists()


def test_account_create_accepts_a_good_password(db):
    user = account_create(actor=None, username="u_newcomer", password="Qiu-shi-2026", roles=[])
    assert user.check_password("Qiu-shi-2026")


def test_demo_and_test_passwords_meet_the_rules(db):
    from django.contrib.auth.models import User
    from django.contrib.auth.password_validation import validate_password

    from supervision.demo import ACCOUNTS, DEMO_PASSWORD

    for username in [*(account[0] for account in ACCOUNTS), "u_leader", "bench"]:
        for password in (DEMO_PASSWORD, PASSWORD, "Bench@2026-x"):
            validate_password(password, User(username=username))


@pytest.mark.parametrize(("password", "message"), [
    ("Short-1", "密码太短，至少需要10个字符。"),
    ("qwertyuiop", "这个密码太常见了。"),
    ("20260301123456", "密码只包含数字。"),
])
def test_password_change_page_applies_the_rules_in_chinese(client_for, users, password, message):
    client = client_for("member")
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert message in response.content.decode()
    users["member"].refresh_from_db()
    assert users["member"].check_password(PASSWORD)


def test_password_change_page_lists_the_rules(client_for):
    page = client_for("member").get(reverse("password_change")).content.decode()
    assert "密码至少需要10个字符。" in page


# --- session limits -----------------------------------------------------------------------------------------


def _age_session(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_idle_session_is_logged_out_and_the_login_page_says_so(client_for, users):
    client = client_for("member")
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, **{SESSION_LAST_SEEN: settings.SESSION_IDLE_MINUTES * 60 + 5})
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"]).content.decode()
    assert "您已长时间未操作，为保护数据已自动退出，请重新登录。" in page
    assert client.get(reverse("home")).status_code == 302
    event = AuditEvent.objects.filter(action="auth.logout").latest("id")
    assert event.actor == users["member"] and event.changes["reason"] == "idle"


def test_activity_keeps_the_session_alive(client_for):
    client = client_for("member")
    _age_session(client, **{SESSION_LAST_SEEN: settings.SESSION_IDLE_MINUTES * 60 - 120})
    assert client.get(reverse("home")).status_code == 200
    assert time.time() - client.session[SESSION_LAST_SEEN] < 5  # refreshed by the request
    assert client.get(reverse("home")).status_code == 200


def test_session_expires_after_its_absolute_lifetime_even_when_active(client_for):
    client = client_for("member")
    _age_session(client, **{SESSION_AUTH_AT: settings.SESSION_ABSOLUTE_SECONDS + 5, SESSION_LAST_SEEN: 10})
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "登录已超时，请重新登录。" in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="auth.logout").latest("id").changes["reason"] == "absolute"


def test_idle_api_session_is_refused(client_for):
    client = client_for("member")
    _age_session(client, **{SESSION_LAST_SEEN: settings.SESSION_IDLE_MINUTES * 60 + 5})
    assert client.get("/api/units/").status_code in (401, 403)


def test_session_settings():
    assert 8 * 3600 <= settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_ABSOLUTE_SECONDS == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_IDLE_MINUTES == 30
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"  # no Redis needed


# --- secure headers -----------------------------------------------------------------------------------------


def _assert_secure_headers(response):
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no unsafe-inline, no unsafe-eval
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in directives["style-src-elem"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_secure_headers_on_the_login_page(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    _assert_secure_headers(response)


def test_secure_headers_on_a_page_and_the_api(client_for):
    client = client_for("admin")
    for url in (reverse("home"), reverse("unit_list"), "/api/units/"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_secure_headers(response)


def test_secure_headers_on_refusals_and_the_lockout_page(client, users):
    _assert_secure_headers(client.get("/api/units/"))
    _assert_secure_headers(_fail(client, times=settings.AXES_FAILURE_LIMIT))


def test_a_views_own_policy_is_kept():
    """The evidence preview sets a sandbox policy of its own; the middleware must not replace it."""
    def view(request):
        response = HttpResponse("x")
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    response = SecurityHeadersMiddleware(view)(RequestFactory().get("/evidence/1/preview/"))
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_error_page_style_is_allowed_by_its_hash(client, db):
    text = (ROOT / "templates" / "500.html").read_text(encoding="utf-8")
    blocks = re.findall(r"<style>(.*?)</style>", text, flags=re.S)
    assert blocks
    csp = client.get(reverse("login"))["Content-Security-Policy"]
    for block in blocks:
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_session_and_csrf_cookies_are_http_only(client, users):
    response = client.get(reverse("login"))
    assert response.cookies["csrftoken"]["httponly"]
    response = client.post(reverse("login"), {"username": "u_leader", "password": PASSWORD})
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def _templates():
    dirs = [ROOT / "templates", *(ROOT / app / "templates" for app in ("supervision", "rounds", "findings",
                                                                      "rectification"))]
    return sorted(path for folder in dirs if folder.exists() for path in folder.rglob("*.html"))


def test_no_inline_script_in_any_template():
    templates = _templates()
    assert len(templates) > 50
    offenders = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path.relative_to(ROOT)}: {tag}")
        for handler in re.findall(r"<[a-z][^>]*\son[a-z]+\s*=", text, flags=re.I):
            offenders.append(f"{path.relative_to(ROOT)}: inline handler {handler[:60]}")
        if re.search(r"href\s*=\s*[\"']\s*javascript:", text, flags=re.I):
            offenders.append(f"{path.relative_to(ROOT)}: javascript: URL")
    assert offenders == []


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(client, db):
    page = client.get(reverse("login")).content.decode()
    assert '"includeIndicatorStyles": false' in page and '"allowEval": false' in page


def _production(code: str, **env) -> str:
    """Run `code` with the production settings in a fresh interpreter (settings are read once per process)."""
    import os
    import subprocess
    import sys

    # A production process has none of the test run's switches (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("SECURE_", "SESSION_", "CSRF_")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base_env.update({"SECRET_KEY": "k" * 20 + "Zq-8w!" * 10, "DATABASE_URL": "sqlite:////tmp/hardening-check.sqlite3",
                     "REDIS_URL": "redis://127.0.0.1:6379/10", "ALLOWED_HOSTS": "jiwei.example.gov.cn",
                     "TRUST_X_FORWARDED_FOR": "1", "DJANGO_SETTINGS_MODULE": "supervision.settings.production",
                     **env})
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code], cwd=ROOT,
                            env=base_env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_production_passes_the_deploy_check_and_is_hardened():
    out = _production(
        "from django.conf import settings as s\n"
        "from django.core.management import call_command\n"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')\n"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 365 * 24 * 3600, s.SECURE_PROXY_SSL_HEADER)")
    assert out.strip().splitlines()[-1] == "True True True True True True ('HTTP_X_FORWARDED_PROTO', 'https')"


def test_production_trusts_x_forwarded_proto_only_behind_a_trusted_proxy():
    out = _production("from django.conf import settings as s\nprint(s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS)",
                      TRUST_X_FORWARDED_FOR="0", SECURE_HSTS_SECONDS="0")
    assert out.strip().splitlines()[-1] == "None 0"


# --- logins in the audit trail ------------------------------------------------------------------------------


def test_login_logout_and_failed_login_are_audited(client, users):
    response = client.post(reverse("login"), {"username": "u_leader", "password": "guess-1234"},
                           REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.actor is None
    assert failed.changes == {"username": "u_leader", "ip": "10.1.2.3"}
    assert failed.ip == "10.1.2.3"
    assert "guess-1234" not in str(failed.changes) and "guess-1234" not in failed.object_repr

    client.post(reverse("login"), {"username": "u_leader", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    login = AuditEvent.objects.filter(action="auth.login").latest("id")
    assert login.actor == users["leader"] and login.ip == "10.1.2.3" and login.changes["ip"] == "10.1.2.3"
    assert login.object_id == str(users["leader"].pk)

    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")
    logout = AuditEvent.objects.filter(action="auth.logout").latest("id")
    assert logout.actor == users["leader"] and logout.ip == "10.1.2.3" and "reason" not in logout.changes


def test_failed_login_for_an_unknown_user_and_the_lockout_are_audited(client, users):
    client.post(reverse("login"), {"username": "nobody", "password": "x"}, REMOTE_ADDR="10.1.2.4")
    assert AuditEvent.objects.get(action="auth.login_failed").changes["username"] == "nobody"
    _fail(client, times=settings.AXES_FAILURE_LIMIT + 1, ip="10.1.2.4")
    events = list(AuditEvent.objects.filter(action="auth.login_failed", changes__username="u_leader")
                  .order_by("id"))
    assert len(events) == settings.AXES_FAILURE_LIMIT + 1
    assert events[-1].changes.get("locked_out") is True


def test_the_admin_grants_no_object_permissions(client, users, org):
    """guardian's object-permission pages would make anyone a unit's liaison, outside the account service and the
    audit trail: the admin has none."""
    client.force_login(users["admin"])
    assert client.get(reverse("admin:supervision_unit_change", args=[org["village"].pk])).status_code == 200
    # No such page: the admin reads "2/permissions" as an object id, and there is no such unit.
    response = client.get(f"/admin/supervision/unit/{org['village'].pk}/permissions/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert "不存在" in response.content.decode()
