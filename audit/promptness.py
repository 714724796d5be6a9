"""When records were made, read from the creation times and the history (never from a date a
user types): for a session's page, the term's summary and the secretary's dashboard.

Words (the same everywhere):
- A session is *recorded* once its attendance has been entered (at least one Attendance row):
  the sign-in is what shows the session took place. Its *recorded on* day is the local day of
  the later of the session's created_at and its first attendance history row, so a session put
  in the calendar ahead of time and filled in weeks after it was held counts as recorded late.
- A *late change* is an attendance history row (created "+" or changed "~") made more than
  LATE_CHANGE_DAYS days after the session was held, other than the first entry of the
  attendance (the rows saved on the day attendance was first entered): an entry made late is a
  late record, shown by its date, not a change.
- Days are counted between local dates (settings.TIME_ZONE).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, Max, Min, OuterRef
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone

from sessions_app.models import Attendance, Member, StudySession

# Attendance changed more than this many days after the session is marked as a late change.
LATE_CHANGE_DAYS = 7
# A session recorded within this many days of being held counts as recorded promptly.
PROMPT_RECORD_DAYS = 7
# The summary's appendix lists sessions recorded or changed more than this many days after.
LATE_RECORD_DAYS = 30

HistoricalAttendance = Attendance.history.model


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def recorded_on(*, created_at: dt.datetime, first_attendance_at: dt.datetime | None):
    """The local day a session was recorded (see the module's words), or None if its attendance
    has never been entered."""
    if first_attendance_at is None:
        return None
    return _day(max(created_at, first_attendance_at))


@dataclass(frozen=True)
class LateChange:
    """One attendance row created or changed late: when (aware datetime), by whom (the member's
    display name in the group, else the user name, else ""), whose attendance, and days after
    the session."""

    when: dt.datetime
    who: str
    member: str
    days_after: int


@dataclass(frozen=True)
class SessionDates:
    """When a session was held and its record and attendance entered (aware datetimes; the
    attendance ones None if never entered), and its late attendance changes, oldest first."""

    held_on: dt.date
    created_at: dt.datetime
    attendance_first_at: dt.datetime | None
    attendance_last_at: dt.datetime | None
    late_changes: tuple[LateChange, ...]

    @property
    def recorded_on(self) -> dt.date | None:
        return recorded_on(created_at=self.created_at, first_attendance_at=self.attendance_first_at)

    @property
    def recorded_days_after(self) -> int | None:
        """Days from the session to its record (negative: entered ahead), None if unrecorded."""
        day = self.recorded_on
        return None if day is None else (day - self.held_on).days

    @property
    def recorded_late(self) -> bool:
        days = self.recorded_days_after
        return days is not None and days > PROMPT_RECORD_DAYS


def session_dates(*, session: StudySession) -> SessionDates:
    """When the session was held, recorded and its attendance entered, with its late changes.

    Reads the attendance history rows of the session (deleted rows' history included) and, when
    a late change exists, who made it: one or two queries (three if someone changed attendance
    with an account that is no member of the group), whatever the number of rows.
    """
    rows = list(
        HistoricalAttendance.objects.filter(session_id=session.pk)
        .select_related("member")
        .order_by("history_date", "history_id")
    )
    if not rows:
        return SessionDates(
            held_on=session.date,
            created_at=session.created_at,
            attendance_first_at=None,
            attendance_last_at=None,
            late_changes=(),
        )
    first_day = _day(rows[0].history_date)
    late = []
    for row in rows:
        day = _day(row.history_date)
        days_after = (day - session.date).days
        if days_after <= LATE_CHANGE_DAYS or row.history_type not in ("+", "~"):
            continue
        if row.history_type == "+" and day == first_day:
            continue  # the first entry of the attendance
        late.append((row, days_after))
    names = _names(group_id=session.group_id, user_ids={r.history_user_id for r, _d in late})
    return SessionDates(
        held_on=session.date,
        created_at=session.created_at,
        attendance_first_at=rows[0].history_date,
        attendance_last_at=rows[-1].history_date,
        late_changes=tuple(
            LateChange(
                when=row.history_date,
                who=names.get(row.history_user_id, ""),
                member=row.member.display_name if row.member else "",
                days_after=days_after,
            )
            for row, days_after in late
        ),
    )


def _names(*, group_id: int, user_ids: set) -> dict:
    """{user id: member display name in the group, else user name}: at most two queries."""
    user_ids.discard(None)
    if not user_ids:
        return {}
    names = dict(
        Member.objects.filter(group_id=group_id, user_id__in=user_ids).values_list(
            "user_id", "display_name"
        )
    )
    missing = user_ids - names.keys()
    if missing:
        for user in get_user_model().objects.filter(pk__in=missing):
            names[user.pk] = user.get_username()
    return names


def attendance_times(*, sessions) -> dict[int, tuple[dt.datetime, dt.datetime]]:
    """{session id: (first, last) attendance history time} for a queryset of sessions; one
    query (an aggregate over the attendance history), whatever the number of rows. Sessions
    whose attendance was never entered are absent."""
    return {
        row["session_id"]: (row["first"], row["last"])
        for row in HistoricalAttendance.objects.filter(session_id__in=sessions.values("pk"))
        .values("session_id")
        .annotate(first=Min("history_date"), last=Max("history_date"))
        .order_by()
    }


def recorded_on_days(*, sessions) -> dict[int, dt.date]:
    """{session id: the local day it was recorded} for a queryset of sessions, by recorded_on's
    rule computed in the database: the later of the session's created_at and its first attendance
    history time, as a day in the current time zone. Sessions whose attendance was never entered
    are absent. One query (an aggregate over the attendance history) that loads dates, not
    times: the county table counts thousands of sessions with it. recorded_on is the same rule
    for a session in hand; tests/audit/test_promptness.py pins that the two agree about days
    that turn at local midnight."""
    return dict(
        HistoricalAttendance.objects.filter(session_id__in=sessions.values("pk"))
        .values("session_id")
        .annotate(
            # One session per group: its created_at is one value, Min only makes it an aggregate.
            day=TruncDate(Greatest(Min("session__created_at"), Min("history_date")))
        )
        .values_list("session_id", "day")
        .order_by()
    )


def prompt_counts(*, days, today: dt.date) -> tuple[int, int]:
    """(due, prompt) over held sessions given as (held on, recorded on) pairs of dates, recorded
    on None for a session never recorded (recorded_on, or recorded_on_days for many): a session
    is due once recorded or once PROMPT_RECORD_DAYS have passed since it was held; it is prompt
    when recorded within PROMPT_RECORD_DAYS. The summary's share of sessions recorded within 7
    days and the county table's both count with it."""
    due = prompt = 0
    for held_on, day in days:
        recorded_after = None if day is None else (day - held_on).days
        if recorded_after is not None or (today - held_on).days > PROMPT_RECORD_DAYS:
            due += 1
            if recorded_after is not None and recorded_after <= PROMPT_RECORD_DAYS:
                prompt += 1
    return due, prompt


def unrecorded_sessions(*, group_id: int, today: dt.date) -> list[StudySession]:
    """The group's sessions held (date up to today) whose attendance has not been entered, oldest
    first, with their terms: one query whatever the number of sessions."""
    return list(
        StudySession.objects.filter(group_id=group_id, date__lte=today)
        .filter(~Exists(Attendance.objects.filter(session_id=OuterRef("pk"))))
        .select_related("term")
        .order_by("date", "start_time", "id")
    )
