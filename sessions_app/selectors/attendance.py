"""How attendance is counted: one place for the rule, used by every page and report."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from sessions_app.models import Attendance

ATTENDED_STATUSES = (Attendance.Status.PRESENT, Attendance.Status.LATE)


# Aggregates over Attendance rows (prefix with the relation path for other models).
def attendance_counts(prefix: str = "") -> dict:
    """Count expressions for total and attended attendance rows, for .annotate()/.aggregate()."""
    return {
        "attendance_total": Count(f"{prefix}id"),
        "attendance_attended": Count(
            f"{prefix}id", filter=Q(**{f"{prefix}status__in": ATTENDED_STATUSES})
        ),
    }


def attendance_rate(*, attended: int, total: int) -> Decimal | None:
    """Share of attendance rows marked present or late, in percent to one decimal; None if none."""
    if not total:
        return None
    return (Decimal(attended) * 100 / Decimal(total)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
