"""Background jobs of the reports app: thin, they take ids and call one service."""

from billiard.exceptions import WorkerLostError
from celery import Task, shared_task
from celery.exceptions import TimeLimitExceeded
from celery.worker.request import Request
from django.conf import settings

from reports.services.report_files import (
    TRANSIENT_ERRORS,
    report_document_prepare,
    report_documents_refresh,
    report_file_render,
    report_file_timed_out,
    report_file_worker_lost,
    report_files_orphans_delete,
)


def _report_file_id(args, kwargs) -> int:
    return (args or [kwargs.get("report_file_id")])[0]


class ReportFileRequest(Request):
    def on_failure(self, exc_info, send_failed_event=True, return_ok=False):
        # In the worker's main process: the pool process died mid-render and could not record
        # anything. Done before the task is given back, so its next delivery finds the row.
        exc = getattr(exc_info.exception, "exc", exc_info.exception)
        if isinstance(exc, WorkerLostError):
            report_file_worker_lost(report_file_id=_report_file_id(self.args, self.kwargs))
        return super().on_failure(
            exc_info, send_failed_event=send_failed_event, return_ok=return_ok
        )


class ReportFileTask(Task):
    Request = ReportFileRequest

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Called in the worker's main process when the hard time limit killed the pool process,
        # which had no chance to record anything.
        if isinstance(exc, TimeLimitExceeded):
            report_file_timed_out(report_file_id=_report_file_id(args, kwargs))


def retry_countdown(retries: int) -> float:
    """Seconds before retry number retries + 1: REPORT_PDF_RETRY_BACKOFF, doubled each time."""
    return min(settings.REPORT_PDF_RETRY_BACKOFF * 2**retries, 600)


@shared_task(bind=True, base=ReportFileTask, name="reports.render_report_file", ignore_result=True)
def report_file_render_task(self, report_file_id: int) -> None:
    """Render and store a queued report PDF. Failures are recorded on the row.

    Transient errors (storage, database) are retried REPORT_PDF_MAX_RETRIES times with backoff
    on a worker; run eagerly in the web process, a render is tried once.
    """
    max_retries = settings.REPORT_PDF_MAX_RETRIES
    try:
        report_file_render(
            report_file_id=report_file_id,
            retry_transient=not self.request.is_eager and self.request.retries < max_retries,
        )
    except TRANSIENT_ERRORS as exc:
        raise self.retry(
            exc=exc, countdown=retry_countdown(self.request.retries), max_retries=max_retries
        ) from exc


@shared_task(name="reports.prepare_document", ignore_result=True)
def report_document_prepare_task(group_id: int, term_id: int, kind: str) -> None:
    """Queue the approved document's PDF and .docx (report_document_prepare): on approval."""
    report_document_prepare(group_id=group_id, term_id=term_id, kind=kind)


@shared_task(name="reports.refresh_documents", ignore_result=True)
def report_documents_refresh_task(group_id: int | None = None) -> None:
    """Check the group's (None: every group's) changed ready documents once their records have
    been quiet for a minute (report_documents_refresh): queued with a countdown by each change,
    and run by the periodic schedule as a sweep."""
    report_documents_refresh(group_id=group_id)


@shared_task(name="reports.delete_orphan_files", ignore_result=True)
def report_files_orphans_delete_task() -> None:
    """Delete stored files no row points to (report_files_orphans_delete): periodic."""
    report_files_orphans_delete()


@shared_task(name="reports.build_archive", ignore_result=True)
def archive_build_task(archive_build_id: int) -> None:
    """Build a queued year archive or members' archives (reports.services.archive); a failure
    is recorded on the row, so nothing is retried."""
    from reports.services.archive import archive_build_run

    archive_build_run(archive_build_id=archive_build_id)
