"""Item 15: a PDF asked for inside a transaction that rolls back is never rendered: the task is
queued only after commit."""

import pytest
import redis
from celery.signals import task_prerun
from django.db import transaction

from reports.models import ReportFile
from reports.services.report_files import report_file_request


class Rollback(Exception):
    pass


@pytest.fixture
def task_runs():
    runs = []

    def record(task=None, args=None, **kwargs):
        runs.append((task.name, args))

    task_prerun.connect(record, weak=False)
    yield runs
    task_prerun.disconnect(record)


def _ask_then_roll_back(**kwargs):
    with pytest.raises(Rollback), transaction.atomic():
        report_file_request(**kwargs)
        raise Rollback


@pytest.mark.django_db(transaction=True)
def test_an_eager_task_asked_for_in_a_rolled_back_transaction_never_runs(
    records, term, leader, task_runs
):
    _ask_then_roll_back(member=leader, term=term, kind="summary")

    assert task_runs == []
    assert not ReportFile.objects.exists()

    # The same call committed does run it: the test sees a task when there is one.
    report_file_request(member=leader, term=term, kind="summary")
    assert [name for name, _args in task_runs] == ["reports.render_report_file"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_task_asked_for_in_a_rolled_back_transaction_never_reaches_redis(
    records, term, leader, use_broker, redis_url
):
    app = use_broker(redis_url)
    queue = app.conf.task_default_queue
    broker = redis.Redis.from_url(redis_url)
    try:
        _ask_then_roll_back(member=leader, term=term, kind="summary")
        assert broker.llen(queue) == 0

        report_file_request(member=leader, term=term, kind="summary")
        assert broker.llen(queue) == 1
    finally:
        broker.delete(queue)
