"""补学 (make-up study): the duty a member on leave or absent owes, their notes, the review.

A duty opens when an attendance row becomes 请假 or 缺席 (makeup_duties_follow, called by every
write of attendance: the attendance form, an import, an approved leave request), due the group's
makeup_due_days after the session. The member submits notes (typed, or a file read by the essay
reader, intake.essays); the secretary or a leader accepts them, which records the make-up on the
attendance row (Attendance.makeup_on: the one fact "made up",
sessions_app.selectors.attendance.made_up_filter), or returns them with a comment.

Records keep their past: a duty is never deleted. When the attendance becomes present or late
again, the live duty is cancelled, with whatever was submitted kept on it; when it becomes 请假 or
缺席 again, a new duty opens.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from audit.models import AuditEvent
from audit.services import audit_record
from intake.count import count_characters, count_words, strip_invisible
from intake.essays import EssayFile
from sessions_app.models import Attendance, MakeupDuty, Member, StudySession

# What makeup_duties_follow may change on a live duty.
_FOLLOWED_FIELDS = ["status", "reviewed_at", "review_comment", "updated_at", "updated_by"]


def makeup_due_on(*, session: StudySession) -> dt.date:
    """The day a duty opened for session is due: the session's date plus the group's
    makeup_due_days (default 14). On that day it is still in time; from the day after it is
    overdue (MakeupDuty.is_overdue). session.group must be loaded or loadable."""
    return session.date + dt.timedelta(days=session.group.makeup_due_days)


def makeup_duties_follow(
    *, session: StudySession, rows: list[Attendance], actor: AbstractBaseUser | None
) -> None:
    """Bring the duties of session's attendance rows in line with the rows (saved rows with
    their pks), inside the caller's transaction:

    - on leave or absent, no live duty: open one (accepted at once when the row already records
      its make-up, typed in the attendance form);
    - on leave or absent, make-up recorded in the form, duty still owed or submitted: accepted;
    - on leave or absent, make-up date cleared in the form, duty accepted: back to submitted
      (notes were submitted) or to do;
    - present or late with a live duty: the duty is cancelled, its notes and file kept.

    One query to read the duties and at most four writes (duties and their history rows),
    whatever the number of rows. Every change is in the duties' history, by actor.
    """
    if not rows:
        return
    now = timezone.now()
    live = {
        d.attendance_id: d
        for d in MakeupDuty.objects.filter(attendance__in=[r.pk for r in rows]).exclude(
            status=MakeupDuty.Status.CANCELLED
        )
    }
    to_create, to_update = [], []
    due_on = None
    for row in rows:
        duty = live.get(row.pk)
        if not row.is_away:
            if duty is not None:
                duty.status = MakeupDuty.Status.CANCELLED
                to_update.append(duty)
            continue
        if duty is None:
            due_on = due_on or makeup_due_on(session=session)
            duty = MakeupDuty(
                attendance=row,
                member_id=row.member_id,
                due_on=due_on,
                status=MakeupDuty.Status.OPEN,
                created_by=actor,
            )
            if row.is_made_up:
                duty.status = MakeupDuty.Status.ACCEPTED
                duty.reviewed_at = now
                duty.review_comment = row.makeup_note
            to_create.append(duty)
            continue
        if row.is_made_up and duty.status != MakeupDuty.Status.ACCEPTED:
            duty.status = MakeupDuty.Status.ACCEPTED
            duty.reviewed_at = now
            duty.review_comment = row.makeup_note
            to_update.append(duty)
        elif not row.is_made_up and duty.status == MakeupDuty.Status.ACCEPTED:
            duty.status = (
                MakeupDuty.Status.SUBMITTED if duty.submitted_at else MakeupDuty.Status.OPEN
            )
            to_update.append(duty)
    for duty in to_create + to_update:
        duty.updated_by = actor
        duty.updated_at = now
    if to_create:
        bulk_create_with_history(to_create, MakeupDuty, default_user=actor, default_date=now)
    if to_update:
        bulk_update_with_history(
            to_update, MakeupDuty, _FOLLOWED_FIELDS, default_user=actor, default_date=now
        )


def _check_owner(duty: MakeupDuty, member: Member) -> None:
    if duty.member_id != member.pk:
        raise PermissionDenied


@transaction.atomic
def makeup_submit(
    *,
    duty: MakeupDuty,
    member: Member,
    body: str = "",
    notes_file: EssayFile | None = None,
) -> MakeupDuty:
    """The member submits their make-up notes for the duty: typed text, or a file checked and
    read by intake.essays.essay_file_read (its text is kept as the notes, the file under a
    generated name). Allowed while the duty is to do or returned, from the session's day on.

    Raises PermissionDenied when member is not the duty's member; ValidationError (nothing
    changes) when the duty is not open for notes, the session is still ahead, or there is no text.
    """
    _check_owner(duty, member)
    locked = MakeupDuty.objects.select_for_update().get(pk=duty.pk)
    if not locked.is_submittable:
        raise ValidationError(
            _("These make-up notes are %(status)s and cannot be submitted again.")
            % {"status": locked.get_status_display()}
        )
    if timezone.localdate() < duty.attendance.session.date:
        raise ValidationError(
            _("Make-up study comes after the session: submit notes from its day on.")
        )
    text = notes_file.text if notes_file is not None else strip_invisible(body).strip()
    if count_characters(text) == 0:
        raise ValidationError({"body": _("Type your make-up notes or upload a file.")})
    old_storage, old_name = duty.file.storage, duty.file.name if duty.file else ""
    duty.notes = text
    duty.word_count = count_words(text)
    if notes_file is not None:
        duty.original_filename = notes_file.original_filename
        duty.file.save(
            f"{uuid.uuid4().hex}{notes_file.extension}",
            ContentFile(notes_file.content),
            save=False,
        )
    else:
        duty.file = None
        duty.original_filename = ""
    duty.status = MakeupDuty.Status.SUBMITTED
    duty.submitted_at = timezone.now()
    duty.updated_by = member.user
    duty._history_user = member.user
    try:
        duty.full_clean()
        duty.save()
    except Exception:
        if notes_file is not None and duty.file:
            duty.file.storage.delete(duty.file.name)
        raise
    # The previous file stays in the duty's history by name only; a replaced file goes.
    if old_name and (not duty.file or duty.file.name != old_name):
        transaction.on_commit(lambda: old_storage.delete(old_name))
    return duty


def check_makeup_reviewer(duty: MakeupDuty, reviewer: Member) -> None:
    """Raise PermissionDenied unless reviewer may review the duty's notes: a secretary, leader
    or deputy of the duty's group who is not the member who owes it."""
    if reviewer.group_id != duty.member.group_id or not reviewer.can_manage_records:
        raise PermissionDenied
    if reviewer.pk == duty.member_id:
        raise PermissionDenied(
            _("Nobody reviews their own make-up notes: the secretary or a leader reviews them.")
        )


@transaction.atomic
def makeup_review(
    *, duty: MakeupDuty, reviewer: Member, status: str, comment: str = ""
) -> MakeupDuty:
    """The secretary (or a leader) accepts the submitted notes or returns them with a comment.

    Accepting records the make-up on the attendance row: makeup_on today, makeup_note the
    comment (cut to its 300 characters), so every count of "made up" sees it. Returning needs a
    comment; the member submits again. Raises PermissionDenied (check_makeup_reviewer) or
    ValidationError (not submitted, no such decision, no comment); nothing changes then. Both the
    duty and the attendance row keep the change in their history, and the audit log names the
    reviewer.
    """
    check_makeup_reviewer(duty, reviewer)
    locked = MakeupDuty.objects.select_for_update().get(pk=duty.pk)
    if locked.status != MakeupDuty.Status.SUBMITTED:
        raise ValidationError(_("Only submitted make-up notes can be accepted or returned."))
    if status not in (MakeupDuty.Status.ACCEPTED, MakeupDuty.Status.RETURNED):
        raise ValidationError({"status": _("Accept the make-up notes or return them.")})
    now = timezone.now()
    duty.status = status
    duty.review_comment = comment.strip()
    duty.reviewed_by = reviewer
    duty.reviewed_at = now
    duty.updated_by = reviewer.user
    duty._history_user = reviewer.user
    duty.full_clean()
    duty.save()
    if status == MakeupDuty.Status.ACCEPTED:
        attendance = duty.attendance
        attendance.makeup_on = timezone.localdate(now)
        attendance.makeup_note = duty.review_comment[:300]
        attendance.updated_by = reviewer.user
        attendance._history_user = reviewer.user
        attendance.full_clean(exclude=["session", "member", "created_by", "updated_by"])
        attendance.save()
    audit_record(
        action=(
            AuditEvent.Action.APPROVED
            if status == MakeupDuty.Status.ACCEPTED
            else AuditEvent.Action.RETURNED
        ),
        actor=reviewer.user,
        actor_name=reviewer.display_name,
        group_id=reviewer.group_id,
        obj=duty,
        details={"member": duty.member.display_name, "member_id": duty.member_id},
    )
    return duty
