"""补学 (make-up study) as the pages and the summary count it, and the duties they list.

Counted over a term's sessions held by today, from the attendance rows on leave or absent
(AWAY_STATUSES), in person-times (人次): one row is one person-time.

- made up: the row's make-up is recorded (sessions_app.selectors.attendance.made_up_filter);
- not made up: the others;
- overdue: not made up, and its duty is still owed by the member (to do or returned,
  OWED_MAKEUP) after its due day (overdue_filter; the due day itself is not overdue).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from sessions_app.models import (
    AWAY_STATUSES,
    OWED_MAKEUP,
    Attendance,
    MakeupDuty,
    Member,
    StudyGroup,
    Term,
)
from sessions_app.selectors.attendance import made_up_filter


@dataclass(frozen=True)
class MakeupFigures:
    """Person-times on leave or absent, and how many of them are made up and overdue."""

    away: int = 0
    made_up: int = 0
    overdue: int = 0

    @property
    def not_made_up(self) -> int:
        return self.away - self.made_up

    def __add__(self, other: MakeupFigures) -> MakeupFigures:
        return MakeupFigures(
            away=self.away + other.away,
            made_up=self.made_up + other.made_up,
            overdue=self.overdue + other.overdue,
        )


@dataclass(frozen=True)
class MakeupCounts:
    """A term's figures for the group (total) and for each member by id (only members with
    rows on leave or absent appear)."""

    total: MakeupFigures
    by_member: dict[int, MakeupFigures]

    def for_member(self, member_id: int) -> MakeupFigures:
        return self.by_member.get(member_id, MakeupFigures())


def overdue_filter(*, today: dt.date, prefix: str = "") -> Q:
    """Duties still owed by the member after their due day (prefix: the path to the duty)."""
    return Q(**{f"{prefix}status__in": OWED_MAKEUP, f"{prefix}due_on__lt": today})


def makeup_counts(*, group: StudyGroup, term: Term, today: dt.date) -> MakeupCounts:
    """The term's 请假/缺席 person-times, made up, not made up and overdue, for the group and per
    member, over its sessions held by today. One query, whatever the size of the group."""
    overdue = Exists(
        MakeupDuty.objects.filter(overdue_filter(today=today), attendance=OuterRef("pk"))
    )
    rows = (
        Attendance.objects.filter(
            session__group=group,
            session__term=term,
            session__date__lte=today,
            status__in=AWAY_STATUSES,
        )
        .values("member_id")
        .annotate(
            away=Count("id"),
            made_up=Count("id", filter=made_up_filter()),
            overdue=Count("id", filter=Q(overdue) & ~made_up_filter()),
        )
        .order_by()
    )
    by_member = {
        r["member_id"]: MakeupFigures(away=r["away"], made_up=r["made_up"], overdue=r["overdue"])
        for r in rows
    }
    return MakeupCounts(total=sum(by_member.values(), MakeupFigures()), by_member=by_member)


def _duties() -> QuerySet[MakeupDuty]:
    return MakeupDuty.objects.select_related(
        "member", "member__group", "attendance", "attendance__session", "reviewed_by"
    )


def makeup_duties_of(*, member: Member) -> list[MakeupDuty]:
    """The member's duties, live ones first by due day, then the cancelled (one query)."""
    duties = list(_duties().filter(member=member).order_by("due_on", "id"))
    return sorted(duties, key=lambda d: d.status == MakeupDuty.Status.CANCELLED)


def makeup_duties_owed_by(*, member: Member) -> list[MakeupDuty]:
    """The duties member still has to do (to do or returned), by due day (one query)."""
    return list(_duties().filter(member=member, status__in=OWED_MAKEUP).order_by("due_on", "id"))


def makeup_duties_for_review(*, group_id: int) -> list[MakeupDuty]:
    """The group's duties the secretary follows: submitted ones first (to review), then those
    still owed, by due day (one query)."""
    duties = list(
        _duties()
        .filter(
            member__group_id=group_id,
            status__in=(MakeupDuty.Status.SUBMITTED, *OWED_MAKEUP),
        )
        .order_by("due_on", "id")
    )
    return sorted(duties, key=lambda d: d.status != MakeupDuty.Status.SUBMITTED)


def makeup_duty_get(*, member: Member, pk: int) -> MakeupDuty:
    """A duty member may read: their own, or any of the group's for its secretary and
    leaders. 404 otherwise (another group's, another member's, a missing one)."""
    duties = _duties().filter(member__group_id=member.group_id)
    if not member.can_manage_records:
        duties = duties.filter(member=member)
    duty = duties.filter(pk=pk).prefetch_related("attendance__session__materials").first()
    if duty is None:
        raise Http404("No such make-up study")
    return duty
