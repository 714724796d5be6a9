"""The written parts of a report, drafted by the secretary and approved by a leader, in versions."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sessions_app.models import AuditedModel, Member, StudyGroup, Term


class ReportNarrative(AuditedModel):
    """One version of a report's narrative for a group, term and kind.

    Versions are numbered from 1. At most one draft exists per group, term and kind; approving
    it freezes it, and editing after that starts the next version, so earlier ones stay readable.
    """

    class Kind(models.TextChoices):
        SUMMARY = "summary", _("half-year summary")
        PLAN = "plan", _("study plan")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")

    group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("study group"),
        on_delete=models.CASCADE,
        related_name="report_narratives",
    )
    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="report_narratives"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SUMMARY)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    preamble = models.TextField(_("preamble"), blank=True)
    # A list of {"heading": str, "body": str}: the （一）（二）（三） paragraphs of good practice.
    practices = models.JSONField(_("good practices"), default=list, blank=True)
    problems = models.TextField(_("problems"), blank=True)
    causes = models.TextField(_("causes"), blank=True)
    measures = models.TextField(_("measures for next term"), blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        Member,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report narrative")
        verbose_name_plural = _("report narratives")
        ordering = ["group", "term", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "term", "kind", "version"], name="narrative_unique_version"
            ),
            models.UniqueConstraint(
                fields=["group", "term", "kind"],
                condition=Q(status="draft"),
                name="narrative_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} · {self.get_kind_display()} · v{self.version}"

    def clean(self) -> None:
        errors = {}
        if self.term_id and self.group_id and self.term.group_id != self.group_id:
            errors["term"] = _("The term belongs to another group.")
        if not isinstance(self.practices, list) or any(
            not isinstance(p, dict) or set(p) - {"heading", "body"} for p in self.practices
        ):
            errors["practices"] = _("Good practices must be a list of headed paragraphs.")
        if self.status == self.Status.APPROVED and self.approved_at is None:
            errors["approved_at"] = _("An approved version needs its approval time.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def practice_items(self) -> list[dict]:
        """The good-practice paragraphs with both keys present, for templates."""
        return [
            {"heading": p.get("heading", ""), "body": p.get("body", "")} for p in self.practices
        ]
