"""The half-year summary's figures, gathered once from the records into a plain structure.

The HTML page, the PDF and the tests all read `HalfYearSummary`; nothing in it queries the
database again. The builder runs a fixed number of queries whatever the size of the group.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from reports.models import ReportNarrative
from reports.selectors import wording
from reports.selectors.plan import (
    FormatCount,
    PlanDocument,
    ResearchTopicRow,
    plan_document_from,
    plan_with_topics,
)
from sessions_app.models import (
    Attendance,
    Member,
    PlannedTopic,
    ReflectionEssay,
    SessionFormat,
    StudyGroup,
    StudySession,
    Term,
)
from sessions_app.selectors.attendance import attendance_rate, attended_in, meets_attendance_rule
from sessions_app.selectors.essays import essays_counted_in_term
from sessions_app.services.terms import half_after


@dataclass(frozen=True)
class SessionRow:
    id: int
    date: dt.date
    format: str
    format_label: str
    topic: str
    host: str
    speakers: str
    attended: int
    total: int
    rate: Decimal | None
    essays: int


@dataclass(frozen=True)
class AttendanceFigures:
    present: int = 0
    late: int = 0
    leave: int = 0
    absent: int = 0
    made_up: int = 0

    def by_status(self) -> dict[str, int]:
        """The rows by attendance status, as the counting rule reads them."""
        status = Attendance.Status
        return {
            status.PRESENT: self.present,
            status.LATE: self.late,
            status.LEAVE: self.leave,
            status.ABSENT: self.absent,
        }

    @property
    def attended(self) -> int:
        return attended_in(self.by_status())

    @property
    def total(self) -> int:
        return sum(self.by_status().values())

    @property
    def rate(self) -> Decimal | None:
        return attendance_rate(attended=self.attended, total=self.total)


@dataclass(frozen=True)
class MemberRow:
    id: int
    name: str
    position: str
    role_label: str
    attendance: AttendanceFigures
    reflections: int
    research_reports: int

    @property
    def rate(self) -> Decimal | None:
        return self.attendance.rate

    @property
    def essays(self) -> int:
        return self.reflections + self.research_reports


@dataclass(frozen=True)
class TopicRow:
    id: int
    title: str
    planned_month: int | None
    format_label: str
    lead_speaker: str
    session_dates: tuple[dt.date, ...]


@dataclass(frozen=True)
class ProblemHints:
    """What the records show that the problems section might name: members below the group's
    own attendance rule (low_attendance_rate, the group's rule_attendance_rate)."""

    low_attendance: tuple[MemberRow, ...]
    sessions_without_essays: tuple[SessionRow, ...]
    topics_not_covered: tuple[TopicRow, ...]
    low_attendance_rate: Decimal

    @property
    def any(self) -> bool:
        return bool(self.low_attendance or self.sessions_without_essays or self.topics_not_covered)


@dataclass(frozen=True)
class Practice:
    heading: str
    body: str


@dataclass(frozen=True)
class NarrativeView:
    id: int | None
    version: int
    status: str
    status_label: str
    is_approved: bool
    preamble: str
    practices: tuple[Practice, ...]
    problems: str
    causes: str
    measures: str
    approved_by: str
    approved_at: dt.datetime | None
    updated_at: dt.datetime | None
    is_preview: bool = False
    # The report body frozen at approval (empty for drafts and for versions approved before
    # documents were frozen), and the hash of the figures it was rendered from.
    frozen_body: SafeString | str = ""
    frozen_figures_hash: str = ""

    @property
    def is_frozen(self) -> bool:
        return bool(self.is_approved and self.frozen_body)


@dataclass(frozen=True)
class ChartBar:
    session_id: int
    date: dt.date
    rate: Decimal
    x: float
    y: float
    width: float
    height: float
    label_x: float
    value_y: float
    show_date: bool = True

    @property
    def band_x1(self) -> float:
        """Where the white band behind the value above the bar starts (and below, ends)."""
        return self.label_x - _VALUE_LABEL_WIDTH / 2

    @property
    def band_x2(self) -> float:
        return self.label_x + _VALUE_LABEL_WIDTH / 2

    @property
    def band_y(self) -> float:
        return self.value_y - 3.5


@dataclass(frozen=True)
class AttendanceChart:
    """Bar geometry for the inline SVG: one bar per session, its height the attendance rate.

    The chart keeps its width whatever the number of sessions: bars get narrower, values above
    the bars are left out when they no longer fit (each bar's tooltip and the table keep them),
    and date labels turn and thin out. The dashed line is the group's own attendance rule.
    """

    width: int
    height: int
    plot_top: int
    plot_bottom: int
    plot_left: int
    plot_right: int
    axis_label_x: int
    date_label_y: int
    bars: tuple[ChartBar, ...]
    gridlines: tuple[tuple[int, float], ...]
    rule: Decimal | None = None
    rule_y: float | None = None
    show_values: bool = True
    rotate_dates: bool = False
    legend_y: float = 0


CHART_WIDTH = 600
# Widths (in the chart's units, 10-unit type) a label needs: "100.0%" and "12月31日".
_VALUE_LABEL_WIDTH = 34
_DATE_LABEL_WIDTH = 46
_ROTATED_LABEL_PITCH = 13


def attendance_chart(
    sessions: tuple[SessionRow, ...], *, rule: Decimal | None = None
) -> AttendanceChart:
    """Bars for the sessions with attendance recorded, scaled to 0–100%, in a fixed width."""
    rated = [s for s in sessions if s.rate is not None]
    plot_left, plot_top, plot_bottom, plot_right = 40, 24, 184, CHART_WIDTH - 8
    plot_height = plot_bottom - plot_top
    step = (plot_right - plot_left) / max(len(rated), 1)
    bar_width = min(step * 0.65, 40)
    show_values = step >= _VALUE_LABEL_WIDTH
    rotate_dates = step < _DATE_LABEL_WIDTH
    # Every date when there is room, else every second, third… so that labels never overlap.
    every = math.ceil(_ROTATED_LABEL_PITCH / step) if rotate_dates else 1
    bars = []
    for i, s in enumerate(rated):
        height = float(s.rate) * plot_height / 100
        center = plot_left + step * (i + 0.5)
        bars.append(
            ChartBar(
                session_id=s.id,
                date=s.date,
                rate=s.rate,
                x=center - bar_width / 2,
                y=plot_bottom - height,
                width=bar_width,
                height=height,
                label_x=center,
                value_y=plot_bottom - height - 3,
                show_date=i % every == 0,
            )
        )
    date_label_y = plot_bottom + (10 if rotate_dates else 15)
    legend_y = plot_bottom + (58 if rotate_dates else 34)
    gridlines = tuple((p, plot_bottom - p * plot_height / 100) for p in (0, 50, 100))
    return AttendanceChart(
        width=CHART_WIDTH,
        height=int(legend_y + 8),
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        plot_left=plot_left,
        plot_right=plot_right,
        axis_label_x=plot_left - 4,
        date_label_y=date_label_y,
        bars=tuple(bars),
        gridlines=gridlines,
        rule=rule,
        rule_y=None if rule is None else plot_bottom - float(rule) * plot_height / 100,
        show_values=show_values,
        rotate_dates=rotate_dates,
        legend_y=legend_y,
    )


@dataclass(frozen=True)
class HalfYearSummary:
    group_id: int
    group_name: str
    group_slug: str
    organisation: str
    language: str
    term_id: int
    term_code: str
    term_label: str
    year: int
    half: int
    start_date: dt.date
    end_date: dt.date
    title: str
    words: wording.DocumentWords
    sessions: tuple[SessionRow, ...]
    by_format: tuple[FormatCount, ...]
    has_plan: bool
    topics_covered: tuple[TopicRow, ...]
    topics_not_covered: tuple[TopicRow, ...]
    attendance: AttendanceFigures
    members: tuple[MemberRow, ...]
    reflections: int
    research_reports: int
    research_done: tuple[ResearchTopicRow, ...]
    research_open: tuple[ResearchTopicRow, ...]
    hints: ProblemHints
    next_plan: PlanDocument | None
    narrative: NarrativeView | None
    sentences: tuple[str, ...]
    chart: AttendanceChart

    @property
    def title_lines(self) -> tuple[str, ...]:
        """The title as printed: the group's name on the first line, the rest on the second."""
        return wording.title_lines(title=self.title, group_name=self.group_name)

    @property
    def figures_text(self) -> str:
        """The figures sentences as one paragraph (no space between Chinese sentences)."""
        return ("" if wording.is_chinese(self.language) else " ").join(self.sentences)

    @property
    def sessions_count(self) -> int:
        return len(self.sessions)

    @property
    def essays_in_sessions(self) -> int:
        """Essays tied to one of the listed sessions (the sessions table's column total)."""
        return sum(s.essays for s in self.sessions)

    @property
    def topics_planned(self) -> int:
        return len(self.topics_covered) + len(self.topics_not_covered)

    def with_narrative(self, narrative: NarrativeView | None) -> HalfYearSummary:
        """The same figures with another narrative (a preview of unsaved text)."""
        return dataclasses.replace(self, narrative=narrative)

    @property
    def figures_hash(self) -> str:
        """A hash of everything the records put in the document, the narrative left out
        (64 hex digits).

        Compared with the hash stored at approval, it tells whether the records have changed
        since: any row the document shows (a session's topic or host, a member's name, a topic's
        title, next term's plan) counts, not only the totals. Derived parts are left out: the
        hints (not in the document), the fixed wording (from the language and half) and the
        chart's geometry (from the sessions); the chart's dashed line, the group's attendance
        rule, is not derived and counts.
        """
        figures = dataclasses.asdict(
            dataclasses.replace(self, narrative=None, hints=None, chart=None, words=None)
        )
        figures["chart_rule"] = self.chart.rule
        encoded = json.dumps(figures, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(encoded.encode("utf-8")).hexdigest()

    @property
    def records_changed_since_approval(self) -> bool:
        """Whether the shown version is frozen and the live records no longer match it."""
        n = self.narrative
        return bool(
            n is not None
            and n.is_frozen
            and n.frozen_figures_hash
            and n.frozen_figures_hash != self.figures_hash
        )


def narrative_view(
    narrative: ReportNarrative | None, *, is_preview: bool = False
) -> NarrativeView | None:
    """A narrative row as plain values (approved_by must be loaded by the caller)."""
    if narrative is None:
        return None
    return NarrativeView(
        id=narrative.pk,
        version=narrative.version,
        status=narrative.status,
        status_label=str(narrative.get_status_display()),
        is_approved=narrative.is_approved,
        preamble=narrative.preamble,
        practices=tuple(
            Practice(heading=p["heading"], body=p["body"]) for p in narrative.practice_items
        ),
        problems=narrative.problems,
        causes=narrative.causes,
        measures=narrative.measures,
        approved_by=narrative.approved_by.display_name if narrative.approved_by_id else "",
        approved_at=narrative.approved_at,
        updated_at=narrative.updated_at,
        is_preview=is_preview,
        # Safe: the app's own autoescaped rendering of _summary_body.html, stored by
        # narrative_approve; no form or user ever supplies this field.
        frozen_body=(
            mark_safe(narrative.approved_body_html)  # noqa: S308
            if narrative.is_approved and narrative.approved_body_html
            else ""
        ),
        frozen_figures_hash=narrative.approved_figures_hash if narrative.is_approved else "",
    )


def _narrative_for(
    *, group: StudyGroup, term: Term, include_draft: bool, version: int | None
) -> ReportNarrative | None:
    narratives = ReportNarrative.objects.filter(
        group=group, term=term, kind=ReportNarrative.Kind.SUMMARY
    ).select_related("approved_by")
    if version is not None:
        narrative = narratives.filter(version=version).first()
        if narrative is None:
            raise Http404("No such version")
        return narrative
    if not include_draft:
        narratives = narratives.filter(status=ReportNarrative.Status.APPROVED)
    return narratives.order_by("-version").first()


def half_year_summary(
    *,
    group: StudyGroup,
    term: Term,
    include_draft: bool = False,
    version: int | None = None,
    today: dt.date | None = None,
) -> HalfYearSummary:
    """The term's figures, next term's approved plan and the narrative, as plain values.

    Counts sessions held up to today. Essays are counted as on the dashboard
    (sessions_app.selectors.essays.essays_counted_in_term).
    The narrative is the latest approved version; with include_draft, the draft if one exists;
    with version, that version (404 if none). The wording follows the group's report language.
    An approved narrative carries its frozen document (NarrativeView.frozen_body), which the
    page and the PDF show instead of these live figures (templates/reports/_summary_document.html).
    About 14 queries, whatever the number of members, sessions or essays.
    """
    if term.group_id != group.pk:
        raise ValueError("The term belongs to another group.")
    return _build_in_language(
        group=group,
        term=term,
        today=today,
        narrative=_narrative_for(
            group=group, term=term, include_draft=include_draft, version=version
        ),
    )


def half_year_summary_live(
    *, narrative: ReportNarrative, today: dt.date | None = None
) -> HalfYearSummary:
    """The narrative's term's figures as the records show them now, around this narrative.

    For freezing a version at approval: its stored document is ignored. The caller loads the
    narrative's group, term and approved_by. The same queries as half_year_summary, less one.
    """
    return _build_in_language(
        group=narrative.group, term=narrative.term, today=today, narrative=narrative
    )


def _build_in_language(
    *, group: StudyGroup, term: Term, today: dt.date | None, narrative
) -> HalfYearSummary:
    language = group.report_language
    with translation.override(language):
        return _build(
            group=group,
            term=term,
            language=language,
            today=today or timezone.localdate(),
            narrative=narrative,
        )


def _build(
    *, group: StudyGroup, term: Term, language: str, today: dt.date, narrative
) -> HalfYearSummary:
    format_labels = wording.format_labels(language)
    held = StudySession.objects.filter(group=group, term=term, date__lte=today)
    sessions = list(held.select_related("host").order_by("date", "start_time", "id"))

    per_session: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Attendance.objects.filter(session__in=held)
        .values("session_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        per_session[row["session_id"]][row["status"]] = row["n"]

    per_member: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        Attendance.objects.filter(session__in=held)
        .values("member_id", "status")
        .annotate(n=Count("id"), made_up=Count("id", filter=Q(makeup_on__isnull=False)))
        .order_by()
    ):
        per_member[row["member_id"]][row["status"]] += row["n"]
        per_member[row["member_id"]]["made_up"] += row["made_up"]

    essays = ReflectionEssay.objects.filter(essays_counted_in_term(term=term), group=group)
    essays_by_session = dict(
        essays.filter(session__isnull=False)
        .values("session_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("session_id", "n")
    )
    essays_by_author: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    essays_by_kind: dict[str, int] = defaultdict(int)
    for row in essays.values("author_id", "kind").annotate(n=Count("id")).order_by():
        essays_by_author[row["author_id"]][row["kind"]] += row["n"]
        essays_by_kind[row["kind"]] += row["n"]

    # The term's members (in the group on at least one of its days), and anyone recorded at one
    # of its sessions, so that the table's rows add up to the sessions' figures.
    members = list(
        Member.objects.filter(group=group)
        .filter(
            Q(pk__in=Member.objects.in_group_during(term.start_date, term.end_date).values("pk"))
            | Q(pk__in=Attendance.objects.filter(session__in=held).values("member_id"))
        )
        .in_rank_order()
    )

    session_rows = []
    for s in sessions:
        counts = per_session.get(s.pk, {})
        attended = attended_in(counts)
        total = sum(counts.values())
        session_rows.append(
            SessionRow(
                id=s.pk,
                date=s.date,
                format=s.format,
                format_label=format_labels.get(s.format, s.format),
                topic=s.topic,
                host=s.host.display_name if s.host else "",
                speakers=s.speakers,
                attended=attended,
                total=total,
                rate=attendance_rate(attended=attended, total=total),
                essays=essays_by_session.get(s.pk, 0),
            )
        )
    session_rows_t = tuple(session_rows)

    member_rows = []
    for m in members:
        counts = per_member.get(m.pk, {})
        written = essays_by_author.get(m.pk, {})
        member_rows.append(
            MemberRow(
                id=m.pk,
                name=m.display_name,
                position=m.position,
                role_label=str(m.get_role_display()),
                attendance=AttendanceFigures(
                    present=counts.get(Attendance.Status.PRESENT, 0),
                    late=counts.get(Attendance.Status.LATE, 0),
                    leave=counts.get(Attendance.Status.LEAVE, 0),
                    absent=counts.get(Attendance.Status.ABSENT, 0),
                    made_up=counts.get("made_up", 0),
                ),
                reflections=written.get(ReflectionEssay.Kind.REFLECTION, 0),
                research_reports=written.get(ReflectionEssay.Kind.RESEARCH_REPORT, 0),
            )
        )
    overall = AttendanceFigures(
        present=sum(r.attendance.present for r in member_rows),
        late=sum(r.attendance.late for r in member_rows),
        leave=sum(r.attendance.leave for r in member_rows),
        absent=sum(r.attendance.absent for r in member_rows),
        made_up=sum(r.attendance.made_up for r in member_rows),
    )

    format_counts: dict[str, int] = defaultdict(int)
    for s in sessions:
        format_counts[s.format] += 1
    by_format = tuple(
        FormatCount(format=value, label=format_labels[value], count=format_counts[value])
        for value, _label in SessionFormat.choices
        if format_counts.get(value)
    )

    plan = plan_with_topics(term=term)
    dates_by_topic: dict[int, list[dt.date]] = defaultdict(list)
    for s in sessions:
        if s.planned_topic_id:
            dates_by_topic[s.planned_topic_id].append(s.date)
    covered, not_covered, research_done, research_open = [], [], [], []
    if plan is not None:
        for t in plan.topics.all():
            if t.kind == PlannedTopic.Kind.RESEARCH:
                row = ResearchTopicRow(
                    id=t.pk,
                    title=t.title,
                    assignees=tuple(a.display_name for a in t.assignees.all()),
                    due_date=t.due_date,
                    completed_on=t.completed_on,
                )
                (research_done if row.is_done else research_open).append(row)
                continue
            row = TopicRow(
                id=t.pk,
                title=t.title,
                planned_month=t.planned_month,
                format_label=format_labels.get(t.format, ""),
                lead_speaker=t.lead_speaker,
                session_dates=tuple(dates_by_topic.get(t.pk, ())),
            )
            (covered if row.session_dates else not_covered).append(row)

    next_year, next_half = half_after(term.year, term.half)
    next_term = Term.objects.filter(group=group, year=next_year, half=next_half).first()
    next_plan = None
    if next_term is not None:
        loaded = plan_with_topics(term=next_term)
        if loaded is not None and loaded.is_approved:
            next_plan = plan_document_from(group=group, term=next_term, plan=loaded)

    hints = ProblemHints(
        low_attendance=tuple(
            r for r in member_rows if meets_attendance_rule(r.rate, group=group) is False
        ),
        sessions_without_essays=tuple(s for s in session_rows_t if not s.essays),
        topics_not_covered=tuple(not_covered),
        low_attendance_rate=group.rule_attendance_rate,
    )
    reflections = essays_by_kind.get(ReflectionEssay.Kind.REFLECTION, 0)
    research_reports = essays_by_kind.get(ReflectionEssay.Kind.RESEARCH_REPORT, 0)
    sentences = wording.figures_sentences(
        language=language,
        half=term.half,
        sessions_total=len(session_rows_t),
        formats=[(f.label, f.count) for f in by_format],
        attendance_rate=overall.rate,
        reflections=reflections,
        research_reports=research_reports,
        topics_planned=len(covered) + len(not_covered),
        topics_covered=len(covered),
        topics_missing=[t.title for t in not_covered],
        research_planned=len(research_done) + len(research_open),
        research_done=len(research_done),
        has_plan=plan is not None,
    )
    return HalfYearSummary(
        group_id=group.pk,
        group_name=group.name,
        group_slug=group.slug,
        organisation=group.organisation,
        language=language,
        term_id=term.pk,
        term_code=term.code,
        term_label=str(term.label),
        year=term.year,
        half=term.half,
        start_date=term.start_date,
        end_date=term.end_date,
        title=wording.summary_title(
            group_name=group.name, year=term.year, half=term.half, language=language
        ),
        words=wording.document_words(language=language, half=term.half),
        sessions=session_rows_t,
        by_format=by_format,
        has_plan=plan is not None,
        topics_covered=tuple(covered),
        topics_not_covered=tuple(not_covered),
        attendance=overall,
        members=tuple(member_rows),
        reflections=reflections,
        research_reports=research_reports,
        research_done=tuple(research_done),
        research_open=tuple(research_open),
        hints=hints,
        next_plan=next_plan,
        narrative=narrative_view(narrative),
        sentences=sentences,
        chart=attendance_chart(session_rows_t, rule=group.rule_attendance_rate),
    )


def half_year_summary_for_member(
    *, member: Member, term: Term, version: int | None = None
) -> HalfYearSummary:
    """The summary as this member may see it.

    Secretary and leaders see the draft if there is one (else the latest approved version) and
    any version; other members see only approved versions, and get PermissionDenied when there
    is none. The term must be the member's group's (callers find it with term_get).
    """
    drafter = member.can_manage_records
    summary = half_year_summary(
        group=member.group, term=term, include_draft=drafter, version=version
    )
    if not drafter and (summary.narrative is None or not summary.narrative.is_approved):
        raise PermissionDenied
    return summary


def summary_records_changed(
    *, member: Member, summary: HalfYearSummary, versions: list | None = None
) -> bool:
    """Whether to tell this member that the records changed since approval: true for the
    secretary and leaders, when the version shown is the newest approved one (older ones were
    replaced, there is nothing to update) and the records no longer give its frozen figures.

    versions: the term's narrative versions as reports.selectors.index.narrative_versions gives
    them for this member (newest first), if the caller has them; else one query finds the newest
    approved version.
    """
    n = summary.narrative
    if not member.can_manage_records or n is None or not summary.records_changed_since_approval:
        return False
    if versions is not None:
        newest_approved = next((v.version for v in versions if v.is_approved), None)
    else:
        newest_approved = (
            ReportNarrative.objects.filter(
                group_id=summary.group_id,
                term_id=summary.term_id,
                kind=ReportNarrative.Kind.SUMMARY,
                status=ReportNarrative.Status.APPROVED,
            )
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
    return n.version == newest_approved
