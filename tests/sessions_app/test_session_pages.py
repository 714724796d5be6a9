"""The session form's planned topics (what the page's script fills in, the warning for another
term's topic) and the session page's essays and attendance."""

import json
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from sessions_app.models import StudySession
from tests.factories import PlannedTopicFactory, StudyPlanFactory, TermFactory
from tests.sessions_app.test_sessions import session_post_data


def url(name, group, *args):
    return reverse(f"sessions_app:{name}", args=[group.slug, *args])


@pytest.fixture
def topics(group, term):
    """A topic of this term's plan (2020 H1) and one of next term's (2020 H2)."""
    this = PlannedTopicFactory(
        plan=StudyPlanFactory(group=group, term=term),
        title="学习《民法典》",
        format="expert_lecture",
        lead_speaker="李书记",
    )
    nxt = PlannedTopicFactory(
        plan=StudyPlanFactory(group=group, term=TermFactory(group=group, year=2020, half=2)),
        title="学习五中全会精神",
        format="seminar",
        lead_speaker="赵副书记",
    )
    return this, nxt


def planned_topics_json(html: str) -> dict:
    match = re.search(
        r'<script id="planned-topics" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "the page carries no planned-topic data for its script"
    return json.loads(match.group(1))


def test_new_session_page_carries_each_planned_topics_fill_in_for_the_script(
    client_for, secretary, group, topics
):
    this, nxt = topics
    html = client_for(secretary).get(url("session_create", group)).content.decode()
    data = planned_topics_json(html)
    assert data[str(this.pk)] == {
        "title": "学习《民法典》",
        "format": "expert_lecture",
        "lead_speaker": "李书记",
        "term_start": "2020-01-01",
        "term_end": "2020-06-30",
        "other_term": "该专题属于2020年上半年学习计划，本次学习活动的日期不在该半年内。",
    }
    assert data[str(nxt.pk)]["term_start"] == "2020-07-01"
    assert "js/session-form.js" in html
    assert "data-session-form" in html


@pytest.mark.parametrize("page", ["session_create", "essay_create"])
def test_the_empty_planned_topic_choice_says_no_planned_topic(
    client_for, secretary, group, topics, page
):
    html = client_for(secretary).get(url(page, group)).content.decode()
    assert '<option value="" selected>（不对应计划专题）</option>' in html
    assert "---------" not in html


def test_empty_choice_in_english(client_for, secretary, group, topics, settings, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client_for(secretary).get(url("session_create", group)).content.decode()
    assert '<option value="" selected>(no planned topic)</option>' in html


def test_a_topic_of_another_term_is_saved_with_a_warning(
    client_for, secretary, group, term, topics
):
    _, nxt = topics
    data = session_post_data([secretary], planned_topic=nxt.pk, date="2020-03-15")
    response = client_for(secretary).post(url("session_create", group), data)
    session = StudySession.objects.get()
    assert response["Location"] == url("session_detail", group, session.pk)
    assert session.planned_topic == nxt
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings == [
        "计划专题“学习五中全会精神”属于2020年下半年学习计划，"
        "而2020年3月15日的学习活动属于2020年上半年。请核对日期和专题。"
    ]


def test_a_topic_of_the_sessions_term_gets_no_warning(client_for, secretary, group, topics):
    this, _ = topics
    data = session_post_data([secretary], planned_topic=this.pk, date="2020-03-15")
    response = client_for(secretary).post(url("session_create", group), data)
    assert StudySession.objects.get().planned_topic == this
    assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
