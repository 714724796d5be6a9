"""Study plan services: terms on demand, starting a plan, saving its topics, approving it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions_app.forms.plans import PlanEditForms
from sessions_app.models import PlannedTopic, StudyPlan, Term
from sessions_app.services.plans import (
    TopicInput,
    plan_approve,
    plan_start,
    plan_topics_save,
    planned_topic_mark_done,
)
from sessions_app.services.terms import term_for_day, term_get_or_create, term_next_for
from tests.factories import MemberFactory, PlannedTopicFactory, StudyPlanFactory

STUDY = PlannedTopic.Kind.STUDY
RESEARCH = PlannedTopic.Kind.RESEARCH


@pytest.fixture
def plan(group):
    """A draft plan for 2020 H2."""
    return StudyPlanFactory(group=group)


# Terms


def test_next_term_after_first_half_is_second_half_of_same_year(group, term, secretary):
    nxt = term_next_for(group=group, term=term, user=secretary.user)

    assert (nxt.code, nxt.start_date, nxt.end_date) == (
        "2020H2",
        dt.date(2020, 7, 1),
        dt.date(2020, 12, 31),
    )
    assert nxt.group == group
    assert nxt.created_by == secretary.user


def test_next_term_after_second_half_is_first_half_of_next_year(group):
    h2 = term_get_or_create(group=group, year=2020, half=2)

    nxt = term_next_for(group=group, term=h2)

    assert (nxt.code, nxt.start_date, nxt.end_date) == (
        "2021H1",
        dt.date(2021, 1, 1),
        dt.date(2021, 6, 30),
    )


def test_next_term_is_reused_when_it_exists(group, term):
    first = term_next_for(group=group, term=term)
    again = term_next_for(group=group, term=term)

    assert first.pk == again.pk
    assert Term.objects.filter(group=group).count() == 2


def test_term_for_day_finds_the_half_containing_it(group, term):
    assert term_for_day(group=group, day=dt.date(2020, 6, 30)).pk == term.pk
    assert term_for_day(group=group, day=dt.date(2020, 7, 1)).code == "2020H2"


def test_terms_of_other_groups_are_separate(group, other_group, term):
    other = term_get_or_create(group=other_group, year=2020, half=1)

    assert other.pk != term.pk


# Starting a plan


def test_plan_start_creates_next_terms_term_and_draft_plan(group, secretary):
    plan, created = plan_start(group=group, year=2020, half=2, user=secretary.user)

    assert created
    assert plan.status == StudyPlan.Status.DRAFT
    assert plan.term.code == "2020H2"
    assert plan.created_by == secretary.user


def test_plan_start_twice_returns_the_same_plan(group, secretary):
    first, _ = plan_start(group=group, year=2020, half=2, user=secretary.user)
    again, created = plan_start(group=group, year=2020, half=2, user=secretary.user)

    assert not created
    assert again.pk == first.pk
    assert StudyPlan.objects.count() == 1


# Saving topics


def test_save_topics_creates_study_and_research_topics_with_assignees(
    plan, secretary, member, leader
):
    result = plan_topics_save(
        plan=plan,
        user=secretary.user,
        notes="围绕中心工作安排学习。",
        topics=[
            TopicInput(
                kind=STUDY,
                title="学习党的十九届五中全会精神",
                planned_month=7,
                format="seminar",
                lead_speaker="李书记",
                readings="全会公报",
            ),
            TopicInput(
                kind=RESEARCH,
                title="乡村振兴调研",
                due_date=dt.date(2020, 11, 30),
                assignees=[member, leader],
            ),
        ],
    )

    assert (result.added, result.changed, result.removed) == (2, 0, 0)
    study = PlannedTopic.objects.get(kind=STUDY)
    assert (study.planned_month, study.format, study.lead_speaker, study.readings) == (
        7,
        "seminar",
        "李书记",
        "全会公报",
    )
    assert study.created_by == secretary.user
    research = PlannedTopic.objects.get(kind=RESEARCH)
    assert set(research.assignees.all()) == {member, leader}
    plan.refresh_from_db()
    assert plan.notes == "围绕中心工作安排学习。"


def test_save_topics_updates_kept_topics_and_removes_the_rest(plan, secretary, member, leader):
    keep = PlannedTopicFactory(plan=plan, title="旧标题", planned_month=7)
    drop = PlannedTopicFactory(plan=plan, title="取消的专题")
    research = PlannedTopicFactory(plan=plan, kind=RESEARCH, title="调研")
    research.assignees.set([member])

    result = plan_topics_save(
        plan=plan,
        user=secretary.user,
        topics=[
            TopicInput(kind=STUDY, id=keep.pk, title="新标题", planned_month=9),
            TopicInput(kind=RESEARCH, id=research.pk, title="调研", assignees=[leader]),
        ],
        removed_ids=[drop.pk],
    )

    assert (result.added, result.changed, result.removed) == (0, 2, 1)
    keep.refresh_from_db()
    assert (keep.title, keep.planned_month, keep.updated_by) == ("新标题", 9, secretary.user)
    assert not PlannedTopic.objects.filter(pk=drop.pk).exists()
    assert list(research.assignees.all()) == [leader]


def test_assignee_from_another_group_is_rejected_by_the_service(plan, secretary, outsider):
    with pytest.raises(ValidationError) as error:
        plan_topics_save(
            plan=plan,
            user=secretary.user,
            topics=[TopicInput(kind=RESEARCH, title="调研", assignees=[outsider])],
        )

    assert "assignees" in error.value.message_dict
    assert not PlannedTopic.objects.exists()


def test_assignee_from_another_group_is_rejected_by_the_form(plan, outsider, member):
    data = {
        "plan-notes": "",
        "study-TOTAL_FORMS": "0",
        "study-INITIAL_FORMS": "0",
        "research-TOTAL_FORMS": "1",
        "research-INITIAL_FORMS": "0",
        "research-0-title": "调研",
        "research-0-assignees": [str(member.pk), str(outsider.pk)],
    }
    forms = PlanEditForms(plan=plan, data=data)

    assert not forms.is_valid()
    assert "assignees" in forms.research.forms[0].errors


def test_month_outside_the_term_is_rejected(plan, secretary):
    with pytest.raises(ValidationError) as error:
        plan_topics_save(
            plan=plan,
            user=secretary.user,
            topics=[TopicInput(kind=STUDY, title="专题", planned_month=3)],
        )

    assert "planned_month" in error.value.message_dict


def test_due_date_before_the_term_is_rejected_but_after_it_is_allowed(plan, secretary):
    with pytest.raises(ValidationError):
        plan_topics_save(
            plan=plan,
            user=secretary.user,
            topics=[TopicInput(kind=RESEARCH, title="调研", due_date=dt.date(2020, 6, 30))],
        )

    plan_topics_save(
        plan=plan,
        user=secretary.user,
        topics=[TopicInput(kind=RESEARCH, title="调研", due_date=dt.date(2021, 3, 31))],
    )
    assert PlannedTopic.objects.get().due_date == dt.date(2021, 3, 31)


def test_topic_of_another_plan_cannot_be_saved_or_removed(plan, secretary, other_group):
    foreign = PlannedTopicFactory(plan=StudyPlanFactory(group=other_group))

    with pytest.raises(ValidationError):
        plan_topics_save(
            plan=plan,
            user=secretary.user,
            topics=[TopicInput(kind=STUDY, id=foreign.pk, title="篡改")],
        )
    with pytest.raises(ValidationError):
        plan_topics_save(plan=plan, user=secretary.user, topics=[], removed_ids=[foreign.pk])

    foreign.refresh_from_db()
    assert foreign.title != "篡改"


def _topics(n: int, members) -> list[TopicInput]:
    topics = []
    for i in range(n):
        if i % 2:
            topics.append(TopicInput(kind=RESEARCH, title=f"调研{i}", assignees=members))
        else:
            topics.append(TopicInput(kind=STUDY, title=f"专题{i}", planned_month=7 + i % 6))
    return topics


@pytest.mark.parametrize("existing", [False, True])
def test_saving_takes_the_same_number_of_queries_for_3_and_20_topics(
    group, secretary, member, leader, existing
):
    counts = []
    for year, n in ((2030, 3), (2031, 20)):
        plan, _ = plan_start(group=group, year=year, half=2, user=secretary.user)
        topics = _topics(n, [member, leader])
        if existing:
            plan_topics_save(plan=plan, user=secretary.user, topics=topics)
            ids = list(
                PlannedTopic.objects.filter(plan=plan)
                .order_by("sort_order")
                .values_list("pk", flat=True)
            )
            for topic, pk in zip(topics, ids, strict=True):
                topic.id = pk
        with CaptureQueriesContext(connection) as ctx:
            plan_topics_save(plan=plan, user=secretary.user, topics=topics)
        counts.append(len(ctx.captured_queries))

    assert counts[0] == counts[1]


# Approving


def test_leader_approves_plan_recording_who_and_when(plan, leader):
    PlannedTopicFactory(plan=plan)

    approved = plan_approve(plan=plan, member=leader)

    assert approved.status == StudyPlan.Status.APPROVED
    assert approved.approved_by == leader
    assert approved.approved_at is not None
    assert approved.updated_by == leader.user


def test_secretary_and_members_cannot_approve(plan, secretary, member):
    PlannedTopicFactory(plan=plan)

    for someone in (secretary, member):
        with pytest.raises(PermissionDenied):
            plan_approve(plan=plan, member=someone)

    plan.refresh_from_db()
    assert not plan.is_approved


def test_deputy_approves_but_leader_of_another_group_cannot(plan, group, other_group):
    PlannedTopicFactory(plan=plan)
    other_leader = MemberFactory(group=other_group, role="leader")
    deputy = MemberFactory(group=group, role="deputy")

    with pytest.raises(PermissionDenied):
        plan_approve(plan=plan, member=other_leader)
    assert plan_approve(plan=plan, member=deputy).approved_by == deputy


def test_plan_without_topics_cannot_be_approved(plan, leader):
    with pytest.raises(ValidationError):
        plan_approve(plan=plan, member=leader)


def test_editing_an_approved_plan_returns_it_to_draft(plan, leader, secretary):
    topic = PlannedTopicFactory(plan=plan)
    plan_approve(plan=plan, member=leader)

    result = plan_topics_save(
        plan=plan,
        user=secretary.user,
        topics=[TopicInput(kind=STUDY, id=topic.pk, title="改过的专题", planned_month=8)],
    )

    assert result.returned_to_draft
    plan.refresh_from_db()
    assert plan.status == StudyPlan.Status.DRAFT
    assert plan.approved_by is None and plan.approved_at is None


# Research done


def test_secretary_marks_research_topic_done_and_plan_stays_approved(plan, leader, secretary):
    topic = PlannedTopicFactory(plan=plan, kind=RESEARCH)
    plan_approve(plan=plan, member=leader)

    planned_topic_mark_done(topic=topic, member=secretary, done_on=dt.date(2020, 10, 8))

    topic.refresh_from_db()
    assert topic.completed_on == dt.date(2020, 10, 8)
    plan.refresh_from_db()
    assert plan.is_approved

    planned_topic_mark_done(topic=topic, member=leader, done_on=None)
    topic.refresh_from_db()
    assert not topic.is_done


def test_member_cannot_mark_research_done(plan, member):
    topic = PlannedTopicFactory(plan=plan, kind=RESEARCH)

    with pytest.raises(PermissionDenied):
        planned_topic_mark_done(topic=topic, member=member, done_on=dt.date(2020, 10, 8))
