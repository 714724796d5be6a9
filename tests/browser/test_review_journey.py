"""Journeys of a review (issue 11, items 1 and 2): an essay returned to its author reaches him
on his dashboard, one click from revising it; and nobody reviews their own essay."""

import datetime as dt

import pytest
from django.urls import reverse

from sessions_app.models import ReflectionEssay
from sessions_app.services.essays import essay_review
from tests.browser.conftest import log_in, url
from tests.factories import ReflectionEssayFactory, StudySessionFactory

pytestmark = pytest.mark.browser

TITLE = "学习总体国家安全观的体会"
COMMENT = "请结合本职工作谈体会"


def test_a_returned_essay_is_revised_from_the_dashboard(
    page, page_checks, live_server, secretary, member, term
):
    session = StudySessionFactory(
        group=member.group, term=term, date=term.start_date + dt.timedelta(days=30)
    )
    essay = ReflectionEssayFactory(group=member.group, author=member, session=session, title=TITLE)
    essay_review(essay=essay, reviewer=secretary, status="returned", comment=COMMENT)
    log_in(page, live_server, member)
    page.goto(url(live_server, "sessions_app:dashboard", member.group.slug))

    returned = page.locator("section", has=page.locator("#returned-heading"))
    assert "退回待修改" in returned.inner_text()
    assert TITLE in returned.inner_text() and COMMENT in returned.inner_text()
    revise = returned.get_by_role("link", name="修改后重新提交")
    page_checks(label="member's dashboard with a returned essay", actions=[revise])
    revise.click()
    page.wait_for_url(f"**{reverse('sessions_app:essay_edit', args=[member.group.slug, essay.pk])}")

    page.locator("#id_body").fill("结合本职工作，谈学习总体国家安全观的体会。")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    essay.refresh_from_db()
    assert essay.status == ReflectionEssay.Status.SUBMITTED

    page.goto(url(live_server, "sessions_app:dashboard", member.group.slug))
    assert page.locator("#returned-heading").count() == 0
    page_checks.assert_clean()


def test_the_deputy_is_not_offered_the_review_of_his_own_essay_and_is_refused_it(
    page, live_server, secretary, deputy, term
):
    session = StudySessionFactory(
        group=deputy.group, term=term, date=term.start_date + dt.timedelta(days=30)
    )
    essay = ReflectionEssayFactory(group=deputy.group, author=deputy, session=session, title=TITLE)
    essay_review(essay=essay, reviewer=secretary, status="returned", comment=COMMENT)
    log_in(page, live_server, deputy)

    page.goto(url(live_server, "sessions_app:essay_detail", deputy.group.slug, essay.pk))
    assert page.get_by_role("link", name="审阅").count() == 0
    assert page.get_by_role("link", name="修改后重新提交").count() == 1

    response = page.goto(url(live_server, "sessions_app:essay_review", deputy.group.slug, essay.pk))
    assert response.status == 403
    assert "不能审阅本人的心得体会" in page.locator("main").inner_text()
    essay.refresh_from_db()
    assert essay.status == ReflectionEssay.Status.RETURNED
