"""Reading sessions and attendance, always through the group."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from sessions_app.models import (
    Attendance,
    Member,
    ReflectionEssay,
    StudyGroup,
    StudySession,
    Term,
)
from sessions_app.selectors.attendance import (
    attendance_rate,
    attended_filter,
    meets_attendance_rule,
)
from sessions_app.selectors.essays import asked_for_essay, essay_counts


def sessions_for_group(*, group_id: int) -> QuerySet[StudySession]:
    return StudySession.objects.filter(group_id=group_id)


def session_get(*, group_id: int, pk: int) -> StudySession:
    """A session of the group with what its pages show; 404 for another group's session."""
    session = (
        sessions_for_group(group_id=group_id)
        # The notice (notices.Notice) too: the session's pages link it, with no query more.
        .select_related("term", "host", "planned_topic", "group", "notice")
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
    """The term's sessions, newest first, each with its attendance and the essays that count
    (returned ones do not; see essay_counts), in one query."""
    sessions = (
        sessions_for_group(group_id=group_id)
        .filter(term=term)
        .select_related("host")
        .annotate(
            n_total=Count("attendances", distinct=True),
            n_attended=Count("attendances", filter=attended_filter("attendances__"), distinct=True),
            n_essays=Count("essays", filter=essay_counts("essays__"), distinct=True),
        )
        .order_by("-date", "-start_time", "-id")
    )
    return [
        SessionRow(session=s, attended=s.n_attended, total=s.n_total, essays=s.n_essays)
        for s in sessions
    ]


def session_host_choices(
    *, group: StudyGroup, day: dt.date, named: int | None = None
) -> QuerySet[Member]:
    """Who may host a session held on day: the members in the group that day, plus the member
    the record already names (named, a Member id), even if they have left since, so that
    editing a past session never drops its host. In the group's order."""
    in_group = Q(pk__in=Member.objects.filter(group=group).in_group_on(day).values("pk"))
    if named is not None:
        in_group |= Q(pk=named)
    return Member.objects.filter(in_group, group=group).in_rank_order()


@dataclass(frozen=True)
class SheetLine:
    """One line of the attendance sheet: a member and their recorded attendance, if any."""

    member: Member
    attendance: Attendance | None


def attendance_sheet(
    *, group_id: int, day: dt.date, session: StudySession | None = None
) -> list[SheetLine]:
    """Every member in the group on the day (Member.objects.in_group_on: not one who leaves
    that day), plus anyone already recorded for the session, in the group's order."""
    recorded = {}
    if session is not None:
        recorded = {
            a.member_id: a
            for a in Attendance.objects.filter(session=session).select_related("member")
        }
    members = {m.pk: m for m in Member.objects.filter(group_id=group_id).in_group_on(day)}
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
class SessionEssays:
    """The essays written for one session, as one viewer may see them.

    essays: the essays that count (essay_counts: not returned), in the group's order of authors,
    with their authors loaded. missing: who was asked for one and has none (essays.asked_for_essay:
    in the group on the session's date, whoever has left since), in the group's order; empty when
    the session
    asked for no essays (asked is False). A member who is not a secretary or leader sees only
    their own essay and themself.
    """

    asked: bool
    essays: list[ReflectionEssay]
    missing: list[Member]


def session_essays(*, session: StudySession, viewer: Member) -> SessionEssays:
    """The session's counted essays and who has not written one (2 queries, however many)."""
    essays = (
        ReflectionEssay.objects.filter(essay_counts(), session=session)
        .select_related("author")
        .defer("body")
        .order_by("author__sort_order", "author_id", "submitted_at", "id")
    )
    members = Member.objects.filter(group_id=session.group_id)
    if not viewer.can_manage_records:
        essays = essays.filter(author=viewer)
        members = members.filter(pk=viewer.pk)
    essays = list(essays)
    asked = session.essay_due_on is not None
    missing = []
    if asked:
        written = {e.author_id for e in essays}
        missing = [
            m
            for m in members.in_rank_order()
            if m.pk not in written and asked_for_essay(m, session=session)
        ]
    return SessionEssays(asked=asked, essays=essays, missing=missing)


@dataclass(frozen=True)
class MemberRecord:
    member: Member
    attendance: list[Attendance]
    attended: int
    total: int

    @property
    def rate(self) -> Decimal | None:
        return attendance_rate(attended=self.attended, total=self.total)

    @property
    def rule(self) -> Decimal:
        """The group's required attendance rate, in percent."""
        return self.member.group.rule_attendance_rate

    @property
    def meets_rule(self) -> bool | None:
        """Whether the member's own rate reaches the group's rule (meets_attendance_rule);
        False flags it on the record page; None when nothing is recorded yet."""
        return meets_attendance_rule(self.rate, group=self.member.group)


def member_record(*, member: Member) -> MemberRecord:
    """A member's own attendance across all terms, newest first."""
    rows = list(
        Attendance.objects.filter(member=member)
        .select_related("session", "session__term")
        .order_by("-session__date")
    )
    attended = sum(1 for a in rows if a.attended)
    return MemberRecord(member=member, attendance=rows, attended=attended, total=len(rows))


def session_checkin_count(*, session: StudySession) -> int:
    """How many members have checked in to the session by its QR code (one query)."""
    return Attendance.objects.filter(session=session, checked_in_at__isnull=False).count()
