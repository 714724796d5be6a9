"""The county table: every group an organisation oversees, side by side for one term.

Each figure is the group's own rule, asked once for all groups: attendance by
sessions_app.selectors.attendance, essays by sessions_app.selectors.essays, rule states by
sessions_app.selectors.dashboard's judgements, promptness by audit.promptness. The table runs a
fixed number of queries whatever the number of groups (pinned in tests/oversight).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from audit import promptness
from oversight.models import Organisation, Submission
from oversight.selectors.access import groups_overseen
from oversight.selectors.sittings import sitting_counts
from oversight.selectors.submissions import deadline_for, latest_submissions, submitted_late
from reports.models import ReportNarrative
from sessions_app.models import (
    AWAY_STATUSES,
    Attendance,
    Member,
    PlannedTopic,
    ReflectionEssay,
    StudyGroup,
    StudySession,
    Term,
    in_group_during,
)
from sessions_app.selectors.attendance import (
    attendance_rate,
    attended_filter,
    made_up_filter,
    meets_attendance_rule,
)
from sessions_app.selectors.dashboard import (
    attendance_rule_state,
    essay_rule_state,
    quarter_standings,
)
from sessions_app.selectors.essays import essays_counted_in_terms, essays_counted_in_year
from sessions_app.selectors.rules import RuleState

# Worst first: the table's overall state of a group is the worst of its rules' states.
_SEVERITY = [RuleState.NOT_MET, RuleState.BEHIND, RuleState.IN_PROGRESS, RuleState.MET]


class SummaryStatus:
    """Where a group's half-year summary stands, as the county sees it."""

    NONE = "none"
    DRAFT = "draft"
    APPROVED = "approved"
    SUBMITTED = "submitted"
    RECEIVED = "received"
    RETURNED = "returned"
    LABELS = {
        NONE: _("not started"),
        DRAFT: _("draft"),
        APPROVED: _("approved"),
        SUBMITTED: _("submitted"),
        RECEIVED: _("received"),
        RETURNED: _("returned"),
    }


@dataclass(frozen=True)
class GroupRow:
    """One group's figures for the term (None where the group has no such term or nothing to
    count yet). Rates in percent to one decimal, rounded half up."""

    group: StudyGroup
    term: Term | None
    sessions_held: int = 0
    sessions_planned: int = 0
    attendance_rate: Decimal | None = None
    attended: int = 0
    attendance_rows: int = 0
    essays: int = 0
    members: int = 0
    essays_per_member: Decimal | None = None
    leave_or_absent: int = 0
    made_up: int = 0
    sessions_due: int = 0
    sessions_prompt: int = 0
    rule_states: dict[str, RuleState | None] = field(default_factory=dict)
    state: RuleState | None = None
    summary_status: str = SummaryStatus.NONE
    # Past the organisation's deadline for the summary with nothing submitted in time.
    summary_late: bool = False
    # Sessions an inspector sat in on (列席旁听), and evaluations filed.
    sat_in: int = 0
    evaluations: int = 0

    @property
    def prompt_rate(self) -> Decimal | None:
        """Share of sessions due a record that were recorded within 7 days (audit.promptness)."""
        return attendance_rate(attended=self.sessions_prompt, total=self.sessions_due)

    @property
    def summary_status_label(self) -> str:
        return str(SummaryStatus.LABELS[self.summary_status])


@dataclass(frozen=True)
class CountyTable:
    organisation: Organisation
    year: int
    half: int
    today: dt.date
    rows: list[GroupRow]
    summary_due_on: dt.date | None = None

    @property
    def code(self) -> str:
        return f"{self.year}H{self.half}"

    def count_in_state(self, state: RuleState) -> int:
        return sum(1 for row in self.rows if row.state == state)


def per_member(essays: int, members: int) -> Decimal | None:
    """Essays per member to one decimal, half up; None with no members."""
    if not members:
        return None
    return (Decimal(essays) / Decimal(members)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _worst(states) -> RuleState | None:
    present = [s for s in states if s is not None]
    if not present:
        return None
    return min(present, key=_SEVERITY.index)


def county_table(
    *,
    organisation: Organisation,
    year: int,
    half: int,
    today: dt.date,
    only: StudyGroup | None = None,
) -> CountyTable:
    """Every group in organisation's subtree, with its figures for the term year/half as of
    today: sessions held (dated up to today) against the topics of its plan, attendance rate,
    counted essays and essays per member of the term, 请假/缺席 person-times and those made up,
    sessions recorded within 7 days, its rules' states (sessions per quarter, attendance, essays
    per member a year) and the worst of them, the summary's status (with its 报送) and whether
    it is late, and sessions sat in by inspectors with evaluations filed. Groups without that
    term are listed with empty figures. Fourteen queries,
    whatever the number of groups. With only, the table holds that one group's row (a group
    page; the caller checked it is in the subtree)."""
    # The audit columns of groups and terms are never shown, and their times are the dearest
    # values to load (Django reads each timestamptz in Python).
    groups = (
        [only]
        if only is not None
        else list(
            groups_overseen(organisation=organisation).defer(
                "created_at", "updated_at", "created_by", "updated_by"
            )
        )
    )
    by_id = {g.pk: g for g in groups}
    group_ids = list(by_id)
    terms = {}
    for t in Term.objects.filter(group_id__in_list=group_ids, year=year, half=half).defer(
        "created_at", "updated_at", "created_by", "updated_by"
    ):
        t.group = by_id[t.group_id]  # the row's own group: its rules judge the term
        terms[t.group_id] = t
    # The groups' and terms' ids go into the queries below as one array each (in_list,
    # sessions_app.lookups), and as these two subqueries into the rules that take querysets and
    # where many rows are filtered by group (the essays: PostgreSQL checks an array row by row).
    term_ids = [t.pk for t in terms.values()]
    group_set = StudyGroup.objects.filter(pk__in_list=group_ids).values("pk")
    term_set = Term.objects.filter(pk__in_list=term_ids).values("pk")
    held = StudySession.objects.filter(term_id__in_list=term_ids, date__lte=today).order_by()
    held_rows = list(held.values_list("pk", "group_id", "date").order_by())
    held_dates: dict[int, list[dt.date]] = defaultdict(list)
    for _pk, group_id, date in held_rows:
        held_dates[group_id].append(date)

    planned = dict(
        PlannedTopic.objects.filter(plan__term__in=term_set, kind=PlannedTopic.Kind.STUDY)
        .values("plan__group_id")
        .annotate(n=Count("pk"))
        .values_list("plan__group_id", "n")
        .order_by()
    )
    # Attendance rows counted per held session, then summed per group here: with the sessions as
    # an array PostgreSQL reads the rows in one ordered index scan and counts them as they come,
    # about a third less than joining each row to its session for the group (180,000 rows).
    session_group = {pk: group_id for pk, group_id, _date in held_rows}
    attendance: dict[int, list[int]] = {}
    for session_id, *figures in _rows(
        Attendance.objects.filter(session__in_array=held.values("pk"))
        .values("session_id")
        .annotate(
            total=Count("pk"),
            attended=Count("pk", filter=attended_filter()),
            away=Count("pk", filter=Q(status__in=AWAY_STATUSES)),
            made_up=Count("pk", filter=Q(status__in=AWAY_STATUSES) & made_up_filter()),
        )
        .values_list("session_id", "total", "attended", "away", "made_up")
        .order_by()
    ):
        sums = attendance.get(session_group[session_id])
        if sums is None:
            attendance[session_group[session_id]] = figures
        else:
            sums[0] += figures[0]
            sums[1] += figures[1]
            sums[2] += figures[2]
            sums[3] += figures[3]
    essays = dict(
        ReflectionEssay.objects.filter(essays_counted_in_terms(terms=term_set), group__in=group_set)
        .values("group_id")
        .annotate(n=Count("pk"))
        .values_list("group_id", "n")
        .order_by()
    )
    # Members of each group during its term: one query per distinct term span (one for a county
    # whose groups keep the calendar's halves).
    spans = defaultdict(list)
    for t in terms.values():
        spans[(t.start_date, t.end_date)].append(t.group_id)
    members_during: dict[int, int] = {}
    for (start, end), span_group_ids in spans.items():
        members_during.update(
            Member.objects.filter(in_group_during(start, end), group_id__in_list=span_group_ids)
            .values("group_id")
            .annotate(n=Count("pk"))
            .values_list("group_id", "n")
            .order_by()
        )
    # The yearly essay rule: each member of today against the essays counted in the year (by
    # author: a member is of one group).
    written = dict(
        _rows(
            ReflectionEssay.objects.filter(
                essays_counted_in_year(year=year, groups=group_set), group__in=group_set
            )
            .values("author_id")
            .annotate(n=Count("pk"))
            .values_list("author_id", "n")
            .order_by()
        )
    )
    members_today: dict[int, list[int]] = defaultdict(list)
    for group_id, member_id in _rows(
        Member.objects.filter(group__in=group_set)
        .in_group_on(today)
        .values_list("group_id", "pk")
        .order_by()
    ):
        members_today[group_id].append(member_id)
    # Each held session's (date, day recorded or None), by group, for audit.promptness.
    recorded = promptness.recorded_on_days(sessions=held)
    record_days: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for pk, group_id, date in held_rows:
        record_days[group_id].append((date, recorded.get(pk)))
    summaries = defaultdict(set)
    for group_id, status in (
        ReportNarrative.objects.filter(term__in=term_set, kind=ReportNarrative.Kind.SUMMARY)
        .values_list("group_id", "status")
        .order_by()
    ):
        summaries[group_id].add(status)

    submitted = latest_submissions(term_ids=term_set, kind=Submission.Kind.SUMMARY)
    due_on = deadline_for(
        organisation=organisation, year=year, half=half, kind=Submission.Kind.SUMMARY
    )

    sat = sitting_counts(session_ids=held.values("pk"))

    rows = []
    for group in groups:
        gid = group.pk
        term = terms.get(gid)
        if term is None:
            rows.append(GroupRow(group=group, term=None))
            continue
        total, attended, away, made_up = attendance.get(gid, (0, 0, 0, 0))
        rate = attendance_rate(attended=attended, total=total)
        quarters = quarter_standings(term=term, held_dates=held_dates[gid], today=today)
        rule_states = {
            "sessions": _worst(q.state for q in quarters),
            "attendance": attendance_rule_state(
                meets_attendance_rule(rate, group=group), term=term, today=today
            ),
            "essays": (
                essay_rule_state(
                    written=[written.get(m, 0) for m in members_today[gid]],
                    required=group.rule_essays_per_member_year,
                    year=year,
                    today=today,
                )
                if group.rule_essays_per_member_year
                else None
            ),
        }
        due, prompt = promptness.prompt_counts(days=record_days[gid], today=today)
        statuses = summaries.get(gid, set())
        sent = submitted.get(term.pk)
        summary_status = (
            sent.status
            if sent is not None
            else SummaryStatus.APPROVED
            if ReportNarrative.Status.APPROVED in statuses
            else SummaryStatus.DRAFT
            if statuses
            else SummaryStatus.NONE
        )
        members = members_during.get(gid, 0)
        term_essays = essays.get(gid, 0)
        sat_in, evaluations = sat.get(gid, (0, 0))
        rows.append(
            GroupRow(
                group=group,
                term=term,
                sessions_held=len(held_dates[gid]),
                sessions_planned=planned.get(gid, 0),
                attendance_rate=rate,
                attended=attended,
                attendance_rows=total,
                essays=term_essays,
                members=members,
                essays_per_member=per_member(term_essays, members),
                leave_or_absent=away,
                made_up=made_up,
                sessions_due=due,
                sessions_prompt=prompt,
                rule_states=rule_states,
                state=_worst(rule_states.values()),
                summary_status=summary_status,
                summary_late=submitted_late(sent, due_on=due_on, today=today),
                sat_in=sat_in,
                evaluations=evaluations,
            )
        )
    return CountyTable(
        organisation=organisation,
        year=year,
        half=half,
        today=today,
        rows=rows,
        summary_due_on=due_on,
    )


def _rows(queryset) -> list[tuple]:
    """The rows of a values_list queryset as the database driver returns them, skipping Django's
    conversion of each value: only for columns of whole numbers (keys, counts), which PostgreSQL
    and SQLite both return as int. On the tens of thousands of rows of 500 groups it saves about
    10 ms. One query, the queryset's own."""
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The table's sort keys: name -> (key on a row, descending first). Missing figures sort last.
SORTS = {
    "name": (lambda r: r.group.name, False),
    "sessions": (lambda r: r.sessions_held if r.term else None, True),
    "attendance": (lambda r: r.attendance_rate, True),
    "essays": (lambda r: r.essays_per_member, True),
    "made_up": (lambda r: r.made_up if r.term else None, True),
    "prompt": (lambda r: r.prompt_rate, True),
    "state": (lambda r: _SEVERITY.index(r.state) if r.state else None, False),
}
STATE_FILTERS = tuple(s.value for s in _SEVERITY)


def rows_arranged(rows: list[GroupRow], *, sort: str, state: str = "") -> list[GroupRow]:
    """rows filtered to one rule state (a RuleState value; "" keeps all) and sorted by one of
    SORTS (an unknown key sorts by name); rows without the figure come last, ties by name."""
    if state in STATE_FILTERS:
        rows = [r for r in rows if r.state == state]
    key, descending = SORTS.get(sort, SORTS["name"])
    by_name = sorted(rows, key=lambda r: (r.group.name, r.group.pk))
    present = [r for r in by_name if key(r) is not None]
    missing = [r for r in by_name if key(r) is None]
    return sorted(present, key=key, reverse=descending) + missing
