"""Each demo account logs in in chromium and reaches its home page; screenshots are saved as artifacts."""

import pytest
from django.core.management import call_command

from supervision.demo import ACCOUNTS, DEMO_PASSWORD

from .conftest import login


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))


def test_every_demo_account_reaches_its_home(demo, live_server, page, shot):
    for username, roles, name, *_rest in ACCOUNTS:
        login(page, live_server.url, username, DEMO_PASSWORD)
        assert page.locator("[data-testid=current-user]").inner_text().startswith(name)
        nav = page.locator("nav.nav a").all_inner_texts()
        assert nav[0] == "首页"
        if not roles:
            assert page.locator("[data-testid=no-role]").is_visible()
            assert nav == ["首页"]
        else:
            assert "单位" in nav
        shot(page, f"home-{username}")
        page.click("button:has-text('退出')")
        page.wait_for_url(f"{live_server.url}/accounts/login/")


def test_wrong_password_shows_a_chinese_message(demo, live_server, page, shot):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "leader")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]:has-text('登录')")
    assert page.locator(".errorlist").inner_text().startswith("请输入一个正确的")
    shot(page, "login-error")


def test_pages_at_phone_width(demo, live_server, phone, shot):
    phone.goto(f"{live_server.url}/accounts/login/")
    shot(phone, "phone-login")
    login(phone, live_server.url, "commission", DEMO_PASSWORD)
    # The menu folds away behind a button on a phone.
    assert not phone.locator("nav.nav").is_visible()
    phone.click("label.menu-button")
    assert phone.locator("nav.nav").is_visible()
    shot(phone, "phone-menu-open")
    phone.click("nav.nav a:has-text('人员库')")
    phone.wait_for_url(f"{live_server.url}/people/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "phone-people", full_page=False)
    phone.goto(f"{live_server.url}/units/?q=大箕铺镇")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "phone-units", full_page=False)
