"""The audit log: who did what, when, from where; never a password, session key or token."""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions_app.models import Member, StudyGroup


class AuditEvent(models.Model):
    """One thing that happened. Rows are written only through audit.services.audit_record and
    never changed: they outlive the user, the group's records and the object they describe."""

    class Action(models.TextChoices):
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("failed to log in")
        LOGOUT = "logout", _("logged out")
        PERMISSION_DENIED = "permission_denied", _("was refused")
        ROLE_CHANGED = "role_changed", _("changed a role")
        MEMBER_LEFT = "member_left", _("recorded a member leaving")
        MEMBER_REJOINED = "member_rejoined", _("took a member back into the group")
        SIGNIN_LINK_ISSUED = "signin_link_issued", _("issued a sign-in link")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned")
        DELETED = "deleted", _("deleted")
        DEACTIVATED = "deactivated", _("deactivated an account")
        REACTIVATED = "reactivated", _("reactivated an account")

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # The one key to a person that lets the person go (SET_NULL): an account that no record names
    # may be deleted, and its events stay, saying who by actor_name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text so the row still says who it was after the user is deleted; for a failed
    # login, the user name that was tried.
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("study group"),
        null=True,
        blank=True,
        # A deleted group's events stay (in the admin): the log outlives what it describes.
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["group", "-created_at", "-id"], name="audit_group_created"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    @property
    def object_type_label(self) -> str:
        """The recorded object's kind in the reader's language ("study session")."""
        try:
            return str(apps.get_model(self.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return self.object_type

    @property
    def change_text(self) -> str:
        """A role change as "member → secretary" in the reader's language; an essay's review as
        "author: 张成员" (the reviewer is the event's actor); else empty."""
        if self.action in (self.Action.APPROVED, self.Action.RETURNED):
            # Events written before the reviewer and author were both named kept "member".
            author = self.details.get("written_by") or self.details.get("member")
            return _("author: %(name)s") % {"name": author} if author else ""
        if self.action != self.Action.ROLE_CHANGED:
            return ""
        labels = dict(Member.Role.choices)
        before, after = self.details.get("role_from"), self.details.get("role_to")
        return f"{labels.get(before, before or '—')} → {labels.get(after, after or '—')}"
