"""Report files (PDF and .docx) made in the background: asked for by a member, or made ahead
for an approved document; rendered by a Celery task.

A ReportFile row is keyed by the hash of the document it is made from (reports.pdf). Asking for
a document whose hash has a finished file serves that file again; otherwise the row is queued
for reports.tasks.report_file_render_task after the transaction commits.

Ready before anyone asks: approving a summary or plan queues its PDF and .docx at once
(report_document_prepare_on_commit; ReadyDocument points at them), so a click downloads a stored
file. A later change to the group's records marks its ready documents changed
(report_documents_touch); once the records have been quiet for READY_QUIET_SECONDS the document
is built again and its files re-made only if its hash changed (report_documents_refresh): one
render for a burst of edits. Files in storage that no row points to are deleted by
report_files_orphans_delete.

Faults end on the row, never in a row that stays "running": a render past the task's time or
memory limit, or of a document over REPORT_PDF_MAX_HTML_BYTES, fails with a message; a run whose
worker died (its start older than the hard time limit, which Redis's visibility timeout exceeds)
is taken over by the redelivered task or by the next request; transient errors (storage,
database) are retried by the task a bounded number of times.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports import word
from reports.models import ReadyDocument, ReportFile, WordTemplate
from reports.models.files import REPORT_FILES_DIR
from reports.models.word_template import WORD_TEMPLATES_DIR
from reports.pdf import (
    SUMMARY,
    ReportDocument,
    ReportRenderError,
    document_data,
    render_pdf,
    report_document_build,
)
from reports.selectors.word_templates import word_template_content, word_template_current
from sessions_app.models import Member, StudyGroup, Term

logger = logging.getLogger(__name__)

#: A row waiting longer than this for a worker is taken to have lost its task, and is queued again.
STALE_AFTER = dt.timedelta(minutes=15)

#: Errors that may pass (a full or unreachable store, a database that went away): the task
#: retries them; any other error fails the row at once.
TRANSIENT_ERRORS = (OSError, OperationalError)


#: Seconds without a change to a group's records before its approved documents are checked
#: again (report_documents_refresh): one render for a burst of edits.
READY_QUIET_SECONDS = 60

#: A stored file younger than this is never deleted as an orphan: a render writes its file
#: before the row points to it (_store), and may take up to the task's hard time limit.
ORPHAN_GRACE = dt.timedelta(hours=1)


def _may_render(
    member: Member | None, *, group_id: int, approved: bool, prepared: bool = False
) -> bool:
    """Whether the member may have this report rendered: an active user, still in the group,
    and for a draft one who keeps the records. A file made ahead of an approved document
    (prepared) was asked for by nobody: every member may read it."""
    if prepared and approved:
        return True
    return (
        member is not None
        and member.user.is_active
        and member.is_in_group_on(timezone.localdate())
        and member.group_id == group_id
        and (approved or member.can_manage_records)
    )


def _run_is_lost(report_file: ReportFile) -> bool:
    """A running row whose run started before the hard time limit: that run cannot be alive."""
    limit = dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    return report_file.started_at is None or report_file.started_at < timezone.now() - limit


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
        format=ReportFile.Format.PDF,
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
    report_file.attempts = 0
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
    if report_file.status == ReportFile.Status.RUNNING:
        return _run_is_lost(report_file)
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


def report_file_render(*, report_file_id: int, retry_transient: bool = False) -> ReportFile:
    """Render a queued ReportFile to PDF and store it; record a failure instead of raising.

    Only a pending row, or a running one whose run is lost, is rendered: a task delivered twice
    leaves a done, failed or live running row alone. The requesting member is checked again
    (active, still in the group, a drafter for a draft): the rights may have gone while the task
    waited. The file is written to storage first and the row marked done only after, so a reader
    never gets a half-written file. The document is built again from the records: if it no
    longer has the row's hash the report changed while waiting, and the row fails with a message
    asking to start again.

    With retry_transient, a TRANSIENT_ERRORS error puts the row back to pending and is raised
    for the task to retry; without it (the last attempt) the row fails with the error.
    """
    with transaction.atomic():
        report_file = (
            ReportFile.objects.select_for_update(of=("self",))
            .select_related("group", "term", "requested_by__user")
            .get(pk=report_file_id)
        )
        runnable = report_file.status == ReportFile.Status.PENDING or (
            report_file.status == ReportFile.Status.RUNNING and _run_is_lost(report_file)
        )
        if not runnable:
            return report_file
        if not _may_render(
            report_file.requested_by,
            group_id=report_file.group_id,
            approved=report_file.approved,
            prepared=report_file.prepared,
        ):
            return _fail(
                report_file,
                _(
                    "The PDF was not made: the member who asked for it may no longer see "
                    "this report."
                ),
            )
        if report_file.attempts >= _max_attempts():
            return _fail(
                report_file,
                ngettext(
                    "The PDF could not be made after %(attempts)d attempt. Try again later.",
                    "The PDF could not be made after %(attempts)d attempts. Try again later.",
                    report_file.attempts,
                )
                % {"attempts": report_file.attempts},
            )
        report_file.status = ReportFile.Status.RUNNING
        report_file.started_at = timezone.now()
        report_file.attempts += 1
        report_file.error = ""
        report_file.save(update_fields=["status", "started_at", "attempts", "error", "updated_at"])

    try:
        document = report_document_build(
            group=report_file.group,
            term=report_file.term,
            kind=report_file.kind,
            include_draft=not report_file.approved,
        )
        if report_file.format == ReportFile.Format.DOCX:
            template = word_template_current(group_id=report_file.group_id)
            if docx_hash(document, template=template) != report_file.content_hash:
                raise ReportRenderError(
                    _("The report changed while the file was waiting. Start it again.")
                )
            _store(report_file, _docx_bytes(report_file, template=template))
        else:
            if document.content_hash != report_file.content_hash:
                raise ReportRenderError(
                    _("The report changed while the PDF was waiting. Start the PDF again.")
                )
            _check_size(document.html)
            pdf = render_pdf(document.html)
            _store(report_file, pdf)
    except TRANSIENT_ERRORS as exc:
        if retry_transient:
            logger.warning("PDF for report file %s will be retried: %r", report_file_id, exc)
            ReportFile.objects.filter(pk=report_file_id, status=ReportFile.Status.RUNNING).update(
                status=ReportFile.Status.PENDING, updated_at=timezone.now()
            )
            raise
        logger.exception("PDF for report file %s failed for good", report_file_id)
        return _fail(
            report_file,
            _("The PDF could not be saved: %(error)s")
            % {"error": getattr(exc, "strerror", None) or type(exc).__name__},
        )
    except (SoftTimeLimitExceeded, MemoryError, ReportRenderError) as exc:
        message = _limit_message(exc)
        if message is None:
            # A ReportRenderError of its own: its message is for the person who asked.
            message = str(exc)
        logger.warning("PDF for report file %s failed: %s", report_file_id, message)
        return _fail(report_file, message)
    except Exception:
        logger.exception("PDF for report file %s failed", report_file_id)
        return _fail(report_file, _("The PDF could not be made. The error has been logged."))

    report_file.status = ReportFile.Status.DONE
    report_file.finished_at = timezone.now()
    report_file.full_clean()
    report_file.save(update_fields=["file", "status", "finished_at", "updated_at"])
    return report_file


def _store(report_file: ReportFile, content: bytes) -> None:
    """Storage first, then the row: status done only ever points at a complete file.

    The path is the row's own (its hash). A file already there was left by a run that died
    before marking the row done: replaced, so a retry leaves one file, not a second beside it.
    """
    field = report_file.file
    filename = f"{report_file.kind}.{report_file.format}"
    name = field.field.generate_filename(report_file, filename)
    if field.storage.exists(name):
        field.storage.delete(name)
    field.save(filename, ContentFile(content), save=False)


@cache
def _word_builder_source_hash() -> str:
    """The SHA-256 of reports/word.py: a release that changes the .docx builder makes new files."""
    return hashlib.sha256(Path(word.__file__).read_bytes()).hexdigest()


def docx_hash(document: ReportDocument, *, template: WordTemplate | None) -> str:
    """The key of a document's .docx (64 hex digits): its PDF's document hash (every figure and
    the narrative's text), the Word builder's source and the group's current Word template
    (its SHA-256; "" for the default layout)."""
    digest = hashlib.sha256()
    for part in (
        "docx",
        document.content_hash,
        _word_builder_source_hash(),
        template.sha256 if template is not None else "",
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _docx_bytes(report_file: ReportFile, *, template: WordTemplate | None) -> bytes:
    """The row's document as .docx, built from the records as reports.word builds it, with the
    group's template. An approved summary whose records no longer give its approved figures
    cannot be made (ReportRenderError): the file made at approval stays the one served."""
    data = document_data(
        group=report_file.group,
        term=report_file.term,
        kind=report_file.kind,
        include_draft=not report_file.approved,
    )
    content = word_template_content(template) if template is not None else None
    if report_file.kind == SUMMARY:
        try:
            return word.summary_docx(data, template=content)
        except word.ApprovedFiguresChanged as exc:
            raise ReportRenderError(
                _(
                    "The records have changed since this summary was approved, so a Word file "
                    "made from them would not show the approved figures."
                )
            ) from exc
    return word.plan_docx(data, template=content)


def _check_size(html: str) -> None:
    size = len(html.encode("utf-8"))
    if size > settings.REPORT_PDF_MAX_HTML_BYTES:
        raise ReportRenderError(
            _(
                "The report is too large to print as a PDF (%(size)d KB; the limit is "
                "%(limit)d KB). Ask the administrator."
            )
            % {"size": size // 1024, "limit": settings.REPORT_PDF_MAX_HTML_BYTES // 1024}
        )


def _too_slow_message() -> str:
    seconds = settings.CELERY_TASK_SOFT_TIME_LIMIT
    return ngettext(
        "The PDF took longer than %(seconds)d second and was stopped. The report may be too "
        "large to print.",
        "The PDF took longer than %(seconds)d seconds and was stopped. The report may be too "
        "large to print.",
        seconds,
    ) % {"seconds": seconds}


def _limit_message(exc: BaseException) -> str | None:
    """The message for a render stopped by the worker's time or memory limit (which WeasyPrint
    may have wrapped in a ReportRenderError); None for any other error."""
    for error in (exc, exc.__cause__, exc.__context__):
        if isinstance(error, SoftTimeLimitExceeded):
            return _too_slow_message()
        if isinstance(error, MemoryError):
            return _(
                "The PDF needed more memory than the worker may use. The report may be "
                "too large to print."
            )
    return None


def _max_attempts() -> int:
    return settings.REPORT_PDF_MAX_RETRIES + 1


def report_file_worker_lost(*, report_file_id: int) -> None:
    """The pool process making the row's PDF died (out of memory, killed). Its task comes back
    (reject_on_worker_lost): the row is put back to pending for it, or, past the attempts
    allowed, fails."""
    with transaction.atomic():
        report_file = ReportFile.objects.select_for_update().get(pk=report_file_id)
        if report_file.status != ReportFile.Status.RUNNING:
            return
        if report_file.attempts >= _max_attempts():
            _fail(
                report_file,
                ngettext(
                    "The PDF could not be made: the worker stopped while making it, once. The "
                    "report may need more memory than the worker may use.",
                    "The PDF could not be made: the worker stopped while making it, %(attempts)d "
                    "times. The report may need more memory than the worker may use.",
                    report_file.attempts,
                )
                % {"attempts": report_file.attempts},
            )
            return
        report_file.status = ReportFile.Status.PENDING
        report_file.save(update_fields=["status", "updated_at"])


def report_file_timed_out(*, report_file_id: int) -> None:
    """The worker killed the render at the hard time limit: the row fails with that reason."""
    _mark_failed(report_file_id, _too_slow_message())


def _fail(report_file: ReportFile, error: str) -> ReportFile:
    _mark_failed(report_file.pk, error)
    report_file.refresh_from_db()
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


# --- Ready before anyone asks ----------------------------------------------------------------


def _prepared_file(
    *, term: Term, kind: str, file_format: str, content_hash: str, title: str, queue: bool = True
) -> ReportFile:
    """The row for this document and format made ahead: an existing done one is kept; a new,
    failed, lost or deleted one is (re)queued after commit (with queue False it is left
    pending, for the caller to render). Call inside a transaction."""
    report_file, created = ReportFile.objects.select_for_update().get_or_create(
        group_id=term.group_id,
        term=term,
        kind=kind,
        format=file_format,
        content_hash=content_hash,
        defaults={"approved": True, "prepared": True, "title": title[:300]},
    )
    if created:
        if queue:
            _queue_after_commit(report_file.pk)
        return report_file
    if not _needs_rendering(report_file):
        return report_file
    report_file.status = ReportFile.Status.PENDING
    report_file.prepared = True
    report_file.error = ""
    report_file.attempts = 0
    report_file.started_at = None
    report_file.finished_at = None
    report_file.full_clean()
    report_file.save()
    if queue:
        _queue_after_commit(report_file.pk)
    return report_file


def report_document_prepare(*, group_id: int, term_id: int, kind: str) -> ReadyDocument | None:
    """Have the approved document's PDF and .docx made ahead, and point its ReadyDocument at
    them. Returns the ReadyDocument; None when the document has no approved version.

    The document is built from the records (HTML and hashes only, no rendering): a format whose
    hash already has a done file keeps it, any other is queued for
    reports.tasks.report_file_render_task after commit, one task per format. A document no
    longer approved (a plan edited back to draft) loses its pointers, so downloads take the
    on-request path. Changes to the records that arrive while this runs leave changed_at set:
    their own check comes after the next quiet minute.
    """
    if kind not in ReportFile.Kind.values:
        raise ValueError(f"Unknown report kind: {kind!r}")
    term = Term.objects.select_related("group").get(pk=term_id, group_id=group_id)
    started = timezone.now()
    document = report_document_build(group=term.group, term=term, kind=kind, include_draft=False)
    template = word_template_current(group_id=group_id)
    with transaction.atomic():
        if document.approved:
            ready, _created = ReadyDocument.objects.select_for_update().get_or_create(
                group_id=group_id, term=term, kind=kind
            )
            ready.pdf = _prepared_file(
                term=term,
                kind=kind,
                file_format=ReportFile.Format.PDF,
                content_hash=document.content_hash,
                title=document.filename_stem,
            )
            ready.docx = _prepared_file(
                term=term,
                kind=kind,
                file_format=ReportFile.Format.DOCX,
                content_hash=docx_hash(document, template=template),
                title=document.filename_stem,
            )
        else:
            ready = (
                ReadyDocument.objects.select_for_update()
                .filter(group_id=group_id, term=term, kind=kind)
                .first()
            )
            if ready is None:
                return None
            ready.pdf = ready.docx = None
        if ready.changed_at is not None and ready.changed_at <= started:
            ready.changed_at = None
        ready.prepared_at = timezone.now()
        ready.full_clean()
        ready.save()
    return ready if document.approved else None


def report_document_prepare_on_commit(*, group_id: int, term_id: int, kind: str) -> None:
    """Queue report_document_prepare for after the transaction commits (eagerly, inline, when
    no broker is configured): what approving a summary or plan calls."""

    def queue() -> None:
        from reports.tasks import report_document_prepare_task

        try:
            report_document_prepare_task.delay(group_id, term_id, kind)
        except Exception:
            # The approval stands; the first download makes the file on request.
            logger.exception("Could not queue the files of %s %s/%s", kind, group_id, term_id)

    transaction.on_commit(queue)


@dataclass(frozen=True)
class MadeFile:
    """One format of a document as report_document_files_make left it. reused: a done file
    with the same hash was there already, so nothing was rendered."""

    format: str
    report_file_id: int
    reused: bool
    done: bool
    error: str


@dataclass(frozen=True)
class MadeDocument:
    """An approved document's files (none when it has no approved version: approved False)."""

    kind: str
    title: str
    approved: bool
    files: tuple[MadeFile, ...]


#: Seconds between looks at a file another task is rendering (report_document_files_make).
WAIT_POLL_SECONDS = 0.5


def report_document_files_make(
    *,
    group: StudyGroup,
    term: Term,
    kind: str,
    formats: tuple[str, ...] = (ReportFile.Format.PDF, ReportFile.Format.DOCX),
) -> MadeDocument:
    """The approved document's files in formats, made now in this process, for a task that
    gathers many documents (oversight's summaries .zip) and must know when they are done.

    The rows are the ones made ahead at approval (report_document_prepare, the same hashes): a
    format whose hash has a done file is reused, nothing rendered; any other is rendered here
    (report_file_render); one a task is rendering right now is waited for, up to the task's hard
    time limit. A document with no approved version gives approved False and no files: a draft
    is not rendered for anyone above the group. A render's failure is on its MadeFile (done
    False, error), never raised; errors building the document itself are raised.
    """
    document = report_document_build(group=group, term=term, kind=kind, include_draft=False)
    if not document.approved:
        return MadeDocument(kind=kind, title=document.filename_stem, approved=False, files=())
    hashes = {ReportFile.Format.PDF: document.content_hash}
    if ReportFile.Format.DOCX in formats:
        template = word_template_current(group_id=group.pk)
        hashes[ReportFile.Format.DOCX] = docx_hash(document, template=template)
    with transaction.atomic():
        rows = [
            _prepared_file(
                term=term,
                kind=kind,
                file_format=file_format,
                content_hash=hashes[file_format],
                title=document.filename_stem,
                queue=False,
            )
            for file_format in formats
        ]
    made = []
    for row in rows:
        # _prepared_file leaves a row done only when its file is in storage.
        reused = row.is_done
        if not reused:
            row = _render_or_wait(row)
        made.append(
            MadeFile(
                format=row.format,
                report_file_id=row.pk,
                reused=reused,
                done=row.is_done,
                error="" if row.is_done else row.error,
            )
        )
    return MadeDocument(kind=kind, title=document.filename_stem, approved=True, files=tuple(made))


def _render_or_wait(report_file: ReportFile) -> ReportFile:
    """Render the row here, or wait for the live run of another task (the approval's)."""
    deadline = time.monotonic() + settings.CELERY_TASK_TIME_LIMIT
    while True:
        report_file = report_file_render(report_file_id=report_file.pk)
        if not report_file.is_waiting:
            return report_file
        if time.monotonic() > deadline:
            report_file.error = _("The file is still being made by another task. Try again.")
            return report_file
        time.sleep(WAIT_POLL_SECONDS)


def report_documents_touch(*, group_id: int) -> bool:
    """The group's records changed (called after commit): mark its ready documents changed and
    queue their check for after READY_QUIET_SECONDS. Returns whether a check was queued.

    One check per burst: a mark within a second of the previous one queues nothing more, as
    that check (which runs a minute later) already sees this change. The check itself renders
    nothing while newer changes keep coming (report_documents_refresh).
    """
    now = timezone.now()
    ready = ReadyDocument.objects.filter(group_id=group_id)
    first = ready.filter(
        Q(changed_at__isnull=True) | Q(changed_at__lt=now - dt.timedelta(seconds=1))
    ).update(changed_at=now)
    if not first:
        return False
    from reports.tasks import report_documents_refresh_task

    try:
        report_documents_refresh_task.apply_async((group_id,), countdown=READY_QUIET_SECONDS)
    except Exception:
        # The periodic sweep (report_documents_refresh_due) checks it later.
        logger.exception("Could not queue the check of group %s's documents", group_id)
    return True


def _quiet_since(now: dt.datetime) -> dt.datetime:
    # One second of slack for clocks: the check's countdown started after changed_at was set.
    return now - dt.timedelta(seconds=READY_QUIET_SECONDS - 1)


def report_documents_refresh(*, group_id: int | None = None) -> int:
    """Check the ready documents whose records changed and have been quiet for
    READY_QUIET_SECONDS: each is built again and its files re-made only where its hash changed
    (report_document_prepare). A document changed more recently is left for the check its
    change queued. group_id None: every group's (the periodic sweep). Returns how many
    documents were checked."""
    due = ReadyDocument.objects.filter(
        changed_at__isnull=False, changed_at__lte=_quiet_since(timezone.now())
    )
    if group_id is not None:
        due = due.filter(group_id=group_id)
    checked = 0
    for group, term, kind in due.values_list("group_id", "term_id", "kind"):
        report_document_prepare(group_id=group, term_id=term, kind=kind)
        checked += 1
    return checked


def _storage_files(storage, folder: str) -> list[str]:
    """Every file name under folder in storage, recursively ([] when it does not exist)."""
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    names = [f"{folder}/{name}" for name in files]
    for sub in dirs:
        names.extend(_storage_files(storage, f"{folder}/{sub}"))
    return names


def report_files_orphans_delete(*, dry_run: bool = False) -> list[str]:
    """Delete the stored report files and Word templates that no row points to any more
    (a term or group deleted, a file replaced), older than ORPHAN_GRACE so that a render
    writing its file right now keeps it. Returns the names deleted (with dry_run, that would
    be). Only the reports/ and word-templates/ folders are looked at."""
    storage = ReportFile._meta.get_field("file").storage
    referenced = set(ReportFile.objects.exclude(file="").values_list("file", flat=True))
    referenced |= set(WordTemplate.objects.values_list("file", flat=True))
    cutoff = timezone.now() - ORPHAN_GRACE
    deleted = []
    for folder in (REPORT_FILES_DIR, WORD_TEMPLATES_DIR):
        for name in _storage_files(storage, folder):
            if name in referenced:
                continue
            try:
                if storage.get_modified_time(name) > cutoff:
                    continue
            except (NotImplementedError, FileNotFoundError):
                continue
            if not dry_run:
                storage.delete(name)
            deleted.append(name)
    if deleted:
        logger.info("Deleted %d stored files no row points to", len(deleted))
    return deleted
