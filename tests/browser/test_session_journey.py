"""Journey 1: the secretary logs a session with everyone's attendance on one page, in Chinese."""

import pytest
from django.urls import reverse

from sessions_app.models import Attendance, Member, StudySession
from tests.browser.conftest import log_in, zh
from tests.factories import MemberFactory

pytestmark = pytest.mark.browser

TOPIC = "学习贯彻党的二十大精神专题研讨"


@pytest.fixture
def five_members(group, secretary, leader, member):
    """The secretary, the leader, a member and two more: five attendance rows."""
    late = MemberFactory(group=group, display_name="赵迟到", role=Member.Role.MEMBER)
    away = MemberFactory(group=group, display_name="钱请假", role=Member.Role.DEPUTY)
    return {"secretary": secretary, "leader": leader, "member": member, "late": late, "away": away}


def test_secretary_logs_a_session_with_attendance_in_chinese(
    page, page_checks, live_server, term, five_members
):
    secretary = five_members["secretary"]
    slug = secretary.group.slug
    log_in(page, live_server, secretary)
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # The dashboard's "Log a session" button, by its Chinese name (the catalogue's translation).
    new_session = page.locator("main").get_by_role("link", name=zh("Log a session"), exact=True)
    page_checks(label="dashboard", actions=[new_session])
    create_url = reverse("sessions_app:session_create", args=[slug])
    assert new_session.get_attribute("href") == create_url
    new_session.click()
    page.wait_for_url(f"**{create_url}")

    save = page.get_by_role("button", name=zh("Save session and attendance"), exact=True)
    page_checks(label="session form", actions=[save])

    page.locator("#id_date").fill("2020-03-15")
    page.locator("#id_start_time").fill("09:00")
    page.locator("#id_place").fill("县委常委会议室")
    page.locator("#id_format").select_option("seminar")
    page.locator("#id_topic").fill(TOPIC)
    page.locator("#id_host").select_option(str(five_members["leader"].pk))
    page.locator("#id_speakers").fill("李书记，王秘书")
    page.locator("#id_minutes").fill("李书记领学，成员交流发言。")

    # Everyone starts as present: change only the late, the one on leave and the absent one.
    page.locator(f"#id_m{five_members['late'].pk}-status").select_option("late")
    page.locator(f"#id_m{five_members['away'].pk}-status").select_option("leave")
    page.locator(f"#id_m{five_members['away'].pk}-leave_reason").fill("下乡调研")
    page.locator(f"#id_m{five_members['member'].pk}-status").select_option("absent")
    with page.expect_navigation():
        save.click()

    success = page.locator(".alert-success")
    assert success.is_visible(), "no success message after saving the session"
    assert TOPIC in success.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == TOPIC
    assert "2020年3月15日" in page.locator("main").inner_text()  # dates in the Chinese locale
    assert "下乡调研" in page.locator("main table").inner_text()
    edit_url = reverse("sessions_app:session_edit", args=[slug, StudySession.objects.get().pk])
    edit = page.locator(f"main a.btn[href='{edit_url}']")
    page_checks(label="session page", actions=[edit])

    statuses = dict(Attendance.objects.values_list("member__display_name", "status"))
    assert statuses == {
        "王秘书": "present",
        "李书记": "present",
        "张成员": "absent",
        "赵迟到": "late",
        "钱请假": "leave",
    }

    # The term's list (the breadcrumb leads there) shows the session and its attendance rate:
    # present 2 + late 1 of 5 members = 60.0%.
    page.locator("nav.breadcrumb, nav[aria-label] .breadcrumb").first.locator("a").first.click()
    page.wait_for_url(f"**{reverse('sessions_app:session_list', args=[slug])}?term={term.code}")
    row = page.locator("main table tbody tr", has_text=TOPIC)
    assert row.count() == 1
    rate = row.locator("[data-rate]").inner_text()
    assert "60.0%" in rate and "3/5" in rate, rate
    assert "2020年3月15日" in row.inner_text()
    page_checks(label="term's session list")
    page_checks.assert_clean()
