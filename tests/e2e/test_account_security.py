"""Account protection in the browser, on a phone: the lockout after repeated wrong passwords, the automatic logout
after a long idle time, and the API documentation rendering under the site's Content-Security-Policy (no script
refused, no request leaving the server). Screenshots in test-artifacts/screenshots/security-*.png."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore

from supervision.security import SESSION_LAST_SEEN

from .conftest import login, no_overflow

PASSWORD = "Pw-for-e2e-2026"


@pytest.fixture
def leader(transactional_db):
    from supervision.roles import Role
    from supervision.services.accounts import account_create

    return account_create(actor=None, username="e2e_leader", password=PASSWORD, roles=[Role.TEAM_LEADER])


@pytest.fixture
def staff(transactional_db):
    from supervision.roles import Role
    from supervision.services.accounts import account_create

    return account_create(actor=None, username="e2e_staff", password=PASSWORD, roles=[Role.COMMISSION_STAFF])


def _submit(page, password):
    page.fill("#id_username", "e2e_leader")
    page.fill("#id_password", password)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_load_state()


def test_repeated_wrong_passwords_lock_the_account_with_a_message(leader, live_server, phone, shot):
    base = live_server.url
    phone.goto(f"{base}/accounts/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _submit(phone, "wrong-password-1")
        assert "登录失败次数过多" not in phone.content()
    _submit(phone, "wrong-password-1")
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    message = phone.get_by_text(f"登录失败次数过多，账号已暂时锁定，请{minutes}分钟后再试。")
    assert message.is_visible()
    no_overflow(phone)
    shot(phone, "security-lockout-phone")
    # The right password is refused too while the lock lasts: still the login page, with the same message.
    _submit(phone, PASSWORD)
    assert "/accounts/login/" in phone.url and message.is_visible()
    assert phone.locator("nav.nav").count() == 0


def test_an_idle_session_is_logged_out_with_the_reason(leader, live_server, phone, shot):
    base = live_server.url
    login(phone, base, "e2e_leader", PASSWORD)
    assert phone.locator("nav.nav").count() == 1
    # The browser sat for longer than the idle limit: move the session's last request back in time.
    key = next(c["value"] for c in phone.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=key)
    session[SESSION_LAST_SEEN] = time.time() - settings.SESSION_IDLE_MINUTES * 60 - 5
    session.save()
    phone.reload()
    phone.wait_for_url("**/accounts/login/**")
    assert phone.get_by_text("您已长时间未操作，为保护数据已自动退出，请重新登录。").is_visible()
    no_overflow(phone)
    shot(phone, "security-idle-logout-phone")
    # Logging in again brings the user back.
    phone.fill("#id_username", "e2e_leader")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]:has-text('登录')")
    phone.wait_for_load_state()
    assert phone.locator("nav.nav").count() == 1


def test_api_documentation_renders_under_the_content_security_policy(staff, live_server, page, shot):
    base = live_server.url
    refused, foreign = [], []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("request", lambda request: foreign.append(request.url)
            if not request.url.startswith((base, "data:", "blob:")) else None)
    login(page, base, "e2e_staff", PASSWORD)
    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() > 20  # every operation of the schema is listed
    assert "/api/findings/" in page.content()
    shot(page, "security-api-docs", full_page=False)
    assert refused == [], refused
    assert foreign == [], foreign
