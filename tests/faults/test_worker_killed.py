"""Item 16: a worker killed with SIGKILL in the middle of a render. Its task stays unacknowledged
in Redis (acks_late) and comes back after the visibility timeout; the running row, whose start
is older than the hard time limit, is taken over, and the retry makes one PDF on the one row.

Real processes: the workers are `celery worker` processes on the test database (PostgreSQL),
with a short time limit and visibility timeout so the test takes about twenty seconds.
"""

import pytest

from reports.models import ReportFile
from reports.services.report_files import report_file_request
from tests.faults.conftest import add_sessions, require_server_database, wait_for

SHORT_LIMITS = {
    "CELERY_TASK_SOFT_TIME_LIMIT": "5",
    "CELERY_TASK_TIME_LIMIT": "6",
    "CELERY_VISIBILITY_TIMEOUT": "8",
}
#: The web process puts its time limits in the task's message: the same ones.
PUBLISHER_LIMITS = {"task_soft_time_limit": 5, "task_time_limit": 6}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_render_whose_worker_was_killed_is_redone_once_on_the_same_row(
    settings, records, group, term, leader, media_root, redis_url, use_broker,
    start_worker_process,
):
    require_server_database()
    # Enough sessions that the render lasts long enough to be killed in the middle.
    add_sessions(group=group, term=term, host=leader, count=150)
    settings.CELERY_TASK_TIME_LIMIT = 6
    app = use_broker(redis_url, **PUBLISHER_LIMITS)
    queue = app.conf.task_default_queue
    first = start_worker_process(redis_url, queue, **SHORT_LIMITS)

    report_file = report_file_request(member=leader, term=term, kind="summary")
    wait_for(report_file, lambda row: row.status == ReportFile.Status.RUNNING, timeout=60,
             worker=first)
    first.kill()

    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.RUNNING
    assert not list(media_root.rglob("*.pdf"))

    second = start_worker_process(redis_url, queue, **SHORT_LIMITS)
    report_file = wait_for(report_file, lambda row: not row.is_waiting, timeout=40,
                           worker=second)

    assert report_file.status == ReportFile.Status.DONE, report_file.error
    assert report_file.attempts == 2
    assert ReportFile.objects.count() == 1
    pdfs = list(media_root.rglob("*.pdf"))
    assert [p.relative_to(media_root).as_posix() for p in pdfs] == [report_file.file.name]
    assert pdfs[0].read_bytes().startswith(b"%PDF")
