"""The archive build through a real Celery worker and Redis, as production runs it: the request
only queues it, the worker builds it and says how far it has got on the row as it goes (the
build page polls that). The worker runs in a thread against the test database, hence the
transactional test (see tests/reports/test_tasks_celery_worker.py for the set-up)."""

import threading
import time
import zipfile

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun

import reports.tasks  # noqa: F401  (registers the task with every app)
from reports.models import ArchiveBuild
from reports.services.archive import archive_build_request
from tests.reports._archive_data import archive_year
from tests.reports.test_tasks_celery_worker import _close_worker_connections, worker_app

__all__ = ["worker_app"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_archive_is_built_by_a_real_worker_with_its_progress(
    worker_app, group, term, secretary, leader, member
):
    archive_year(group=group, term=term, secretary=secretary, leader=leader, member=member)
    runs = []

    def record_run(task=None, **kwargs):
        runs.append((task.name, task.request.is_eager, threading.current_thread()))

    task_prerun.connect(record_run, weak=False)
    task_postrun.connect(_close_worker_connections, weak=False)
    seen = set()
    try:
        with start_worker(worker_app, pool="solo", perform_ping_check=False,
                          shutdown_timeout=30):
            build = archive_build_request(member=secretary, year=2020, kind="year")
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                build.refresh_from_db()
                seen.add((build.status, build.progress))
                if not build.is_waiting:
                    break
                time.sleep(0.05)
    finally:
        task_prerun.disconnect(record_run)
        task_postrun.disconnect(_close_worker_connections)

    assert [(name, eager) for name, eager, _thread in runs] == [("reports.build_archive", False)]
    assert runs[0][2] is not threading.main_thread()
    assert build.status == ArchiveBuild.Status.DONE, build.error
    # The page saw the build under way, not only waiting and then done.
    assert any(status == "running" and 0 < progress < 100 for status, progress in seen), seen
    with zipfile.ZipFile(build.zip.open("rb")) as z:
        assert any(n.endswith("/集中学习/01 2020-03-10 学习一/学习记录.docx") for n in z.namelist())
