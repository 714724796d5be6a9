"""QR check-in (签到): the codes the projector shows and the rules a scanned code must meet.

The secretary opens a session's check-in page (the projector page); it shows a QR code of a URL
that carries a token:

    /g/<group>/sessions/<session id>/checkin/scan/<step>-<mac>/

- step is the 30-second time step (Unix time // STEP_SECONDS), so the code changes every 30 s;
- mac is an HMAC-SHA256 of the session id and the step, keyed from settings.SECRET_KEY
  (django.utils.crypto.salted_hmac with KEY_SALT: the key is derived from SECRET_KEY and the
  salt, never SECRET_KEY itself), cut to 128 bits (32 hex digits).

A code is accepted during its own step and the next one (the current and the previous step), so
a member has 30 to 60 seconds from the moment it appeared: a code photographed and sent on, or
replayed later, is refused as expired. A code made for one session never checks in to another
(the session id is in the HMAC), and a session belongs to one group.

A code is accepted only inside the session's check-in window: from OPENS_BEFORE (30 minutes)
before its start to its end, on the session's date, in the site's time zone (settings.TIME_ZONE).
The start is included and the end is not: at the end time itself the session is over and
check-in is closed. A session without a start or an end time has no window: check-in cannot be
opened until the secretary sets both (the refusal says so).

A member who checks in up to the group's grace (StudyGroup.checkin_grace_minutes, default 5)
after the start is present, later is late (checkin_status).

The check-in URL is opened with GET, because that is what a phone's camera does. What a GET
could be made to do across sites is what forwarding the URL already allows: mark the person who
opens it, in their own group, within the minute the code lives. A member who must sign in first
(a phone with no session) would lose that minute at the login form, so the first, anonymous
visit leaves a grant in their (server-side) session: checkin_grant_remember and
checkin_grant_time let the check-in after the login count from the scan, for GRANT_SECONDS.

Nothing here writes: sessions_app.services.checkin records the attendance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from dataclasses import dataclass

import segno
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from sessions_app.models import Attendance, StudySession

#: Seconds a code is shown before the next one; a code is accepted for two steps.
STEP_SECONDS = 30
#: How long before the session's start check-in opens.
OPENS_BEFORE = dt.timedelta(minutes=30)
#: The salt that makes the HMAC key (salted_hmac): check-in codes are no other signature.
KEY_SALT = "sessions_app.checkin.code"
#: Hex digits of the HMAC kept in a code (128 bits).
MAC_LENGTH = 32
#: How long a code checked before signing in still counts once signed in (seconds).
GRANT_SECONDS = 10 * 60
#: The key of the grant in the member's session.
GRANT_KEY = "checkin_grant"


class CheckinRefused(Exception):
    """A check-in that is refused: reason is one of the class's codes, message says why to the
    member (translated in the active language). Nothing was written."""

    NO_TIMES = "no_times"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    EXPIRED = "expired"
    INVALID = "invalid"
    NOT_A_MEMBER = "not_a_member"

    def __init__(self, reason: str, message: str):
        self.reason = reason
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class CheckinWindow:
    """When a session's check-in opens, when the session starts and when it ends (aware
    datetimes in the site's time zone). Check-in is open from opens (included) to ends (not
    included)."""

    opens: dt.datetime
    starts: dt.datetime
    ends: dt.datetime

    def is_open(self, at: dt.datetime) -> bool:
        return self.opens <= at < self.ends


def checkin_window(session: StudySession) -> CheckinWindow | None:
    """The session's check-in window, or None when it has no start or no end time."""
    if session.start_time is None or session.end_time is None:
        return None
    zone = timezone.get_default_timezone()
    starts = timezone.make_aware(dt.datetime.combine(session.date, session.start_time), zone)
    ends = timezone.make_aware(dt.datetime.combine(session.date, session.end_time), zone)
    return CheckinWindow(opens=starts - OPENS_BEFORE, starts=starts, ends=ends)


def _local_time(moment: dt.datetime) -> str:
    return time_format(timezone.localtime(moment), "H:i")


def checkin_window_check(session: StudySession, *, at: dt.datetime) -> CheckinWindow:
    """The session's window if at is inside it; else raises CheckinRefused (NO_TIMES,
    NOT_YET_OPEN or CLOSED) with a message saying when check-in opens or that it has closed."""
    window = checkin_window(session)
    if window is None:
        raise CheckinRefused(
            CheckinRefused.NO_TIMES,
            _(
                "Check-in needs the session's start and end time. The secretary sets them on "
                "the session's edit page; then check-in can be opened."
            ),
        )
    if at < window.opens:
        raise CheckinRefused(
            CheckinRefused.NOT_YET_OPEN,
            _(
                "Check-in for this session opens at %(time)s on %(date)s, 30 minutes before it "
                "starts."
            )
            % {
                "time": _local_time(window.opens),
                "date": date_format(timezone.localdate(window.opens)),
            },
        )
    if at >= window.ends:
        raise CheckinRefused(
            CheckinRefused.CLOSED,
            _(
                "Check-in closed when the session ended at %(time)s on %(date)s. Ask the "
                "secretary to record your attendance."
            )
            % {"time": _local_time(window.ends), "date": date_format(session.date)},
        )
    return window


def time_step(at: dt.datetime) -> int:
    """The 30-second step containing the moment at (an aware datetime): Unix time // 30."""
    return int(at.timestamp()) // STEP_SECONDS


def _mac(session_id: int, step: int) -> str:
    return salted_hmac(KEY_SALT, f"{session_id}|{step}", algorithm="sha256").hexdigest()[
        :MAC_LENGTH
    ]


def checkin_token(*, session_id: int, step: int) -> str:
    """The token of session_id's code for the time step: "<step>-<32 hex digits>"."""
    return f"{step}-{_mac(session_id, step)}"


def checkin_token_check(*, session_id: int, token: str, at: dt.datetime) -> None:
    """Accept token for session_id at the moment at, or raise CheckinRefused:
    EXPIRED for a genuine code of this session from before the previous step (a replayed or
    forwarded old code), INVALID for anything else (another session's code, a mistyped or
    made-up one, a step still to come)."""
    invalid = CheckinRefused(
        CheckinRefused.INVALID,
        _(
            "This code is not this session's check-in code. Scan the code shown in the room "
            "again."
        ),
    )
    step_text, _sep, mac = (token or "").partition("-")
    if not step_text.isdigit() or len(step_text) > 12 or not mac:
        raise invalid
    step = int(step_text)
    if not constant_time_compare(mac, _mac(session_id, step)):
        raise invalid
    current = time_step(at)
    if step in (current, current - 1):
        return
    if step < current:
        raise CheckinRefused(
            CheckinRefused.EXPIRED,
            _(
                "This code has expired: a code works for one minute. Scan the code shown in "
                "the room now."
            ),
        )
    raise invalid


def checkin_status(*, window: CheckinWindow, grace_minutes: int, at: dt.datetime) -> str:
    """Present when checked in at most grace_minutes after the start (the last moment
    included), late after that: an Attendance.Status value."""
    if at > window.starts + dt.timedelta(minutes=grace_minutes):
        return Attendance.Status.LATE
    return Attendance.Status.PRESENT


def checkin_path(session: StudySession, *, at: dt.datetime) -> str:
    """The check-in URL's path for the code shown at the moment at (session with its group)."""
    token = checkin_token(session_id=session.pk, step=time_step(at))
    return reverse(
        "sessions_app:checkin", kwargs={"group_slug": session.group.slug, "pk": session.pk,
                                        "token": token}
    )


def seconds_to_next_code(at: dt.datetime) -> float:
    """Seconds from at until the next step's code (0 < s <= 30): when the projector refreshes."""
    return STEP_SECONDS - (at.timestamp() % STEP_SECONDS)


def checkin_qr_svg(url: str) -> str:
    """The check-in URL as a QR code: an inline <svg> (segno; error correction M, a quiet zone of
    4 modules), sized by the page's stylesheet."""
    return segno.make(url, error="m").svg_inline(scale=8, title=_("Check-in code"), omitsize=True)


def checkin_grant_remember(
    store: MutableMapping, *, session_id: int, token: str, at: dt.datetime
) -> bool:
    """For a visitor who must sign in first: when token is a code of session_id that is
    accepted at at (checkin_token_check), keep in store (the visitor's session) that it was
    scanned at at, and return True; otherwise keep nothing and return False."""
    try:
        checkin_token_check(session_id=session_id, token=token, at=at)
    except CheckinRefused:
        return False
    store[GRANT_KEY] = {"session": session_id, "token": token, "at": at.timestamp()}
    return True


def checkin_grant_time(
    store: MutableMapping, *, session_id: int, token: str, now: dt.datetime
) -> dt.datetime | None:
    """When the same code of the same session was scanned before signing in, if that was at
    most GRANT_SECONDS ago (that moment is when the member checked in); else None. The grant is
    used up either way."""
    grant = store.pop(GRANT_KEY, None)
    if not isinstance(grant, dict):
        return None
    if grant.get("session") != session_id or grant.get("token") != token:
        return None
    try:
        at = dt.datetime.fromtimestamp(float(grant["at"]), tz=dt.UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    if not dt.timedelta(0) <= now - at <= dt.timedelta(seconds=GRANT_SECONDS):
        return None
    return at
