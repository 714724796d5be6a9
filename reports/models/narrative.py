"""The written parts of a report, drafted by the secretary and approved by a leader, in versions."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sessions_app.models import AuditedModel, Member, StudyGroup, Term, history_user


class ReportNarrative(AuditedModel):
    """One version of a report's narrative for a group, term and kind.

    Versions are numbered from 1. At most one draft exists per group, term and kind; approving
    it freezes it, and editing after that starts the next version, so earlier ones stay readable.

    Approving a summary also freezes its document: approved_body_html is the report body as the
    leader approved it (the figures of that moment around this text), and approved_figures_hash
    the hash of those figures, so the page can tell when the records have changed since. Versions
    approved before these fields existed have neither, and are shown from the live records.
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
    # Who approved a version is part of it: the member is kept (see sessions_app.models).
    approved_by = models.ForeignKey(
        Member,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
    )
    # Our own rendering of templates/reports/_summary_body.html (autoescaped) at approval time:
    # written only by reports.services.narrative.narrative_approve, never from a form.
    approved_body_html = models.TextField(_("approved document"), blank=True, editable=False)
    approved_figures_hash = models.CharField(
        _("hash of the approved figures"), max_length=64, blank=True, editable=False
    )

    # Every change kept (audit.history). The frozen document is left out: it is written once, at
    # approval, from the records (which keep their own history), and is large.
    history = HistoricalRecords(excluded_fields=["approved_body_html"], get_user=history_user)

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
        if self.status == self.Status.APPROVED:
            for name, message in self.missing_for_approval().items():
                errors.setdefault(name, message)
        if errors:
            raise ValidationError(errors)

    def missing_for_approval(self) -> dict[str, str]:
        """The sections a version cannot be approved without, by field, with what to write.

        The one place for this rule: clean() applies it to every approved version, and the
        approve page shows it before asking. Whitespace alone counts as blank.
        """
        missing = {}
        if not (self.preamble or "").strip():
            missing["preamble"] = _("Write the preamble.")
        practices = self.practices if isinstance(self.practices, list) else []
        if not any(
            isinstance(p, dict)
            and str(p.get("heading") or "").strip()
            and str(p.get("body") or "").strip()
            for p in practices
        ):
            missing["practices"] = _(
                "Write at least one good practice with a heading and a paragraph."
            )
        if not (self.problems or "").strip():
            missing["problems"] = _("Write the problems.")
        if not (self.causes or "").strip():
            missing["causes"] = _("Write the causes.")
        return missing

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def practice_items(self) -> list[dict]:
        """The good-practice paragraphs with both keys present, for templates."""
        return [
            {"heading": p.get("heading", ""), "body": p.get("body", "")} for p in self.practices
        ]
