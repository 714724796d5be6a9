"""The essay form as a member meets it: localized session dates, a limit on typed text that
answers with a message (even for a huge paste), titles without bidi tricks, and an honest page
when there is nothing yet to write an essay for."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from sessions_app.forms.essays import ESSAY_BODY_MAX_CHARACTERS
from sessions_app.forms.text import strip_bidi_controls
from sessions_app.models import ReflectionEssay
from tests.factories import PlannedTopicFactory, StudyPlanFactory, StudySessionFactory


@pytest.fixture
def session(group, term):
    return StudySessionFactory(group=group, term=term, date=dt.date(2020, 6, 24), topic="加强学习")


def create_url(group) -> str:
    return reverse("sessions_app:essay_create", args=[group.slug])


def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def post_essay(client, group, session, **data):
    payload = {"title": "学习心得", "kind": "reflection", "session": session.pk, "body": "文字"}
    payload.update(data)
    return client.post(create_url(group), payload)


def test_session_choices_show_the_localized_date_not_iso(client_for, member, group, session):
    page = client_for(member).get(create_url(group)).content.decode()
    assert "2020-06-24" not in page
    with translation.override("zh-hans"):
        assert f"{date_format(session.date)} 加强学习" in page
    assert "2020年6月24日 加强学习" in page


def test_session_choices_follow_the_users_language(client_for, member, group, session, settings):
    page = english(client_for(member), settings).get(create_url(group)).content.decode()
    assert "June 24, 2020 加强学习" in page


def test_typed_text_over_the_limit_is_an_error_next_to_the_text(client_for, member, group, session):
    response = post_essay(
        client_for(member), group, session, body="学" * (ESSAY_BODY_MAX_CHARACTERS + 1)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["body"]
    assert [e.code for e in errors] == ["max_length"]
    assert not ReflectionEssay.objects.exists()


def test_typed_text_at_the_limit_is_accepted(client_for, member, group, session):
    response = post_essay(client_for(member), group, session, body="学" * ESSAY_BODY_MAX_CHARACTERS)
    assert response.status_code == 302
    assert ReflectionEssay.objects.get().char_count == ESSAY_BODY_MAX_CHARACTERS


def test_a_million_character_paste_gets_a_form_error_not_a_bare_400(
    client_for, member, group, session, settings
):
    client = english(client_for(member), settings)
    response = post_essay(client, group, session, body="学" * 1_000_000)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The text is 1000000 characters long; the limit is 50000." in page
    assert not ReflectionEssay.objects.exists()


def test_the_text_box_has_no_maxlength_that_would_cut_a_paste_silently(
    client_for, member, group, session
):
    page = client_for(member).get(create_url(group)).content.decode()
    assert 'name="body"' in page
    assert 'maxlength="50000"' not in page


def test_bidi_control_characters_are_removed_from_the_title(client_for, member, group, session):
    title = "\u202e学习\u2066心得\u2069\u202c"
    response = post_essay(client_for(member), group, session, title=title)
    assert response.status_code == 302
    assert ReflectionEssay.objects.get().title == "学习心得"


def test_a_title_of_only_bidi_characters_is_missing(client_for, member, group, session):
    response = post_essay(client_for(member), group, session, title="\u202e\u2067 ")
    assert [e.code for e in response.context["form"].errors.as_data()["title"]] == ["required"]
    assert not ReflectionEssay.objects.exists()


def test_strip_bidi_controls_keeps_everything_else():
    assert strip_bidi_controls(
        "a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069"
    ) == ("abcdefghi")
    assert strip_bidi_controls("学习\u200b 心得") == "学习\u200b 心得"


def test_member_with_nothing_to_write_for_is_told_to_wait(client_for, member, group, settings):
    response = english(client_for(member), settings).get(create_url(group))
    page = response.content.decode()
    assert response.status_code == 200
    assert "no session has been held and the study plan has no topics" in page
    assert "Wait until the secretary has logged a session" in page
    assert 'name="title"' not in page


def test_secretary_with_nothing_to_write_for_is_sent_to_log_a_session(
    client_for, secretary, group, settings
):
    page = english(client_for(secretary), settings).get(create_url(group)).content.decode()
    assert reverse("sessions_app:session_create", args=[group.slug]) in page
    assert 'name="title"' not in page


def test_a_planned_topic_is_enough_to_show_the_form(client_for, member, group):
    PlannedTopicFactory(plan=StudyPlanFactory(group=group), title="乡村振兴调研")
    page = client_for(member).get(create_url(group)).content.decode()
    assert 'name="title"' in page
    assert "乡村振兴调研" in page
