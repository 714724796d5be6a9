"""Generated report files (PDF and .docx): a row the view or the approval creates and a background
task fills; and the pointer to an approved document's ready files (ReadyDocument)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sessions_app.models import AuditedModel, Member, StudyGroup, Term

#: The storage folder of generated files; nothing else is written under it (reports.services.
#: report_files.report_files_orphans_delete deletes what no row points to).
REPORT_FILES_DIR = "reports"


def report_file_path(instance: "ReportFile", filename: str) -> str:
    """reports/<group id>/<term code>/<kind>-<first 16 hex digits of the hash>.<pdf|docx>."""
    return (
        f"{REPORT_FILES_DIR}/{instance.group_id}/{instance.term.code}/"
        f"{instance.kind}-{instance.content_hash[:16]}.{instance.format}"
    )


class ReportFile(AuditedModel):
    """One rendering of a report as a PDF or a .docx, keyed by the hash of what it was made from.

    content_hash is the SHA-256 of the rendered HTML document (which carries the report's figures,
    the narrative version and its text) together with the stylesheet, the templates' source and
    the renderer's versions; see reports.pdf.document_hash. The same hash means the same PDF, so a
    done row is served again instead of being rebuilt.

    The file is written to storage before status becomes done, so a pending, running or failed
    row never serves a half-written file.

    A .docx row's hash is reports.services.report_files.docx_hash: the PDF's document hash with
    the Word builder's source and the group's Word template. prepared rows were made ahead, when
    the document was approved or its records changed (ReadyDocument), not asked for by anyone.
    """

    class Kind(models.TextChoices):
        SUMMARY = "summary", _("half-year summary")
        PLAN = "plan", _("study plan")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", _("Word (.docx)")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("rendering")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    group = models.ForeignKey(
        StudyGroup, verbose_name=_("study group"), on_delete=models.CASCADE, related_name="+"
    )
    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="report_files"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    format = models.CharField(
        pgettext_lazy("file", "format"), max_length=10, choices=Format.choices, default=Format.PDF
    )
    content_hash = models.CharField(_("content hash"), max_length=64)
    title = models.CharField(_("title"), max_length=300, blank=True)
    approved = models.BooleanField(
        _("approved"),
        default=False,
        help_text=_("Whether the document was approved when it was rendered."),
    )
    prepared = models.BooleanField(
        _("made ahead"),
        default=False,
        help_text=_("Made when the document was approved or its records changed, not on request."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(_("file"), upload_to=report_file_path, blank=True, max_length=300)
    error = models.TextField(_("error"), blank=True)
    # A generated file is not a record: the member who asked for it may go (SET_NULL), and the
    # render task then finds nobody entitled to it and fails the file.
    requested_by = models.ForeignKey(
        Member,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attempts = models.PositiveSmallIntegerField(
        _("attempts"),
        default=0,
        help_text=_("How many times a worker started this PDF since it was last asked for."),
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "term", "kind", "format", "content_hash"],
                name="report_file_unique_hash",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.term} · {self.get_kind_display()} · {self.get_format_display()} · "
            f"{self.get_status_display()}"
        )

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_waiting(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


class ReadyDocument(models.Model):
    """An approved document's files made ahead: the PDF and the .docx a click downloads at once.

    One row per group, term and kind, made when the document is first approved
    (reports.services.report_files.report_document_prepare) and pointed at the files of its
    latest approved state. changed_at is the time of the latest change to the group's records
    since those files were made (None when none): while it is set the files may be out of date,
    so downloads take the on-request path, and a task checks the document again once the records
    have been quiet for READY_QUIET_SECONDS. Derived state, not a record: no history.
    """

    group = models.ForeignKey(
        StudyGroup, verbose_name=_("study group"), on_delete=models.CASCADE, related_name="+"
    )
    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="ready_documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReportFile.Kind.choices)
    pdf = models.ForeignKey(
        ReportFile,
        verbose_name="PDF",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    docx = models.ForeignKey(
        ReportFile,
        verbose_name=_("Word (.docx)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("records changed at"), null=True, blank=True)
    prepared_at = models.DateTimeField(_("files made at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ready document")
        verbose_name_plural = _("ready documents")
        constraints = [
            models.UniqueConstraint(fields=["group", "term", "kind"], name="ready_document_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.term} · {self.get_kind_display()}"
