"""Reading study plans (学习计划): the group's plans, one plan with its topics by month."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from sessions_app.models import Member, PlannedTopic, StudyPlan, Term
from sessions_app.services.terms import half_after, half_dates, half_of


def month_label(month: int) -> str:
    """A month's name in the interface language: 'Month 7' in English, '7月' in Chinese."""
    return _("Month %(month)d") % {"month": month}


@dataclass(frozen=True)
class PlanRow:
    plan: StudyPlan
    study_count: int
    research_count: int
    research_done: int
    is_next_term: bool


@dataclass(frozen=True)
class PlansOverview:
    rows: list[PlanRow]
    # Terms (saved or not) a manager may start a plan for: next term first, then this term.
    startable: list[Term]
    next_term: Term


def _unsaved_term(group_id: int, year: int, half: int) -> Term:
    start, end = half_dates(year, half)
    return Term(group_id=group_id, year=year, half=half, start_date=start, end_date=end)


def plans_overview(*, group_id: int, today: dt.date) -> PlansOverview:
    """The group's plans, next term's first, then this term's, then the rest newest first.

    Also which of next term and this term have no plan yet. Two queries whatever the count.
    """
    this_half = half_of(today)
    next_half = half_after(*this_half)
    plans = list(
        StudyPlan.objects.filter(group_id=group_id)
        .select_related("term", "approved_by")
        .annotate(
            study_count=Count("topics", filter=Q(topics__kind=PlannedTopic.Kind.STUDY)),
            research_count=Count("topics", filter=Q(topics__kind=PlannedTopic.Kind.RESEARCH)),
            research_done=Count(
                "topics",
                filter=Q(
                    topics__kind=PlannedTopic.Kind.RESEARCH, topics__completed_on__isnull=False
                ),
            ),
        )
    )

    def rank(plan: StudyPlan) -> tuple[int, int, int]:
        key = (plan.term.year, plan.term.half)
        first = 0 if key == next_half else 1 if key == this_half else 2
        return first, -plan.term.year, -plan.term.half

    plans.sort(key=rank)
    rows = [
        PlanRow(
            plan=p,
            study_count=p.study_count,
            research_count=p.research_count,
            research_done=p.research_done,
            is_next_term=(p.term.year, p.term.half) == next_half,
        )
        for p in plans
    ]
    planned = {(p.term.year, p.term.half) for p in plans}
    existing = {
        (t.year, t.half): t
        for t in Term.objects.filter(
            group_id=group_id,
            year__in={next_half[0], this_half[0]},
        )
    }
    wanted = [next_half, this_half]
    startable = [
        existing.get(key) or _unsaved_term(group_id, *key) for key in wanted if key not in planned
    ]
    next_term = existing.get(next_half) or _unsaved_term(group_id, *next_half)
    return PlansOverview(rows=rows, startable=startable, next_term=next_term)


def plan_startable_halves(*, today: dt.date) -> list[tuple[int, int]]:
    """The half-years a plan may be started for from the plans page: next term and this term."""
    this_half = half_of(today)
    return [half_after(*this_half), this_half]


def plan_get(*, group_id: int, term: Term) -> StudyPlan:
    """The group's plan for the term, with its term and approver; 404 when there is none."""
    plan = (
        StudyPlan.objects.filter(group_id=group_id, term=term)
        .select_related("group", "term", "approved_by")
        .first()
    )
    if plan is None:
        raise Http404("No such plan")
    return plan


@dataclass(frozen=True)
class MonthTopics:
    month: int | None
    label: str
    topics: list[PlannedTopic]


@dataclass(frozen=True)
class PlanDetail:
    plan: StudyPlan
    months: list[MonthTopics]
    research: list[PlannedTopic] = field(default_factory=list)

    @property
    def study_count(self) -> int:
        return sum(len(m.topics) for m in self.months)

    @property
    def is_empty(self) -> bool:
        return not self.months and not self.research


def plan_detail(*, plan: StudyPlan) -> PlanDetail:
    """The plan's study topics grouped by month (topics with no month last) and its research
    topics with their assignees, fully loaded: two queries whatever the number of topics."""
    topics = list(
        PlannedTopic.objects.filter(plan=plan)
        .prefetch_related(
            Prefetch("assignees", queryset=Member.objects.order_by("sort_order", "id"))
        )
        .order_by("kind", "planned_month", "sort_order", "id")
    )
    by_month: dict[int | None, list[PlannedTopic]] = {}
    research = []
    for topic in topics:
        if topic.kind == PlannedTopic.Kind.RESEARCH:
            research.append(topic)
        else:
            by_month.setdefault(topic.planned_month, []).append(topic)
    months = [
        MonthTopics(
            month=month,
            label=month_label(month) if month is not None else _("Month not yet set"),
            topics=by_month[month],
        )
        for month in sorted(by_month, key=lambda m: (m is None, m or 0))
    ]
    research.sort(key=lambda t: (t.due_date is None, t.due_date or dt.date.min, t.sort_order))
    return PlanDetail(plan=plan, months=months, research=research)


def planned_topic_get(*, plan: StudyPlan, topic_id: int) -> PlannedTopic:
    """A topic of the plan (with the plan loaded); 404 for another plan's topic."""
    topic = PlannedTopic.objects.filter(plan=plan, pk=topic_id).first()
    if topic is None:
        raise Http404("No such topic")
    topic.plan = plan
    return topic


def plan_assignable_members(*, plan: StudyPlan) -> QuerySet[Member]:
    """Members who may be assigned research topics: those in the group on any day of the term."""
    term = plan.term
    return (
        Member.objects.filter(group_id=plan.group_id)
        .in_group_during(term.start_date, term.end_date)
        .in_rank_order()
    )


def plans_awaiting_approval(*, group_id: int) -> list[StudyPlan]:
    """Drafted plans with at least one topic: what a leader has to approve."""
    return list(
        StudyPlan.objects.filter(group_id=group_id, status=StudyPlan.Status.DRAFT)
        .filter(topics__isnull=False)
        .distinct()
        .select_related("term")
        .order_by("term__start_date")
    )
