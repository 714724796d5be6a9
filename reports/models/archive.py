"""The year's study archive (学习档案专卷) as built files: a row the view creates and a background
task fills, with its progress. Not a record: a build can always be made again from the records."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions_app.models import AuditedModel, Member, StudyGroup


def archive_build_path(instance: "ArchiveBuild", filename: str) -> str:
    return f"archives/{instance.group_id}/{instance.year}/{instance.kind}-{instance.pk}-{filename}"


class BuildStatus:
    """What a page asks of a build a background task fills (its status field: pending, running,
    done, failed): ArchiveBuild here, oversight's SummaryBundle."""

    @property
    def is_done(self) -> bool:
        return self.status == "done"

    @property
    def is_failed(self) -> bool:
        return self.status == "failed"

    @property
    def is_waiting(self) -> bool:
        return self.status in ("pending", "running")


class ArchiveBuild(BuildStatus, AuditedModel):
    """One build of a group's archive for a calendar year.

    kind YEAR is the 学习档案专卷: one PDF (pdf) and a .zip (zip) of that PDF, the Word files and
    the original uploads. kind MEMBERS is every member's own 学习档案 as PDFs in one .zip (zip
    only). progress runs from 0 to 100 (percent) with step saying what the task is doing;
    missing_count is the number of 缺项 the archive printed. Files are written to storage before
    status becomes done, so a waiting or failed build never serves a half-written file.
    """

    class Kind(models.TextChoices):
        YEAR = "year", _("year archive")
        MEMBERS = "members", _("members' archives")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("building")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    group = models.ForeignKey(
        StudyGroup, verbose_name=_("study group"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.YEAR)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=archive_build_path, blank=True, max_length=300)
    zip = models.FileField(_("zip file"), upload_to=archive_build_path, blank=True, max_length=300)
    pdf_pages = models.PositiveIntegerField(_("PDF pages"), default=0)
    missing_count = models.PositiveIntegerField(_("missing items"), default=0)
    error = models.TextField(_("error"), blank=True)
    # A generated file is not a record: the member who asked may go (SET_NULL).
    requested_by = models.ForeignKey(
        Member,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("archive build")
        verbose_name_plural = _("archive builds")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} · {self.get_kind_display()} · {self.get_status_display()}"
