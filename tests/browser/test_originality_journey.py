"""Journey of the originality check (issue 16, part 3): a member submits a copy of a colleague's
essay in the browser; the secretary finds it flagged in the essay list and compares the similar
passages side by side on its review page, at desktop width and at 375 px."""

import pytest
from django.urls import reverse

from sessions_app.models import Member, ReflectionEssay
from sessions_app.services.essays import essay_submit
from tests.audit import _essays as e
from tests.browser.conftest import log_in, zh
from tests.factories import MemberFactory, StudySessionFactory

pytestmark = pytest.mark.browser

TITLE = "在大考中交出合格答卷的体会"


def test_the_secretary_finds_a_copied_essay_flagged_and_compares_the_passages(
    page, page_checks, live_server, secretary, member, term
):
    topic = "统筹推进疫情防控和经济社会发展"
    session = StudySessionFactory(group=member.group, term=term, topic=topic)
    colleague = MemberFactory(group=member.group, role=Member.Role.MEMBER, display_name="王建国")
    # The colleague's essay, checked as it is submitted (the live server's database commits).
    essay_submit(
        author=colleague,
        title="在大考中交出合格答卷",
        kind=ReflectionEssay.Kind.REFLECTION,
        session=session,
        body=e.ESSAY_A,
    )
    slug = member.group.slug

    log_in(page, live_server, member)
    page.goto(live_server.url + reverse("sessions_app:essay_create", args=[slug]))
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_session").select_option(str(session.pk))
    page.locator("#id_body").fill(e.COPY_OF_A)
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Submit"), exact=True).click()
    assert page.locator(".alert-success").is_visible()
    page.context.clear_cookies()

    log_in(page, live_server, secretary)
    page.goto(live_server.url + reverse("sessions_app:essay_list", args=[slug]))
    flag = page.locator("main table tbody tr", has_text=TITLE).get_by_role(
        "link", name=zh("Similar to another essay")
    )
    page_checks(label="essay list with a flagged essay", actions=[flag])
    flag.click()
    page.wait_for_load_state()

    alert = page.locator('[data-originality="flagged"]')
    assert alert.is_visible()
    match = page.locator("details.originality-match").first
    assert "王建国" in match.locator("summary").inner_text()
    copied = match.locator("mark.originality-copy")
    assert any(e.COPIED_PASSAGE in text for text in copied.all_inner_texts())
    page_checks(label="review page of a flagged essay", actions=[alert])
    page_checks.assert_clean()
