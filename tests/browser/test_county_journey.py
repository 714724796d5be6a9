"""Issue 17 in the browser, on the demo county (`seed_demo`): the county's administrator lands
on the table on a 375 px phone, sees both groups, opens the inbox and receives (签收) the demo
group's summary; the inspector's pages (table, group pages, inbox, bulletin, sitting in) read
on the phone in Chinese and in English, with nothing to decide."""

import time

import pytest
from django.conf import settings

from tests.browser.conftest import PHONE, TIMEOUT_MS
from tests.browser.test_phone_pages import crawl, demo_group, log_in  # noqa: F401

pytestmark = pytest.mark.browser

COUNTY = "/o/demo-county/"


def _context(browser, origin, language):
    context = browser.new_context(viewport=PHONE, locale="zh-CN" if language != "en" else "en-US")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": origin}]
    )
    return context


def test_the_county_receives_the_demo_groups_summary_on_a_phone(
    browser, live_server, demo_group  # noqa: F811
):
    _slug, password = demo_group
    origin = live_server.url
    context = _context(browser, origin, "zh-hans")
    page = context.new_page()
    log_in(page, origin, "county", password)
    assert page.url.endswith(COUNTY)  # home takes the county straight to its table
    page.goto(origin + COUNTY + "?term=2020H1")
    table = page.locator("table")
    assert table.get_by_text("示例县党委理论学习中心组").is_visible()
    assert table.get_by_text("示例县人大常委会党组理论学习中心组").is_visible()
    assert page.locator('[data-summary="submitted"]').count() == 1

    page.get_by_role("link", name="报送").click()
    with page.expect_navigation():
        page.get_by_role("button", name="签收").click()
    assert page.get_by_text("已签收示例县党委理论学习中心组的报送。").is_visible()
    assert page.locator('[data-status="received"]').count() == 1
    page.goto(origin + COUNTY + "?term=2020H1")
    assert page.locator('[data-summary="received"]').count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_the_inspectors_pages_read_on_a_phone_in_both_languages(
    browser, live_server, demo_group  # noqa: F811
):
    _slug, password = demo_group
    origin = live_server.url
    started = time.monotonic()
    problems = []
    for language in ("zh-hans", "en"):
        context = _context(browser, origin, language)
        page = context.new_page()
        log_in(page, origin, "inspector", password)
        page.close()
        result = crawl(context, origin, COUNTY + "?term=2020H1")
        reached = {p[0] for p in result["pages"]}
        for path, _, _, page_problems in result["pages"]:
            problems += [f"inspector, {language}, {path}: {p}" for p in page_problems]
        for expected in (
            COUNTY + "groups/demo/?term=2020H1",
            COUNTY + "groups/demo-renda/?term=2020H1",
            COUNTY + "submissions/?term=2020H1",
            COUNTY + "bulletin/?term=2020H1",
            COUNTY + "sittings/",
        ):
            assert expected in reached, f"{language}: the crawl did not reach {expected}"
        context.close()
    assert not problems, "\n".join(problems)
    assert time.monotonic() - started < 600
