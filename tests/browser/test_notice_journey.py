"""The 学习通知 journey (issue 13): the secretary publishes a session's notice; a member reads it
on a 375 px phone and confirms 已阅; the secretary sees who has read it, in Chinese."""

import re

import pytest
from django.urls import reverse

from notices.models import NoticeRead
from tests.browser.conftest import PHONE, TIMEOUT_MS, log_in, page_problems, zh
from tests.factories import MemberFactory
from tests.notices.conftest import upcoming_session

pytestmark = pytest.mark.browser


def test_secretary_publishes_a_notice_a_member_confirms_it_on_a_phone_and_the_secretary_sees_it(
    browser, page, page_checks, live_server, group, secretary, member
):
    MemberFactory(group=group, display_name="甲发言人", position="县委常委")
    MemberFactory(group=group, display_name="乙发言人")
    session = upcoming_session(group, days=6, topic="学习贯彻专题研讨", place="县委常委会议室")
    slug = group.slug

    # The secretary: from the session's page to a published notice.
    log_in(page, live_server, secretary)
    page.goto(live_server.url + reverse("sessions_app:session_detail", args=[slug, session.pk]))
    publish = page.locator("#session-notice").get_by_role("link", name=zh("Publish the notice"))
    page_checks(label="session page without a notice", actions=[publish])
    publish.click()
    page.wait_for_url(f"**{reverse('notices:notice_edit', args=[slug, session.pk])}")
    send = page.get_by_role("button", name=zh("Publish the notice"))
    page_checks(label="notice form", actions=[send])
    page.get_by_label(zh("Discussion questions")).fill("一、如何学深悟透？\n二、如何联系实际？")
    page.get_by_label("甲发言人").check()
    page.get_by_label("乙发言人").check()
    page.get_by_label(zh("At once")).check()
    with page.expect_navigation():
        send.click()
    assert zh("The notice is published: members see it on their dashboard now.") in (
        page.locator(".alert-success").inner_text()
    )
    page_checks(label="the secretary's notice page")

    # A member on a phone: the dashboard shows the notice; they read it and confirm.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    phone.set_default_timeout(TIMEOUT_MS)
    member_page = phone.new_page()
    try:
        log_in(member_page, live_server, member)
        card = member_page.locator("#notices")
        assert zh("not yet read") in card.inner_text()
        card.get_by_role("link", name="学习贯彻专题研讨").click()
        member_page.wait_for_url(f"**{reverse('notices:notice_detail', args=[slug, session.pk])}")
        text = member_page.locator("main").inner_text()
        for shown in ("县委常委会议室", "甲发言人", "乙发言人", "如何联系实际"):
            assert shown in text, shown
        confirm = member_page.get_by_role("button", name=zh("I have read it"))
        assert confirm.is_visible()
        # axe, sideways scrolling and the button's visibility, at desktop width and at 375 px.
        problems = page_problems(member_page, actions=[confirm], label="member's notice page")
        assert not problems, "\n".join(problems)
        member_page.set_viewport_size(PHONE)
        with member_page.expect_navigation():
            confirm.click()
        assert re.search(r"已于.+确认已阅", member_page.locator("#my-read").inner_text())
        assert member_page.get_by_role("button", name=zh("I have read it")).count() == 0
    finally:
        phone.close()
    read = NoticeRead.objects.get(member=member)

    # The secretary sees who has read it, with the time, and who has not.
    page.reload()
    rows = page.locator("#read-list tbody tr")
    member_row = rows.filter(has_text=member.display_name)
    assert member_row.count() == 1
    assert str(read.read_at.astimezone().year) in member_row.inner_text()
    assert zh("not yet read") not in member_row.inner_text()
    unread = page.locator("#unread").inner_text()
    assert secretary.display_name in unread and member.display_name not in unread
    page_checks(label="the secretary's notice page after a member read it")
    page_checks.assert_clean()
