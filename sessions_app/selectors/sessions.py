"""Reading sessions and attendance, always through the group."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from sessions_app.models import Attendance, Member, StudySession, Term
from sessions_app.selectors.attendance import ATTENDED_STATUSES, attendance_rate


def sessions_for_group(*, group_id: int) -> QuerySet[StudySession]:
    return StudySession.objects.filter(group_id=group_id)


def session_get(*, group_id: int, pk: int) -> StudySession:
    """A session of the group with what its pages show; 404 for another group's session."""
    session = (
        sessions_for_group(group_id=group_id)
        .select_related("term", "host", "planned_topic", "group")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404("No such session")
    return session


@dataclass(frozen=True)
class SessionRow:
    session: StudySession
    attended: int
    total: int
    essays: int

    @property
    def rate(self) -> Decimal | None:
        return attendance_rate(attended=self.attended, total=self.total)


def session_rows_for_term(*, group_id: int, term: Term) -> list[SessionRow]:
    """The term's sessions, newest first, each with its attendance and essay counts (one query)."""
    sessions = (
        sessions_for_group(group_id=group_id)
        .filter(term=term)
        .select_related("host")
        .annotate(
            n_total=Count("attendances", distinct=True),
            n_attended=Count(
                "attendances",
                filter=Q(attendances__status__in=ATTENDED_STATUSES),
                distinct=True,
            ),
            n_essays=Count("essays", distinct=True),
        )
        .order_by("-date", "-start_time", "-id")
    )
    return [
        SessionRow(session=s, attended=s.n_attended, total=s.n_total, essays=s.n_essays)
        for s in sessions
    ]


@dataclass(frozen=True)
class SheetLine:
    """One line of the attendance sheet: a member and their recorded attendance, if any."""

    member: Member
    attendance: Attendance | None


def attendance_sheet(
    *, group_id: int, day: dt.date, session: StudySession | None = None
) -> list[SheetLine]:
    """Every member active on the day, plus anyone already recorded for the session, in order."""
    recorded = {}
    if session is not None:
        recorded = {
            a.member_id: a
            for a in Attendance.objects.filter(session=session).select_related("member")
        }
    active = Member.objects.filter(group_id=group_id, joined_on__lte=day).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=day)
    )
    members = {m.pk: m for m in active}
    for member_id, row in recorded.items():
        members.setdefault(member_id, row.member)
    ordered = sorted(members.values(), key=lambda m: (m.sort_order, m.pk))
    return [SheetLine(member=m, attendance=recorded.get(m.pk)) for m in ordered]


def session_attendance(*, session: StudySession) -> list[Attendance]:
    return list(
        Attendance.objects.filter(session=session)
        .select_related("member")
        .order_by("member__sort_order", "member_id")
    )


@dataclass(frozen=True)
class MemberRecord:
    member: Member
    attendance: list[Attendance]
    attended: int
    total: int

    @property
    def rate(self) -> Decimal | None:
        return attendance_rate(attended=self.attended, total=self.total)


def member_record(*, member: Member) -> MemberRecord:
    """A member's own attendance across all terms, newest first."""
    rows = list(
        Attendance.objects.filter(member=member)
        .select_related("session", "session__term")
        .order_by("-session__date")
    )
    attended = sum(1 for a in rows if a.status in ATTENDED_STATUSES)
    return MemberRecord(member=member, attendance=rows, attended=attended, total=len(rows))
