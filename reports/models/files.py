"""Generated report files (PDFs): a row the view creates and a background task fills."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions_app.models import AuditedModel, Member, StudyGroup, Term


def report_file_path(instance: "ReportFile", filename: str) -> str:
    return (
        f"reports/{instance.group_id}/{instance.term.code}/"
        f"{instance.kind}-{instance.content_hash[:16]}.pdf"
    )


class ReportFile(AuditedModel):
    """One rendering of a report as a PDF, keyed by the hash of the document it was made from.

    content_hash is the SHA-256 of the rendered HTML document (which carries the report's figures,
    the narrative version and its text) together with the stylesheet, the templates' source and
    the renderer's versions; see reports.pdf.document_hash. The same hash means the same PDF, so a
    done row is served again instead of being rebuilt.

    The file is written to storage before status becomes done, so a pending, running or failed
    row never serves a half-written file.
    """

    class Kind(models.TextChoices):
        SUMMARY = "summary", _("half-year summary")
        PLAN = "plan", _("study plan")

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
    content_hash = models.CharField(_("content hash"), max_length=64)
    title = models.CharField(_("title"), max_length=300, blank=True)
    approved = models.BooleanField(
        _("approved"),
        default=False,
        help_text=_("Whether the document was approved when it was rendered."),
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
                fields=["group", "term", "kind", "content_hash"], name="report_file_unique_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} · {self.get_kind_display()} · {self.get_status_display()}"

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_waiting(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)
