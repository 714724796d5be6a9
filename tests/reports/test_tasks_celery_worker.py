"""The PDF task through a real Celery worker and Redis, as production runs it (CI needs Redis).

The broker is CELERY_TEST_BROKER_URL (default redis://127.0.0.1:6379/15). The worker runs in a
thread of this process against the test database, which is why the test is transactional: the
worker's connection must see committed rows. A Celery app of its own, with a queue of its own,
keeps other test runs sharing the Redis database from taking this run's task.
"""

import threading
import time
import uuid

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun
from django.db import connections

import reports.tasks  # noqa: F401  (registers the task with every app)
from reports.models import ReportFile
from reports.services.report_files import report_file_request
from studygroup.celery import app as project_app
from tests.reports.pdf_helpers import make_narrative, make_term_records, pdf_text


@pytest.fixture
def worker_app(redis_url):
    app = Celery("studygroup-test-worker", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=redis_url,
        result_backend=None,
        task_always_eager=False,
        task_ignore_result=True,
        task_default_queue=f"test-reports-pdf-{uuid.uuid4().hex}",
        broker_connection_retry_on_startup=False,
    )
    try:
        yield app
    finally:
        project_app.set_current()
        project_app.set_default()


def _close_worker_connections(**kwargs):
    # The worker thread's own database connections: closed so the test database can be dropped.
    connections.close_all()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_pdf_task_runs_on_a_real_celery_worker_with_redis(
    worker_app, group, term, secretary, leader, member
):
    make_term_records(group=group, term=term, members=[secretary, leader, member])
    make_narrative(group=group, term=term, approved=True, approver=leader)
    runs = []

    def record_run(task=None, **kwargs):
        runs.append((task.name, task.request.is_eager, threading.current_thread()))

    task_prerun.connect(record_run, weak=False)
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(
            worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30
        ) as worker:
            # Not eager: the task goes to Redis after commit, and the worker thread renders it.
            report_file = report_file_request(member=leader, term=term, kind="summary")
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                report_file.refresh_from_db()
                if not report_file.is_waiting:
                    break
                time.sleep(0.2)
            assert worker.hostname
    finally:
        task_prerun.disconnect(record_run)
        task_postrun.disconnect(_close_worker_connections)

    assert [(name, eager) for name, eager, _thread in runs] == [
        ("reports.render_report_file", False)
    ]
    assert runs[0][2] is not threading.main_thread()

    assert report_file.status == ReportFile.Status.DONE, report_file.error
    with report_file.file.open("rb") as handle:
        assert "共开展中心组集中学习3次" in pdf_text(handle.read()).replace("\n", "")
