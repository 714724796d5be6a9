"""Background jobs of the reports app: thin, they take ids and call one service."""

from celery import Task, shared_task
from celery.exceptions import TimeLimitExceeded
from django.conf import settings

from reports.services.report_files import (
    TRANSIENT_ERRORS,
    report_file_render,
    report_file_timed_out,
)

#: Seconds before the first retry of a transient error; doubled for each further one.
RETRY_BACKOFF = 2


class ReportFileTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Called in the worker's main process when the hard time limit killed the pool process,
        # which had no chance to record anything.
        if isinstance(exc, TimeLimitExceeded):
            report_file_timed_out(report_file_id=(args or [kwargs.get("report_file_id")])[0])


@shared_task(
    bind=True,
    base=ReportFileTask,
    name="reports.render_report_file",
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=settings.REPORT_PDF_MAX_RETRIES,
    retry_backoff=RETRY_BACKOFF,
    retry_backoff_max=60,
    retry_jitter=False,
)
def report_file_render_task(self, report_file_id: int) -> None:
    """Render and store a queued report PDF. Failures are recorded on the row; transient ones
    (storage, database) are first retried with backoff, REPORT_PDF_MAX_RETRIES times."""
    report_file_render(
        report_file_id=report_file_id, retry_transient=self.request.retries < self.max_retries
    )
