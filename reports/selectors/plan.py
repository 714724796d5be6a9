"""The study plan of a term as a document: topics by month, formats, speakers, research topics."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import translation

from reports.selectors import wording
from sessions_app.models import Member, PlannedTopic, StudyGroup, StudyPlan, Term


@dataclass(frozen=True)
class PlanTopicRow:
    id: int
    title: str
    planned_month: int | None
    format: str
    format_label: str
    lead_speaker: str
    readings: str


@dataclass(frozen=True)
class PlanMonth:
    month: int | None
    label: str
    topics: tuple[PlanTopicRow, ...]


@dataclass(frozen=True)
class ResearchTopicRow:
    id: int
    title: str
    assignees: tuple[str, ...]
    due_date: dt.date | None
    completed_on: dt.date | None

    @property
    def is_done(self) -> bool:
        return self.completed_on is not None


@dataclass(frozen=True)
class FormatCount:
    format: str
    label: str
    count: int


@dataclass(frozen=True)
class PlanDocument:
    """A term's plan, ready to print. has_plan is False when the term has no plan yet."""

    group_name: str
    language: str
    term_code: str
    term_label: str
    year: int
    half: int
    title: str
    words: wording.DocumentWords
    has_plan: bool
    status: str = ""
    status_label: str = ""
    is_approved: bool = False
    approved_at: dt.datetime | None = None
    approved_by: str = ""
    notes: str = ""
    months: tuple[PlanMonth, ...] = field(default_factory=tuple)
    formats: tuple[FormatCount, ...] = field(default_factory=tuple)
    speakers: tuple[str, ...] = field(default_factory=tuple)
    research: tuple[ResearchTopicRow, ...] = field(default_factory=tuple)

    @property
    def title_lines(self) -> tuple[str, ...]:
        """The title as printed: the group's name on the first line, the rest on the second."""
        return wording.title_lines(title=self.title, group_name=self.group_name)

    @property
    def topics_count(self) -> int:
        return sum(len(m.topics) for m in self.months)

    @property
    def formats_text(self) -> str:
        """下半年学习计划安排专题6个，其中专题学习2个、专题研讨2个…: the parts add up."""
        return wording.plan_formats_sentence(
            language=self.language,
            half=self.half,
            topics_total=self.topics_count,
            formats=[(f.label, f.count) for f in self.formats],
        )


def plan_with_topics(*, term: Term) -> StudyPlan | None:
    """The term's plan with its topics and research assignees loaded (3 queries, or 1 if none)."""
    return (
        StudyPlan.objects.filter(term=term)
        .select_related("approved_by")
        .prefetch_related(
            Prefetch(
                "topics",
                queryset=PlannedTopic.objects.order_by(
                    "kind", "planned_month", "sort_order", "id"
                ).prefetch_related(
                    Prefetch("assignees", queryset=Member.objects.order_by("sort_order", "id"))
                ),
            )
        )
        .first()
    )


def plan_document_from(*, group: StudyGroup, term: Term, plan: StudyPlan | None) -> PlanDocument:
    """Build the document from an already loaded plan (no queries)."""
    language = group.report_language
    with translation.override(language):
        base = {
            "group_name": group.name,
            "language": language,
            "term_code": term.code,
            "term_label": str(term.label),
            "year": term.year,
            "half": term.half,
            "words": wording.document_words(language=language, half=term.half),
            "title": wording.plan_title(
                group_name=group.name, year=term.year, half=term.half, language=language
            ),
        }
        if plan is None:
            return PlanDocument(has_plan=False, **base)
        format_labels = wording.format_labels(language)
        topics = list(plan.topics.all())
        study = [t for t in topics if t.kind == PlannedTopic.Kind.STUDY]
        by_month: dict[int | None, list[PlanTopicRow]] = {}
        for t in sorted(study, key=lambda t: (t.planned_month or 13, t.sort_order, t.id)):
            by_month.setdefault(t.planned_month, []).append(
                PlanTopicRow(
                    id=t.pk,
                    title=t.title,
                    planned_month=t.planned_month,
                    format=t.format,
                    format_label=format_labels.get(t.format, ""),
                    lead_speaker=t.lead_speaker,
                    readings=t.readings,
                )
            )
        counts = Counter(t.format for t in study if t.format)
        speakers: list[str] = []
        for t in study:
            if t.lead_speaker and t.lead_speaker not in speakers:
                speakers.append(t.lead_speaker)
        return PlanDocument(
            has_plan=True,
            status=plan.status,
            status_label=str(plan.get_status_display()),
            is_approved=plan.is_approved,
            approved_at=plan.approved_at,
            approved_by=plan.approved_by.display_name if plan.approved_by else "",
            notes=plan.notes,
            months=tuple(
                PlanMonth(
                    month=month,
                    label=wording.month_label(month, language=language),
                    topics=tuple(rows),
                )
                for month, rows in by_month.items()
            ),
            formats=tuple(
                FormatCount(format=f, label=format_labels.get(f, f), count=n)
                for f, n in counts.most_common()
            ),
            speakers=tuple(speakers),
            research=tuple(
                ResearchTopicRow(
                    id=t.pk,
                    title=t.title,
                    assignees=tuple(m.display_name for m in t.assignees.all()),
                    due_date=t.due_date,
                    completed_on=t.completed_on,
                )
                for t in topics
                if t.kind == PlannedTopic.Kind.RESEARCH
            ),
            **base,
        )


def study_plan_document(*, group: StudyGroup, term: Term) -> PlanDocument:
    """The term's plan as a document, in the group's report language; has_plan False if none.

    At most 3 queries whatever the number of topics. The caller checks who may see a draft.
    """
    if term.group_id != group.pk:
        raise ValueError("The term belongs to another group.")
    return plan_document_from(group=group, term=term, plan=plan_with_topics(term=term))
