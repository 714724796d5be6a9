"""Changes a group makes to itself."""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sessions_app.models import Member, StudyGroup
from sessions_app.services.members import member_add


@transaction.atomic
def group_rules_update(
    *,
    group: StudyGroup,
    actor: AbstractBaseUser,
    sessions_per_quarter: int,
    attendance_rate: Decimal,
    essays_per_member_year: int,
    makeup_due_days: int | None = None,
    leave_approver: Member | None = None,
    checkin_grace_minutes: int | None = None,
    notice_days_ahead: int | None = None,
    originality_threshold: int | None = None,
) -> StudyGroup:
    """Set the rules the dashboard measures the group against, the days allowed for 补学
    (None keeps them), the deputy leader who decides leave requests (None: the leader), the
    minutes after a session's start that a QR check-in still counts as on time and how many
    days before a session its notice reaches members (0 to 30), and the share of an essay's own
    text found in another essay from which it is flagged for review (percent, 10 to 100; None
    keeps each). Raises ValidationError for a leave approver who is not a deputy leader of the
    group, or a value out of range (nothing saved)."""
    group.rule_sessions_per_quarter = sessions_per_quarter
    group.rule_attendance_rate = attendance_rate
    group.rule_essays_per_member_year = essays_per_member_year
    if makeup_due_days is not None:
        group.makeup_due_days = makeup_due_days
    if checkin_grace_minutes is not None:
        group.checkin_grace_minutes = checkin_grace_minutes
    if notice_days_ahead is not None:
        group.notice_days_ahead = notice_days_ahead
    if originality_threshold is not None:
        group.originality_threshold = originality_threshold
    if leave_approver is not None and (
        leave_approver.group_id != group.pk or leave_approver.role != Member.Role.DEPUTY
    ):
        raise ValidationError(
            {"leave_approver": _("Choose a deputy leader of this group to decide leave.")}
        )
    group.leave_approver = leave_approver
    group.updated_by = actor
    group.full_clean()
    group.save()
    return group


@transaction.atomic
def group_create(
    *,
    name: str,
    slug: str,
    organisation: str = "",
    secretary_username: str,
    secretary_name: str = "",
    actor: AbstractBaseUser | None = None,
) -> tuple[StudyGroup, Member]:
    """Create a study group and its first secretary (学习秘书), with a new account that has no
    password yet (members.member_add): hand them a sign-in link (sessions_app.signin) and they
    run the group from there — members, plan, sessions — without the site administrator.

    secretary_name is the name lists show (default: the user name). Raises ValidationError for a
    taken slug or user name or any invalid value; nothing is saved then.
    """
    group = StudyGroup(
        name=(name or "").strip(),
        slug=(slug or "").strip(),
        organisation=(organisation or "").strip(),
        created_by=actor,
        updated_by=actor,
    )
    group.full_clean()
    group.save()
    secretary = member_add(
        group=group,
        display_name=(secretary_name or "").strip() or secretary_username,
        role=Member.Role.SECRETARY,
        username=secretary_username,
        actor=actor,
    )
    return group, secretary
