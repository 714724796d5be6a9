"""Fixtures of the reminder tests: stand-in robots, and robots allowed on 127.0.0.1."""

from __future__ import annotations

import pytest

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
