"""The study group's records: who belongs, when they met, who came, what they wrote and plan."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Records are kept as they happen: nothing before the app's era, nothing beyond a year ahead.
EARLIEST_RECORD_DATE = dt.date(2000, 1, 1)
PLANNING_HORIZON = dt.timedelta(days=366)
#: The lowest originality threshold (%) a group may set: the check keeps no weaker match.
ORIGINALITY_FLOOR = 10


def record_date_error(day: dt.date) -> str | None:
    """Why a date cannot be a record's date, or None when it can."""
    latest = timezone.localdate() + PLANNING_HORIZON
    if day < EARLIEST_RECORD_DATE:
        return _("Enter a date from %(date)s on.") % {"date": date_format(EARLIEST_RECORD_DATE)}
    if day > latest:
        return _("Enter a date no later than %(date)s.") % {"date": date_format(latest)}
    return None


def history_user(*, instance=None, request=None, **kwargs):
    """Who a history row (simple_history) names, when the service set no _history_user: the
    request's signed-in user; outside a request (commands, tasks, the seed), the user the record
    says changed it (updated_by), else nobody."""
    if request is not None:
        return request.user
    if instance is not None and getattr(instance, "updated_by_id", None):
        return instance.updated_by
    return None


class AuditedModel(models.Model):
    """Every record keeps when it was created and changed, and by whom.

    Who created or changed a record is part of its history, so an account named here cannot be
    deleted (PROTECT): it is deactivated instead (is_active=False; see "People are kept" below).
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    def stamp(self, actor) -> None:
        """Name actor (a user, or None for the system) as who changes this record now: its
        creator too when it is new, and the user of the history row its save writes (also
        outside a request). Call before saving."""
        if self.pk is None and self.created_by_id is None:
            self.created_by = actor
        self.updated_by = actor
        self._history_user = actor


class SessionFormat(models.TextChoices):
    # 专题学习: one format among others. 集中学习 ("concentrated study") is every session of the
    # group, whatever its format (DESIGN.md, Words), so no format is called that.
    TOPIC_STUDY = "topic_study", _("topic study")
    SEMINAR = "seminar", _("seminar")
    EXPERT_LECTURE = "expert_lecture", _("expert lecture")
    VIDEO = "video", _("video study")
    ENLARGED_MEETING = "enlarged_meeting", _("enlarged meeting")
    READING_CLASS = "reading_class", _("reading class")


# People are kept: deleting an account or a membership never rewrites a past record.
#
# A record that names a person keeps that person: every foreign key from a record to an account
# is PROTECT, and every one to a Member is RESTRICT. Deleting a user or a Member that a record
# names raises ProtectedError (an account) or RestrictedError (a membership), both IntegrityError,
# and the admin refuses it with a message (sessions_app.admin). An account whose person has
# records is deactivated instead (is_active=False: they can no longer sign in, their rows stay);
# a member who leaves the group is given a leaving date (left_on). An account or membership that
# no record names (made by mistake, never used) can still be deleted.
#
# RESTRICT rather than PROTECT for the keys to Member, because a Member is also deleted by
# its group's CASCADE: RESTRICT refuses removing a person alone but lets the site administrator
# remove a whole group with everything in it (StudyGroup's CASCADE, kept on purpose; today a group
# that has held sessions is still refused by StudySession.term's PROTECT, and bulk_reset deletes
# the bulk groups' sessions first).
#
# No person must be erasable from the records: they are the group's official minutes and
# attendance. The one place an account may vanish is the audit log, which keeps the name as text
# (audit.models.AuditEvent.actor_name) and a generated PDF's requester (ReportFile.requested_by).


class StudyGroup(AuditedModel):
    """A study group. Deleting one removes all its records with it (CASCADE from the group): a
    whole-group removal by the site administrator, never a step of the app."""

    class ReportLanguage(models.TextChoices):
        CHINESE = "zh-hans", _("Simplified Chinese")
        ENGLISH = "en", _("English")

    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    slug = models.SlugField(_("short name"), unique=True)
    report_language = models.CharField(
        _("report language"),
        max_length=10,
        choices=ReportLanguage.choices,
        default=ReportLanguage.CHINESE,
    )
    # The group's own rules, against which the dashboard shows how it stands.
    rule_sessions_per_quarter = models.PositiveSmallIntegerField(
        _("concentrated study sessions required per quarter"), default=1
    )
    rule_attendance_rate = models.DecimalField(
        _("attendance rate required (%)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("90.0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    rule_essays_per_member_year = models.PositiveSmallIntegerField(
        _("essays or research reports required per member per year"), default=1
    )
    # 补学: how long a member on leave or absent has to make up a session (from its date).
    makeup_due_days = models.PositiveSmallIntegerField(
        _("days allowed for make-up study"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    # 请假: the deputy leader who decides leave requests instead of the leader; empty: the
    # leader decides (sessions_app.selectors.leave.leave_deciders has the whole rule).
    leave_approver = models.ForeignKey(
        "Member",
        verbose_name=_("leave requests go to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # QR check-in (sessions_app.checkin): a member who checks in later than this many minutes
    # after the start is marked late.
    checkin_grace_minutes = models.PositiveSmallIntegerField(
        _("minutes after the start a check-in still counts as on time"),
        default=5,
        validators=[MaxValueValidator(60)],
    )
    # 学习前预先通知: a session's notice reaches members this many days before it (notices app).
    notice_days_ahead = models.PositiveSmallIntegerField(
        _("days ahead a session's notice is published"),
        default=3,
        validators=[MaxValueValidator(30)],
        help_text=_("Members see a session's notice this many days before it, at 08:00."),
    )
    # The originality check (audit.originality) flags an essay to the secretary from this share.
    originality_threshold = models.PositiveSmallIntegerField(
        _("originality threshold (%)"),
        default=50,
        validators=[MinValueValidator(ORIGINALITY_FLOOR), MaxValueValidator(100)],
        help_text=_(
            "An essay is flagged for review when at least this share of its own text (quotations "
            "of the session's materials aside) is found in another essay. The secretary decides; "
            "nothing is rejected automatically."
        ),
    )

    class Meta:
        verbose_name = _("study group")
        verbose_name_plural = _("study groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def in_group_on(day: dt.date) -> models.Q:
    """Memberships of day: joined on or before it and not yet left.

    The one rule for "was this member in the group on day D", as a filter on Member. A member
    leaves on their leaving date: from that day on they are out (the usual reading of "left on
    2020-03-15"), so a leaving date recorded ahead of time keeps them in until then. A joining
    date is the first day in. Member.is_in_group_on says the same for one row.
    """
    return models.Q(joined_on__lte=day) & (
        models.Q(left_on__isnull=True) | models.Q(left_on__gt=day)
    )


def in_group_during(start: dt.date, end: dt.date) -> models.Q:
    """Memberships of at least one day from start to end, both included (a term's members).

    The same rule as in_group_on, over a span: joined by end and not left by start.
    """
    return models.Q(joined_on__lte=end) & (
        models.Q(left_on__isnull=True) | models.Q(left_on__gt=start)
    )


class MemberQuerySet(models.QuerySet):
    def in_group_on(self, day: dt.date) -> "MemberQuerySet":
        """Members in their group on day (see in_group_on for the leaving day)."""
        return self.filter(in_group_on(day))

    def in_group_during(self, start: dt.date, end: dt.date) -> "MemberQuerySet":
        """Members in their group on any day from start to end, both included."""
        return self.filter(in_group_during(start, end))

    def in_rank_order(self) -> "MemberQuerySet":
        """The group's order for every list, sheet and report: sort order, then first added."""
        return self.order_by("sort_order", "id")


class Member(AuditedModel):
    """A user's membership of one group."""

    class Role(models.TextChoices):
        LEADER = "leader", _("leader")
        DEPUTY = "deputy", _("deputy leader")
        SECRETARY = "secretary", _("secretary")
        MEMBER = "member", _("member")

    group = models.ForeignKey(
        StudyGroup, verbose_name=_("study group"), on_delete=models.CASCADE, related_name="members"
    )
    # A membership is itself a record (the summary's member table lists it): PROTECT.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    display_name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    position = models.CharField(_("position"), max_length=200, blank=True)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=100)
    # Raised each time the secretary issues a new one-time sign-in link: it is part of the links'
    # hash (sessions_app.signin), so every link issued before stops working.
    signin_links_issued = models.PositiveIntegerField(
        _("sign-in links issued"), default=0, editable=False
    )

    objects = MemberQuerySet.as_manager()
    # Every change kept (audit.history): who, when, old and new values.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="member_unique_user_per_group"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        errors = {}
        for name in ("joined_on", "left_on"):
            day = getattr(self, name)
            if day and (problem := record_date_error(day)):
                errors[name] = problem
        left, joined = self.left_on, self.joined_on
        if "left_on" not in errors and left and joined and left < joined:
            errors["left_on"] = _("A member cannot leave before joining.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_leader(self) -> bool:
        return self.role in (self.Role.LEADER, self.Role.DEPUTY)

    @property
    def is_secretary(self) -> bool:
        return self.role == self.Role.SECRETARY

    @property
    def can_manage_records(self) -> bool:
        """Secretaries keep the records; leaders may correct them."""
        return self.role in (self.Role.SECRETARY, self.Role.LEADER, self.Role.DEPUTY)

    def is_in_group_on(self, day: dt.date) -> bool:
        """Whether this member was in the group on day: the rule of in_group_on, for one row."""
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


class Term(AuditedModel):
    """A half-year: plans and reports are per term."""

    class Half(models.IntegerChoices):
        FIRST = 1, _("first half")
        SECOND = 2, _("second half")

    group = models.ForeignKey(
        StudyGroup, verbose_name=_("study group"), on_delete=models.CASCADE, related_name="terms"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half"), choices=Half.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-year", "-half"]
        constraints = [
            models.UniqueConstraint(fields=["group", "year", "half"], name="term_unique_half"),
        ]

    def __str__(self) -> str:
        return str(self.label)

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("A term cannot end before it starts.")})

    @property
    def code(self) -> str:
        """The term's short code in URLs and commands, e.g. 2020H1."""
        return f"{self.year}H{self.half}"

    @property
    def label(self) -> str:
        return self.label_of(year=self.year, half=self.half)

    @classmethod
    def label_of(cls, *, year: int, half: int) -> str:
        """A half-year's name, e.g. 2020年上半年 ("2020, first half"): the term's label, also
        for a year and half without a Term row at hand (a county's .zip of many groups)."""
        if half == cls.Half.FIRST:
            return _("%(year)s, first half") % {"year": year}
        return _("%(year)s, second half") % {"year": year}

    def contains(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date


class StudyPlan(AuditedModel):
    """Next term's plan: drafted by the secretary, then approved by a leader."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")

    group = models.ForeignKey(
        StudyGroup, verbose_name=_("study group"), on_delete=models.CASCADE, related_name="plans"
    )
    term = models.OneToOneField(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="plan"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    notes = models.TextField(_("notes"), blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        Member,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
    )

    # Every change kept (audit.history): who, when, old and new values.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("study plan")
        verbose_name_plural = _("study plans")
        ordering = ["-term__year", "-term__half"]

    def __str__(self) -> str:
        return _("Study plan for %(term)s") % {"term": self.term.label}

    def clean(self) -> None:
        if self.term_id and self.group_id and self.term.group_id != self.group_id:
            raise ValidationError(_("The term belongs to another group."))

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class PlannedTopic(AuditedModel):
    """A topic (专题) of a plan, or a research topic (调研课题) with assignees and a due date."""

    class Kind(models.TextChoices):
        STUDY = "study", _("study topic")
        RESEARCH = "research", _("research topic")

    plan = models.ForeignKey(
        StudyPlan, verbose_name=_("study plan"), on_delete=models.CASCADE, related_name="topics"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STUDY)
    title = models.CharField(_("title"), max_length=300)
    planned_month = models.PositiveSmallIntegerField(
        _("planned month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    format = models.CharField(_("format"), max_length=20, choices=SessionFormat.choices, blank=True)
    lead_speaker = models.CharField(_("lead speaker"), max_length=200, blank=True)
    readings = models.TextField(_("readings"), blank=True)
    assignees = models.ManyToManyField(
        Member,
        verbose_name=_("assignees"),
        blank=True,
        related_name="research_topics",
        through="PlannedTopicAssignee",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    # Every change kept (audit.history): who, when, old and new values.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("planned topic")
        verbose_name_plural = _("planned topics")
        ordering = ["plan", "kind", "planned_month", "sort_order", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.completed_on is not None


class PlannedTopicAssignee(models.Model):
    """A member assigned to a research topic: the table Django made for PlannedTopic.assignees,
    declared so that a member named here is kept (RESTRICT) instead of silently dropped from a
    past plan."""

    plannedtopic = models.ForeignKey(
        PlannedTopic, verbose_name=_("planned topic"), on_delete=models.CASCADE
    )
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.RESTRICT)

    class Meta:
        db_table = "sessions_app_plannedtopic_assignees"
        verbose_name = _("assignee")
        verbose_name_plural = _("assignees")
        unique_together = [("plannedtopic", "member")]  # as Django made it

    def __str__(self) -> str:
        return f"{self.plannedtopic} · {self.member}"


class StudySession(AuditedModel):
    group = models.ForeignKey(
        StudyGroup, verbose_name=_("study group"), on_delete=models.CASCADE, related_name="sessions"
    )
    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="sessions"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    format = models.CharField(
        _("format"),
        max_length=20,
        choices=SessionFormat.choices,
        default=SessionFormat.TOPIC_STUDY,
    )
    topic = models.CharField(_("topic"), max_length=300)
    planned_topic = models.ForeignKey(
        PlannedTopic,
        verbose_name=_("planned topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    host = models.ForeignKey(
        Member,
        verbose_name=_("host"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="hosted_sessions",
    )
    speakers = models.CharField(_("speakers"), max_length=300, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    notified_at = models.DateTimeField(_("members notified at"), null=True, blank=True)
    essay_due_on = models.DateField(_("essays due on"), null=True, blank=True)

    # Every change kept (audit.history): who, when, old and new values.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        ordering = ["-date", "-start_time", "-id"]
        indexes = [models.Index(fields=["group", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.topic}"

    def clean(self) -> None:
        errors = {}
        if self.term_id and self.date and not self.term.contains(self.date):
            errors["date"] = _("The date falls outside the term %(term)s.") % {
                "term": self.term.label
            }
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The session must end after it starts.")
        if self.essay_due_on and self.date and self.essay_due_on < self.date:
            errors["essay_due_on"] = _("Essays cannot be due before the session.")
        for name in ("date", "essay_due_on"):
            day = getattr(self, name)
            if day and name not in errors and (problem := record_date_error(day)):
                errors[name] = problem
        notified_on = timezone.localdate(self.notified_at) if self.notified_at else None
        if notified_on and (problem := record_date_error(notified_on)):
            errors["notified_at"] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def ends_at(self) -> dt.datetime:
        """When the session is over (aware, local time): its end time on its date, or the end
        of its date when it has none. Leave is asked for until then."""
        end = self.end_time or dt.time.max
        return timezone.make_aware(dt.datetime.combine(self.date, end))


def session_material_path(instance: "SessionMaterial", filename: str) -> str:
    return f"materials/{instance.session.group_id}/{instance.session_id}/{filename}"


class SessionMaterial(AuditedModel):
    session = models.ForeignKey(
        StudySession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(_("title"), max_length=300)
    # Stored under a generated name; the uploader's (sanitised) name is kept for the download.
    file = models.FileField(_("file"), upload_to=session_material_path)
    original_filename = models.CharField(_("file name"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Attendance(AuditedModel):
    """One per member per session."""

    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        LATE = "late", _("late")
        LEAVE = "leave", _("on leave")
        ABSENT = "absent", _("absent")

    session = models.ForeignKey(
        StudySession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.RESTRICT, related_name="attendances"
    )
    status = models.CharField(
        _("attendance"), max_length=10, choices=Status.choices, default=Status.PRESENT
    )
    leave_reason = models.CharField(_("reason for leave"), max_length=300, blank=True)
    makeup_on = models.DateField(_("make-up study on"), null=True, blank=True)
    makeup_note = models.CharField(_("make-up study note"), max_length=300, blank=True)
    # When the member checked in by scanning the session's QR code (sessions_app.checkin); empty
    # for a row the secretary ticked. The first check-in is kept: a second scan changes nothing.
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True, editable=False)

    # Every change kept (audit.history): who, when, old and new values.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["member__sort_order", "member_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"], name="attendance_unique_member_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"

    def clean(self) -> None:
        errors = {}
        if self.status == self.Status.LEAVE and not self.leave_reason.strip():
            errors["leave_reason"] = _("Give the reason for leave.")
        if self.makeup_on and self.attended:
            errors["makeup_on"] = _("Only members on leave or absent make up a session.")
        elif self.makeup_on and self.session_date and self.makeup_on < self.session_date:
            errors["makeup_on"] = _("Make-up study comes after the session.")
        elif self.makeup_on and (problem := record_date_error(self.makeup_on)):
            errors["makeup_on"] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def attended(self) -> bool:
        """Whether this row counts as attended (see ATTENDED_STATUSES)."""
        return self.status in ATTENDED_STATUSES

    @property
    def is_away(self) -> bool:
        """On leave or absent (AWAY_STATUSES): owes 补学."""
        return self.status in AWAY_STATUSES

    @property
    def is_made_up(self) -> bool:
        """Whether this row's 补学 is recorded: the rule of
        sessions_app.selectors.attendance.made_up_filter, for one row."""
        return self.makeup_on is not None

    @property
    def session_date(self) -> dt.date | None:
        """The session's date; the session may be unsaved while a form checks the row."""
        try:
            return self.session.date
        except StudySession.DoesNotExist:
            return None


# What counts as attended: present or late. Leave and absence do not, even when made up later.
# The one home of the rule; sessions_app.selectors.attendance counts and rates with it.
ATTENDED_STATUSES = (Attendance.Status.PRESENT, Attendance.Status.LATE)
# Who owes 补学 (make-up study) for a session: those on leave or absent, the others of the four.
AWAY_STATUSES = (Attendance.Status.LEAVE, Attendance.Status.ABSENT)


class LeaveRequest(AuditedModel):
    """A member's request for leave (请假申请) from one session, and its decision.

    One live request (waiting or approved) per member and session; after a refusal the member
    may ask again, and the refused request stays as it was.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("waiting for a decision")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    session = models.ForeignKey(
        StudySession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="leave_requests",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.RESTRICT, related_name="leave_requests"
    )
    reason = models.CharField(_("reason for leave"), max_length=300)
    requested_at = models.DateTimeField(_("asked at"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    decided_by = models.ForeignKey(
        Member,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("comment on the decision"), blank=True)

    # Every change kept (audit.history): who, when, old and new values.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"],
                condition=models.Q(status__in=["requested", "approved"]),
                name="leave_one_live_request_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.session}"

    def clean(self) -> None:
        if not self.reason.strip():
            raise ValidationError({"reason": _("Give the reason for leave.")})
        if self.status == self.Status.REFUSED and not self.decision_comment.strip():
            raise ValidationError(
                {"decision_comment": _("Say why the leave is refused: the member reads it.")}
            )

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.REQUESTED


def makeup_file_path(instance: "MakeupDuty", filename: str) -> str:
    return f"makeup/{instance.member.group_id}/{instance.member_id}/{filename}"


class MakeupDuty(AuditedModel):
    """A member's duty of 补学 (make-up study) for a session they were on leave from or absent.

    Opened when their attendance becomes 请假 or 缺席 (sessions_app.services.makeup); the
    member submits notes (typed, or a file read like an essay) by due_on; the secretary accepts
    them, which records the make-up on the attendance row (Attendance.makeup_on: the one fact
    "made up"), or returns them with a comment. When the attendance becomes present or late
    again, the duty is cancelled, never deleted: what was submitted stays.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("to do")
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")
        CANCELLED = "cancelled", _("cancelled")

    attendance = models.ForeignKey(
        Attendance,
        verbose_name=_("attendance"),
        on_delete=models.CASCADE,
        related_name="makeup_duties",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.RESTRICT, related_name="makeup_duties"
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="open")
    notes = models.TextField(_("make-up notes"), blank=True)
    file = models.FileField(_("file"), upload_to=makeup_file_path, blank=True)
    original_filename = models.CharField(_("file name"), max_length=255, blank=True)
    word_count = models.PositiveIntegerField(_("word count"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        Member,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    # Every change kept (audit.history): who, when, old and new values.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("make-up study")
        verbose_name_plural = _("make-up study")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attendance"],
                condition=~models.Q(status="cancelled"),
                name="makeup_one_live_duty_per_attendance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.due_on}"

    def clean(self) -> None:
        if self.status == self.Status.RETURNED and not self.review_comment.strip():
            raise ValidationError({"review_comment": _("Say why the notes are returned.")})

    @property
    def is_submittable(self) -> bool:
        """Whether the member may submit (or submit again) notes: to do, or returned."""
        return self.status in (self.Status.OPEN, self.Status.RETURNED)

    def is_overdue(self, today: dt.date) -> bool:
        """Still owed by the member (OWED_MAKEUP) after its due day; the due day itself is not
        overdue. The same rule as sessions_app.selectors.makeup.overdue_filter, for one row."""
        return self.status in OWED_MAKEUP and self.due_on < today


# A duty the member still owes: to do, or returned to them. Notes submitted and waiting for
# the secretary are not owed by the member, so they are never overdue.
OWED_MAKEUP = (MakeupDuty.Status.OPEN, MakeupDuty.Status.RETURNED)


def essay_file_path(instance: "ReflectionEssay", filename: str) -> str:
    return f"essays/{instance.group_id}/{instance.author_id}/{filename}"


class ReflectionEssay(AuditedModel):
    """A reflection essay (心得体会) or research report (调研报告) by one member, or a key
    speaker's speaking outline (发言提纲, Kind.OUTLINE) for a session, which no figure counts."""

    class Kind(models.TextChoices):
        REFLECTION = "reflection", _("reflection essay")
        RESEARCH_REPORT = "research_report", _("research report")
        # A key speaker's 发言提纲 for a session's notice: read by the essay reader, kept with
        # the essays, but never counted as an essay (sessions_app.selectors.essays.essay_counts).
        OUTLINE = "outline", _("speaking outline")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    group = models.ForeignKey(
        StudyGroup, verbose_name=_("study group"), on_delete=models.CASCADE, related_name="essays"
    )
    author = models.ForeignKey(
        Member, verbose_name=_("author"), on_delete=models.RESTRICT, related_name="essays"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REFLECTION)
    session = models.ForeignKey(
        StudySession,
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="essays",
    )
    planned_topic = models.ForeignKey(
        PlannedTopic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="essays",
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    file = models.FileField(_("file"), upload_to=essay_file_path, blank=True)
    original_filename = models.CharField(_("file name"), max_length=255, blank=True)
    # 字数 as Word counts it, and Word's 字符数（不计空格）, of body (intake.count).
    word_count = models.PositiveIntegerField(_("word count"), default=0)
    char_count = models.PositiveIntegerField(_("characters without spaces"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        Member,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
    )

    # Every change kept (audit.history): who, when, old and new values.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("reflection essay")
        verbose_name_plural = _("reflection essays")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_revisable(self) -> bool:
        """Whether the author may still change the essay: until it is accepted, never after
        (essay_revise refuses; pages offer the change only when this holds)."""
        return self.status != self.Status.ACCEPTED

    def check_reviewer(self, member: Member) -> None:
        """Raise PermissionDenied unless member may review this essay: a secretary, leader or
        deputy of the essay's group who is not its author. Nobody reviews their own essay; that
        refusal carries a message saying so (shown on the 403 page)."""
        if member.group_id != self.group_id or not member.can_manage_records:
            raise PermissionDenied
        if member.pk == self.author_id:
            raise PermissionDenied(
                _("Nobody reviews their own essay: the secretary or a leader reviews it.")
            )

    def clean(self) -> None:
        if self.status == self.Status.RETURNED and not self.review_comment.strip():
            raise ValidationError({"review_comment": _("Say why the essay is returned.")})
