"""Changes a group makes to itself."""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

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
    originality_threshold: int | None = None,
) -> StudyGroup:
    """Set the rules the dashboard measures the group against, and the share of an essay's own
    text found in another essay from which the essay is flagged for review (percent, 10 to 100;
    None keeps it). Raises ValidationError for a value out of range; nothing is saved then."""
    group.rule_sessions_per_quarter = sessions_per_quarter
    group.rule_attendance_rate = attendance_rate
    group.rule_essays_per_member_year = essays_per_member_year
    if originality_threshold is not None:
        group.originality_threshold = originality_threshold
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
