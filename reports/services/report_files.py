"""Report PDFs made in the background: asked for by a member, rendered by a Celery task.

A ReportFile row is keyed by the hash of the document it is made from (reports.pdf). Asking for
a document whose hash has a finished file serves that file again; otherwise the row is queued
for reports.tasks.report_file_render_task after the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import ReportFile
from reports.pdf import ReportRenderError, render_pdf, report_document_build
from sessions_app.models import Member, Term

logger = logging.getLogger(__name__)

#: A row waiting longer than this is taken to have lost its worker, and is queued again.
STALE_AFTER = dt.timedelta(minutes=15)


def report_file_request(*, member: Member, term: Term, kind: str) -> ReportFile:
    """The PDF of the report as this member sees it: served again if unchanged, else queued.

    Secretary and leaders get the draft summary if there is one; other members only approved
    documents (PermissionDenied otherwise). A failed, lost or deleted file is queued again, so
    asking again is how a failed render is retried. The task runs after commit (eagerly, inline,
    when no broker is configured).
    """
    if kind not in ReportFile.Kind.values:
        raise ValueError(f"Unknown report kind: {kind!r}")
    if term.group_id != member.group_id:
        raise PermissionDenied
    drafter = member.can_manage_records
    document = report_document_build(
        group=member.group, term=term, kind=kind, include_draft=drafter
    )
    if not document.approved and not drafter:
        raise PermissionDenied
    return _report_file_get_or_queue(member=member, term=term, kind=kind, document=document)


@transaction.atomic
def _report_file_get_or_queue(*, member: Member, term: Term, kind: str, document) -> ReportFile:
    report_file, created = ReportFile.objects.select_for_update().get_or_create(
        group_id=member.group_id,
        term=term,
        kind=kind,
        content_hash=document.content_hash,
        defaults={
            "approved": document.approved,
            "title": document.filename_stem[:300],
            "requested_by": member,
            "created_by": member.user,
            "updated_by": member.user,
        },
    )
    if created:
        _queue_after_commit(report_file.pk)
        return report_file
    if not _needs_rendering(report_file):
        return report_file
    report_file.status = ReportFile.Status.PENDING
    report_file.error = ""
    report_file.started_at = None
    report_file.finished_at = None
    report_file.requested_by = member
    report_file.updated_by = member.user
    report_file.full_clean()
    report_file.save()
    _queue_after_commit(report_file.pk)
    return report_file


def _needs_rendering(report_file: ReportFile) -> bool:
    if report_file.status == ReportFile.Status.FAILED:
        return True
    if report_file.status == ReportFile.Status.DONE:
        return not (report_file.file and report_file.file.storage.exists(report_file.file.name))
    return report_file.updated_at < timezone.now() - STALE_AFTER


def _queue_after_commit(report_file_id: int) -> None:
    transaction.on_commit(lambda: _queue(report_file_id))


def _queue(report_file_id: int) -> None:
    # Imported here: the task module imports this one.
    from reports.tasks import report_file_render_task

    try:
        report_file_render_task.delay(report_file_id)
    except Exception:
        logger.exception("Could not queue the PDF for report file %s", report_file_id)
        _mark_failed(
            report_file_id,
            _("The PDF could not be started: the background worker is not reachable. Try again."),
        )


def _mark_failed(report_file_id: int, error: str) -> None:
    ReportFile.objects.filter(pk=report_file_id).exclude(status=ReportFile.Status.DONE).update(
        status=ReportFile.Status.FAILED,
        error=error,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def report_file_render(*, report_file_id: int) -> ReportFile:
    """Render a queued ReportFile to PDF and store it; record a failure instead of raising.

    The file is written to storage first and the row marked done only after, so a reader never
    gets a half-written file. A row already done (a task delivered twice) is left alone. The
    document is built again from the records: if it no longer has the row's hash the report
    changed while waiting, and the row fails with a message asking to start again.
    """
    with transaction.atomic():
        report_file = (
            ReportFile.objects.select_for_update()
            .select_related("group", "term")
            .get(pk=report_file_id)
        )
        if report_file.status in (ReportFile.Status.DONE, ReportFile.Status.RUNNING):
            return report_file
        report_file.status = ReportFile.Status.RUNNING
        report_file.started_at = timezone.now()
        report_file.error = ""
        report_file.save(update_fields=["status", "started_at", "error", "updated_at"])

    try:
        document = report_document_build(
            group=report_file.group,
            term=report_file.term,
            kind=report_file.kind,
            include_draft=not report_file.approved,
        )
        if document.content_hash != report_file.content_hash:
            raise ReportRenderError(
                _("The report changed while the PDF was waiting. Start the PDF again.")
            )
        pdf = render_pdf(document.html)
        # Storage first, then the row: status done only ever points at a complete file.
        report_file.file.save(f"{report_file.kind}.pdf", ContentFile(pdf), save=False)
    except ReportRenderError as exc:
        logger.warning("PDF for report file %s failed: %s", report_file_id, exc)
        _mark_failed(report_file_id, str(exc))
        report_file.refresh_from_db()
        return report_file
    except Exception:
        logger.exception("PDF for report file %s failed", report_file_id)
        _mark_failed(report_file_id, _("The PDF could not be made. The error has been logged."))
        report_file.refresh_from_db()
        return report_file

    report_file.status = ReportFile.Status.DONE
    report_file.finished_at = timezone.now()
    report_file.full_clean()
    report_file.save(update_fields=["file", "status", "finished_at", "updated_at"])
    return report_file


def report_file_progress(report_file: ReportFile) -> str:
    """What the page says while the PDF is made."""
    if report_file.status == ReportFile.Status.PENDING:
        return _("Waiting for a worker to start the PDF.")
    if report_file.status == ReportFile.Status.RUNNING:
        return _("The PDF is being made. This takes a few seconds.")
    if report_file.status == ReportFile.Status.DONE:
        return _("The PDF is ready.")
    return _("The PDF could not be made.")
