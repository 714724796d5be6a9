"""Hand-made records for the report tests: small enough to count by hand."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from sessions_app.models import Attendance, Member, PlannedTopic, ReflectionEssay, SessionFormat
from tests.factories import (
    AttendanceFactory,
    MemberFactory,
    PlannedTopicFactory,
    ReflectionEssayFactory,
    StudyPlanFactory,
    StudySessionFactory,
    TermFactory,
)

P, L, LV, A = (
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.LEAVE,
    Attendance.Status.ABSENT,
)


def aware(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@dataclass
class Records:
    members: list[Member]
    sessions: list
    topics: dict


def make_records(*, group, term, secretary, leader, member) -> Records:
    """4 members, 3 sessions (topic study, seminar, expert lecture), 9 of 12 attended (75.0%),
    3 reflection essays and 1 research report in the term, a plan of 3 study topics (2 covered)
    and 2 research topics (1 done); the expert lecture asked for essays by 30 May and got none.
    Not of the term: 钱前任, who left on its first day, and an essay for a session of the term
    before."""
    zhao = MemberFactory(group=group, display_name="赵成员", position="副县长")
    # Out from his leaving day: on no day of the term in the group, so in none of its tables.
    MemberFactory(group=group, display_name="钱前任", left_on=term.start_date)
    members = [secretary, leader, member, zhao]
    plan = StudyPlanFactory(group=group, term=term)
    t1 = PlannedTopicFactory(plan=plan, title="专题一", planned_month=3)
    t2 = PlannedTopicFactory(plan=plan, title="专题二", planned_month=4)
    t3 = PlannedTopicFactory(plan=plan, title="专题三", planned_month=6)
    r1 = PlannedTopicFactory(
        plan=plan, kind=PlannedTopic.Kind.RESEARCH, title="课题一", completed_on=dt.date(2020, 6, 1)
    )
    r2 = PlannedTopicFactory(plan=plan, kind=PlannedTopic.Kind.RESEARCH, title="课题二")
    r2.assignees.set([leader, member])

    s1 = StudySessionFactory(
        group=group,
        term=term,
        date=dt.date(2020, 3, 10),
        planned_topic=t1,
        host=leader,
        format=SessionFormat.TOPIC_STUDY,
        topic="学习一",
    )
    s2 = StudySessionFactory(
        group=group,
        term=term,
        date=dt.date(2020, 4, 15),
        planned_topic=t2,
        format=SessionFormat.SEMINAR,
        topic="研讨二",
    )
    s3 = StudySessionFactory(
        group=group,
        term=term,
        date=dt.date(2020, 5, 20),
        format=SessionFormat.EXPERT_LECTURE,
        topic="辅导三",
        essay_due_on=dt.date(2020, 5, 30),
    )
    for m, status in zip(members, [P, P, P, P], strict=True):
        AttendanceFactory(session=s1, member=m, status=status)
    for m, status in zip(members, [P, L, LV, A], strict=True):
        extra = {"leave_reason": "出差", "makeup_on": dt.date(2020, 4, 20)} if status == LV else {}
        AttendanceFactory(session=s2, member=m, status=status, **extra)
    for m, status in zip(members, [P, P, A, P], strict=True):
        AttendanceFactory(session=s3, member=m, status=status)

    ReflectionEssayFactory(group=group, author=member, session=s1)
    ReflectionEssayFactory(group=group, author=secretary, session=s1)
    ReflectionEssayFactory(group=group, author=leader, session=s2)
    ReflectionEssayFactory(
        group=group,
        author=leader,
        kind=ReflectionEssay.Kind.RESEARCH_REPORT,
        planned_topic=r1,
        submitted_at=aware(2020, 4, 1, 9),
    )
    # Not counted: returned, outside the term, another group's.
    ReflectionEssayFactory(
        group=group,
        author=zhao,
        session=s2,
        status=ReflectionEssay.Status.RETURNED,
        review_comment="请补充",
    )
    earlier = StudySessionFactory(
        group=group,
        term=TermFactory(group=group, year=term.year - 1, half=2),
        date=dt.date(term.year - 1, 11, 5),
        topic="上学期",
    )
    ReflectionEssayFactory(
        group=group, author=zhao, session=earlier, submitted_at=aware(term.year - 1, 11, 9, 9)
    )
    ReflectionEssayFactory()
    return Records(
        members=members, sessions=[s1, s2, s3], topics={"t1": t1, "t2": t2, "t3": t3, "r1": r1}
    )


def approved_next_plan(*, group, leader):
    """An approved 2020 H2 plan with one topic in July and a research topic."""
    h2 = TermFactory(group=group, year=2020, half=2)
    plan = StudyPlanFactory(
        group=group,
        term=h2,
        status="approved",
        approved_at=aware(2020, 6, 25, 9),
        approved_by=leader,
    )
    PlannedTopicFactory(plan=plan, title="七月专题", planned_month=7, lead_speaker="李书记")
    research = PlannedTopicFactory(
        plan=plan, kind=PlannedTopic.Kind.RESEARCH, title="下半年课题", planned_month=None
    )
    research.assignees.set([leader])
    return plan


def bulk_records(group, term, *, members: int, sessions: int) -> None:
    """Members x sessions, attendance for all, an essay per session, plans this term and next."""
    people = [MemberFactory(group=group) for _ in range(members)]
    plan = StudyPlanFactory(group=group, term=term)
    topics = [PlannedTopicFactory(plan=plan, planned_month=1 + i % 6) for i in range(sessions // 2)]
    research = PlannedTopicFactory(plan=plan, kind="research")
    research.assignees.set(people[:3])
    approved_next_plan(group=group, leader=people[0])
    rows = []
    for i in range(sessions):
        session = StudySessionFactory(
            group=group,
            term=term,
            date=dt.date(2020, 1 + i % 6, 1 + i % 28),
            planned_topic=topics[i // 2] if i % 2 == 0 else None,
            host=people[i % members],
            format=list(SessionFormat.values)[i % 3],
        )
        rows += [
            Attendance(session=session, member=m, status=Attendance.Status.values[j % 4])
            for j, m in enumerate(people)
        ]
        ReflectionEssayFactory(
            group=group,
            author=people[i % members],
            session=session,
            submitted_at=aware(2020, 6, 1, 9),
        )
    Attendance.objects.bulk_create(rows)
