"""Notices need sessions still to come: made relative to today, in the term that holds them."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import MemberFactory, StudySessionFactory, TermFactory


def upcoming_session(group, *, days: int = 10, **fields):
    """A session of group `days` from today, in the half-year holding that day."""
    day = timezone.localdate() + dt.timedelta(days=days)
    term = TermFactory(group=group, year=day.year, half=1 if day.month <= 6 else 2)
    return StudySessionFactory(group=group, term=term, date=day, **fields)


@pytest.fixture
def speakers(group):
    """Two more members of the group, to be named key speakers."""
    return [
        MemberFactory(group=group, display_name="甲发言人", user__username="speaker1"),
        MemberFactory(group=group, display_name="乙发言人", user__username="speaker2"),
    ]


@pytest.fixture
def session(group):
    return upcoming_session(group, days=10, topic="学习贯彻专题", place="县委常委会议室")
