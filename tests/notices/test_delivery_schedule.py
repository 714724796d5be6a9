"""How the scan is run: beat's schedule row (made by migration, edited in the admin), and
`manage.py send_due_notices` with no broker."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from notices.delivery_models import Channel, Delivery
from notices.models import Notice
from notices.tasks import SCAN_TASK_NAME
from studygroup.celery import app
from tests.factories import StudySessionFactory, TermFactory

pytestmark = pytest.mark.django_db


def test_the_migration_schedules_the_scan_every_five_minutes_for_beat():
    row = PeriodicTask.objects.get(name="Send due notices and reminders")

    assert row.task == SCAN_TASK_NAME and row.enabled
    assert (row.interval.every, row.interval.period) == (5, "minutes")
    app.loader.import_default_modules()
    assert SCAN_TASK_NAME in app.tasks


def test_send_due_notices_decides_and_sends_once_without_a_broker(group, secretary, member):
    member.user.email = "zhang@example.org"
    member.user.save()
    day = timezone.localdate() + dt.timedelta(days=2)
    term = TermFactory(group=group, year=day.year, half=1 if day.month <= 6 else 2)
    session = StudySessionFactory(group=group, term=term, date=day, topic="学习专题")
    Notice.objects.create(session=session, publish_at=timezone.now() - dt.timedelta(hours=1))
    out = StringIO()

    call_command("send_due_notices", stdout=out)
    call_command("send_due_notices", stdout=out)

    assert out.getvalue().splitlines() == [
        "1 to send, 1 sent, 0 to retry or failed.",
        "0 to send, 0 sent, 0 to retry or failed.",
    ]
    assert [m.to for m in mail.outbox] == [["zhang@example.org"]]
    assert Delivery.objects.filter(channel=Channel.IN_APP).count() == 2
