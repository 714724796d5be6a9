"""The secretary adds a member and hands over the one-time sign-in link; the new member opens it
on a phone (375 px), sets a password and reaches the group's dashboard."""

import re

import pytest

from sessions_app.models import Member
from tests.browser.conftest import PHONE, check_page, log_in
from tests.browser.test_web_csp import REPORT_VIOLATIONS, violations  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

NEW_PASSWORD = "理论学习-2026-新密码"


def test_secretary_adds_a_member_who_signs_in_through_the_link_on_a_phone(
    page, browser, live_server, secretary, leader, member, term, page_checks,
    violations,  # noqa: F811 (fixture)
):
    log_in(page, live_server, secretary)
    page.locator("main a[href$='/members/']").first.click()
    page_checks(label="members", actions=[page.locator("main a[href$='/members/new/']")])

    page.locator("main a[href$='/members/new/']").click()
    page.locator("#id_display_name").fill("刘新成员")
    page.locator("#id_position").fill("县委常委")
    page.locator("#id_phone").fill("138 0013 8000")
    page_checks(label="add a member", actions=[page.locator("main button[type=submit]")])
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()

    assert "13800138000" in page.locator("main").inner_text()
    assert page.locator("main .signin-qr svg").count() == 1
    link = page.locator("main .signin-link a").get_attribute("href")
    page_checks(label="sign-in link", actions=[page.locator("main .signin-link a")])

    # Dragging the new member to the top of the list saves the order (static/js/member-order.js).
    page.goto(f"{live_server.url}/g/sample/members/")
    rows = page.locator("main tr[data-member-row]")
    with page.expect_navigation():
        rows.last.drag_to(rows.first, target_position={"x": 5, "y": 2})
    assert "刘新成员" in page.locator("main tr[data-member-row]").first.inner_text()
    newcomer = Member.objects.get(display_name="刘新成员")
    ranked = list(Member.objects.filter(group=newcomer.group).in_rank_order())
    assert ranked[0] == newcomer

    # The member, on a phone, in a browser of their own.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    phone.add_init_script(REPORT_VIOLATIONS)
    try:
        mobile = phone.new_page()
        mobile.on("console", lambda m: "CSP violation" in m.text and violations.append(m.text))
        mobile.goto(link)
        assert mobile.url.endswith("/set-password/")
        check_page(mobile, label="set your password", actions=[mobile.locator("main button")])
        mobile.locator("#id_new_password1").fill(NEW_PASSWORD)
        mobile.locator("#id_new_password2").fill(NEW_PASSWORD)
        with mobile.expect_navigation():
            mobile.locator("main button[type=submit]").click()

        assert re.search(r"/g/sample/$", mobile.url)
        assert "刘新成员" in mobile.locator("header .navbar-text").text_content()
        assert mobile.locator("main .alert-success").count() == 1

        # The same link a second time: a page that says so, in Chinese.
        mobile.goto(link)
        assert mobile.get_by_role("heading", level=1).inner_text() == "此登录链接已失效"
    finally:
        phone.close()
    newcomer.user.refresh_from_db()
    assert newcomer.user.check_password(NEW_PASSWORD)
    page_checks.assert_clean()
    # The drag script and the QR codes' inline SVG live with the Content-Security-Policy.
    assert page.js_errors == [] and violations == []
