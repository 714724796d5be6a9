"""Browser journeys: Playwright (sync API) driving Debian's chromium against pytest-django's
live server.

One browser per test session, a new context per test. Every context starts as a Chinese phone
user would (Accept-Language zh-CN) and at desktop size; `check_page` also looks at 375 px.
A failing test leaves a full-page screenshot in test-artifacts/<test name>.png.
"""

import os
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

# Sync Playwright runs an event loop in the main thread; Django would otherwise refuse to touch
# the database from the test body ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)"
        # As for the services (tests/conftest.py): in CI a missing browser fails, never skips.
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(f"{message}, and CI needs it", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return page


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """On failure, save what the browser showed and say where."""
    report = yield
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', item.name)}.png"
    if report.when == "call" and report.passed:
        path.unlink(missing_ok=True)  # an old failure's screenshot would mislead
    if report.failed and report.when in ("setup", "call"):
        page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
        if page is not None and not page.is_closed():
            ARTIFACTS.mkdir(exist_ok=True)
            try:
                page.screenshot(path=str(path), full_page=True)
                note = f"Screenshot of the failing page ({page.url}): {path}"
            except Exception as exc:  # the page may have crashed: still report the failure
                note = f"Could not save a screenshot to {path}: {exc}"
            if page.js_errors:
                note += "\nJavaScript errors on the page:\n" + "\n".join(page.js_errors)
            report.sections.append(("browser screenshot", note))
    return report


def zh(text: str) -> str:
    """What the Chinese page shows for an English source string: the zh_Hans catalogue's
    translation when it is compiled, else the source itself (the page falls back the same way).
    Lets Chinese journeys find buttons by role and name and prove the page is translated."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(text)


def url(live_server, name: str, *args, **kwargs) -> str:
    return live_server.url + reverse(name, args=args, kwargs=kwargs)


def log_in(page, live_server, member, password: str | None = None) -> None:
    """Log in through the real login form, as a user would, and land on the group's page."""
    from tests.factories import PASSWORD

    page.goto(url(live_server, "login"))
    page.locator("#id_username").fill(member.user.username)
    page.locator("#id_password").fill(password or PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/accounts/login/" not in page.url, f"login failed for {member.user.username}"


def switch_language(page, code: str) -> None:
    """Use the language select in the navigation bar (it submits itself on change)."""
    select = page.locator("#language-select")
    if not select.is_visible():  # at phone width the select sits in the collapsed menu
        page.locator(".navbar-toggler").click()
    with page.expect_navigation():
        select.select_option(code)
    assert page.locator("html").get_attribute("lang") == code


def axe_problems(page) -> list[str]:
    """Serious and critical axe-core violations on the page, described for a failure message."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    problems = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in BLOCKING_IMPACTS:
            continue
        targets = "; ".join(
            " ".join(str(t) for t in node["target"]) for node in violation["nodes"][:10]
        )
        problems.append(
            f"axe {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation.get('helpUrl', '')}] at: {targets}"
        )
    return problems


def overflow_problem(page, width: int) -> str | None:
    """The page must not scroll sideways: wide content (tables) scrolls inside itself."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width <= width + 1:
        return None
    culprits = page.evaluate(
        """(width) => Array.from(document.querySelectorAll('body *'))
            .filter(el => el.getBoundingClientRect().right > width + 1
                    && (!(el.parentElement && el.parentElement.closest('.table-responsive'))
                        || ['absolute', 'fixed'].includes(getComputedStyle(el).position)))
            .slice(-5)
            .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                 + (el.className && typeof el.className === 'string'
                    ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
                 + (el.htmlFor ? '[for=' + el.htmlFor + ']' : '')
                 + ' (right edge ' + Math.round(el.getBoundingClientRect().right) + 'px)')""",
        width,
    )
    return (
        f"page is {scroll_width}px wide at a {width}px viewport (horizontal scrolling); "
        f"widest elements: {', '.join(culprits) or 'unknown'}"
    )


def page_problems(page, *, actions: Iterable = (), label: str = "") -> list[str]:
    """What is wrong with the current page at desktop width and at 375 px: axe-core's serious
    and critical violations, sideways scrolling, main actions missing or hidden.

    actions: Playwright locators of the page's main buttons or links.
    """
    actions = list(actions)
    problems = []
    for name, size in (("desktop", DESKTOP), ("375px", PHONE)):
        page.set_viewport_size(size)
        where = f"{label or page.url} at {name}"
        problems += [f"{where}: {p}" for p in axe_problems(page)]
        overflow = overflow_problem(page, size["width"])
        if overflow:
            problems.append(f"{where}: {overflow}")
        for action in actions:
            if not action.count():
                problems.append(f"{where}: main action {action} is missing")
            elif not action.first.is_visible():
                problems.append(f"{where}: main action {action} is not visible")
    page.set_viewport_size(DESKTOP)
    return problems


def check_page(page, *, actions: Iterable = (), label: str = "") -> None:
    """Fail now if the current page has any of page_problems."""
    problems = page_problems(page, actions=actions, label=label)
    assert not problems, "\n".join(problems)


class PageChecks:
    """Collects page_problems along a journey, so that one template's problem does not hide
    whether the rest of the journey works; assert_clean() at the end fails with all of them."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []

    def __call__(self, *, label: str, actions: Iterable = ()) -> None:
        self.problems += page_problems(self.page, actions=actions, label=label)

    def assert_clean(self) -> None:
        assert not self.problems, "Pages on the journey have problems:\n" + "\n".join(self.problems)


@pytest.fixture
def page_checks(page):
    return PageChecks(page)
