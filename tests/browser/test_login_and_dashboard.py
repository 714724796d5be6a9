"""The first two pages everyone sees: the login form and the group's dashboard."""

import pytest
from django.utils import translation

from tests.browser.conftest import check_page, log_in, url

pytestmark = pytest.mark.browser


def test_login_page_is_accessible_and_fits_a_phone(page, live_server, db):
    page.goto(url(live_server, "login"))

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    check_page(
        page,
        label="login page",
        actions=[page.locator("#id_username"), page.locator("main button[type=submit]")],
    )


def test_secretary_dashboard_is_accessible_and_fits_a_phone(page, live_server, secretary, term):
    log_in(page, live_server, secretary)

    assert page.url == url(live_server, "sessions_app:dashboard", secretary.group.slug)
    with translation.override("zh-hans"):  # the page's language, whatever the test thread's
        assert page.get_by_role("heading", level=1).inner_text() == term.label
    check_page(page, label="secretary's dashboard")


def test_member_dashboard_is_accessible_in_english_and_fits_a_phone(
    page, live_server, member, term
):
    log_in(page, live_server, member)
    from tests.browser.conftest import switch_language

    switch_language(page, "en")

    assert page.get_by_role("heading", name="Sessions held").is_visible()
    check_page(page, label="member's dashboard (English)")
