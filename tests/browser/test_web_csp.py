"""The pages work under the Content-Security-Policy (issue 4, item 24): the secretary goes through
the pages that run scripts, and chromium reports no policy violation on any of them.

Violations are caught twice: chromium's console message ("Refused to ... because it violates the
following Content Security Policy directive") and the page's securitypolicyviolation event."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sessions_app.models import Member, PlannedTopic
from tests.browser.conftest import log_in, switch_language, url
from tests.browser.test_report_journey import demo, eager_celery  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

# Added to every page before its own scripts run (Playwright's init scripts are not subject to
# the page's policy); the console listener below hears it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def violations(page):
    found = []
    page.context.add_init_script(REPORT_VIOLATIONS)

    def heard(message):
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            found.append(f"{page.url}: {text}")

    page.on("console", heard)
    return found


def test_pages_with_scripts_work_under_the_content_security_policy(
    page, live_server, demo, eager_celery, violations  # noqa: F811 (fixtures)
):
    slug = demo.group.slug
    secretary = Member.objects.get(group=demo.group, user__username="secretary")
    log_in(page, live_server, secretary, password=demo.password)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.evaluate("document.querySelectorAll('[style]').length") == 0

    # The language select submits itself (forms.js, no longer an onchange attribute).
    switch_language(page, "en")
    switch_language(page, "zh-hans")

    # The session form's attendance script folds a present member's extra fields away.
    page.goto(url(live_server, "sessions_app:session_create", slug))
    row = page.locator("tr.attendance-row").first
    expect(row).to_have_class("attendance-row att-quiet")
    row.locator("select").first.select_option("absent")
    expect(row).to_have_class("attendance-row")
    # Its planned-topic script (session-form.js, data from a json_script) fills in the topic,
    # and warns when the topic's term is not the date's.
    page.locator("#id_date").fill("2020-03-10")
    topic = PlannedTopic.objects.filter(
        plan__group=demo.group, plan__term=demo.term, kind="study"
    ).exclude(lead_speaker="").first()
    page.locator("#id_planned_topic").select_option(str(topic.pk))
    expect(page.locator("#id_topic")).to_have_value(topic.title)
    expect(page.locator("#id_speakers")).to_have_value(topic.lead_speaker)
    hint = page.locator("[data-topic-term-hint]")
    expect(hint).to_be_hidden()
    page.locator("#id_date").fill("2020-09-10")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("该专题属于2020年上半年学习计划")

    # The summary's PDF button: pdf-progress.js starts it, the download starts by itself, and
    # the link for browsers that block it appears in place.
    summary_url = reverse("reports:summary", args=[slug, demo.term.code])
    page.goto(live_server.url + summary_url)
    start_url = reverse("reports:pdf_start", args=[slug, demo.term.code, "summary"])
    with page.expect_download(timeout=90_000):
        page.locator(f"main form[action='{start_url}'] button[type=submit]").click()
    download_link = page.locator(f"main a[href^='{start_url}'][href$='/download/']")
    expect(download_link).to_be_visible()
    assert page.url.endswith(summary_url), "the script did not handle the PDF button"

    # The narrative's live preview: narrative_preview.js posts the text and shows the result.
    page.goto(url(live_server, "reports:summary_edit", slug, demo.term.code))
    page.locator("#id_narrative-preamble").fill("实时预览的导语文字")
    expect(page.locator("#narrative-preview")).to_contain_text("实时预览的导语文字")

    assert page.js_errors == []
    assert violations == []


def test_the_violation_listener_hears_an_inline_script(page, live_server, db, violations):
    # The same listener, shown to hear what the policy blocks: otherwise an empty list above
    # would prove nothing.
    page.goto(url(live_server, "login"))
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)

    assert page.evaluate("window.ran === true") is False
    assert violations, "the blocked inline script was not reported"
