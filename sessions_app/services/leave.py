"""请假 (leave): a member asks for leave from a session; the leader (or the group's named deputy)
approves or refuses it. Approved leave is the member's attendance at that session: 请假 with the
reason (which opens their 补学 duty, services.makeup). Who decides is
sessions_app.selectors.leave.leave_deciders. Every decision is in the request's history and the
audit log.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from sessions_app.models import LeaveRequest, Member, StudySession
from sessions_app.selectors.leave import group_leaders, leave_deciders, leave_request_live
from sessions_app.services.sessions import attendance_mark_leave


@transaction.atomic
def leave_request(*, session: StudySession, member: Member, reason: str) -> LeaveRequest:
    """member asks for leave from session, giving reason.

    Refused with ValidationError (nothing saved) when: the session is another group's; member
    was not in the group on the session's day (Member.objects.in_group_on, for one row:
    Member.is_in_group_on); the session is over (StudySession.ends_at); member already has a
    waiting or approved request for it (after a refusal they may ask again); the reason is
    empty; or nobody in the group could decide it (no other leader or deputy).
    """
    if session.group_id != member.group_id:
        raise ValidationError(_("The session belongs to another group."))
    if not member.is_in_group_on(session.date):
        raise ValidationError(
            _("You were not a member of the group on %(date)s.")
            % {"date": date_format(session.date)}
        )
    if timezone.now() >= session.ends_at:
        raise ValidationError(
            _("This session is over: leave can only be asked for before it ends.")
        )
    live = leave_request_live(session=session, member=member)
    if live is not None:
        raise ValidationError(
            _("You have already asked for leave from this session (%(status)s).")
            % {"status": live.get_status_display()}
        )
    leaders = group_leaders(group_id=member.group_id, day=timezone.localdate())
    if not leave_deciders(requester=member, leaders=leaders):
        raise ValidationError(
            _(
                "The group has no other leader or deputy leader to decide your leave: ask the "
                "secretary to record it in the attendance."
            )
        )
    leave = LeaveRequest(
        session=session,
        member=member,
        reason=reason.strip(),
        requested_at=timezone.now(),
        created_by=member.user,
        updated_by=member.user,
    )
    leave._history_user = member.user
    leave.full_clean(exclude=["session", "member"], validate_constraints=False)
    try:
        with transaction.atomic():
            leave.save()
    except IntegrityError as exc:  # a second request in the same instant
        raise ValidationError(_("You have already asked for leave from this session.")) from exc
    return leave


@transaction.atomic
def leave_decide(
    *, leave: LeaveRequest, decider: Member, approve: bool, comment: str = ""
) -> LeaveRequest:
    """decider approves or refuses a waiting leave request, with an optional comment (required
    when refusing: the member reads it on their page).

    Approving records the member's attendance at the session as 请假 with the request's reason
    (services.sessions.attendance_mark_leave: the row is created when missing, and the 补学
    duty opens). Raises PermissionDenied when decider is not among leave_deciders (a member,
    the secretary, the requester, a leader the group did not choose); ValidationError when the
    request was already decided or a refusal has no comment. Nothing changes then.
    """
    leaders = group_leaders(group_id=leave.member.group_id, day=timezone.localdate())
    if decider.group_id != leave.member.group_id or not any(
        m.pk == decider.pk for m in leave_deciders(requester=leave.member, leaders=leaders)
    ):
        raise PermissionDenied
    locked = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
    if locked.status != LeaveRequest.Status.REQUESTED:
        raise ValidationError(
            _("This request was already decided (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    leave.status = LeaveRequest.Status.APPROVED if approve else LeaveRequest.Status.REFUSED
    leave.decision_comment = comment.strip()
    leave.decided_by = decider
    leave.decided_at = timezone.now()
    leave.updated_by = decider.user
    leave._history_user = decider.user
    leave.full_clean(exclude=["session", "member"], validate_constraints=False)
    leave.save()
    if approve:
        attendance_mark_leave(
            session=leave.session, member=leave.member, reason=leave.reason, actor=decider.user
        )
    audit_record(
        action=AuditEvent.Action.APPROVED if approve else AuditEvent.Action.RETURNED,
        actor=decider.user,
        actor_name=decider.display_name,
        group_id=decider.group_id,
        obj=leave,
        details={
            "asked_by": leave.member.display_name,
            "asked_by_member_id": leave.member_id,
            "session": leave.session_id,
            "decision": leave.status,
        },
    )
    return leave
