"""How a group stands against one of its rules over a period: the one judgement every rule on the
dashboard shows (sessions per quarter, the attendance rate of a term, essays per member a year).

The states, in the group's words:

- met (达到): done has reached required. For a count this is final: counts only grow.
- not met (未达到): the period is over and done falls short.
- behind schedule (落后于进度): the period is running and done is short of the pace.
- in progress (进行中): the period is running (or has not begun) and done keeps the pace.

The period runs from its first day to its last day, both whole days: on the last day the period
is still running (a session held that evening still counts); from the day after, it is over.

The pace of a count spreads the required items evenly over the period's days: the k-th of
`required` items is due once k/required of the period's days have ended. Only the days before
today have ended, so the pace today is

    pace = floor(required × ended days / days in the period)

and done < pace is behind schedule. For the yearly essay rule of 4 per member, the first is
due once a quarter of the year has ended, the second at half the year; a rule of 1 a year (or 1
a quarter) is never behind, only in progress until its period ends. Done exactly at the pace is
in progress, not behind.

A rule kept at every moment of the period (a rate, such as attendance: "at least 90%") has the
rule itself as its pace: below it while the period runs is behind schedule (kept_throughout).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleState(models.TextChoices):
    MET = "met", _("met")
    IN_PROGRESS = "in_progress", _("in progress")
    BEHIND = "behind", _("behind schedule")
    NOT_MET = "not_met", _("not met")


def rule_pace(
    *, required: int, period_start: dt.date, period_end: dt.date, today: dt.date
) -> int:
    """How many of `required` items are due by today: floor(required × ended days / days in
    the period), where the ended days are the period's days before today (0 before the period
    and on its first day; all of them only from the day after its last day)."""
    days = (period_end - period_start).days + 1
    ended = min(max((today - period_start).days, 0), days)
    return required * ended // days


def rule_state(
    *,
    done: int,
    required: int,
    period_start: dt.date,
    period_end: dt.date,
    today: dt.date,
    kept_throughout: bool = False,
) -> RuleState:
    """The state of a rule asking for `required` by `period_end` when `done` is reached by today.

    done and required are counts (sessions, essays). For a level kept at every moment
    (kept_throughout), pass done=1, required=1 when it is kept now and done=0 when not, so that
    the rule's own test (e.g. meets_attendance_rule) decides, not a second copy of it. See the
    module's docstring for the pace and the period's last day. Raises ValueError when the
    period ends before it starts.
    """
    if period_end < period_start:
        raise ValueError("A period cannot end before it starts.")
    if done >= required:
        return RuleState.MET
    if today > period_end:
        return RuleState.NOT_MET
    if today < period_start:
        return RuleState.IN_PROGRESS
    if kept_throughout:
        return RuleState.BEHIND
    pace = rule_pace(
        required=required, period_start=period_start, period_end=period_end, today=today
    )
    return RuleState.BEHIND if done < pace else RuleState.IN_PROGRESS
