"""Access ends at once (issue 4, item 13): a member removed from the group (left_on set, or the
Member row deleted) is refused on their very next request, still logged in, with the group's
404; a deactivated user is sent to log in. Nothing they post is written.

Only a membership that no record names can be deleted (sessions_app.models, "People are kept"),
so the deleted row is a secretary's added that day, who has written nothing yet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import Member, StudySession
from tests.factories import MemberFactory
from tests.security._access_world import World, session_form


def group_urls(w: World) -> list[str]:
    """A page, a record, an uploaded file and a PDF of the group: what a removed member might
    still have open or bookmarked."""
    slug, mine = w.group.slug, w.mine
    return [
        reverse("sessions_app:dashboard", args=[slug]),
        reverse("sessions_app:session_detail", args=[slug, mine.session.pk]),
        reverse("sessions_app:essay_file", args=[slug, mine.essay.pk]),
        reverse(
            "reports:pdf_download",
            args=[slug, mine.term.code, "summary", mine.report_file.pk],
        ),
    ]


def leave_group(m: Member) -> None:
    m.left_on = timezone.localdate()
    m.save()


def delete_membership(m: Member) -> None:
    m.delete()


def deactivate_user(m: Member) -> None:
    m.user.is_active = False
    m.user.save()


REMOVALS = [
    pytest.param(leave_group, id="left_on-set"),
    pytest.param(delete_membership, id="member-row-deleted"),
]


@pytest.fixture
def removable(world, secretary, remove) -> Member:
    """The world's secretary, who has records, for a leaving date; for a deleted row, a second
    secretary whom no record names yet."""
    if remove is delete_membership:
        return MemberFactory(group=world.group, role=Member.Role.SECRETARY, display_name="新秘书")
    return secretary


@pytest.mark.parametrize("remove", REMOVALS)
def test_removed_member_is_refused_on_the_next_request_without_being_logged_out(
    client_for, world, removable, remove
):
    client = client_for(removable)
    urls = group_urls(world)
    assert [client.get(u).status_code for u in urls] == [200] * len(urls)

    remove(removable)

    for u in urls:
        response = client.get(u)
        assert response.status_code == 404, u
    # Still logged in: the refusal is the group's, not the login's.
    assert client.session["_auth_user_id"] == str(removable.user.pk)
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("remove", REMOVALS)
def test_removed_secretary_can_no_longer_record_a_session(client_for, world, removable, remove):
    client = client_for(removable)
    url = reverse("sessions_app:session_create", args=[world.group.slug])
    assert client.get(url).status_code == 200
    before = StudySession.objects.count()

    remove(removable)
    response = client.post(url, session_form(world))

    assert response.status_code == 404
    assert StudySession.objects.count() == before


def test_deactivated_user_is_sent_to_log_in_on_the_next_request(client_for, world, secretary):
    client = client_for(secretary)
    urls = group_urls(world)
    assert client.get(urls[0]).status_code == 200

    deactivate_user(secretary)

    for u in urls:
        response = client.get(u)
        assert response.status_code == 302, u
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_deactivated_secretary_can_no_longer_record_a_session(client_for, world, secretary):
    client = client_for(secretary)
    url = reverse("sessions_app:session_create", args=[world.group.slug])
    assert client.get(url).status_code == 200
    before = StudySession.objects.count()

    deactivate_user(secretary)
    response = client.post(url, session_form(world))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert StudySession.objects.count() == before


def test_member_who_left_on_a_past_day_is_refused(client_for, world, member):
    client = client_for(member)
    assert client.get(group_urls(world)[0]).status_code == 200

    member.left_on = timezone.localdate() - dt.timedelta(days=30)
    member.save()

    assert client.get(group_urls(world)[0]).status_code == 404


def test_a_leaving_date_recorded_ahead_keeps_the_member_in_until_that_day(
    client_for, world, member, time_machine
):
    time_machine.move_to(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC), tick=False)
    client = client_for(member)
    member.left_on = dt.date(2026, 6, 30)
    member.save()

    assert client.get(group_urls(world)[0]).status_code == 200

    time_machine.move_to(dt.datetime(2026, 6, 30, 9, tzinfo=dt.UTC), tick=False)
    client = client_for(member)  # a new login: the old session has long timed out
    assert client.get(group_urls(world)[0]).status_code == 404


def test_secretary_demoted_to_member_loses_the_secretarys_pages_at_once(
    client_for, world, secretary
):
    client = client_for(secretary)
    url = reverse("sessions_app:session_create", args=[world.group.slug])
    assert client.get(url).status_code == 200

    secretary.role = Member.Role.MEMBER
    secretary.save()

    assert client.get(url).status_code == 403
    assert client.get(reverse("sessions_app:dashboard", args=[world.group.slug])).status_code == 200


def test_leaving_one_group_keeps_the_other(client_for, world, secretary, other_group):
    MemberFactory(group=other_group, user=secretary.user)
    client = client_for(secretary)

    leave_group(secretary)

    assert client.get(reverse("sessions_app:dashboard", args=[world.group.slug])).status_code == 404
    assert client.get(reverse("sessions_app:dashboard", args=[other_group.slug])).status_code == 200
