"""Journey: QR check-in (签到). The secretary opens check-in from the session's page and the
projector shows the code as an SVG; a second member's phone (375 px), not yet signed in, opens
the code's URL, signs in and is marked present; the projector's script brings the next code and
the count; the attendance form shows when the member checked in."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from sessions_app.models import Attendance
from tests.browser.conftest import PHONE, TIMEOUT_MS, log_in, zh
from tests.factories import PASSWORD, StudySessionFactory, TermFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def ten_oclock(time_machine):
    """The next 10:00 in the site's time zone, the clock running from there. Always ahead of
    the real time: the browser keeps the session cookie only while it has not expired by its
    own (real) clock."""
    local = dt.datetime.now(ZoneInfo(settings.TIME_ZONE))
    target = local.replace(hour=10, minute=0, second=0, microsecond=0)
    if target <= local:
        target += dt.timedelta(days=1)
    time_machine.move_to(target, tick=True)
    return target


@pytest.fixture
def session(group, ten_oclock, secretary, leader):
    day = ten_oclock.date()
    term = TermFactory(group=group, year=day.year, half=1 if day.month <= 6 else 2)
    return StudySessionFactory(
        group=group, term=term, date=day, start_time=dt.time(10, 0), end_time=dt.time(11, 30),
        topic="学习贯彻党的二十大精神专题研讨", place="县委三楼会议室",
    )


def test_a_member_checks_in_by_the_projectors_code(
    browser, page, page_checks, live_server, session, secretary, member, time_machine
):
    slug = session.group.slug
    page.clock.install()
    log_in(page, live_server, secretary)
    page.goto(live_server.url + reverse("sessions_app:session_detail", args=[slug, session.pk]))
    open_checkin = page.get_by_role("link", name=zh("Open check-in"), exact=True)
    page_checks(label="session page", actions=[open_checkin])
    open_checkin.click()
    page.wait_for_url(f"**{reverse('sessions_app:checkin_open', args=[slug, session.pk])}")

    qr = page.locator("#checkin-qr svg")
    assert qr.is_visible(), "the projector shows no QR code"
    assert qr.bounding_box()["width"] >= 300, "the code is too small to scan from the room"
    page_checks(label="projector")
    first_url = page.locator("#checkin-url").inner_text()
    assert "/checkin/scan/" in first_url

    # A second member's phone: not signed in, it opens the code's URL, signs in, comes back.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    phone.set_default_timeout(TIMEOUT_MS)
    member_page = phone.new_page()
    try:
        member_page.goto(first_url)
        assert "/accounts/login/" in member_page.url
        member_page.locator("#id_username").fill(member.user.username)
        member_page.locator("#id_password").fill(PASSWORD)
        with member_page.expect_navigation():
            member_page.locator("main form button[type=submit]").click()
        done = member_page.locator("#checkin-done")
        assert done.is_visible(), member_page.content()
        assert zh("present") in done.inner_text()
        assert member_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        phone.close()
    row = Attendance.objects.get(session=session, member=member)
    assert (row.status, row.checked_in_at is not None) == (Attendance.Status.PRESENT, True)

    # 30 seconds on, the projector's script shows the next code and the count.
    time_machine.shift(31)
    page.clock.run_for(31_000)
    page.wait_for_function(
        "(old) => document.getElementById('checkin-url').textContent !== old", arg=first_url
    )
    assert "1" in page.locator("#checkin-count").inner_text()
    assert page.locator("#checkin-qr svg").count() == 1
    assert not page.js_errors, page.js_errors

    # The attendance form shows when the member checked in, and can still change it.
    page.goto(live_server.url + reverse("sessions_app:session_edit", args=[slug, session.pk]))
    row_el = page.locator(f"tr.attendance-row[data-member='{member.display_name}']")
    assert row_el.locator(".checkin-time").is_visible()
    checked = row.checked_in_at.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%H:%M")
    assert checked in row_el.locator(".checkin-time").inner_text()
    assert row_el.locator("select").is_enabled()
    page_checks(label="attendance form")
    page_checks.assert_clean()
