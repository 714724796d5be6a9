"""Writing study sessions with their attendance: one transaction, a fixed number of queries."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from audit.models import AuditEvent
from audit.services import audit_record
from audit.stale import check_fresh, version_of
from intake.materials import MaterialFile
from sessions_app.models import (
    AWAY_STATUSES,
    Attendance,
    Member,
    SessionMaterial,
    StudyGroup,
    StudySession,
)
from sessions_app.services.makeup import makeup_duties_follow
from sessions_app.services.terms import term_for_day


@dataclass(frozen=True)
class AttendanceEntry:
    """One member's attendance as the secretary ticked it."""

    member: Member
    status: str
    leave_reason: str = ""
    makeup_on: dt.date | None = None
    makeup_note: str = ""


SESSION_FIELDS = (
    "date",
    "start_time",
    "end_time",
    "place",
    "format",
    "topic",
    "planned_topic",
    "host",
    "speakers",
    "minutes",
    "notified_at",
    "essay_due_on",
)


# What a secretary records of one member at one session (the rest are keys and stamps).
_ATTENDANCE_VALUES = ("status", "leave_reason", "makeup_on", "makeup_note")


def _attendance_apply(
    *, session: StudySession, entries: list[AttendanceEntry], actor: AbstractBaseUser
) -> None:
    """Create or update one Attendance per entry with two writes, whatever the group's size,
    and one history row per created or changed row (two more writes, same transaction). A row
    whose values are unchanged is not written.

    When a row is or was on leave or absent, its 补学 duty follows it
    (services.makeup.makeup_duties_follow: one more read and at most four writes)."""
    existing = {a.member_id: a for a in Attendance.objects.filter(session=session)}
    now = timezone.now()
    to_create, to_update, rows = [], [], []
    away_involved = False
    for entry in entries:
        row = existing.get(entry.member.pk) or Attendance(session=session, member=entry.member)
        rows.append(row)
        away_involved = away_involved or row.is_away or entry.status in AWAY_STATUSES
        before = tuple(getattr(row, f) for f in _ATTENDANCE_VALUES) if row.pk else None
        row.status = entry.status
        row.leave_reason = entry.leave_reason if entry.status == Attendance.Status.LEAVE else ""
        row.makeup_on = entry.makeup_on
        row.makeup_note = entry.makeup_note
        # session and member are set by construction, the stamps (an edited row has them) by
        # this code; the unique pair is guaranteed by the dict above and the database
        # constraint: skip full_clean's per-row queries for them.
        row.full_clean(
            exclude=["session", "member", "created_by", "updated_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        if before == tuple(getattr(row, f) for f in _ATTENDANCE_VALUES):
            # Unchanged: no write and no history row, so that the history (and the late
            # changes read from it, audit.promptness) holds only what someone changed.
            continue
        (to_update if row.pk else to_create).append(row)
        row.stamp(actor)
        row.updated_at = now  # bulk_update skips auto_now
    if to_create:
        bulk_create_with_history(to_create, Attendance, default_user=actor, default_date=now)
    if to_update:
        bulk_update_with_history(
            to_update,
            Attendance,
            ["status", "leave_reason", "makeup_on", "makeup_note", "updated_at", "updated_by"],
            default_user=actor,
            default_date=now,
        )
    if away_involved:
        makeup_duties_follow(session=session, rows=rows, actor=actor)


def attendance_mark_leave(
    *, session: StudySession, member: Member, reason: str, actor: AbstractBaseUser
) -> Attendance:
    """Record member as 请假 at session with reason (an approved leave request), creating the
    attendance row when the session has none for them yet; the 补学 duty opens with it. The
    row's recorded make-up, if any, is kept. Runs inside the caller's transaction."""
    row = Attendance.objects.filter(session=session, member=member).first()
    entry = AttendanceEntry(
        member=member,
        status=Attendance.Status.LEAVE,
        leave_reason=reason,
        makeup_on=row.makeup_on if row else None,
        makeup_note=row.makeup_note if row else "",
    )
    _attendance_apply(session=session, entries=[entry], actor=actor)
    return Attendance.objects.get(session=session, member=member)


def _check_same_group(*, session: StudySession, entries: list[AttendanceEntry]) -> None:
    """Refuse a host, a planned topic or an attendance row from another group (ValidationError);
    the objects come loaded from the form, so this asks the database nothing more."""
    errors: dict[str, list[str]] = {}
    if session.host is not None and session.host.group_id != session.group_id:
        errors["host"] = [_("The host must be a member of this group.")]
    topic = session.planned_topic
    if topic is not None and topic.plan.group_id != session.group_id:
        errors["planned_topic"] = [_("The topic belongs to another group's plan.")]
    outsiders = [e.member.display_name for e in entries if e.member.group_id != session.group_id]
    if outsiders:
        errors[NON_FIELD_ERRORS] = [
            _("Attendance can only be recorded for members of this group, not for %(names)s.")
            % {"names": pgettext("between names in a list", ", ").join(outsiders)}
        ]
    if errors:
        raise ValidationError(errors)


def _session_write(
    *, session: StudySession, actor: AbstractBaseUser, fields: dict, entries: list[AttendanceEntry]
) -> StudySession:
    for name in SESSION_FIELDS:
        if name in fields:
            setattr(session, name, fields[name])
    _check_same_group(session=session, entries=entries)
    session.term = term_for_day(group=session.group, day=session.date, user=actor)
    session.stamp(actor)
    session.full_clean(exclude=["group", "term", "host", "planned_topic"])
    session.save()
    _attendance_apply(session=session, entries=entries, actor=actor)
    return session


@transaction.atomic
def session_record(
    *,
    group: StudyGroup,
    actor: AbstractBaseUser,
    fields: dict,
    attendance: list[AttendanceEntry],
) -> StudySession:
    """Record a new session and every member's attendance at once.

    The term is the half-year containing the session's date (created when missing).
    Raises ValidationError for a host, topic or attendance member of another group.
    Runs the same number of queries for 5 members as for 50.
    """
    session = StudySession(group=group)
    return _session_write(session=session, actor=actor, fields=fields, entries=attendance)


@transaction.atomic
def session_update(
    *,
    session: StudySession,
    actor: AbstractBaseUser,
    fields: dict,
    attendance: list[AttendanceEntry],
    seen: str | None = None,
) -> StudySession:
    """Change a session's fields and attendance in one transaction, as session_record does.

    seen is the session's version the form was opened at (session_version): when someone saved
    the session or one of its attendance rows since (a member checking in), raises
    audit.stale.StaleEdit, naming them, and changes nothing.
    """
    locked = StudySession.objects.select_for_update().get(pk=session.pk)
    # Its attendance rows too: a check-in or an approved leave saved since the form was opened
    # makes it stale (and waits here, rather than being overwritten, when it comes meanwhile).
    rows = list(
        Attendance.objects.select_for_update()
        .filter(session=locked)
        .only("pk", "updated_at", "updated_by")
        .order_by("pk")
    )
    check_fresh(locked=_latest_saved([locked, *rows]), seen=seen, group_id=session.group_id)
    return _session_write(session=session, actor=actor, fields=fields, entries=attendance)


def _latest_saved(records: list):
    return max(records, key=lambda record: record.updated_at)


def session_version(session: StudySession) -> str:
    """The version a session's edit form carries (audit.stale.version_of): that of the session
    or of its attendance row saved last, since members' check-ins and approved leave change a
    row without saving the session; session_update refuses a form opened before either. One
    query."""
    rows = list(Attendance.objects.filter(session=session).only("pk", "updated_at"))
    return version_of(_latest_saved([session, *rows]))


@transaction.atomic
def session_delete(*, session: StudySession, member: Member) -> None:
    """Delete a session with its attendance and materials (essays stay, unlinked), recording in
    the audit log that member deleted it."""
    files = [m.file for m in session.materials.all()]
    audit_record(
        action=AuditEvent.Action.DELETED,
        actor=member.user,
        actor_name=member.display_name,
        group_id=session.group_id,
        obj=session,
    )
    session.delete()
    for f in files:
        transaction.on_commit(lambda f=f: f.storage.delete(f.name))


@transaction.atomic
def material_add(
    *, session: StudySession, actor: AbstractBaseUser, title: str, material_file: MaterialFile
) -> SessionMaterial:
    """Attach a checked file (slides, reading; intake.materials.material_file_read) to a session.

    The file is stored under a generated name and the uploader's sanitised name is kept for the
    download; if the row cannot be saved, the stored file is removed again.
    """
    material = SessionMaterial(
        session=session,
        title=title.strip(),
        original_filename=material_file.original_filename,
    )
    material.stamp(actor)
    # A generated name: the user's file name never reaches the storage path.
    material.file.save(
        f"{uuid.uuid4().hex}{material_file.extension}",
        ContentFile(material_file.content),
        save=False,
    )
    try:
        material.full_clean(exclude=["session"])
        material.save()
    except Exception:
        material.file.storage.delete(material.file.name)
        raise
    return material


@transaction.atomic
def material_delete(*, material: SessionMaterial, member: Member) -> None:
    """Delete a session's material; its stored file is removed once the deletion is committed.
    The audit log records that member deleted it."""
    storage, name = material.file.storage, material.file.name
    audit_record(
        action=AuditEvent.Action.DELETED,
        actor=member.user,
        actor_name=member.display_name,
        group_id=member.group_id,
        obj=material,
        details={"session": material.session_id, "file_name": material.original_filename},
    )
    material.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
