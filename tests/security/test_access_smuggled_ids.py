"""Another group's ids posted in a form are refused next to the field, and nothing is written
(issue 4, item 10). Every form field that takes an id: the session form's host and planned topic,
the attendance sheet's member rows, the essay form's session and topic, the essay list's session
filter, and the plan form's topic rows and research assignees."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sessions_app.models import Attendance, PlannedTopic, ReflectionEssay, StudyPlan, StudySession
from tests.security._access_world import World, essay_form, plan_form, session_form


def url(name: str, w: World, *args) -> str:
    return reverse(name, args=[w.group.slug, *args])


def error_codes(form) -> dict[str, list]:
    """A form's errors by field as codes: what kind of error, not the value the message echoes."""
    return {name: [e.code for e in errors] for name, errors in form.errors.as_data().items()}


def session_rows(w: World) -> list[tuple]:
    return list(
        StudySession.objects.order_by("pk").values_list("pk", "group", "topic", "host",
                                                        "planned_topic")
    )


FOREIGN_SESSION_FIELDS = [
    pytest.param("host", lambda w: w.theirs.session.host_id, id="host"),
    pytest.param("planned_topic", lambda w: w.theirs.study_topic.pk, id="planned_topic"),
]


@pytest.mark.parametrize(("field", "their_id"), FOREIGN_SESSION_FIELDS)
@pytest.mark.parametrize("action", ["session_create", "session_edit"])
def test_session_form_refuses_another_groups_id_and_writes_nothing(
    client_for, world, secretary, field, their_id, action
):
    args = [world.mine.session.pk] if action == "session_edit" else []
    before = session_rows(world), Attendance.objects.count()
    data = session_form(world, topic="带外组编号的专题", **{field: str(their_id(world))})

    response = client_for(secretary).post(url(f"sessions_app:{action}", world, *args), data)
    missing = client_for(secretary).post(
        url(f"sessions_app:{action}", world, *args), {**data, field: "999999"}
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert error_codes(response.context["form"]) == error_codes(missing.context["form"])
    assert (session_rows(world), Attendance.objects.count()) == before


def test_attendance_sheet_ignores_rows_for_another_groups_member(client_for, world, secretary):
    """The sheet's rows are the group's members, never the ids posted: a row naming another
    group's member is not read, so no attendance of theirs is written or changed."""
    stranger = world.theirs.session.host
    theirs_before = list(Attendance.objects.filter(member=stranger).values_list("pk", "status"))
    data = session_form(world, **{f"m{stranger.pk}-status": "absent"})

    response = client_for(secretary).post(url("sessions_app:session_create", world), data)

    assert response.status_code == 302
    session = StudySession.objects.get(group=world.group, topic=data["topic"])
    recorded = set(session.attendances.values_list("member__group", flat=True))
    assert recorded == {world.group.pk}
    assert not Attendance.objects.filter(member=stranger, session=session).exists()
    assert list(Attendance.objects.filter(member=stranger).values_list("pk", "status")) == (
        theirs_before
    )


def test_attendance_sheet_on_edit_ignores_rows_for_another_groups_member(
    client_for, world, secretary
):
    stranger = world.theirs.session.host
    session = world.mine.session
    data = session_form(world, date="2020-03-12", **{f"m{stranger.pk}-status": "absent"})

    response = client_for(secretary).post(url("sessions_app:session_edit", world, session.pk), data)

    assert response.status_code == 302
    assert set(session.attendances.values_list("member__group", flat=True)) == {world.group.pk}
    assert not Attendance.objects.filter(member=stranger, session=session).exists()


FOREIGN_ESSAY_FIELDS = [
    pytest.param({"session": lambda w: w.theirs.session.pk}, "session", id="session"),
    pytest.param(
        {"session": lambda w: "", "planned_topic": lambda w: w.theirs.study_topic.pk},
        "planned_topic",
        id="planned_topic",
    ),
    pytest.param(
        {"session": lambda w: "", "planned_topic": lambda w: w.theirs.research_topic.pk},
        "planned_topic",
        id="research_topic",
    ),
]


def essay_rows() -> list[tuple]:
    return list(
        ReflectionEssay.objects.order_by("pk").values_list(
            "pk", "group", "title", "session", "planned_topic", "status"
        )
    )


@pytest.mark.parametrize(("fields", "error_field"), FOREIGN_ESSAY_FIELDS)
@pytest.mark.parametrize("action", ["essay_create", "essay_edit"])
def test_essay_form_refuses_another_groups_session_or_topic_and_writes_nothing(
    client_for, world, member, fields, error_field, action
):
    args = [world.mine.essay.pk] if action == "essay_edit" else []
    before = essay_rows()
    data = {**essay_form(world), **{name: str(value(world)) for name, value in fields.items()}}

    response = client_for(member).post(url(f"sessions_app:{action}", world, *args), data)
    missing = client_for(member).post(
        url(f"sessions_app:{action}", world, *args), {**data, error_field: "999999"}
    )

    assert response.status_code == 200
    assert error_field in response.context["form"].errors
    assert error_codes(response.context["form"]) == error_codes(missing.context["form"])
    assert essay_rows() == before


def test_essay_list_filter_by_another_groups_session_shows_nothing_of_theirs(
    client_for, world, secretary
):
    response = client_for(secretary).get(
        url("sessions_app:essay_list", world), {"session": world.theirs.session.pk}
    )

    assert response.status_code == 200
    titles = [essay.title for essay in response.context["page"].object_list]
    assert titles == [world.mine.essay.title]
    assert world.theirs.essay.title not in response.content.decode()


def test_essay_form_does_not_offer_another_groups_session_asked_for_in_the_address(
    client_for, world, member
):
    response = client_for(member).get(
        url("sessions_app:essay_create", world), {"session": world.theirs.session.pk}
    )

    assert response.status_code == 200
    assert world.theirs.session.topic not in response.content.decode()


def plan_state(w: World) -> tuple:
    topics = PlannedTopic.objects.order_by("pk").values_list("pk", "plan", "title", "completed_on")
    assignees = PlannedTopic.assignees.through.objects.order_by(
        "plannedtopic", "member"
    ).values_list("plannedtopic", "member")
    plans = StudyPlan.objects.order_by("pk").values_list("pk", "notes", "status")
    return list(topics), list(assignees), list(plans)


def test_plan_form_refuses_another_groups_member_as_assignee(client_for, world, secretary):
    before = plan_state(world)
    data = plan_form(world)
    data["research-0-assignees"] = [str(world.theirs.session.host_id)]

    response = client_for(secretary).post(
        url("sessions_app:plan_edit", world, world.mine.term.code), data
    )
    missing = client_for(secretary).post(
        url("sessions_app:plan_edit", world, world.mine.term.code),
        {**data, "research-0-assignees": ["999999"]},
    )

    assert response.status_code == 200
    form = response.context["forms"].research.forms[0]
    assert "assignees" in form.errors
    assert error_codes(form) == error_codes(missing.context["forms"].research.forms[0])
    assert plan_state(world) == before


@pytest.mark.parametrize(
    ("prefix", "their_topic"),
    [
        pytest.param("study", lambda w: w.theirs.study_topic, id="study"),
        pytest.param("research", lambda w: w.theirs.research_topic, id="research"),
    ],
)
def test_plan_form_refuses_another_groups_topic_id_in_a_row(
    client_for, world, secretary, prefix, their_topic
):
    """A row naming another plan's topic would edit (or, marked removed, delete) that topic."""
    before = plan_state(world)
    data = plan_form(world)
    data[f"{prefix}-0-id"] = str(their_topic(world).pk)
    data[f"{prefix}-0-title"] = "改写外组的专题"

    response = client_for(secretary).post(
        url("sessions_app:plan_edit", world, world.mine.term.code), data
    )

    missing = client_for(secretary).post(
        url("sessions_app:plan_edit", world, world.mine.term.code),
        {**data, f"{prefix}-0-id": "999999"},
    )

    assert response.status_code == 200
    form = getattr(response.context["forms"], prefix).forms[0]
    assert "id" in form.errors
    assert error_codes(form) == error_codes(getattr(missing.context["forms"], prefix).forms[0])
    assert plan_state(world) == before


def test_plan_form_removing_another_groups_topic_removes_nothing(client_for, world, secretary):
    """A row marked removed is not validated (Django's formsets skip it), so its foreign id is
    not an error: the row is dropped, and neither their topic nor ours is touched."""
    topics, assignees, _ = plan_state(world)
    data = plan_form(world)
    data["study-0-id"] = str(world.theirs.study_topic.pk)
    data["study-0-DELETE"] = "on"
    data["confirm_remove"] = "1"

    client_for(secretary).post(url("sessions_app:plan_edit", world, world.mine.term.code), data)

    assert plan_state(world)[:2] == (topics, assignees)
