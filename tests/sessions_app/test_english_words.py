"""In English every count agrees with its number ("1 session held", "2 sessions held"), and a
role or format name that starts a label starts with a capital; Chinese is unaffected
(issue 11, items 3 and 5)."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from sessions_app.models import PlannedTopic
from tests.factories import (
    AttendanceFactory,
    PlannedTopicFactory,
    StudyPlanFactory,
    StudySessionFactory,
)


@pytest.fixture(autouse=True)
def in_may_2020():
    with time_machine.travel(dt.datetime(2020, 5, 20, 12, 0), tick=False):
        yield


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(name, group, *args):
    return reverse(f"sessions_app:{name}", args=[group.slug, *args])


def text(response) -> str:
    """The page's text with tags removed and white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_dashboard_counts_one_and_two_sessions_and_capitalises_formats(
    english, client_for, group, term, secretary
):
    StudySessionFactory(group=group, term=term, date=dt.date(2020, 2, 10), format="seminar")
    StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 10), format="topic_study")
    StudySessionFactory(group=group, term=term, date=dt.date(2020, 4, 10), format="topic_study")
    page = text(client_for(secretary).get(url("dashboard", group)))
    assert "Quarter 1 of 2020: 2 sessions held (rule: at least 1)." in page
    assert "Quarter 2 of 2020: 1 session held (rule: at least 1)." in page
    assert "Topic study 2 · Seminar 1" in page
    assert "Secretary" in page  # the role beside the name in the menu bar


def test_the_chinese_dashboard_names_the_format_not_the_umbrella(
    client_for, group, term, secretary
):
    StudySessionFactory(group=group, term=term, date=dt.date(2020, 2, 10), format="topic_study")
    StudySessionFactory(group=group, term=term, date=dt.date(2020, 4, 10), format="seminar")
    page = text(client_for(secretary).get(url("dashboard", group)))
    assert "专题学习 1" in page and "专题研讨 1" in page
    assert "集中学习 1" not in page
    assert "2020年第2季度：开展集中学习1次（要求不少于1次）。" in page


def test_my_record_counts_one_session_and_two(english, client_for, group, term, member):
    first = StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 10))
    AttendanceFactory(session=first, member=member, status="present")
    client = client_for(member)
    assert "(1 of 1 session attended)" in text(client.get(url("my_record", group)))
    second = StudySessionFactory(group=group, term=term, date=dt.date(2020, 4, 10))
    AttendanceFactory(session=second, member=member, status="absent")
    assert "(1 of 2 sessions attended)" in text(client.get(url("my_record", group)))


def test_saving_a_session_counts_its_members(english, client_for, group, term, secretary, member):
    client = client_for(secretary)
    data = {
        "date": "2020-03-15",
        "format": "topic_study",
        "topic": "学习专题",
        f"m{secretary.pk}-status": "present",
        f"m{member.pk}-status": "present",
    }
    response = client.post(url("session_create", group), data, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Session “学习专题” on March 15, 2020 saved with attendance for 2 members."]
    session = response.context["session"]
    page = text(client.get(url("session_delete", group, session.pk)))
    assert "with its attendance for 2 members" in page
    session.attendances.filter(member=member).delete()
    page = text(client.get(url("session_delete", group, session.pk)))
    assert "with its attendance for 1 member and its materials" in page


def test_format_names_start_with_a_capital_in_lists_details_and_choices(
    english, client_for, group, term, secretary
):
    session = StudySessionFactory(group=group, term=term, format="expert_lecture")
    client = client_for(secretary)
    assert "Expert lecture" in text(client.get(url("session_list", group)))
    assert "Expert lecture" in text(client.get(url("session_detail", group, session.pk)))
    form = client.get(url("session_edit", group, session.pk)).content.decode()
    assert '<option value="topic_study">Topic study</option>' in form
    assert '<option value="expert_lecture" selected>Expert lecture</option>' in form


def test_the_plan_to_approve_counts_one_topic_and_two(
    english, client_for, group, leader, secretary
):
    plan = StudyPlanFactory(group=group)
    PlannedTopicFactory(plan=plan)
    PlannedTopicFactory(plan=plan, kind=PlannedTopic.Kind.RESEARCH, planned_month=None, format="")
    PlannedTopicFactory(plan=plan, kind=PlannedTopic.Kind.RESEARCH, planned_month=None, format="")
    page = text(client_for(leader).get(url("plan_approve", group, "2020H2")))
    assert "The plan has 1 study topic and 2 research topics." in page
    assert "Seminar" in text(client_for(leader).get(url("plan_detail", group, "2020H2")))
    form = client_for(secretary).get(url("plan_edit", group, "2020H2")).content.decode()
    assert '<option value="seminar" selected>Seminar</option>' in form
