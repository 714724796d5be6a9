"""Notices (学习通知) of planned sessions and who has read them (已阅).

A session has at most one notice. It becomes visible to the group's members at ``publish_at``;
a member confirms reading once, and the time is kept. Reminders and the channels that carry
them (in the app, e-mail, WeCom, DingTalk) build on these rows.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sessions_app.models import AuditedModel, Member, StudySession, history_user


class NoticeQuerySet(models.QuerySet):
    def published(self, at=None):
        """Notices members can see at ``at`` (default now): publish_at has come."""
        return self.filter(publish_at__lte=at or timezone.now())


class NoticeKeySpeaker(models.Model):
    """A key speaker (中心发言人) named in a notice: the table Django would make for
    Notice.key_speakers, declared (before Notice, for simple_history's m2m history) so that a
    member named here is kept (RESTRICT, as every key from a record to a Member; see "People
    are kept" in sessions_app.models)."""

    notice = models.ForeignKey("notices.Notice", verbose_name=_("notice"), on_delete=models.CASCADE)
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.RESTRICT)

    class Meta:
        db_table = "notices_notice_key_speakers"
        verbose_name = _("key speaker")
        verbose_name_plural = _("key speakers")
        unique_together = [("notice", "member")]  # as Django made it

    def __str__(self) -> str:
        return f"{self.notice} · {self.member}"


class Notice(AuditedModel):
    """The 学习通知 of one session: what members read before it (the pre-meeting pack)."""

    session = models.OneToOneField(
        StudySession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="notice"
    )
    discussion_questions = models.TextField(_("discussion questions"), blank=True)
    key_speakers = models.ManyToManyField(
        Member,
        verbose_name=_("key speakers"),
        blank=True,
        related_name="+",
        through=NoticeKeySpeaker,
    )
    publish_at = models.DateTimeField(_("published at"))

    history = HistoricalRecords(get_user=history_user, m2m_fields=[key_speakers])

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-publish_at", "-id"]

    def __str__(self) -> str:
        return str(self.session)

    @property
    def is_published(self) -> bool:
        return self.publish_at <= timezone.now()


class NoticeRead(models.Model):
    """A member's confirmation that they have read a notice (已阅), with the time."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="reads"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.RESTRICT, related_name="notice_reads"
    )
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("read confirmation")
        verbose_name_plural = _("read confirmations")
        constraints = [
            models.UniqueConstraint(fields=["notice", "member"], name="notice_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.notice} · {self.member}"


def new_calendar_token() -> str:
    """A fresh calendar feed token: 32 random bytes, URL-safe (43 characters of A-Z a-z 0-9 _ -)."""
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's private calendar feed (an iCalendar URL their phone subscribes to).

    The token in the URL is the only secret: whoever has the URL reads the user's groups'
    sessions. Renewing replaces the token, so the old URL stops working (404).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


# The reminders' sent-log, preferences and group robots (notices.delivery_models).
from notices.delivery_models import Delivery, GroupRobots, ReminderPreference  # noqa: E402,F401
