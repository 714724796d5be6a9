"""Item 3: a render too big or too slow is stopped, its row fails with a message, and the next
render goes on. User text reaches the document only escaped, so what can make WeasyPrint slow
or hungry is size: many sessions, long narratives. Three defences: a cap on the document's size
before rendering, the task's soft and hard time limits, and a cap on the pool process's memory.
"""

import pytest
from celery.exceptions import TimeLimitExceeded

from reports.models import ReportFile
from reports.services.report_files import report_file_request, report_file_worker_lost
from reports.tasks import report_file_render_task
from tests.factories import TermFactory
from tests.faults.conftest import add_sessions, require_server_database, wait_for
from tests.reports.pdf_helpers import make_narrative, make_term_records

#: Megabytes of address space for the pool process in the memory test: a small summary renders
#: in it, a summary of 2,000 sessions does not. Measured: a pool process takes about 500 MB once
#: the renderer is warmed up, a small summary adds about 60 MB, 2,000 sessions about 540 MB.
MEMORY_CAP_MB = "700"


@pytest.mark.django_db
def test_a_term_with_5000_sessions_fails_with_a_message_before_rendering(
    django_capture_on_commit_callbacks, records, group, term, leader, render_calls
):
    add_sessions(group=group, term=term, host=leader, count=5000)
    with django_capture_on_commit_callbacks(execute=True):
        report_file = report_file_request(member=leader, term=term, kind="summary")

    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.FAILED
    assert "报告过大" in report_file.error
    assert render_calls == []
    assert not report_file.file


@pytest.mark.django_db
def test_a_render_killed_at_the_hard_time_limit_fails_its_row(
    django_capture_on_commit_callbacks, records, term, leader, settings
):
    with django_capture_on_commit_callbacks(execute=False):
        report_file = report_file_request(member=leader, term=term, kind="summary")
    ReportFile.objects.filter(pk=report_file.pk).update(status=ReportFile.Status.RUNNING)

    # What the worker's main process calls when it has killed the pool process at the hard limit
    # (celery.worker.request.Request.on_timeout); a real kill needs a render that ignores the
    # soft limit, which WeasyPrint never does.
    report_file_render_task.on_failure(
        TimeLimitExceeded(settings.CELERY_TASK_TIME_LIMIT), "task-id", (report_file.pk,), {}, None
    )

    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.FAILED
    assert "已被终止" in report_file.error


def _second_term_records(group, leader):
    """Another term's small summary: the render that must go on after the big one."""
    other = TermFactory(group=group, year=2019, half=2)
    make_term_records(group=group, term=other, members=[leader], sessions=1)
    make_narrative(group=group, term=other, approved=True, approver=leader)
    return other


def _big_then_small(*, use_broker, redis_url, start_worker_process, worker_env, publisher, group,
                    term, leader, big_sessions):
    """Render a big summary then a small one on one prefork worker; both rows when settled."""
    small_term = _second_term_records(group, leader)
    add_sessions(group=group, term=term, host=leader, count=big_sessions)
    app = use_broker(redis_url, **publisher)
    worker = start_worker_process(redis_url, app.conf.task_default_queue, pool="prefork",
                                  **worker_env)
    big = report_file_request(member=leader, term=term, kind="summary")
    small = report_file_request(member=leader, term=small_term, kind="summary")
    big = wait_for(big, lambda row: not row.is_waiting, timeout=60, worker=worker)
    small = wait_for(small, lambda row: not row.is_waiting, timeout=60, worker=worker)
    return big, small, worker


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_render_past_the_soft_time_limit_fails_and_the_next_render_goes_on(
    settings, records, group, term, leader, redis_url, use_broker, start_worker_process
):
    require_server_database()
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 2
    big, small, worker = _big_then_small(
        use_broker=use_broker, redis_url=redis_url, start_worker_process=start_worker_process,
        worker_env={
            "CELERY_TASK_SOFT_TIME_LIMIT": "2",
            "CELERY_TASK_TIME_LIMIT": "6",
            "CELERY_VISIBILITY_TIMEOUT": "12",
            "REPORT_PDF_MAX_HTML_BYTES": str(10 * 1024 * 1024),
        },
        publisher={"task_soft_time_limit": 2, "task_time_limit": 6},
        group=group, term=term, leader=leader, big_sessions=2000,
    )

    assert big.status == ReportFile.Status.FAILED, worker.output()[-3000:]
    assert "生成PDF超过2秒" in big.error
    assert not big.file
    assert small.status == ReportFile.Status.DONE, small.error


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_render_past_the_memory_cap_fails_and_the_next_render_goes_on(
    settings, records, group, term, leader, redis_url, use_broker, start_worker_process
):
    require_server_database()
    big, small, worker = _big_then_small(
        use_broker=use_broker, redis_url=redis_url, start_worker_process=start_worker_process,
        worker_env={
            "CELERY_WORKER_MEMORY_LIMIT_MB": MEMORY_CAP_MB,
            "REPORT_PDF_MAX_HTML_BYTES": str(10 * 1024 * 1024),
            # A render that crashes its process is given back and tried once more.
            "REPORT_PDF_MAX_RETRIES": "1",
        },
        publisher={},
        group=group, term=term, leader=leader, big_sessions=2000,
    )

    assert big.status == ReportFile.Status.FAILED, worker.output()[-3000:]
    # Either MemoryError in the render or its process dying past the cap: both say so.
    assert "超出后台任务的上限" in big.error, worker.output()[-4000:]
    assert not big.file
    assert small.status == ReportFile.Status.DONE, small.error


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("attempts", "status"),
    [(1, ReportFile.Status.PENDING), (2, ReportFile.Status.FAILED)],
    ids=["given-back-for-its-next-delivery", "failed-after-the-attempts-allowed"],
)
def test_a_pool_process_lost_mid_render_gives_the_row_back_then_fails_it(
    django_capture_on_commit_callbacks, settings, records, term, leader, attempts, status
):
    settings.REPORT_PDF_MAX_RETRIES = 1
    with django_capture_on_commit_callbacks(execute=False):
        report_file = report_file_request(member=leader, term=term, kind="summary")
    ReportFile.objects.filter(pk=report_file.pk).update(
        status=ReportFile.Status.RUNNING, attempts=attempts
    )

    report_file_worker_lost(report_file_id=report_file.pk)

    report_file.refresh_from_db()
    assert report_file.status == status
