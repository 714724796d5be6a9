"""A group's own Word template (letterhead, styles) for its .docx documents, in versions."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sessions_app.models import AuditedModel, StudyGroup, history_user

#: The storage folder of uploaded Word templates.
WORD_TEMPLATES_DIR = "word-templates"


def word_template_path(instance: "WordTemplate", filename: str) -> str:
    """word-templates/<group id>/v<version>-<first 16 hex digits of the file's SHA-256>.docx."""
    stem = f"v{instance.version}-{instance.sha256[:16]}"
    return f"{WORD_TEMPLATES_DIR}/{instance.group_id}/{stem}.docx"


class WordTemplate(AuditedModel):
    """One uploaded version of a group's Word template, checked by reports.services.word_templates
    (a real .docx with the {{ body }} placeholder) before it is saved.

    The group's summary and plan .docx are made from its newest version that is not retired;
    with none (or all retired) the app's default layout is used. Versions are never deleted, so
    the history shows which template made which file.
    """

    group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("study group"),
        on_delete=models.CASCADE,
        related_name="word_templates",
    )
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=word_template_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    retired_at = models.DateTimeField(_("no longer used since"), null=True, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("Word template")
        verbose_name_plural = _("Word templates")
        ordering = ["group", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "version"], name="word_template_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} · v{self.version} · {self.original_name}"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None
