"""The term's attendance ledger (考勤台账): members × sessions, with each member's rate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from sessions_app.models import Attendance, Member, StudySession, Term, in_group_during
from sessions_app.selectors.attendance import attendance_rate, attended_in


@dataclass(frozen=True)
class LedgerLine:
    """One member's line: their status on each session (None where nothing is recorded), how
    many recorded sessions they attended (attended_in: present or late) and their rate."""

    member: Member
    statuses: list[str | None]
    attended: int
    recorded: int

    @property
    def rate(self) -> Decimal | None:
        return attendance_rate(attended=self.attended, total=self.recorded)


@dataclass(frozen=True)
class Ledger:
    """The term's sessions (by date), its members' lines (in the group's order) and totals:
    per session (attended, recorded) and overall."""

    term: Term
    sessions: list[StudySession]
    lines: list[LedgerLine]
    session_totals: list[tuple[int, int]]
    attended: int
    recorded: int

    @property
    def rate(self) -> Decimal | None:
        return attendance_rate(attended=self.attended, total=self.recorded)


def attendance_ledger(*, group_id: int, term: Term) -> Ledger:
    """The ledger of the group's term: every member in the group on any day of the term
    (Member.objects.in_group_during) and anyone recorded at one of its sessions. Rates come
    from sessions_app.selectors.attendance. Three queries at any size."""
    sessions = list(
        StudySession.objects.filter(group_id=group_id, term=term).order_by("date", "start_time",
                                                                           "id")
    )
    rows = list(
        Attendance.objects.filter(session__in=sessions).values_list("member_id", "session_id",
                                                                    "status")
    )
    recorded_ids = {member_id for member_id, _s, _st in rows}
    members = list(
        Member.objects.filter(group_id=group_id)
        .filter(in_group_during(term.start_date, term.end_date) | Q(pk__in=recorded_ids))
        .in_rank_order()
    )
    status_of = {(member_id, session_id): status for member_id, session_id, status in rows}
    lines = []
    for member in members:
        statuses = [status_of.get((member.pk, s.pk)) for s in sessions]
        counts: dict[str, int] = {}
        for status in statuses:
            if status:
                counts[status] = counts.get(status, 0) + 1
        lines.append(LedgerLine(member=member, statuses=statuses, attended=attended_in(counts),
                                recorded=sum(counts.values())))
    session_totals = []
    for index in range(len(sessions)):
        counts = {}
        for line in lines:
            if status := line.statuses[index]:
                counts[status] = counts.get(status, 0) + 1
        session_totals.append((attended_in(counts), sum(counts.values())))
    return Ledger(
        term=term,
        sessions=sessions,
        lines=lines,
        session_totals=session_totals,
        attended=sum(line.attended for line in lines),
        recorded=sum(line.recorded for line in lines),
    )
