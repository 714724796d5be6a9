"""factory-boy factories for every model; one module so tests build records the same way."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from sessions_app.models import (
    Attendance,
    Member,
    PlannedTopic,
    ReflectionEssay,
    SessionFormat,
    StudyGroup,
    StudyPlan,
    StudySession,
    Term,
)

PASSWORD = "test-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or PASSWORD)
        if create:
            user.save(update_fields=["password"])


class StudyGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyGroup

    name = factory.Sequence(lambda n: f"第{n}理论学习中心组")
    organisation = "示例县委"
    slug = factory.Sequence(lambda n: f"group-{n}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    group = factory.SubFactory(StudyGroupFactory)
    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"成员{n}")
    role = Member.Role.MEMBER
    joined_on = dt.date(2019, 1, 1)
    sort_order = factory.Sequence(lambda n: n)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term
        django_get_or_create = ("group", "year", "half")

    group = factory.SubFactory(StudyGroupFactory)
    year = 2020
    half = 1
    start_date = factory.LazyAttribute(lambda t: dt.date(t.year, 1 if t.half == 1 else 7, 1))
    end_date = factory.LazyAttribute(
        lambda t: dt.date(t.year, 6, 30) if t.half == 1 else dt.date(t.year, 12, 31)
    )


class StudySessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudySession

    group = factory.SubFactory(StudyGroupFactory)
    term = factory.LazyAttribute(lambda s: TermFactory(group=s.group))
    date = dt.date(2020, 3, 15)
    start_time = dt.time(9, 0)
    place = "县委常委会议室"
    format = SessionFormat.TOPIC_STUDY
    topic = factory.Sequence(lambda n: f"学习专题{n}")


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(StudySessionFactory)
    member = factory.LazyAttribute(lambda a: MemberFactory(group=a.session.group))
    status = Attendance.Status.PRESENT


class StudyPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyPlan

    group = factory.SubFactory(StudyGroupFactory)
    term = factory.LazyAttribute(lambda p: TermFactory(group=p.group, year=2020, half=2))


class PlannedTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlannedTopic

    plan = factory.SubFactory(StudyPlanFactory)
    kind = PlannedTopic.Kind.STUDY
    title = factory.Sequence(lambda n: f"计划专题{n}")
    planned_month = 7
    format = SessionFormat.SEMINAR


class ReflectionEssayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReflectionEssay

    group = factory.SubFactory(StudyGroupFactory)
    author = factory.LazyAttribute(lambda e: MemberFactory(group=e.group))
    title = factory.Sequence(lambda n: f"学习心得{n}")
    body = "认真学习，深刻领会。"
    word_count = 10
    char_count = 10
    submitted_at = factory.LazyFunction(
        lambda: timezone.make_aware(dt.datetime(2020, 3, 20, 10, 0))
    )
