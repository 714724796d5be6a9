"""Writing a member's own check-in (签到) by the session's QR code (rules: sessions_app.checkin)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions_app.checkin import (
    CheckinRefused,
    checkin_status,
    checkin_token_check,
    checkin_window_check,
)
from sessions_app.models import Attendance, Member, StudySession
from sessions_app.services.makeup import makeup_duties_follow


@dataclass(frozen=True)
class CheckIn:
    """A member's check-in: their attendance row, and whether this scan made it (False: they
    had checked in before, and the first check-in is kept)."""

    attendance: Attendance
    recorded: bool


@transaction.atomic
def attendance_check_in(
    *,
    session: StudySession,
    member: Member,
    token: str,
    at: dt.datetime | None = None,
) -> CheckIn:
    """Mark member present at session, or late after the start plus the group's grace, as
    checked in at at (default now), by the code token they scanned.

    Refused with CheckinRefused, writing nothing, when: the token is not this session's code
    accepted at at (expired, another session's, made up; sessions_app.checkin), at is outside
    the session's check-in window (or the session has no times), or the member is not in the
    session's group on its date (Member.is_in_group_on, the rule of Member.objects.in_group_on).

    A member who has already checked in keeps their first time and status (recorded False). A
    row the secretary ticked beforehand (present, on leave, ...) without a check-in is replaced
    by the check-in: they came (a 补学 duty it opened is cancelled: makeup_duties_follow). The
    change is kept in the row's history as the member's own.
    session needs its group loaded (session_get does). Three to five queries.
    """
    at = at or timezone.now()
    checkin_token_check(session_id=session.pk, token=token, at=at)
    window = checkin_window_check(session, at=at)
    if member.group_id != session.group_id or not member.is_in_group_on(session.date):
        raise CheckinRefused(
            CheckinRefused.NOT_A_MEMBER,
            _(
                "You were not a member of this group on the session's date, so you cannot "
                "check in to it. Ask the secretary if this is wrong."
            ),
        )
    row = _locked_row(session=session, member=member)
    if row is not None and row.checked_in_at is not None:
        return CheckIn(attendance=row, recorded=False)
    if row is None:
        row = Attendance(session=session, member=member)
    was_away = row.is_away
    row.status = checkin_status(
        window=window, grace_minutes=session.group.checkin_grace_minutes, at=at
    )
    row.leave_reason = ""
    row.checked_in_at = at
    row.stamp(member.user)
    try:
        row.full_clean(exclude=["session", "member", "created_by", "updated_by"],
                       validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        # A row the secretary recorded that a check-in cannot become (make-up study recorded).
        raise CheckinRefused(CheckinRefused.INVALID, " ".join(exc.messages)) from exc
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # The same member's other scan created the row a moment ago: theirs is the first.
        return CheckIn(attendance=_locked_row(session=session, member=member), recorded=False)
    if was_away:
        # Ticked 请假/缺席 beforehand, yet they came: the 补学 duty follows (it is cancelled).
        makeup_duties_follow(session=session, rows=[row], actor=member.user)
    return CheckIn(attendance=row, recorded=True)


def _locked_row(*, session: StudySession, member: Member) -> Attendance | None:
    return (
        Attendance.objects.select_for_update()
        .filter(session=session, member=member)
        .order_by("pk")
        .first()
    )
