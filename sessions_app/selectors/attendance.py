"""How attendance is counted: one place for the rule, used by every page and report.

What counts as attended is ATTENDED_STATUSES (present or late; sessions_app.models). A rate is
the share of a set of attendance rows that count as attended, in percent to one decimal,
rounded half up (12.25 → 12.3), as a Chinese office rounds by hand; None when there are no
rows, so that "no records" never shows as 0%. A group's own rule (its required rate) is
judged by meets_attendance_rule, never by a constant.

Made up (已补学) is one fact too: a row on leave or absent whose make-up study is recorded
(Attendance.makeup_on set: by the secretary's acceptance of the member's make-up notes,
sessions_app.services.makeup, or typed in the attendance form for make-up done on paper).
made_up_filter is the rule for queries, Attendance.is_made_up for one row.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from sessions_app.models import ATTENDED_STATUSES, StudyGroup

__all__ = [
    "ATTENDED_STATUSES",
    "attendance_rate",
    "attended_filter",
    "made_up_filter",
    "attended_in",
    "meets_attendance_rule",
]


def attended_filter(prefix: str = "") -> Q:
    """A filter for attendance rows that count as attended; prefix is the path to the rows
    from the queried model, e.g. "attendances__" on StudySession."""
    return Q(**{f"{prefix}status__in": ATTENDED_STATUSES})


def made_up_filter(prefix: str = "") -> Q:
    """A filter for attendance rows whose 补学 is recorded (made up); prefix as for
    attended_filter. Only rows on leave or absent can be made up (Attendance.clean)."""
    return Q(**{f"{prefix}makeup_on__isnull": False})


def attended_in(counts: Mapping[str, int]) -> int:
    """How many of the rows counted by status ({"present": 3, "leave": 1, ...}) attended."""
    return sum(counts.get(status, 0) for status in ATTENDED_STATUSES)


def attendance_rate(*, attended: int, total: int) -> Decimal | None:
    """Share of attendance rows counted as attended, in percent to one decimal, rounded half
    up (1 of 80 is 1.3, not the banker's 1.2); None when there are no rows."""
    if not total:
        return None
    return (Decimal(attended) * 100 / Decimal(total)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def meets_attendance_rule(rate: Decimal | None, *, group: StudyGroup) -> bool | None:
    """Whether a rate reaches the group's required attendance rate (its own rule, e.g. 90.0);
    a rate equal to the rule meets it. None when there is no rate to judge."""
    if rate is None:
        return None
    return rate >= group.rule_attendance_rate
