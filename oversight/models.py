"""Above the group: organisations (党委（部门）) that oversee study groups, and who acts for them.

An organisation may have sub-organisations (a city above its counties). Its administrators and
inspectors (督学) see the records of every group placed in it or in an organisation below it;
nobody in a group sees anything above the group. ``path`` holds the chain of ids from the root
("3/7/"), so an organisation's whole subtree is one ``path__startswith`` filter.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reports.models.archive import BuildStatus
from sessions_app.models import AuditedModel, StudyGroup, Term, history_user


class Organisation(AuditedModel):
    """A 党委（部门） such as 中共示例县委宣传部, placed under its parent (None: a root)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Ids from the root down to this one, each followed by "/": set by organisation_create.
    path = models.CharField(max_length=255, editable=False, db_index=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class OrganisationRole(AuditedModel):
    """A user's role at an organisation: administrator or inspector (read-only)."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("organisation administrator")
        INSPECTOR = "inspector", _("inspector")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="roles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="organisation_roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("organisation role")
        verbose_name_plural = _("organisation roles")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="organisation_role_one_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.user} · {self.get_role_display()}"


class GroupPlacement(AuditedModel):
    """Which organisation oversees a study group (one per group)."""

    group = models.OneToOneField(
        StudyGroup,
        verbose_name=_("study group"),
        on_delete=models.CASCADE,
        related_name="placement",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="placements",
    )

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"{self.group} → {self.organisation}"


class Submission(AuditedModel):
    """One 报送 of a group's approved summary or plan to the organisation above it, and what the
    organisation did with it: received (签收) or returned with a comment. A resubmission is a new
    row; earlier ones stay as they were."""

    class Kind(models.TextChoices):
        SUMMARY = "summary", _("half-year summary")
        PLAN = "plan", _("study plan")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        RECEIVED = "received", _("received")
        RETURNED = "returned", _("returned")

    group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("study group"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    term = models.ForeignKey(
        Term,
        verbose_name=_("term"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The organisation it went to, as placed on the day (a later move does not rewrite it).
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    # The approved version sent: the summary's narrative version, or the plan as approved on.
    version = models.PositiveIntegerField(_("version"), default=1)
    approved_at = models.DateTimeField(_("approved at"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["term", "kind"])]

    def __str__(self) -> str:
        return f"{self.group} · {self.term} · {self.get_kind_display()}"

    def clean(self) -> None:
        if self.status == self.Status.RETURNED and not self.comment.strip():
            raise ValidationError({"comment": _("Say why it is returned.")})


class ReportingDeadline(AuditedModel):
    """By when an organisation's groups submit a kind of document for a term (e.g. summaries of
    2020 H1 by 2020年7月15日)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="deadlines",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half"), choices=Term.Half.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Submission.Kind.choices)
    due_on = models.DateField(_("due on"))

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("reporting deadline")
        verbose_name_plural = _("reporting deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "half", "kind"], name="deadline_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.year}H{self.half} · {self.get_kind_display()}"


# An evaluation is short: its three parts together hold at most this many characters.
EVALUATION_MAX_CHARS = 500


class SittingIn(AuditedModel):
    """An inspector sitting in on a group's session (列席旁听), and the evaluation (旁听评价) they
    file after it: an overall evaluation, highlights (亮点) and problems (问题)."""

    session = models.ForeignKey(
        "sessions_app.StudySession",
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="sittings_in",
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="sittings_in",
    )
    # Through which organisation the inspector came (kept if the group moves later).
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    evaluation = models.TextField(_("evaluation"), blank=True)
    highlights = models.TextField(_("highlights"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    filed_at = models.DateTimeField(_("evaluation filed at"), null=True, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("sitting in")
        verbose_name_plural = _("sittings in")
        ordering = ["session__date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "inspector"], name="sitting_in_once_per_inspector"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.inspector}"

    @property
    def evaluation_chars(self) -> int:
        return (
            len(self.evaluation.strip()) + len(self.highlights.strip()) + len(self.problems.strip())
        )

    def clean(self) -> None:
        if self.evaluation_chars > EVALUATION_MAX_CHARS:
            raise ValidationError(
                _("An evaluation holds at most %(max)d characters in all; this one has %(n)d.")
                % {"max": EVALUATION_MAX_CHARS, "n": self.evaluation_chars}
            )


class Bulletin(AuditedModel):
    """An organisation's term bulletin (学习通报): its figures come from the county table; its
    words (preamble, findings, requirements) are drafted and approved by its administrators."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="bulletins",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half"), choices=Term.Half.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    preamble = models.TextField(_("preamble"), blank=True)
    findings = models.TextField(_("problems found"), blank=True)
    requirements = models.TextField(_("requirements"), blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "half"], name="bulletin_one_per_term"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.year}H{self.half}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


def summary_bundle_path(instance: "SummaryBundle", filename: str) -> str:
    return (
        f"oversight/summaries/{instance.organisation_id}/"
        f"{instance.year}H{instance.half}-{instance.pk}.zip"
    )


class SummaryBundle(BuildStatus, AuditedModel):
    """Every overseen group's approved half-year summary and plan of a term in one .zip, made
    in the background (oversight.services.summary_bundles): one outcome row per group, filled
    by that group's task; the .zip written once every group's task has finished.

    Not a record: a bundle can always be made again from the records (its files are reused when
    unchanged). The .zip is written to storage before status becomes done.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("building")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="summary_bundles",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half"), choices=Term.Half.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    group_count = models.PositiveIntegerField(_("study groups"), default=0)
    zip = models.FileField(_("zip file"), upload_to=summary_bundle_path, blank=True, max_length=300)
    # Written with the .zip, for the page: how many files were reused, rendered, and how many
    # groups failed.
    files_reused = models.PositiveIntegerField(_("files reused"), default=0)
    files_rendered = models.PositiveIntegerField(_("files rendered"), default=0)
    groups_failed = models.PositiveIntegerField(_("groups failed"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("summaries .zip")
        verbose_name_plural = _("summaries .zips")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.year}H{self.half} · {self.get_status_display()}"

    @property
    def code(self) -> str:
        return f"{self.year}H{self.half}"


class SummaryBundleGroup(models.Model):
    """One group's part of a SummaryBundle, written by its task: documents lists what was
    found, as [{"kind", "title", "approved", "files": [{"format", "report_file_id", "reused",
    "done", "error"}]}]; error is a failure of the whole group (its records could not be read);
    no_term: the group has no term that half. finished_at is set when the task is done with it,
    whatever the outcome: the bundle's progress counts these."""

    bundle = models.ForeignKey(
        SummaryBundle,
        verbose_name=_("summaries .zip"),
        on_delete=models.CASCADE,
        related_name="outcomes",
    )
    group = models.ForeignKey(
        StudyGroup, verbose_name=_("study group"), on_delete=models.CASCADE, related_name="+"
    )
    no_term = models.BooleanField(_("no term"), default=False)
    documents = models.JSONField(_("documents"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    failed = models.BooleanField(_("failed"), default=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("group in a summaries .zip")
        verbose_name_plural = _("groups in a summaries .zip")
        constraints = [
            models.UniqueConstraint(fields=["bundle", "group"], name="summary_bundle_group_once"),
        ]
        indexes = [models.Index(fields=["bundle", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.bundle} · {self.group}"
