"""The dashboard of a term: what has been held, what is coming, who is behind.

Every rule of the group shown here (sessions per quarter, the term's attendance rate, essays per
member a year) is judged by sessions_app.selectors.rules.rule_state over its own period.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from sessions_app.models import (
    Attendance,
    Member,
    ReflectionEssay,
    StudyPlan,
    StudySession,
    Term,
)
from sessions_app.selectors.attendance import (
    attendance_rate,
    attended_filter,
    meets_attendance_rule,
)
from sessions_app.selectors.essays import (
    essay_counts,
    essays_counted_in_term,
    essays_written_in_year,
    owes_essay,
    short_of_essay_rule,
)
from sessions_app.selectors.rules import RuleState, rule_state


@dataclass(frozen=True)
class EssayDue:
    session: StudySession
    due_on: dt.date
    missing: list[Member]
    is_overdue: bool


@dataclass(frozen=True)
class QuarterStanding:
    """Sessions held in one quarter of the term against the group's rule, and its state."""

    year: int
    quarter: int
    held: int
    required: int
    state: RuleState


@dataclass(frozen=True)
class EssayRuleStanding:
    """Who has not yet written the essays or reports the group asks of each member in a year.

    state is the rule's state for the member furthest behind (for a member: their own), judged
    over the calendar year by rule_state; owing lists everyone short of `required` so far.
    """

    year: int
    required: int
    owing: list[Member]
    state: RuleState


@dataclass(frozen=True)
class Dashboard:
    term: Term | None
    terms: list[Term]
    sessions_held: int
    sessions_by_format: list[tuple[str, int]]
    upcoming: list[StudySession]
    attendance_rate: Decimal | None
    my_attendance_rate: Decimal | None
    essays_submitted: int
    my_essays: int
    essays_due: list[EssayDue] = field(default_factory=list)
    attendance_rule: Decimal | None = None
    attendance_rule_met: bool | None = None
    # The term's attendance rule over the term (below it while the term runs: behind schedule).
    attendance_rule_state: RuleState | None = None
    # The member's own rate against the group's rule: False flags it (None: no rate yet).
    my_attendance_rule_met: bool | None = None
    quarters: list[QuarterStanding] = field(default_factory=list)
    essay_rule: EssayRuleStanding | None = None


def dashboard_for_member(*, member: Member, term: Term | None, today: dt.date) -> Dashboard:
    """Figures for the term, for any role; a member's own figures besides the group's.

    Runs a fixed number of queries whatever the number of sessions or members.
    """
    group = member.group
    terms = list(Term.objects.filter(group=group).order_by("-start_date"))
    if term is None:
        return Dashboard(
            term=None,
            terms=terms,
            sessions_held=0,
            sessions_by_format=[],
            upcoming=[],
            attendance_rate=None,
            my_attendance_rate=None,
            essays_submitted=0,
            my_essays=0,
        )
    sessions = StudySession.objects.filter(group=group, term=term)
    held = sessions.filter(date__lte=today)
    by_format = dict(held.values_list("format").annotate(n=Count("id")).values_list("format", "n"))
    format_labels = dict(StudySession._meta.get_field("format").choices)
    upcoming = list(
        # With its notice, if any (notices.Notice; a join, no query more).
        sessions.filter(date__gt=today)
        .select_related("host", "notice")
        .order_by("date", "start_time")
    )

    totals = Attendance.objects.filter(session__in=held).aggregate(
        total=Count("id"),
        attended=Count("id", filter=attended_filter()),
        my_total=Count("id", filter=Q(member=member)),
        my_attended=Count("id", filter=attended_filter() & Q(member=member)),
    )
    essays = ReflectionEssay.objects.filter(essays_counted_in_term(term=term), group=group)
    essay_totals = essays.aggregate(total=Count("id"), mine=Count("id", filter=Q(author=member)))

    essays_due = _essays_due(group_id=group.pk, term=term, today=today, member=member)
    rate = attendance_rate(attended=totals["attended"], total=totals["total"])
    my_rate = attendance_rate(attended=totals["my_attended"], total=totals["my_total"])
    rule = group.rule_attendance_rate
    rule_met = meets_attendance_rule(rate, group=group)
    return Dashboard(
        term=term,
        terms=terms,
        sessions_held=sum(by_format.values()),
        sessions_by_format=[
            (format_labels[k], v) for k, v in sorted(by_format.items(), key=lambda kv: -kv[1])
        ],
        upcoming=upcoming,
        attendance_rate=rate,
        my_attendance_rate=my_rate,
        essays_submitted=essay_totals["total"],
        my_essays=essay_totals["mine"],
        essays_due=essays_due,
        attendance_rule=rule,
        attendance_rule_met=rule_met,
        attendance_rule_state=attendance_rule_state(rule_met, term=term, today=today),
        my_attendance_rule_met=meets_attendance_rule(my_rate, group=group),
        quarters=quarter_standings(
            term=term, held_dates=held.values_list("date", flat=True), today=today
        ),
        essay_rule=_essay_rule(member=member, year=term.year, today=today),
    )


def attendance_rule_state(rule_met: bool | None, *, term: Term, today: dt.date) -> RuleState | None:
    """The attendance rule's state over the term, from meets_attendance_rule's verdict on the
    term's rate (None: no rate yet, no state): kept throughout, so below the rule while the term
    runs is behind schedule. The dashboard and the county table both judge with it."""
    if rule_met is None:
        return None
    return rule_state(
        done=int(rule_met),
        required=1,
        period_start=term.start_date,
        period_end=term.end_date,
        today=today,
        kept_throughout=True,
    )


def quarter_standings(*, term: Term, held_dates, today: dt.date) -> list[QuarterStanding]:
    """Each quarter of the term that has begun, with the sessions held in it (held_dates: the
    dates of the term's sessions held by today) and its state against the group's rule
    (term.group.rule_sessions_per_quarter). Used by the dashboard and the county table."""
    required = term.group.rule_sessions_per_quarter
    counts: dict[tuple[int, int], int] = {}
    for day in held_dates:
        key = (day.year, (day.month - 1) // 3 + 1)
        counts[key] = counts.get(key, 0) + 1
    standings = []
    month = term.start_date.replace(day=1)
    while month <= term.end_date and month <= today:
        year, quarter = month.year, (month.month - 1) // 3 + 1
        last_month = quarter * 3
        quarter_start = dt.date(year, last_month - 2, 1)
        quarter_end = dt.date(year + last_month // 12, last_month % 12 + 1, 1) - dt.timedelta(1)
        held = counts.get((year, quarter), 0)
        standings.append(
            QuarterStanding(
                year=year,
                quarter=quarter,
                held=held,
                required=required,
                state=rule_state(
                    done=held,
                    required=required,
                    period_start=quarter_start,
                    period_end=quarter_end,
                    today=today,
                ),
            )
        )
        month = quarter_end + dt.timedelta(1)
    return standings


def _essay_rule(*, member: Member, year: int, today: dt.date) -> EssayRuleStanding | None:
    """Members (for a member: only themself) with fewer counted essays in the year than the rule."""
    group = member.group
    required = group.rule_essays_per_member_year
    if not required:
        return None
    written = essays_written_in_year(group_id=group.pk, year=year)
    members = Member.objects.filter(group=group).in_group_on(today)
    if not member.can_manage_records:
        members = members.filter(pk=member.pk)
    members = list(members.in_rank_order())
    owing = [m for m in members if short_of_essay_rule(written.get(m.pk, 0), group=group)]
    state = essay_rule_state(
        written=[written.get(m.pk, 0) for m in members], required=required, year=year, today=today
    )
    return EssayRuleStanding(year=year, required=required, owing=owing, state=state)


def essay_rule_state(*, written: list[int], required: int, year: int, today: dt.date) -> RuleState:
    """The yearly essay rule's state for a group (or one member): written holds, per member in
    the group, the essays counted in the year (essays_counted_in_year). Counts only grow, so the
    rule stands as it does for the member who has written fewest; no members: met."""
    fewest = min(written, default=required)
    return rule_state(
        done=fewest,
        required=required,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        today=today,
    )


def _essays_due(*, group_id: int, term: Term, today: dt.date, member: Member) -> list[EssayDue]:
    """Sessions asking for essays, with the members who owe one (for a member: only themself).

    A member owes an essay for a session when they were in the group on its date and still are
    today, and have no essay for it that counts (a returned essay is still owed).
    """
    sessions = list(
        StudySession.objects.filter(
            group_id=group_id, term=term, essay_due_on__isnull=False
        ).order_by("essay_due_on")
    )
    if not sessions:
        return []
    members = Member.objects.filter(group_id=group_id).in_group_on(today)
    if not member.can_manage_records:
        members = members.filter(pk=member.pk)
    written = set(
        ReflectionEssay.objects.filter(
            essay_counts(), session__in=sessions, author__in=members
        ).values_list("session_id", "author_id")
    )
    members = list(members.in_rank_order())
    result = []
    for session in sessions:
        missing = [
            m
            for m in members
            if (session.pk, m.pk) not in written and owes_essay(m, session=session, today=today)
        ]
        if missing:
            result.append(
                EssayDue(
                    session=session,
                    due_on=session.essay_due_on,
                    missing=missing,
                    is_overdue=session.essay_due_on < today,
                )
            )
    return result


@dataclass(frozen=True)
class FirstStep:
    """One thing a new group does first: what, where (a URL name in sessions_app, taking the
    group's slug), and whether it looks done."""

    label: str
    url_name: str
    done: bool


def group_first_steps(*, group_id: int) -> list[FirstStep] | None:
    """What a new group does first, in order, for its dashboard; None once the group has
    recorded a session (it has started). Three queries at most.

    The import of the records so far goes between adding the members and drafting the plan;
    it is done once the group has a session, when the list is no longer shown.
    """
    if StudySession.objects.filter(group_id=group_id).exists():
        return None
    has_members = Member.objects.filter(group_id=group_id).count() > 1
    has_plan = StudyPlan.objects.filter(group_id=group_id).exists()
    return [
        FirstStep(_("Add the members, each with their role and position (or import them)"),
                  "sessions_app:member_list", has_members),
        FirstStep(_("Import the records so far (sessions and attendance from paper)"),
                  "sessions_app:records_import", False),
        FirstStep(_("Draft the study plan"), "sessions_app:plan_current", has_plan),
    ]
