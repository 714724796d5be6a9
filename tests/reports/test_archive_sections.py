"""The year archive's session-cycle sections (reports.selectors.archive_sections): the notices,
the leave requests with their decisions, the 补学 duties with the members' notes, and the 发言提纲
among the year's texts (outlines count in no figure but are archived)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from notices.models import Notice
from reports.selectors.archive import year_archive
from sessions_app.models import Attendance, LeaveRequest, MakeupDuty, ReflectionEssay
from tests.factories import AttendanceFactory, ReflectionEssayFactory
from tests.reports._archive_data import archive_year

END_OF_YEAR = dt.date(2020, 12, 31)


def test_the_archive_holds_notices_leave_make_up_notes_and_outlines(
    group, term, secretary, leader, member
):
    year = archive_year(group=group, term=term, secretary=secretary, leader=leader, member=member)
    session = year.h1_sessions[0]
    notice = Notice.objects.create(
        session=session, discussion_questions="如何联系实际？",
        publish_at=timezone.make_aware(dt.datetime(2020, 3, 1, 8, 0)),
    )
    notice.key_speakers.set([leader, secretary])
    LeaveRequest.objects.create(
        session=session, member=member, reason="赴省里开会",
        requested_at=timezone.make_aware(dt.datetime(2020, 3, 1, 9, 0)),
        status=LeaveRequest.Status.APPROVED, decided_by=leader,
        decided_at=timezone.make_aware(dt.datetime(2020, 3, 1, 10, 0)),
    )
    row = Attendance.objects.filter(session=session, member=member).first() or AttendanceFactory(
        session=session, member=member
    )
    MakeupDuty.objects.create(
        attendance=row, member=member, due_on=session.date + dt.timedelta(days=14),
        status=MakeupDuty.Status.SUBMITTED, notes="补学了讲话原文，摘录三处要点。",
    )
    ReflectionEssayFactory(
        group=group, author=leader, session=session, kind=ReflectionEssay.Kind.OUTLINE,
        title="中心发言提纲", body="一、提高站位。二、狠抓落实。",
    )

    archive = year_archive(group=group, year=2020, today=END_OF_YEAR)

    sections = {s.key: s for s in archive.extra_sections}
    assert set(sections) == {"notices", "leave_makeup"}
    (line,) = sections["notices"].data
    assert line.key_speakers.split("、") == sorted(
        [leader.display_name, secretary.display_name], key=line.key_speakers.index
    )
    cycle = sections["leave_makeup"].data
    assert [(r.member, r.reason) for r in cycle.leave] == [(member.display_name, "赴省里开会")]
    assert [d.notes for d in cycle.makeup] == ["补学了讲话原文，摘录三处要点。"]
    texts = [e.title for s in archive.sessions for e in s.essays]
    assert "中心发言提纲" in texts


def test_a_year_without_them_has_no_such_sections(group, term, secretary, leader, member):
    archive_year(group=group, term=term, secretary=secretary, leader=leader, member=member)
    archive = year_archive(group=group, year=2020, today=END_OF_YEAR)
    assert {s.key for s in archive.extra_sections} <= {"leave_makeup"}  # the fixture's absences
