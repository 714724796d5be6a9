"""The journey of a leave and its 补学 (issue 14, sections 1 and 3): a member asks for leave on
the phone, the leader approves it from the dashboard, the attendance form shows 请假 with the
reason; after the session the member submits make-up notes, the secretary accepts them, and the
member's page shows the session made up."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from sessions_app.models import Attendance, LeaveRequest, MakeupDuty
from tests.browser.conftest import DESKTOP, PHONE, TIMEOUT_MS, log_in, url
from tests.factories import StudySessionFactory, TermFactory

pytestmark = pytest.mark.browser

TOPIC = "学习贯彻党的二十届三中全会精神"
REASON = "赴省里参加培训"
NOTES = "观看了会议录像，研读了会议材料，体会是要把全会精神落实到分管工作中。"


def new_page(browser, *, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def test_leave_is_asked_approved_recorded_and_made_up(
    browser, page, page_checks, live_server, secretary, leader, member, time_machine
):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    term = TermFactory(group=member.group, year=tomorrow.year, half=1 if tomorrow.month <= 6 else 2)
    session = StudySessionFactory(
        group=member.group, term=term, date=tomorrow, start_time=dt.time(9, 0),
        end_time=dt.time(11, 0), topic=TOPIC,
    )
    slug = member.group.slug

    # The member, on the phone: from the dashboard's upcoming session to the request form.
    page.set_viewport_size(PHONE)
    log_in(page, live_server, member)
    page.goto(url(live_server, "sessions_app:dashboard", slug))
    upcoming = page.locator("li", has_text=TOPIC)
    upcoming.get_by_role("link", name="请假").click()
    page.wait_for_url(f"**/sessions/{session.pk}/leave/")
    send = page.get_by_role("button", name="提交请假申请")
    page_checks(label="leave request form", actions=[send])
    page.set_viewport_size(PHONE)
    page.get_by_label("请假事由").fill(REASON)
    with page.expect_navigation():
        page.get_by_role("button", name="提交请假申请").click()
    assert "请假申请已提交" in page.locator("main").inner_text()
    assert "待审批" in page.locator("#my-leave").inner_text()

    # The leader: the dashboard shows the request; one click to the list, one to decide.
    leader_context, leader_page = new_page(browser)
    log_in(leader_page, live_server, leader)
    leader_page.goto(url(live_server, "sessions_app:dashboard", slug))
    waiting = leader_page.locator("#leave-waiting")
    assert "张成员" in waiting.inner_text()
    waiting.get_by_role("link", name="去审批").click()
    leader_page.wait_for_url("**/leave/")
    leader_page.get_by_label("批准", exact=True).check()
    with leader_page.expect_navigation():
        leader_page.get_by_role("button", name="保存审批结果").click()
    assert "已批准请假" in leader_page.locator("main").inner_text()
    assert LeaveRequest.objects.get().status == LeaveRequest.Status.APPROVED

    # The secretary's attendance form shows 请假 with the reason.
    secretary_context, secretary_page = new_page(browser)
    log_in(secretary_page, live_server, secretary)
    secretary_page.goto(url(live_server, "sessions_app:session_edit", slug, session.pk))
    status = secretary_page.locator(f"[name='m{member.pk}-status']")
    assert status.input_value() == Attendance.Status.LEAVE
    assert secretary_page.locator(f"[name='m{member.pk}-leave_reason']").input_value() == REASON

    # The session is held; that afternoon, everyone signs in again (their sessions have lapsed).
    time_machine.move_to(timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(15, 0))))

    log_in(page, live_server, member)
    page.set_viewport_size(PHONE)
    page.goto(url(live_server, "sessions_app:dashboard", slug))
    page.locator("#my-makeup").get_by_role("link", name=TOPIC, exact=False).click()
    page.wait_for_url("**/makeup/*/")
    page_checks(label="make-up study (member)", actions=[page.get_by_role("button", name="提交")])
    page.set_viewport_size(PHONE)
    page.get_by_label("或在此输入补学笔记").fill(NOTES)
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    assert "补学笔记已提交学习秘书" in page.locator("main").inner_text()

    log_in(secretary_page, live_server, secretary)
    secretary_page.goto(url(live_server, "sessions_app:makeup_list", slug))
    secretary_page.get_by_role("link", name="审阅").click()
    secretary_page.wait_for_url("**/makeup/*/")
    assert NOTES in secretary_page.locator("#makeup-notes").inner_text()
    secretary_page.get_by_label("通过：已完成补学").check()
    with secretary_page.expect_navigation():
        secretary_page.get_by_role("button", name="保存审阅结果").click()
    assert "已完成" in secretary_page.locator("main").inner_text()
    assert MakeupDuty.objects.get().status == MakeupDuty.Status.ACCEPTED

    page.goto(url(live_server, "sessions_app:my_record", slug))
    made_up = f"已于{date_format(tomorrow)}补学"
    assert made_up in page.locator("main").inner_text()
    page_checks(label="member's record, made up")
    page_checks.assert_clean()
    leader_context.close()
    secretary_context.close()
