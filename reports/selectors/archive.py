"""The year's study archive (学习档案专卷) and each member's own 学习档案, as plain values.

Builders here gather a calendar year of a group's records once and return typed structures that
the archive's page, its PDF (templates/reports/archive/) and its .zip (reports.services.archive)
all read. Nothing here writes, and nothing in the returned values queries again.

The year's records are those of the group's terms of that year (Term.year): its plans, its
approved summaries, its sessions, and the essays and research reports tied to them
(sessions_app.selectors.essays.essays_counted_in_year). Members are those in the group on any
day of the calendar year (Member.objects.in_group_during).

What is missing (缺项清单, archive_missing_items) is judged by the rules where they live: a
session held (by today) whose minutes are blank; a member short of the group's yearly essay rule
(essays_written_in_year and short_of_essay_rule); a term whose plan is not approved (or that has
none); a term whose summary has no approved version (still in draft, or not written).

Sections that other parts of the app add later (notices, leave requests, 补学 verified by the
secretary) plug in through SECTION_BUILDERS: each is called with the group, the year and the
year's terms and returns an ArchiveSection (a title, the template that prints it, its data) or
None when it has nothing for the year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from reports.models import ArchiveBuild, ReportNarrative
from reports.selectors import wording
from reports.selectors.plan import PlanDocument, plan_document_from, plan_with_topics
from reports.selectors.session_record import SessionRecord, session_records
from reports.selectors.summary import half_year_summary
from reports.selectors.summary_types import HalfYearSummary
from sessions_app.models import (
    Attendance,
    Member,
    ReflectionEssay,
    SessionMaterial,
    StudyGroup,
    StudyPlan,
    StudySession,
    Term,
)
from sessions_app.selectors.attendance import attendance_rate, meets_attendance_rule
from sessions_app.selectors.essays import (
    essays_counted_in_year,
    essays_in_year,
    essays_written_in_year,
    short_of_essay_rule,
)
from sessions_app.selectors.ledger import Ledger, attendance_ledger
from sessions_app.selectors.rules import RuleState, rule_state


def year_span(year: int) -> tuple[dt.date, dt.date]:
    """The calendar year's first and last day: the period of the yearly rules."""
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def archive_years(*, group_id: int) -> list[int]:
    """The years of the group's terms, newest first: the years an archive can be built for."""
    return sorted(
        set(Term.objects.filter(group_id=group_id).values_list("year", flat=True)), reverse=True
    )


# --- 缺项清单 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingItem:
    """One gap in the year's records, in the group's report language.

    kind is one of MissingItem.KINDS; the key of what is missing rides along for the page's
    link: session_id (minutes), member_id (essay) or term_code (plan, summary).
    """

    MINUTES = "minutes"
    ESSAY = "essay"
    PLAN = "plan"
    SUMMARY = "summary"
    KINDS = (MINUTES, ESSAY, PLAN, SUMMARY)

    kind: str
    text: str
    session_id: int | None = None
    member_id: int | None = None
    term_code: str = ""


def archive_missing_items(
    *, group: StudyGroup, year: int, today: dt.date | None = None
) -> list[MissingItem]:
    """What the year's archive lacks, in order: sessions without minutes (by date), members
    short of the yearly essay rule (in the group's order), then per term (by half) a plan not
    approved and a summary without an approved version. Five queries at any size.

    A session counts once it is held (its date is today or earlier); a member once they were in
    the group on any day of the calendar year; a returned essay does not count until resubmitted
    (essays_counted_in_year). Written in the group's report language.
    """
    today = today or timezone.localdate()
    first, last = year_span(year)
    with translation.override(group.report_language):
        items: list[MissingItem] = []
        sessions = (
            StudySession.objects.filter(group=group, term__year=year, date__lte=today)
            .filter(Q(minutes="") | Q(minutes__regex=r"^\s*$"))
            .order_by("date", "start_time", "id")
            .only("pk", "date", "topic")
        )
        for session in sessions:
            items.append(
                MissingItem(
                    kind=MissingItem.MINUTES,
                    text=_("Session of %(date)s (%(topic)s) has no minutes.")
                    % {"date": date_format(session.date), "topic": session.topic},
                    session_id=session.pk,
                )
            )
        required = group.rule_essays_per_member_year
        written = essays_written_in_year(group_id=group.pk, year=year)
        members = Member.objects.filter(group=group).in_group_during(first, last).in_rank_order()
        for member in members:
            done = written.get(member.pk, 0)
            if short_of_essay_rule(done, group=group):
                items.append(
                    MissingItem(
                        kind=MissingItem.ESSAY,
                        text=_(
                            "%(name)s has %(done)s essays or research reports for %(year)s; "
                            "the group's rule asks for %(required)s."
                        )
                        % {"name": member.display_name, "done": done, "year": year,
                           "required": required},
                        member_id=member.pk,
                    )
                )
        terms = list(
            Term.objects.filter(group=group, year=year).select_related("plan").order_by("half")
        )
        narratives: dict[int, set[str]] = {}
        for term_id, status in ReportNarrative.objects.filter(
            group=group, term__in=terms, kind=ReportNarrative.Kind.SUMMARY
        ).values_list("term_id", "status"):
            narratives.setdefault(term_id, set()).add(status)
        for term in terms:
            plan = getattr(term, "plan", None)
            if plan is None:
                items.append(MissingItem(
                    kind=MissingItem.PLAN, term_code=term.code,
                    text=_("%(term)s has no study plan.") % {"term": term.label},
                ))
            elif not plan.is_approved:
                items.append(MissingItem(
                    kind=MissingItem.PLAN, term_code=term.code,
                    text=_("The study plan for %(term)s was never approved.")
                    % {"term": term.label},
                ))
            statuses = narratives.get(term.pk, set())
            if ReportNarrative.Status.APPROVED in statuses:
                continue
            if ReportNarrative.Status.DRAFT in statuses:
                text = _("The half-year summary for %(term)s is still a draft.")
            else:
                text = _("The half-year summary for %(term)s has not been written.")
            items.append(MissingItem(
                kind=MissingItem.SUMMARY, term_code=term.code, text=text % {"term": term.label}
            ))
        return items


# --- The year's archive ----------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveFile:
    """An uploaded file kept in the archive: the name it had (sanitised by the upload) and its
    name in storage."""

    name: str
    storage_name: str


@dataclass(frozen=True)
class ArchiveEssay:
    """An essay or research report as printed in the archive: its text and who wrote it when."""

    id: int
    kind_label: str
    title: str
    author: str
    author_id: int
    session_id: int | None
    topic: str
    submitted_on: dt.date
    status_label: str
    word_count: int
    body: str
    file: ArchiveFile | None


@dataclass(frozen=True)
class ArchiveSession:
    """One session of the year: its number in the year (1, 2, …, by date), its record with the
    attendance, the essays written for it and its materials' files."""

    id: int
    number: int
    label: str
    record: SessionRecord
    essays: tuple[ArchiveEssay, ...]
    materials: tuple[ArchiveFile, ...]


@dataclass(frozen=True)
class LedgerRow:
    """One member's line of a term's ledger as printed: their name, the status label at each
    session ("" where nothing is recorded) and their rate."""

    name: str
    statuses: tuple[str, ...]
    rate: Decimal | None


@dataclass(frozen=True)
class LedgerView:
    """A term's attendance ledger (sessions_app.selectors.ledger) with status labels in the
    report language: the sessions' dates, the members' rows, and per session attended/recorded."""

    term_code: str
    term_label: str
    dates: tuple[dt.date, ...]
    rows: tuple[LedgerRow, ...]
    session_totals: tuple[tuple[int, int], ...]
    rate: Decimal | None


def _ledger_view(ledger: Ledger, labels: dict[str, str]) -> LedgerView:
    return LedgerView(
        term_code=ledger.term.code,
        term_label=str(ledger.term.label),
        dates=tuple(s.date for s in ledger.sessions),
        rows=tuple(
            LedgerRow(
                name=line.member.display_name,
                statuses=tuple(labels.get(st, "") if st else "" for st in line.statuses),
                rate=line.rate,
            )
            for line in ledger.lines
        ),
        session_totals=tuple(ledger.session_totals),
        rate=ledger.rate,
    )


@dataclass(frozen=True)
class ContentsEntry:
    """A line of the contents below a part: the anchor it links to and its title."""

    anchor: str
    title: str


@dataclass(frozen=True)
class ArchivePart:
    """A numbered part of the archive (一、学习计划): its anchor, its title with the number, the
    template that prints it, its entries in the contents, and for an added section its data."""

    key: str
    anchor: str
    title: str
    template: str
    entries: tuple[ContentsEntry, ...] = ()
    section: ArchiveSection | None = None


@dataclass(frozen=True)
class ApprovalEntry:
    """One approval or return (audit log): when, by whom, what was done to which record."""

    when: dt.datetime
    who: str
    action: str
    record: str
    note: str


@dataclass(frozen=True)
class ArchiveSection:
    """A section another part of the app adds (SECTION_BUILDERS): its title (a bookmark), the
    template that prints it (included with `section` in its context) and its data."""

    key: str
    title: str
    template: str
    data: object


#: Builders of extra sections, called in order as builder(group=, year=, terms=) and returning
#: an ArchiveSection or None. The notices, leave and 补学 records append theirs here.
SECTION_BUILDERS: list[Callable[..., ArchiveSection | None]] = []


@dataclass(frozen=True)
class YearArchive:
    """The 学习档案专卷 of a group's year, in its report language.

    plans: the terms' plans that exist (approved or not: the 缺项清单 says which are not);
    summaries: the terms' latest approved summaries (drafts are not archived); sessions: every
    session of the year's terms by date; ledgers: each term's attendance ledger; other_essays:
    the year's essays and reports tied to a planned topic rather than a session.
    """

    group_name: str
    language: str
    year: int
    title: str
    made_on: dt.date
    terms: tuple[Term, ...]
    plans: tuple[PlanDocument, ...]
    summaries: tuple[HalfYearSummary, ...]
    sessions: tuple[ArchiveSession, ...]
    ledgers: tuple[LedgerView, ...]
    other_essays: tuple[ArchiveEssay, ...]
    approvals: tuple[ApprovalEntry, ...]
    missing: tuple[MissingItem, ...]
    extra_sections: tuple[ArchiveSection, ...] = field(default_factory=tuple)
    parts: tuple[ArchivePart, ...] = field(default_factory=tuple)

    @property
    def essays_count(self) -> int:
        return sum(len(s.essays) for s in self.sessions) + len(self.other_essays)


def archive_title(*, group_name: str, year: int) -> str:
    """示例县党委理论学习中心组2020年学习档案专卷 (in the active language)."""
    return _("%(group)s study archive for %(year)s") % {"group": group_name, "year": year}


def _essay(essay: ReflectionEssay, kind_labels, status_labels) -> ArchiveEssay:
    return ArchiveEssay(
        id=essay.pk,
        kind_label=kind_labels.get(essay.kind, essay.kind),
        title=essay.title,
        author=essay.author.display_name,
        author_id=essay.author_id,
        session_id=essay.session_id,
        topic=essay.planned_topic.title if essay.planned_topic_id else "",
        submitted_on=timezone.localdate(essay.submitted_at),
        status_label=status_labels.get(essay.status, essay.status),
        word_count=essay.word_count,
        body=essay.body,
        file=(
            ArchiveFile(name=essay.original_filename or essay.file.name.rsplit("/", 1)[-1],
                        storage_name=essay.file.name)
            if essay.file
            else None
        ),
    )


def _year_essays(*, group: StudyGroup, year: int) -> list[ArchiveEssay]:
    """The year's counted essays and reports, and its speakers' 发言提纲 (outlines count in no
    figure but belong in the archive), by the group's order then submission. One query."""
    kind_labels = {v: str(label) for v, label in ReflectionEssay.Kind.choices}
    status_labels = {v: str(label) for v, label in ReflectionEssay.Status.choices}
    essays = (
        ReflectionEssay.objects.filter(
            essays_counted_in_year(year=year)
            | (essays_in_year(year=year) & Q(kind=ReflectionEssay.Kind.OUTLINE)),
            group=group,
        )
        .select_related("author", "planned_topic")
        .order_by("author__sort_order", "author_id", "submitted_at", "id")
    )
    return [_essay(e, kind_labels, status_labels) for e in essays]


def _approvals(*, group: StudyGroup, terms: list[Term], narrative_ids: list[int],
               year: int) -> list[ApprovalEntry]:
    """Every approval and return of the year's plans, summaries and essays (audit log), oldest
    first. Two queries."""
    essay_ids = ReflectionEssay.objects.filter(essays_in_year(year=year), group=group).values_list(
        "pk", flat=True
    )
    plan_ids = [t.plan.pk for t in terms if getattr(t, "plan", None) is not None]
    wanted = (
        Q(object_type=StudyPlan._meta.label_lower, object_id__in=[str(i) for i in plan_ids])
        | Q(object_type=ReportNarrative._meta.label_lower,
            object_id__in=[str(i) for i in narrative_ids])
        | Q(object_type=ReflectionEssay._meta.label_lower,
            object_id__in=[str(i) for i in essay_ids])
    )
    events = AuditEvent.objects.filter(
        wanted,
        group=group,
        action__in=(AuditEvent.Action.APPROVED, AuditEvent.Action.RETURNED),
    ).order_by("created_at", "id")
    return [
        ApprovalEntry(
            when=e.created_at,
            who=e.actor_name,
            action=str(e.get_action_display()),
            record=f"{e.object_type_label} · {e.object_repr}",
            note=e.change_text,
        )
        for e in events
    ]


def year_archive(*, group: StudyGroup, year: int, today: dt.date | None = None) -> YearArchive:
    """The group's archive for the year (see the module docstring), in its report language.

    A fixed number of queries whatever the number of members, sessions or essays (about 15 per
    term for its plan, summary and ledger, and a dozen for the rest).
    """
    today = today or timezone.localdate()
    missing = archive_missing_items(group=group, year=year, today=today)
    with translation.override(group.report_language):
        terms = list(
            Term.objects.filter(group=group, year=year).select_related("plan").order_by("half")
        )
        plans = []
        for term in terms:
            if getattr(term, "plan", None) is not None:
                plans.append(plan_document_from(group=group, term=term,
                                                plan=plan_with_topics(term=term)))
        narratives = list(
            ReportNarrative.objects.filter(
                group=group, term__in=terms, kind=ReportNarrative.Kind.SUMMARY
            ).values_list("pk", "term_id", "status")
        )
        approved_terms = {t for _pk, t, s in narratives if s == ReportNarrative.Status.APPROVED}
        summaries = [
            half_year_summary(group=group, term=term, today=today)
            for term in terms
            if term.pk in approved_terms
        ]
        sessions = list(
            StudySession.objects.filter(group=group, term__in=terms)
            .select_related("group", "host")
            .order_by("date", "start_time", "id")
        )
        records = session_records(sessions=sessions)
        materials: dict[int, list[ArchiveFile]] = {s.pk: [] for s in sessions}
        for material in SessionMaterial.objects.filter(session__in=sessions).order_by(
            "created_at", "id"
        ):
            materials[material.session_id].append(
                ArchiveFile(
                    name=material.original_filename or material.file.name.rsplit("/", 1)[-1],
                    storage_name=material.file.name,
                )
            )
        essays = _year_essays(group=group, year=year)
        by_session: dict[int, list[ArchiveEssay]] = {}
        other = []
        session_ids = {s.pk for s in sessions}
        for essay in essays:
            if essay.session_id in session_ids:
                by_session.setdefault(essay.session_id, []).append(essay)
            else:
                other.append(essay)
        archive_sessions = tuple(
            ArchiveSession(
                id=session.pk,
                number=number,
                label=_("Session %(number)s: %(date)s %(topic)s")
                % {"number": number, "date": date_format(session.date), "topic": session.topic},
                record=record,
                essays=tuple(by_session.get(session.pk, ())),
                materials=tuple(materials[session.pk]),
            )
            for number, (session, record) in enumerate(zip(sessions, records, strict=True), 1)
        )
        status_labels = {v: str(label) for v, label in Attendance.Status.choices}
        ledgers = tuple(
            _ledger_view(attendance_ledger(group_id=group.pk, term=term), status_labels)
            for term in terms
        )
        approvals = _approvals(group=group, terms=terms, narrative_ids=[n[0] for n in narratives],
                               year=year)
        extra = tuple(
            section
            for builder in SECTION_BUILDERS
            if (section := builder(group=group, year=year, terms=terms)) is not None
        )
        archive = YearArchive(
            group_name=group.name,
            language=group.report_language,
            year=year,
            title=archive_title(group_name=group.name, year=year),
            made_on=today,
            terms=tuple(terms),
            plans=tuple(plans),
            summaries=tuple(summaries),
            sessions=archive_sessions,
            ledgers=ledgers,
            other_essays=tuple(other),
            approvals=tuple(approvals),
            missing=tuple(missing),
            extra_sections=extra,
        )
        return replace(archive, parts=_parts(archive))


def _parts(archive: YearArchive) -> tuple[ArchivePart, ...]:
    """The archive's parts in order, numbered 一、二、…: plans, summaries, sessions (with their
    attendance and essays), ledgers, essays not tied to a session (when there are any), the
    added sections, the approval history, and last the 缺项清单. In the active language."""
    t = "reports/archive/_%s.html"
    parts: list[tuple[str, str, str, tuple[ContentsEntry, ...], ArchiveSection | None]] = [
        ("plans", _("Study plans"), t % "plans",
         tuple(ContentsEntry(f"plan-{p.term_code}", p.title) for p in archive.plans), None),
        ("summaries", _("Half-year summaries"), t % "summaries",
         tuple(ContentsEntry(f"summary-{s.term_code}", s.title) for s in archive.summaries),
         None),
        ("sessions", _("Session records, attendance and essays"), t % "sessions",
         tuple(ContentsEntry(f"session-{s.id}", s.label) for s in archive.sessions), None),
        ("ledgers", _("Attendance ledgers"), t % "ledgers",
         tuple(ContentsEntry(f"ledger-{v.term_code}", v.term_label) for v in archive.ledgers),
         None),
    ]
    if archive.other_essays:
        parts.append(("other_essays", _("Essays and research reports on planned topics"),
                      t % "other_essays", (), None))
    for section in archive.extra_sections:
        parts.append((f"extra-{section.key}", section.title, t % "extra", (), section))
    parts.append(("approvals", _("Review and approval history"), t % "approvals", (), None))
    parts.append(("missing", _("Missing items"), t % "missing", (), None))
    return tuple(
        ArchivePart(key=key, anchor=f"part-{key}", title=f"{wording.section_number(n)}{title}",
                    template=template, entries=entries, section=section)
        for n, (key, title, template, entries, section) in enumerate(parts, 1)
    )


# --- A member's own 学习档案 ---------------------------------------------------------------------


@dataclass(frozen=True)
class MemberSessionLine:
    """One session of the year for the member: their attendance (status None: not recorded),
    reason for leave, and make-up study (补学) if recorded."""

    session_id: int
    date: dt.date
    topic: str
    format_label: str
    status: str | None
    status_label: str
    leave_reason: str
    makeup_on: dt.date | None
    makeup_note: str


@dataclass(frozen=True)
class MemberArchive:
    """A member's 学习档案 for a year, in the group's report language: their sessions and
    attendance, make-up study, essays and reports, and the year's figures against the group's
    rules (attendance rate kept throughout the year; essays per member a year), each judged by
    sessions_app.selectors.rules.rule_state over the calendar year."""

    group_name: str
    language: str
    year: int
    title: str
    member_id: int
    name: str
    position: str
    role_label: str
    lines: tuple[MemberSessionLine, ...]
    attended: int
    recorded: int
    attendance_rule: Decimal
    attendance_met: bool | None
    attendance_state: RuleState | None
    essays: tuple[ArchiveEssay, ...]
    essays_counted: int
    essays_required: int
    essay_state: RuleState

    @property
    def rate(self) -> Decimal | None:
        return attendance_rate(attended=self.attended, total=self.recorded)

    @property
    def makeups(self) -> tuple[MemberSessionLine, ...]:
        return tuple(line for line in self.lines if line.makeup_on)

    @property
    def attendance_state_label(self) -> str:
        return str(self.attendance_state.label) if self.attendance_state else ""

    @property
    def essay_state_label(self) -> str:
        return str(self.essay_state.label)

    @property
    def filename_stem(self) -> str:
        return self.title


def member_archive_title(*, name: str, year: int) -> str:
    """张成员2020年学习档案 (in the active language)."""
    return _("Study archive of %(name)s for %(year)s") % {"name": name, "year": year}


def members_for_archive(*, group: StudyGroup, year: int) -> list[Member]:
    """The members whose 学习档案 the year has: in the group on any day of the calendar year
    (Member.objects.in_group_during), in the group's order. One query."""
    first, last = year_span(year)
    return list(Member.objects.filter(group=group).in_group_during(first, last).in_rank_order())


def member_archives(
    *, group: StudyGroup, year: int, members: list[Member], today: dt.date | None = None
) -> list[MemberArchive]:
    """The 学习档案 of each of members (of group) for the year, in the order given. Four queries
    however many members, sessions or essays.

    A member's sessions are the year's sessions held while they were in the group
    (Member.is_in_group_on) or at which they are recorded; their rate counts recorded rows
    only (sessions_app.selectors.attendance), as the ledger does.
    """
    today = today or timezone.localdate()
    first, last = year_span(year)
    language = group.report_language
    with translation.override(language):
        formats = wording.format_labels(language)
        status_labels = {v: str(label) for v, label in Attendance.Status.choices}
        role_labels = {v: str(label) for v, label in Member.Role.choices}
        sessions = list(
            StudySession.objects.filter(group=group, term__year=year, date__lte=today)
            .order_by("date", "start_time", "id")
            .only("pk", "date", "topic", "format")
        )
        member_ids = [m.pk for m in members]
        rows = {
            (a.member_id, a.session_id): a
            for a in Attendance.objects.filter(session__in=sessions, member_id__in=member_ids)
        }
        written = essays_written_in_year(group_id=group.pk, year=year)
        essays_of: dict[int, list[ArchiveEssay]] = {}
        for essay in _year_essays(group=group, year=year):
            essays_of.setdefault(essay.author_id, []).append(essay)
        required = group.rule_essays_per_member_year
        archives = []
        for member in members:
            lines = []
            attended = recorded = 0
            for session in sessions:
                row = rows.get((member.pk, session.pk))
                if row is None and not member.is_in_group_on(session.date):
                    continue
                if row is not None:
                    recorded += 1
                    attended += int(row.attended)
                lines.append(
                    MemberSessionLine(
                        session_id=session.pk,
                        date=session.date,
                        topic=session.topic,
                        format_label=formats.get(session.format, session.format),
                        status=row.status if row else None,
                        status_label=status_labels.get(row.status, "") if row else "",
                        leave_reason=row.leave_reason if row else "",
                        makeup_on=row.makeup_on if row else None,
                        makeup_note=row.makeup_note if row else "",
                    )
                )
            rate = attendance_rate(attended=attended, total=recorded)
            met = meets_attendance_rule(rate, group=group)
            done = written.get(member.pk, 0)
            archives.append(
                MemberArchive(
                    group_name=group.name,
                    language=language,
                    year=year,
                    title=member_archive_title(name=member.display_name, year=year),
                    member_id=member.pk,
                    name=member.display_name,
                    position=member.position,
                    role_label=role_labels.get(member.role, member.role),
                    lines=tuple(lines),
                    attended=attended,
                    recorded=recorded,
                    attendance_rule=group.rule_attendance_rate,
                    attendance_met=met,
                    attendance_state=(
                        None
                        if met is None
                        else rule_state(done=int(met), required=1, period_start=first,
                                        period_end=last, today=today, kept_throughout=True)
                    ),
                    essays=tuple(essays_of.get(member.pk, ())),
                    essays_counted=done,
                    essays_required=required,
                    essay_state=rule_state(done=done, required=required, period_start=first,
                                           period_end=last, today=today),
                )
            )
        return archives


def member_archive(*, member: Member, year: int, today: dt.date | None = None) -> MemberArchive:
    """One member's 学习档案 for the year (member_archives for one)."""
    return member_archives(group=member.group, year=year, members=[member], today=today)[0]


def archive_member_get(*, viewer: Member, member_id: int) -> Member:
    """The member whose archive viewer may read: their own; any of the group's for the
    secretary and leaders (can_manage_records). 404 for anyone else, as another member's essay
    is (sessions_app.selectors.essays)."""
    if member_id != viewer.pk and not viewer.can_manage_records:
        raise Http404("No such member")
    found = Member.objects.filter(group_id=viewer.group_id, pk=member_id).select_related(
        "group"
    ).first()
    if found is None:
        raise Http404("No such member")
    return found


def archive_build_get(*, member: Member, build_id: int) -> ArchiveBuild:
    """A build of the member's group, for the secretary and leaders; 404 for another group's
    or a missing build (the caller's group_view refuses other members with 403)."""
    build = ArchiveBuild.objects.filter(group_id=member.group_id, pk=build_id).first()
    if build is None:
        raise Http404("No such archive")
    return build


def archive_builds_recent(*, group_id: int, year: int, limit: int = 5) -> list[ArchiveBuild]:
    """The group's latest builds of the year, newest first, with who asked (one query)."""
    return list(
        ArchiveBuild.objects.filter(group_id=group_id, year=year)
        .select_related("requested_by")
        .order_by("-created_at", "-id")[:limit]
    )
