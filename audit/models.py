"""The audit log: who did what, when, from where; never a password, session key or token."""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from sessions_app.models import Member, ReflectionEssay, SessionMaterial, StudyGroup


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
        IMPORTED = "imported", _("imported a spreadsheet")

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


# --- The originality check of essays (audit.originality) -------------------------------------
#
# Derived rows, not records: each is computed from an essay's or a material's current text and
# rebuilt by `manage.py originality_reindex`, so they keep no history (the essay's own history
# keeps every text it had). A row goes with its essay or material (CASCADE).


#: A match shares at least this many shingles (about a sentence and a half of Chinese): fewer
#: are stock phrases every essay on a speech writes, whatever share they are of a short essay.
ORIGINALITY_MIN_SHARED = 20


def reaches_threshold(*, shared: str, own: str, threshold: int) -> Q:
    """The one rule for "this overlap passes the group's threshold", as a filter: the shared
    shingles (field path shared) are at least threshold percent of the essay's own shingles
    (field path own: those not in the session's materials), and at least
    ORIGINALITY_MIN_SHARED. Exactly the threshold passes (40 of 80 shingles at 50%), in integer
    arithmetic: no rounding at the boundary."""
    return Q(**{f"{shared}__gte": ORIGINALITY_MIN_SHARED}) & Q(
        GreaterThanOrEqual(F(shared) * 100, F(own) * threshold)
    )


def passes_threshold(*, shared: int, own: int, threshold: int) -> bool:
    """reaches_threshold for numbers in hand: the same rule, for the check's own decisions."""
    return shared >= ORIGINALITY_MIN_SHARED and shared * 100 >= own * threshold


class OriginalityBand(models.Model):
    """One LSH band key of an essay's text: the index the originality check looks up.

    An essay has one row per band (audit.originality.shingles.lsh_bands); another essay whose
    text is similar shares at least one key with high probability. One query per check finds
    every essay sharing a key, on the index of key, whatever the number of essays.
    """

    essay = models.ForeignKey(
        ReflectionEssay, verbose_name=_("essay"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.BigIntegerField(_("band key"))

    class Meta:
        verbose_name = _("originality index entry")
        verbose_name_plural = _("originality index entries")
        indexes = [models.Index(fields=["key"], name="originality_band_key")]

    def __str__(self) -> str:
        return f"{self.essay_id}: {self.key}"


class OriginalityCheck(models.Model):
    """The last originality check of an essay: how much of it quotes the session's materials and
    how much of the rest other essays share (its OriginalityMatch rows).

    text_hash is the SHA-256 of the text checked: when it differs from the essay's text, the
    check is out of date (a revision is being checked). Counts are of distinct shingles.
    """

    essay = models.OneToOneField(
        ReflectionEssay,
        verbose_name=_("essay"),
        on_delete=models.CASCADE,
        related_name="originality_check",
    )
    text_hash = models.CharField(_("text hash"), max_length=64)
    checked_at = models.DateTimeField(_("checked at"))
    shingle_count = models.PositiveIntegerField(_("shingles"), default=0)
    material_count = models.PositiveIntegerField(_("shingles quoting the materials"), default=0)
    own_count = models.PositiveIntegerField(_("own shingles"), default=0)
    top_shared = models.PositiveIntegerField(_("most own shingles shared"), default=0)
    unread_materials = models.PositiveSmallIntegerField(_("materials without text"), default=0)

    class Meta:
        verbose_name = _("originality check")
        verbose_name_plural = _("originality checks")

    def __str__(self) -> str:
        return f"{self.essay_id} @ {self.checked_at:%Y-%m-%d %H:%M}"


class OriginalityMatch(models.Model):
    """Another essay that shares at least ORIGINALITY_FLOOR percent (sessions_app.models) of
    the checked essay's own text, and at least ORIGINALITY_MIN_SHARED shingles: shared of the
    check's own_count."""

    originality_check = models.ForeignKey(
        OriginalityCheck, verbose_name=_("check"), on_delete=models.CASCADE, related_name="matches"
    )
    other = models.ForeignKey(
        ReflectionEssay, verbose_name=_("other essay"), on_delete=models.CASCADE, related_name="+"
    )
    shared = models.PositiveIntegerField(_("shared shingles"))

    class Meta:
        verbose_name = _("originality match")
        verbose_name_plural = _("originality matches")
        ordering = ["-shared", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["originality_check", "other"], name="originality_match_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.other_id}: {self.shared}"


class MaterialText(models.Model):
    """The text of a session material as the originality check read it (intake readers), kept
    so a check reads each file once. file_name is the stored file it was read from: a material
    whose file changed is read again. readable is False for a file without text (a scan, an
    image, a spreadsheet) or one that could not be read."""

    material = models.OneToOneField(
        SessionMaterial,
        verbose_name=_("material"),
        on_delete=models.CASCADE,
        related_name="originality_text",
    )
    file_name = models.CharField(_("file"), max_length=255)
    text = models.TextField(_("text"), blank=True)
    readable = models.BooleanField(_("has text"), default=False)

    class Meta:
        verbose_name = _("material text")
        verbose_name_plural = _("material texts")

    def __str__(self) -> str:
        return self.file_name


def essay_flagged(*, threshold: int) -> Exists:
    """An expression for ReflectionEssay rows: the essay's last check found another essay
    holding at least threshold percent of its own text (reaches_threshold). The essay list's
    flag, in the list's one query."""
    return Exists(
        OriginalityCheck.objects.filter(essay=OuterRef("pk")).filter(
            reaches_threshold(shared="top_shared", own="own_count", threshold=threshold)
        )
    )
