"""Records the reminder tests share: a session with its notice, moments in local time."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from notices.models import Notice
from tests.factories import StudySessionFactory

SESSION_DAY = dt.date(2020, 3, 16)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A moment of day in the site's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def session_with_notice(*, group, term, day: dt.date = SESSION_DAY, publish_days_before=3,
                        **fields):
    session = StudySessionFactory(group=group, term=term, date=day, topic="学习贯彻党的二十大精神",
                                  place="县委常委会议室", **fields)
    notice = Notice.objects.create(
        session=session, publish_at=at(day - dt.timedelta(days=publish_days_before), 8)
    )
    return session, notice
