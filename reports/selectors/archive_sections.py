"""The year archive's sections from the session cycle (reports.selectors.archive's
SECTION_BUILDERS): the 学习通知 published, and the leave requests and 补学 duties with what
came of them. Each builder runs a fixed number of queries whatever the year holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _

from notices.models import Notice
from reports.selectors.archive import SECTION_BUILDERS, ArchiveSection, year_span
from sessions_app.models import LeaveRequest, MakeupDuty, StudyGroup


@dataclass(frozen=True)
class NoticeLine:
    session_date: dt.date
    topic: str
    published_at: dt.datetime
    key_speakers: str
    reads: int


@dataclass(frozen=True)
class LeaveLine:
    session_date: dt.date
    member: str
    reason: str
    status: str
    decided_by: str
    comment: str


@dataclass(frozen=True)
class MakeupLine:
    session_date: dt.date
    member: str
    due_on: dt.date
    status: str
    submitted_at: dt.datetime | None
    reviewed_by: str
    notes: str


@dataclass(frozen=True)
class SessionCycle:
    leave: tuple[LeaveLine, ...]
    makeup: tuple[MakeupLine, ...]


def notices_section(*, group: StudyGroup, year: int, terms) -> ArchiveSection | None:
    """The year's published notices: session, when members saw it, key speakers, how many
    confirmed reading. Two queries; None when the group published none that year."""
    start, end = year_span(year)
    notices = list(
        Notice.objects.filter(session__group=group, session__date__range=(start, end))
        .select_related("session")
        .prefetch_related("key_speakers")
        .annotate(read_count=Count("reads", distinct=True))
        .order_by("session__date", "pk")
    )
    if not notices:
        return None
    return ArchiveSection(
        key="notices",
        title=_("Notices (学习通知)"),
        template="reports/archive/_notices.html",
        data=tuple(
            NoticeLine(
                session_date=n.session.date,
                topic=n.session.topic,
                published_at=n.publish_at,
                key_speakers="、".join(m.display_name for m in n.key_speakers.all()),
                reads=n.read_count,
            )
            for n in notices
        ),
    )


def leave_and_makeup_section(*, group: StudyGroup, year: int, terms) -> ArchiveSection | None:
    """The year's leave requests with their decisions, and the 补学 duties with their state,
    review and typed notes (a file's text was read into notes when it was submitted). Two
    queries; None when the year has neither."""
    start, end = year_span(year)
    leave = list(
        LeaveRequest.objects.filter(session__group=group, session__date__range=(start, end))
        .select_related("session", "member", "decided_by")
        .order_by("session__date", "member__sort_order", "pk")
    )
    duties = list(
        MakeupDuty.objects.filter(
            attendance__session__group=group, attendance__session__date__range=(start, end)
        )
        .exclude(status=MakeupDuty.Status.CANCELLED)
        .select_related("attendance__session", "member", "reviewed_by")
        .order_by("attendance__session__date", "member__sort_order", "pk")
    )
    if not leave and not duties:
        return None
    return ArchiveSection(
        key="leave_makeup",
        title=_("Leave and make-up study (请假和补学)"),
        template="reports/archive/_leave_makeup.html",
        data=SessionCycle(
            leave=tuple(
                LeaveLine(
                    session_date=r.session.date,
                    member=r.member.display_name,
                    reason=r.reason,
                    status=r.get_status_display(),
                    decided_by=r.decided_by.display_name if r.decided_by_id else "",
                    comment=r.decision_comment,
                )
                for r in leave
            ),
            makeup=tuple(
                MakeupLine(
                    session_date=d.attendance.session.date,
                    member=d.member.display_name,
                    due_on=d.due_on,
                    status=d.get_status_display(),
                    submitted_at=d.submitted_at,
                    reviewed_by=d.reviewed_by.display_name if d.reviewed_by_id else "",
                    notes=d.notes,
                )
                for d in duties
            ),
        ),
    )


SECTION_BUILDERS.extend([notices_section, leave_and_makeup_section])
