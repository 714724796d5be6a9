"""The reminders through real Celery processes on Redis: beat runs the scan from its schedule
in the database, a worker sends, and nothing is sent twice when beat restarts or a worker is
killed between sending and acknowledging (its task comes back from Redis to another worker).

Real processes on the test database (PostgreSQL), the stand-in robots on 127.0.0.1 count what
arrives. Short time limits and visibility timeout keep each test to about twenty seconds.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from notices.delivery_models import Delivery
from notices.models import Notice
from notices.services.delivery import (
    INTERRUPTED,
    deliveries_decide_due,
    deliveries_scan,
    group_robots_update,
)
from notices.tasks import SCAN_TASK_NAME, delivery_send_task
from sessions_app.models import Member
from tests.factories import MemberFactory, StudySessionFactory, TermFactory
from tests.faults.conftest import ROOT, _test_database_url, require_server_database

HOOKS = Path(__file__).parent / "worker_hooks"
SHORT_LIMITS = {
    "CELERY_TASK_SOFT_TIME_LIMIT": "5",
    "CELERY_TASK_TIME_LIMIT": "6",
    "CELERY_VISIBILITY_TIMEOUT": "8",
}


def robots_env(queue: str) -> dict:
    """What the worker and beat processes need besides the fault fixtures' environment."""
    return {
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "ROBOT_WEBHOOK_ALLOW_HTTP": "1",
        "ROBOT_WEBHOOK_HOSTS": "127.0.0.1",
        "SITE_URL": "https://study.example.org",
        "CELERY_WORKER_MEMORY_LIMIT_MB": "0",
        **SHORT_LIMITS,
    }


def upcoming_notice(group, *, with_email: bool):
    """A session the day after tomorrow (real time: the processes use the clock) whose notice
    is published, in a term around it, and the group's secretary and member."""
    today = timezone.localdate()
    day = today + dt.timedelta(days=2)
    term = TermFactory(group=group, year=day.year, half=1 if day.month <= 6 else 2)
    for k, role in enumerate((Member.Role.SECRETARY, Member.Role.MEMBER)):
        MemberFactory(group=group, role=role,
                      user__email=f"p{k}@example.org" if with_email else "")
    session = StudySessionFactory(group=group, term=term, date=day, topic="学习贯彻党的二十大精神")
    Notice.objects.create(session=session, publish_at=timezone.now() - dt.timedelta(minutes=1))
    return session


def wait_until(condition, *, timeout: float, why: str, logs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tail = "\n".join(log.output()[-4000:] for log in logs)
    pytest.fail(f"{why} after {timeout} s\n{tail}")


class BeatProcess:
    """`celery beat` of the project with its database schedule, on the test database."""

    def __init__(self, *, broker_url: str, log: Path, env: dict):
        self.log = log
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "studygroup.settings_test",
            "DATABASE_URL": _test_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": "",
            "PYTHONPATH": str(ROOT),
            **env,
        }
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "studygroup", "beat", "--loglevel", "INFO",
                 "--pidfile=", "--max-interval", "1"],
                cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_beat(tmp_path):
    beats = []

    def start(broker_url: str, **env) -> BeatProcess:
        beat = BeatProcess(broker_url=broker_url, log=tmp_path / f"beat-{len(beats)}.log", env=env)
        beats.append(beat)
        return beat

    yield start
    for beat in beats:
        beat.stop()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_beat_scans_and_a_worker_sends_each_message_once_even_when_beat_restarts(
    group, redis_url, use_broker, start_worker_process, start_beat, robot_server
):
    require_server_database()
    wecom = robot_server("wecom")
    dingtalk = robot_server("dingtalk", secret="SECbeat")
    group_robots_update(group=group, actor=None, wecom_webhook=wecom.url,
                        dingtalk_webhook=dingtalk.url, dingtalk_secret="SECbeat")
    upcoming_notice(group, with_email=True)
    # The schedule row the migration makes (a transactional test's flush removed it), every
    # second rather than every five minutes.
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.update_or_create(
        name="Send due notices and reminders",
        defaults={"task": SCAN_TASK_NAME, "interval": every_second, "enabled": True},
    )
    queue = use_broker(redis_url).conf.task_default_queue
    env = robots_env(queue)
    worker = start_worker_process(redis_url, queue, **env)
    beat = start_beat(redis_url, **env)

    def all_sent():
        outside = Delivery.objects.exclude(channel="in_app")
        statuses = list(outside.values_list("status", flat=True))
        return len(statuses) == 4 and set(statuses) == {Delivery.Status.SENT}

    wait_until(all_sent, timeout=60, why="the notice was not sent", logs=(worker, beat))
    # Beat keeps scanning every second; then it is restarted and scans again.
    time.sleep(3)
    beat.stop()
    second_beat = start_beat(redis_url, **env)
    wait_until(lambda: second_beat.output().count("Sending due task") >= 3, timeout=40,
               why="the restarted beat did not scan", logs=(second_beat,))
    time.sleep(2)

    assert (wecom.count, dingtalk.count) == (1, 1)
    assert wecom.problems == dingtalk.problems == []
    # Two members: two in-app messages and two e-mails, one robot message per group channel.
    assert Delivery.objects.count() == 6
    emails = Delivery.objects.filter(channel="email", status=Delivery.Status.SENT)
    assert sorted(emails.values_list("address", flat=True)) == ["p0@example.org", "p1@example.org"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_the_robot_receives_is_not_followed_by_a_second_message(
    group, redis_url, use_broker, start_worker_process, robot_server
):
    require_server_database()
    wecom = robot_server("wecom", hold=4)
    group_robots_update(group=group, actor=None, wecom_webhook=wecom.url, dingtalk_webhook="",
                        dingtalk_secret=None)
    upcoming_notice(group, with_email=False)
    [pk] = deliveries_decide_due()
    app = use_broker(redis_url)
    queue = app.conf.task_default_queue
    first = start_worker_process(redis_url, queue, **robots_env(queue))

    delivery_send_task.delay(pk)
    wait_until(wecom.received.is_set, timeout=60, why="the robot got nothing", logs=(first,))
    first.kill()  # the robot has the message; the worker never recorded it nor acknowledged
    assert Delivery.objects.get(pk=pk).status == Delivery.Status.SENDING

    second = start_worker_process(redis_url, queue, **robots_env(queue))
    wait_until(lambda: "notices.send[" in second.output() and "succeeded" in second.output(),
               timeout=60, why="the task did not come back", logs=(second,))
    assert wecom.count == 1
    # The scan gives up on the interrupted send past the time limit, without resending it.
    later = timezone.now() + dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    assert pk not in deliveries_scan(now=later)
    row = Delivery.objects.get(pk=pk)
    assert (row.status, row.error, wecom.count) == (Delivery.Status.FAILED, INTERRUPTED, 1)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_sending_and_before_acknowledging_sends_nothing_twice(
    group, redis_url, use_broker, start_worker_process, robot_server, tmp_path
):
    require_server_database()
    wecom = robot_server("wecom")
    group_robots_update(group=group, actor=None, wecom_webhook=wecom.url, dingtalk_webhook="",
                        dingtalk_secret=None)
    upcoming_notice(group, with_email=False)
    [pk] = deliveries_decide_due()
    app = use_broker(redis_url)
    queue = app.conf.task_default_queue
    marker = tmp_path / f"sent-{uuid.uuid4().hex}"
    first = start_worker_process(
        redis_url, queue, **robots_env(queue), NOTICES_PAUSE_AFTER_SEND=str(marker),
        PYTHONPATH=f"{HOOKS}{os.pathsep}{ROOT}",
    )

    delivery_send_task.delay(pk)
    wait_until(marker.exists, timeout=60, why="the task did not finish", logs=(first,))
    assert Delivery.objects.get(pk=pk).status == Delivery.Status.SENT
    first.kill()  # sent and recorded, not acknowledged: Redis gives the task out again

    second = start_worker_process(redis_url, queue, **robots_env(queue))
    wait_until(lambda: "notices.send[" in second.output() and "succeeded" in second.output(),
               timeout=60, why="the task did not come back", logs=(second,))

    assert wecom.count == 1
    assert Delivery.objects.get(pk=pk).status == Delivery.Status.SENT
