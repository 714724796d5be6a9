"""No lost edits: two people open the same record; the first save wins, the second is refused
with who saved and when, keeps what was typed, and shows the differences."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import ReportNarrative
from sessions_app.models import ReflectionEssay, StudySession
from tests.factories import PlannedTopicFactory, ReflectionEssayFactory, StudyPlanFactory
from tests.reports.test_views import form_data as narrative_form_data
from tests.sessions_app.test_plans_views import plan_data
from tests.sessions_app.test_sessions import session_post_data


def _client(member):
    client = Client()
    client.force_login(member.user)
    return client


def _version(page) -> str:
    """The version the opened form carries, as a browser would post it back."""
    return re.search(r'name="record_version" value="([^"]*)"', page.content.decode()).group(1)


def _refused(response, first_name, typed):
    assert response.status_code == 409
    text = response.content.decode()
    assert first_name in text  # who saved it
    assert typed in text  # what the second person typed is still there
    assert "stale-differences" in text
    return text


@pytest.fixture
def session(client_for, group, term, secretary, leader):
    url = reverse("sessions_app:session_create", args=[group.slug])
    assert (
        client_for(secretary).post(url, session_post_data([secretary, leader])).status_code == 302
    )
    return StudySession.objects.get()


def test_second_session_save_is_refused_and_nothing_is_overwritten(
    group, session, secretary, leader
):
    url = reverse("sessions_app:session_edit", args=[group.slug, session.pk])
    first, second = _client(secretary), _client(leader)
    first_version, second_version = _version(first.get(url)), _version(second.get(url))
    assert first_version == second_version
    saved = first.post(
        url,
        session_post_data(
            [secretary, leader], minutes="秘书写的记录", record_version=first_version
        ),
    )
    assert saved.status_code == 302
    refused = second.post(
        url,
        session_post_data(
            [secretary, leader], minutes="组长写的记录", record_version=second_version
        ),
    )
    text = _refused(refused, "王秘书", "组长写的记录")
    assert "秘书写的记录" in text  # the saved value, beside the typed one
    session.refresh_from_db()
    assert session.minutes == "秘书写的记录"
    # Having seen the differences, saving again is deliberate and goes through.
    again = second.post(
        url,
        session_post_data(
            [secretary, leader], minutes="组长写的记录", record_version=_version(refused)
        ),
    )
    assert again.status_code == 302
    session.refresh_from_db()
    assert session.minutes == "组长写的记录"


def test_second_essay_review_is_refused(group, secretary, leader, member):
    essay = ReflectionEssayFactory(group=group, author=member)
    url = reverse("sessions_app:essay_review", args=[group.slug, essay.pk])
    first, second = _client(secretary), _client(leader)
    v1, v2 = _version(first.get(url)), _version(second.get(url))
    assert first.post(url, {"status": "accepted", "record_version": v1}).status_code == 302
    refused = second.post(
        url, {"status": "returned", "comment": "请联系实际再写", "record_version": v2}
    )
    _refused(refused, "王秘书", "请联系实际再写")
    essay.refresh_from_db()
    assert essay.status == ReflectionEssay.Status.ACCEPTED and essay.review_comment == ""


def test_second_plan_save_is_refused(group, secretary, leader):
    plan = StudyPlanFactory(group=group)
    PlannedTopicFactory(plan=plan, title="原有专题")
    url = reverse("sessions_app:plan_edit", args=[group.slug, plan.term.code])
    first, second = _client(secretary), _client(leader)
    v1, v2 = _version(first.get(url)), _version(second.get(url))
    topic = plan.topics.get()
    row = {"id": topic.pk, "title": "原有专题", "planned_month": "7", "format": "seminar"}
    assert (
        first.post(
            url, plan_data(study=[row], study_initial=1, notes="秘书的说明", record_version=v1)
        ).status_code
        == 302
    )
    refused = second.post(
        url,
        plan_data(
            study=[{**row, "title": "组长改的专题"}],
            study_initial=1,
            notes="组长的说明",
            record_version=v2,
        ),
    )
    _refused(refused, "王秘书", "组长改的专题")
    plan.refresh_from_db()
    assert plan.notes == "秘书的说明"
    assert plan.topics.get().title == "原有专题"


def test_second_narrative_save_is_refused(group, term, secretary, leader):
    url = reverse("reports:summary_edit", args=[group.slug, term.code])
    first, second = _client(secretary), _client(leader)
    v1, v2 = _version(first.get(url)), _version(second.get(url))
    assert (
        first.post(
            url, narrative_form_data(**{"narrative-problems": "秘书写的问题", "record_version": v1})
        ).status_code
        == 302
    )
    refused = second.post(
        url, narrative_form_data(**{"narrative-problems": "组长写的问题", "record_version": v2})
    )
    _refused(refused, "王秘书", "组长写的问题")
    assert ReportNarrative.objects.get().problems == "秘书写的问题"
