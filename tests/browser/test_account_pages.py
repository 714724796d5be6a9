"""The account pages a member meets besides the login: changing the password, and the page shown
while a login is locked out after too many wrong passwords."""

import pytest

from tests.browser.conftest import check_page, log_in, url

pytestmark = pytest.mark.browser

NEW_PASSWORD = "理论学习-2026-新密码"


def test_member_changes_the_password_from_the_menu_and_logs_in_with_the_new_one(
    page, live_server, member, term
):
    log_in(page, live_server, member)
    page.goto(url(live_server, "password_change"))
    check_page(page, label="password change", actions=[page.locator("main button[type=submit]")])

    page.locator("#id_old_password").fill("test-pass-123")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()

    assert page.url == url(live_server, "password_change_done")
    assert page.get_by_role("heading", level=1).inner_text() == "密码已修改"
    check_page(page, label="password changed")
    member.user.refresh_from_db()
    assert member.user.check_password(NEW_PASSWORD)


def test_a_locked_out_login_shows_the_lockout_page_in_chinese_and_it_fits_a_phone(
    page, live_server, member, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto(url(live_server, "login"))
        page.locator("#id_username").fill(member.user.username)
        page.locator("#id_password").fill("wrong-guess")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()

    assert page.get_by_role("heading", level=1).inner_text() == "登录已锁定"
    back_to_login = page.locator("main a[href$='/accounts/login/']")
    check_page(page, label="login locked out", actions=[back_to_login])
