"""Changes a group makes to itself."""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from sessions_app.models import StudyGroup


@transaction.atomic
def group_rules_update(
    *,
    group: StudyGroup,
    actor: AbstractBaseUser,
    sessions_per_quarter: int,
    attendance_rate: Decimal,
    essays_per_member_year: int,
) -> StudyGroup:
    """Set the rules the dashboard measures the group against."""
    group.rule_sessions_per_quarter = sessions_per_quarter
    group.rule_attendance_rate = attendance_rate
    group.rule_essays_per_member_year = essays_per_member_year
    group.updated_by = actor
    group.full_clean()
    group.save()
    return group
