"""A member's sessions as an iCalendar (RFC 5545) file, for phones and Outlook to subscribe to.

Built with the icalendar library. Times are local (settings.TIME_ZONE, Asia/Shanghai by default)
with the zone's VTIMEZONE included; a session with no start time is an all-day event. Each
session keeps one UID, so a calendar that reads the feed again updates its event in place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from sessions_app.models import StudySession

PRODID = "-//Study group records//Calendar feed//ZH"
#: How often subscribers are asked to read the feed again (RFC 7986 REFRESH-INTERVAL).
REFRESH = dt.timedelta(hours=1)


def session_uid(session: StudySession) -> str:
    """The session's event UID: its primary key, the same in every feed and every reading."""
    return f"studysession-{session.pk}@studygroup"


def session_event(session: StudySession, *, url: str, zone: ZoneInfo) -> Event:
    """One VEVENT for session (needs group and host loaded); url: the session's page."""
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", session.updated_at)
    event.add("last-modified", session.updated_at)
    event.add("summary", session.topic)
    if session.start_time is None:
        event.add("dtstart", session.date)
        event.add("dtend", session.date + dt.timedelta(days=1))
    else:
        event.add("dtstart", dt.datetime.combine(session.date, session.start_time, tzinfo=zone))
        if session.end_time is not None:
            event.add("dtend", dt.datetime.combine(session.date, session.end_time, tzinfo=zone))
    if session.place:
        event.add("location", session.place)
    lines = [session.group.name, str(session.get_format_display())]
    if session.host is not None:
        lines.append(_("Host: %(name)s") % {"name": session.host.display_name})
    lines.append(url)
    event.add("description", "\n".join(lines))
    event.add("url", url)
    return event


def sessions_calendar(
    sessions: Iterable[StudySession], *, name: str, url_for: Callable[[StudySession], str]
) -> bytes:
    """The iCalendar file (bytes, UTF-8) of sessions: name is the calendar's display name,
    url_for gives each session's page as an absolute URL."""
    zone = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    for session in sessions:
        calendar.add_component(session_event(session, url=url_for(session), zone=zone))
    calendar.add_missing_timezones()
    return calendar.to_ical()
