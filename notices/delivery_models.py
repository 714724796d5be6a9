"""The sent-log of reminders, each member's reminder preferences, and a group's chat robots.

One Delivery row is one message to one recipient (a member, or a group's robot) on one channel.
It is written in the same transaction as the decision to send, under a unique constraint on
(kind, object, about, recipient, channel): a second scan, a restarted beat or a redelivered
task finds the row and never decides (or sends) again. In-app messages are the rows themselves
(channel in_app: sent when written, read when the member opens them).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sessions_app.models import AuditedModel, Member, StudyGroup, history_user


class DeliveryKind(models.TextChoices):
    """What a message is about. The object it names (Delivery.object_id) is a study session
    for the notice and essay kinds, a term for the attendance kinds, a 补学 duty for make-up
    study, a reporting deadline for the submission kinds."""

    NOTICE = "notice", _("session notice")
    NOTICE_UNREAD = "notice_unread", _("notice not yet read")
    ESSAY_DUE = "essay_due", _("essay due soon")
    ESSAY_OVERDUE = "essay_overdue", _("essay overdue")
    ATTENDANCE_LOW = "attendance_low", _("attendance below the rule")
    ATTENDANCE_LOW_SECRETARY = "attendance_low_secretary", _("a member's attendance below the rule")
    # Reserved for the 补学 duties' source (notices.dispatch.sources.SOURCES).
    MAKEUP = "makeup", _("make-up study due")
    # 报送 deadlines (oversight.reminders): the object is the organisation's ReportingDeadline.
    SUBMISSION_DUE = "submission_due", _("document due to the organisation")
    SUBMISSION_OVERDUE = "submission_overdue", _("document overdue to the organisation")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("in the app")
    EMAIL = "email", _("e-mail")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


#: Channels that post to a group's chat (one message per group), not to a member.
ROBOT_CHANNELS = (Channel.WECOM, Channel.DINGTALK)


class DeliveryQuerySet(models.QuerySet):
    def inbox_of(self, member: Member) -> DeliveryQuerySet:
        """The member's in-app messages: what their inbox lists."""
        return self.filter(member=member, channel=Channel.IN_APP)

    def unread(self) -> DeliveryQuerySet:
        return self.filter(read_at__isnull=True)


class Delivery(models.Model):
    """One message to one recipient on one channel, and how its sending went.

    status: pending (decided, not yet sent; next_attempt_at says when it may be tried),
    sending (a worker claimed it at claimed_at), sent, failed (gave up: error says why).
    Not a record of the group's work, so no history: the row itself is the log.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    # The group's and the member's rows are found through delivery_group_outside and
    # delivery_inbox, which lead with them: no index of their own, each of which the scan's
    # insert of thousands of rows would have to write. Both keys are kept by Django (CASCADE
    # deletes a group's or member's rows), not by a database constraint: its check locks the
    # member's and the group's row for every row inserted, which made a first scan's commit of
    # 23,919 rows 0.2 s slower (docs/PERFORMANCE.md, item 13). The scan writes ids it has just
    # read in the same transaction.
    group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("study group"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DeliveryKind.choices)
    object_id = models.BigIntegerField(_("about object"))
    # The member a message to someone else is about (a secretary's attendance warning); 0: none.
    about_id = models.BigIntegerField(_("about member"), default=0)
    # None: the group's robot (channel wecom or dingtalk).
    member = models.ForeignKey(
        Member,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,
        db_constraint=False,
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The e-mail address at the time of the decision (channel email).
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
    # A path in the app (reverse()); made absolute with SITE_URL when it leaves the app.
    link = models.CharField(_("link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    # The scan that decided this row (its token). Not indexed: the scan's insert returns the
    # rows it made.
    batch = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(_("decided at"))
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "about_id", "member", "channel"],
                condition=models.Q(member__isnull=False),
                name="delivery_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["kind", "object_id", "about_id", "group", "channel"],
                condition=models.Q(member__isnull=True),
                name="delivery_once_per_group_robot",
            ),
        ]
        # The last two leave out the in-app rows, most of any scan's rows, which are sent
        # when written: the sends still to make and the group's outside sends are all they find.
        indexes = [
            models.Index(fields=["member", "channel", "read_at"], name="delivery_inbox"),
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="delivery_due",
            ),
            models.Index(
                fields=["group", "status"],
                condition=~models.Q(channel=Channel.IN_APP),
                name="delivery_group_outside",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_channel_display()} · {self.title}"


class ReminderPreference(models.Model):
    """A user's choices for reminders: whether e-mail comes (in-app messages always do), and
    the language they are written in. No row: e-mail on, the site's default language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reminder_preference",
    )
    email_enabled = models.BooleanField(_("send reminders by e-mail"), default=True)
    language = models.CharField(
        _("language of reminders"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self) -> str:
        return str(self.user)


class GroupRobots(AuditedModel):
    """A group's chat robots: the WeCom (企业微信) and DingTalk (钉钉) group-robot webhooks its
    reminders are posted to, and DingTalk's signing secret ("加签"). Blank: not used."""

    group = models.OneToOneField(
        StudyGroup, verbose_name=_("study group"), on_delete=models.CASCADE, related_name="robots"
    )
    wecom_webhook = models.URLField(_("WeCom group robot webhook"), max_length=500, blank=True)
    dingtalk_webhook = models.URLField(
        _("DingTalk group robot webhook"), max_length=500, blank=True
    )
    dingtalk_secret = models.CharField(_("DingTalk signing secret"), max_length=200, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("group robots")
        verbose_name_plural = _("group robots")

    def __str__(self) -> str:
        return str(self.group_id)

    @property
    def channels(self) -> list[str]:
        """The robot channels this group has set (Channel values)."""
        found = []
        if self.wecom_webhook:
            found.append(Channel.WECOM)
        if self.dingtalk_webhook:
            found.append(Channel.DINGTALK)
        return found
