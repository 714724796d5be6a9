"""Records dated as made (issue 16, part 2): the session page, the summary's appendix and the
dashboard read when records were entered from the creation times and the history."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.promptness import prompt_counts, recorded_on_days, session_dates
from reports.selectors.summary import half_year_summary
from sessions_app.models import Attendance, StudySession
from sessions_app.services.sessions import AttendanceEntry, session_record, session_update
from tests.factories import AttendanceFactory, MemberFactory, StudySessionFactory

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0), tick=False)


def _record(group, actor, day, topic, members, *, on):
    with _at(on):
        return session_record(
            group=group,
            actor=actor.user,
            fields={"date": day, "format": "seminar", "topic": topic},
            attendance=[AttendanceEntry(member=m, status="present") for m in members],
        )


def _change(session, actor, members, *, on, status="absent"):
    with _at(on):
        session.refresh_from_db()
        return session_update(
            session=session,
            actor=actor.user,
            fields={"date": session.date, "format": session.format, "topic": session.topic},
            attendance=[AttendanceEntry(member=members[0], status=status)]
            + [AttendanceEntry(member=m, status="present") for m in members[1:]],
        )


def test_the_session_page_shows_when_the_record_was_entered_and_a_late_change_by_whom(
    client_for, group, term, secretary, member
):
    held = dt.date(2020, 4, 1)
    session = _record(group, secretary, held, "总体国家安全观", [member, secretary], on=held)
    _change(session, secretary, [member, secretary], on=dt.date(2020, 4, 11))

    dates = session_dates(session=session)
    assert dates.recorded_on == held and not dates.recorded_late
    late = [(c.who, c.member, c.days_after) for c in dates.late_changes]
    assert late == [("王秘书", "张成员", 10)]
    assert dates.attendance_last_at.date() == dt.date(2020, 4, 11)

    with _at(dt.date(2020, 5, 1)):
        page = client_for(secretary).get(
            reverse("sessions_app:session_detail", args=[group.slug, session.pk])
        )
    html = page.content.decode()
    assert 'id="late-changes"' in html
    assert "王秘书" in html and "张成员" in html and "10" in html


def test_an_unchanged_save_and_a_change_within_a_week_are_no_late_change(
    group, term, secretary, member
):
    held = dt.date(2020, 4, 1)
    session = _record(group, secretary, held, "学习一", [member, secretary], on=held)
    _change(session, secretary, [member, secretary], on=dt.date(2020, 4, 5))
    # Saved again 20 days later with the same ticks: nothing changed, nothing late.
    _change(session, secretary, [member, secretary], on=dt.date(2020, 4, 25))
    assert session_dates(session=session).late_changes == ()
    assert Attendance.history.filter(session_id=session.pk).count() == 3  # 2 created, 1 changed


def test_attendance_entered_40_days_late_is_a_late_record_not_a_late_change(
    group, term, secretary, member
):
    held = dt.date(2020, 3, 2)
    session = _record(group, secretary, held, "补记的学习", [member], on=dt.date(2020, 4, 11))
    dates = session_dates(session=session)
    assert dates.recorded_late and dates.recorded_days_after == 40
    assert dates.late_changes == ()


def test_the_summary_gives_the_share_recorded_within_a_week_and_lists_the_late_ones(
    client_for, group, term, secretary, member
):
    people = [member, secretary]
    _record(group, secretary, dt.date(2020, 3, 2), "及时记录", people, on=dt.date(2020, 3, 3))
    _record(group, secretary, dt.date(2020, 3, 9), "四十天后补记", people, on=dt.date(2020, 4, 18))
    changed = _record(
        group, secretary, dt.date(2020, 3, 16), "事后改动", people, on=dt.date(2020, 3, 16)
    )
    _change(changed, secretary, people, on=dt.date(2020, 5, 1))  # 46 days after
    # Put in the calendar ahead, attendance entered 10 days after: recorded late (not listed).
    with _at(dt.date(2020, 3, 1)):
        ahead = StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 23), topic="提前")
    _change(ahead, secretary, people, on=dt.date(2020, 4, 2), status="present")
    # Held yesterday, not recorded yet: not due, so not counted against the share.
    with _at(dt.date(2020, 5, 19)):
        StudySessionFactory(group=group, term=term, date=dt.date(2020, 5, 19), topic="昨天")

    with _at(dt.date(2020, 5, 20)):
        s = half_year_summary(group=group, term=term)
        p = s.promptness
        assert (p.prompt, p.due, str(p.share)) == (2, 4, "50.0")
        assert [(r.topic, r.recorded_days_after, r.changed_days_after) for r in p.late] == [
            ("四十天后补记", 40, 40),
            ("事后改动", 0, 46),
        ]
        html = (
            client_for(secretary)
            .get(reverse("reports:summary", args=[group.slug, term.code]))
            .content.decode()
        )
    assert "学习活动后7天内登记的记录：4次中2次（50.0%）" in html
    assert "四十天后补记" in html and "事后改动" in html
    assert html.count('class="report-late-record"') == 2


def _summary_queries(group, term) -> int:
    with CaptureQueriesContext(connection) as ctx:
        half_year_summary(group=group, term=term)
    return len(ctx.captured_queries)


def test_the_promptness_figures_cost_the_same_queries_at_two_sizes(group, term, secretary):
    few = MemberFactory.create_batch(2, group=group)
    _record(group, secretary, dt.date(2020, 3, 2), "一", few, on=dt.date(2020, 3, 2))
    with _at(dt.date(2020, 5, 20)):
        small = _summary_queries(group, term)
    many = MemberFactory.create_batch(15, group=group)
    for i in range(8):
        day = dt.date(2020, 3, 3 + i)
        s = _record(group, secretary, day, f"第{i}次", many, on=day + dt.timedelta(days=5 * i))
        _change(s, secretary, many, on=day + dt.timedelta(days=40))
    with _at(dt.date(2020, 5, 20)):
        big = _summary_queries(group, term)
        assert len(half_year_summary(group=group, term=term).promptness.late) == 8
    assert big == small


def test_the_dashboard_lists_sessions_held_but_not_recorded_for_the_secretary(
    client_for, group, term, secretary, member, django_assert_max_num_queries
):
    with _at(dt.date(2020, 3, 1)):
        StudySessionFactory(group=group, term=term, date=dt.date(2020, 4, 1), topic="未登记的学习")
        StudySessionFactory(group=group, term=term, date=dt.date(2020, 6, 1), topic="还没开")
    _record(group, secretary, dt.date(2020, 4, 8), "已登记", [member], on=dt.date(2020, 4, 8))
    url = reverse("sessions_app:dashboard", args=[group.slug])
    with _at(dt.date(2020, 5, 20)):
        response = client_for(secretary).get(url)
        assert [s.topic for s in response.context["unrecorded"]] == ["未登记的学习"]
        assert 'id="unrecorded"' in response.content.decode()
        with CaptureQueriesContext(connection) as small:
            client_for(secretary).get(url)
        for i in range(6):
            StudySessionFactory(group=group, term=term, date=dt.date(2020, 4, 10 + i))
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client_for(secretary).get(url)
        assert len(response.context["unrecorded"]) == 7
        assert 'id="unrecorded"' not in client_for(member).get(url).content.decode()


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_database_and_python_forms_of_recorded_on_agree_about_local_midnight(
    group, term, member
):
    """recorded_on_days (computed by the database, for the county table) and recorded_on (one
    session in hand, the session page and the summary) name the same local day, also when the
    day in UTC is another one (00:30 in Shanghai is 16:30 the day before in UTC), and whichever
    of the session's creation and its first attendance is later."""
    held = dt.date(2020, 4, 1)
    cases = {}  # topic -> (created at, attendance first entered at, the local day recorded)
    cases["just after midnight"] = (_local(held, 9), _local(held + dt.timedelta(7), 0, 30), 7)
    cases["just before midnight"] = (_local(held, 9), _local(held + dt.timedelta(8), 23, 50), 8)
    cases["put in the calendar late"] = (
        _local(held + dt.timedelta(9), 0, 10),
        _local(held, 12),
        9,
    )
    cases["never entered"] = (_local(held, 9), None, None)
    sessions = {}
    for topic, (created, entered, _days) in cases.items():
        with time_machine.travel(created, tick=False):
            session = StudySessionFactory(group=group, term=term, date=held, topic=topic)
        if entered is not None:
            with time_machine.travel(entered, tick=False):
                AttendanceFactory(session=session, member=member)
        sessions[topic] = session
    # The calendar entry made after the attendance: created_at is the later time.
    late = sessions["put in the calendar late"]
    StudySession.objects.filter(pk=late.pk).update(created_at=cases[late.topic][0])
    late.refresh_from_db()

    in_database = recorded_on_days(sessions=StudySession.objects.filter(group=group))
    for topic, session in sessions.items():
        days = cases[topic][2]
        expected = None if days is None else held + dt.timedelta(days)
        assert session_dates(session=session).recorded_on == expected, topic
        assert in_database.get(session.pk) == expected, topic


def test_prompt_counts_counts_a_record_made_7_days_after_as_prompt_and_8_as_late():
    held = dt.date(2020, 4, 1)
    days = [
        (held, held + dt.timedelta(7)),  # prompt
        (held, held + dt.timedelta(8)),  # due, late
        (held, None),  # 8 days passed unrecorded: due
        (held + dt.timedelta(1), None),  # 7 days passed unrecorded: not due yet
    ]
    assert prompt_counts(days=days, today=held + dt.timedelta(8)) == (3, 1)
