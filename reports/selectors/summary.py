"""The half-year summary's builder: the figures gathered once from the records into the plain
structure of reports.selectors.summary_types (HalfYearSummary), and who may read which version.

The HTML page, the PDF and the tests all read `HalfYearSummary`; nothing in it queries the
database again. The builder runs a fixed number of queries whatever the size of the group.
The attendance chart's geometry is reports.selectors.summary_chart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from audit import promptness
from reports.models import ReportNarrative
from reports.selectors import wording
from reports.selectors.plan import (
    FormatCount,
    ResearchTopicRow,
    plan_document_from,
    plan_with_topics,
)
from reports.selectors.summary_chart import attendance_chart
from reports.selectors.summary_types import (
    AttendanceFigures,
    HalfYearSummary,
    LateRecord,
    MemberRow,
    NarrativeView,
    Practice,
    ProblemHints,
    Promptness,
    SessionRow,
    TopicRow,
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
from sessions_app.selectors.makeup import makeup_counts
from sessions_app.services.terms import half_after


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
    About 15 queries (one for the appendix's promptness, audit.promptness), whatever the
    number of members, sessions or essays.
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
        .annotate(n=Count("id"))
        .order_by()
    ):
        per_member[row["member_id"]][row["status"]] += row["n"]
    # 补学 as every page counts it (the same held sessions: the term's, by today).
    makeup = makeup_counts(group=group, term=term, today=today)

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
                    made_up=makeup.for_member(m.pk).made_up,
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

    # A session that asked for no essays (no essay_due_on) has none to miss, and one whose
    # essays are not due yet may still get them: only a deadline passed with no essay is a hint.
    # The due date is read from the loaded sessions, not put in SessionRow: the document does not
    # show it, so it stays out of the figures an approved summary is compared with (figures_hash).
    essays_overdue = {s.pk for s in sessions if s.essay_due_on and s.essay_due_on < today}
    hints = ProblemHints(
        low_attendance=tuple(
            r for r in member_rows if meets_attendance_rule(r.rate, group=group) is False
        ),
        sessions_without_essays=tuple(
            s for s in session_rows_t if s.id in essays_overdue and not s.essays
        ),
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
        away=overall.leave + overall.absent,
        made_up=overall.made_up,
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
        promptness=_promptness(sessions=sessions, held=held, today=today),
    )


def _promptness(*, sessions, held, today: dt.date) -> Promptness:
    """The appendix's figures for the loaded sessions (audit.promptness has the words): one
    query, an aggregate over the attendance history."""
    times = promptness.attendance_times(sessions=held)
    days = []
    late = []
    for s in sessions:
        first, last = times.get(s.pk, (None, None))
        day = promptness.recorded_on(created_at=s.created_at, first_attendance_at=first)
        days.append((s.date, day))
        recorded_after = None if day is None else (day - s.date).days
        changed_on = timezone.localdate(last) if last is not None else None
        changed_after = None if changed_on is None else (changed_on - s.date).days
        limit = promptness.LATE_RECORD_DAYS
        if (recorded_after or 0) > limit or (changed_after or 0) > limit:
            late.append(
                LateRecord(
                    id=s.pk,
                    date=s.date,
                    topic=s.topic,
                    recorded_on=day,
                    recorded_days_after=recorded_after,
                    last_changed_on=changed_on,
                    changed_days_after=changed_after,
                )
            )
    due, prompt = promptness.prompt_counts(days=days, today=today)
    return Promptness(
        due=due,
        prompt=prompt,
        late=tuple(late),
        prompt_days=promptness.PROMPT_RECORD_DAYS,
        late_days=promptness.LATE_RECORD_DAYS,
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
