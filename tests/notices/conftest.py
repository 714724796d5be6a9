"""Fixtures of the notices tests: stand-in robots, robots allowed on 127.0.0.1 (the reminders),
and sessions still to come, made relative to today in the term that holds them (the notices)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import MemberFactory, StudySessionFactory, TermFactory
from tests.notices.robots import RobotServer


@pytest.fixture(autouse=True)
def local_robots_allowed(settings):
    """Webhooks on 127.0.0.1 over http (the stand-ins); links back to a known address."""
    settings.ROBOT_WEBHOOK_ALLOW_HTTP = True
    settings.ROBOT_WEBHOOK_HOSTS = ["127.0.0.1", "qyapi.weixin.qq.com", "oapi.dingtalk.com"]
    settings.SITE_URL = "https://study.example.org"


@pytest.fixture
def robot_server():
    """robot_server("wecom" | "dingtalk", secret=..., fail_first=..., hold=...) -> RobotServer,
    closed after the test."""
    servers = []

    def start(kind: str, **options) -> RobotServer:
        server = RobotServer(kind, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


# The fault tests' real broker and worker processes (tests/faults/conftest.py), here too.
from tests.faults.conftest import start_worker_process, use_broker  # noqa: E402,F401


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
