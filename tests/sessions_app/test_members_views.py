"""The members page and its forms, through the test client."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from sessions_app.models import Member, StudyGroup
from sessions_app.selectors.sessions import attendance_sheet
from tests.factories import MemberFactory, StudySessionFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(dt.datetime(2020, 5, 20, 10, 0), tick=False)


def url(name, *args):
    return reverse(f"sessions_app:{name}", args=["sample", *args])


def new_member_urls(m):
    return [
        url("member_list"), url("member_create"), url("member_order"), url("member_links"),
        url("member_edit", m.pk), url("member_leave", m.pk), url("member_rejoin", m.pk),
        url("member_link", m.pk),
    ]


def test_a_member_is_refused_and_another_groups_secretary_finds_nothing(
    client_for, member, outsider, leader, secretary
):
    for u in new_member_urls(leader):
        assert client_for(member).get(u).status_code in (403, 405), u
        assert client_for(member).post(u).status_code == 403, u
        assert client_for(outsider).get(u).status_code in (404, 405), u
        assert client_for(outsider).post(u).status_code == 404, u


def test_another_groups_member_in_the_url_is_404(client_for, secretary, outsider):
    for u in new_member_urls(outsider)[4:]:
        assert client_for(secretary).get(u).status_code == 404, u


def test_the_dashboard_links_managers_to_the_members_page(client_for, secretary, member):
    assert url("member_list") in client_for(secretary).get(url("dashboard")).content.decode()
    assert url("member_list") not in client_for(member).get(url("dashboard")).content.decode()


def test_the_members_page_lists_members_in_rank_order_with_their_details(
    client_for, secretary, leader, member
):
    Member.objects.filter(pk=member.pk).update(position="县委常委", sort_order=0)
    body = client_for(secretary).get(url("member_list")).content.decode()
    body = body[body.index("<tbody>"):]
    assert body.index("张成员") < body.index("王秘书")
    assert "县委常委" in body and "组长" in body and "学习秘书" in body


def test_adding_a_member_shows_their_sign_in_link(client_for, secretary):
    response = client_for(secretary).post(url("member_create"), {
        "display_name": "刘新成员", "position": "县委常委", "role": "member",
        "phone": "13800138000", "joined_on": "2020-05-20",
    }, follow=True)

    member = Member.objects.get(display_name="刘新成员")
    assert member.user.username == "13800138000"
    assert response.redirect_chain[-1][0] == url("member_link", member.pk)
    body = response.content.decode()
    assert "刘新成员" in body and "13800138000" in body and "/signin/" in body and "<svg" in body


def test_a_clashing_user_name_is_shown_on_the_form_and_nothing_is_added(client_for, secretary):
    count = Member.objects.count()
    response = client_for(secretary).post(url("member_create"), {
        "display_name": "同名", "role": "member", "username": "Secretary",
        "joined_on": "2020-05-20",
    })
    assert response.status_code == 400
    assert "“Secretary”" in response.content.decode()
    assert Member.objects.count() == count


def test_leaving_asks_first_then_says_it_is_done(client_for, secretary, leader, member):
    client = client_for(secretary)
    page = client.get(url("member_leave", member.pk))
    assert "Yes, record the leaving" in page.content.decode() or "确认" in page.content.decode()
    assert Member.objects.get(pk=member.pk).left_on is None

    done = client.post(url("member_leave", member.pk), {"left_on": "2020-05-20"}, follow=True)

    assert Member.objects.get(pk=member.pk).left_on == dt.date(2020, 5, 20)
    assert list(done.context["messages"])
    # Listed among those who left, with a way back.
    assert url("member_rejoin", member.pk) in done.content.decode()


def test_the_last_secretary_leaving_is_refused_with_the_reason(client_for, secretary, leader):
    response = client_for(leader).post(
        url("member_leave", secretary.pk), {"left_on": "2020-05-20"}
    )
    assert response.status_code == 400
    assert "学习秘书" in response.content.decode()
    assert Member.objects.get(pk=secretary.pk).left_on is None


def test_rejoining_takes_a_member_back(client_for, secretary, leader, member):
    Member.objects.filter(pk=member.pk).update(left_on=dt.date(2020, 4, 1))
    response = client_for(secretary).post(url("member_rejoin", member.pk), follow=True)
    assert Member.objects.get(pk=member.pk).left_on is None
    assert list(response.context["messages"])


def test_editing_a_role_says_it_was_saved(client_for, secretary, leader, member):
    response = client_for(secretary).post(url("member_edit", member.pk), {
        "display_name": "张成员", "role": "deputy", "joined_on": "2019-01-01", "sort_order": "5",
    }, follow=True)
    assert Member.objects.get(pk=member.pk).role == Member.Role.DEPUTY
    assert list(response.context["messages"])


def test_the_order_numbers_set_the_sign_in_sheets_order(client_for, secretary, leader, member):
    client_for(secretary).post(url("member_order"), {
        f"order-{member.pk}": "1", f"order-{leader.pk}": "2", f"order-{secretary.pk}": "3",
    })
    session = StudySessionFactory(group=secretary.group, date=dt.date(2020, 5, 20))
    sheet = attendance_sheet(group_id=secretary.group_id, day=session.date, session=session)
    assert [line.member for line in sheet][:3] == [member, leader, secretary]


def test_a_bad_order_number_changes_nothing_and_says_why(client_for, secretary, member):
    before = Member.objects.get(pk=member.pk).sort_order
    response = client_for(secretary).post(
        url("member_order"), {f"order-{member.pk}": "-4", f"order-{secretary.pk}": "1"},
        follow=True,
    )
    assert Member.objects.get(pk=member.pk).sort_order == before
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_a_new_groups_dashboard_says_what_to_do_first(client, db, settings):
    settings.SITE_URL = "https://study.example.org"
    call_command("create_group", "--name", "新的中心组", "--slug", "fresh",
                 "--secretary-username", "fresh-sec", "--secretary-name", "钱秘书",
                 stdout=io.StringIO())
    client.force_login(User.objects.get(username="fresh-sec"))

    body = client.get(reverse("sessions_app:dashboard", args=["fresh"])).content.decode()

    steps = body[body.index("first-steps-heading"):]
    assert steps.index(reverse("sessions_app:member_list", args=["fresh"])) < steps.index(
        reverse("sessions_app:plan_current", args=["fresh"])
    )


def test_the_steps_go_once_the_first_session_is_recorded(client_for, secretary):
    assert "first-steps-heading" in client_for(secretary).get(url("dashboard")).content.decode()
    StudySessionFactory(group=secretary.group)
    body = client_for(secretary).get(url("dashboard")).content.decode()
    assert "first-steps-heading" not in body


def test_create_group_prints_a_link_that_signs_the_secretary_in(client, db, capsys):
    call_command("create_group", "--name", "新的中心组", "--slug", "fresh",
                 "--secretary-username", "fresh-sec", "--base-url", "http://testserver/")

    group = StudyGroup.objects.get(slug="fresh")
    secretary = group.members.get()
    assert secretary.role == Member.Role.SECRETARY and secretary.display_name == "fresh-sec"
    link = capsys.readouterr().out.strip().splitlines()[-1]
    assert link.startswith("http://testserver/signin/")
    opened = client.get(link.removeprefix("http://testserver"))
    password = "学习强国-Lantern-47-orbit"
    client.post(opened["Location"], {"new_password1": password, "new_password2": password})
    secretary.user.refresh_from_db()
    assert secretary.user.check_password(password)


def test_create_group_refuses_a_taken_slug_and_creates_nothing(db, group):
    with pytest.raises(CommandError, match="简称|short name"):
        call_command("create_group", "--name", "x", "--slug", "sample",
                     "--secretary-username", "someone", "--base-url", "http://testserver")
    assert not User.objects.filter(username="someone").exists()


def test_a_member_of_two_groups_gets_no_link_from_either_secretary(
    client_for, secretary, other_group
):
    both = MemberFactory(group=secretary.group)
    MemberFactory(group=other_group, user=both.user)
    page = client_for(secretary).get(url("member_link", both.pk)).content.decode()
    assert "/signin/" not in page and "同时属于其他中心组" in page


def test_the_admin_issues_a_link_to_a_groups_secretary(admin_client, client, secretary):
    response = admin_client.post(
        reverse("admin:sessions_app_studygroup_changelist"),
        {"action": "issue_secretary_links", "_selected_action": [secretary.group_id]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    link = next(m.split(": ", 1)[1] for m in shown if "王秘书" in m)
    opened = client.get(link.removeprefix("http://testserver"))
    assert opened["Location"].endswith("/set-password/")


def test_the_admins_group_form_says_how_to_give_the_group_its_secretary(admin_client):
    page = admin_client.get(reverse("admin:sessions_app_studygroup_add")).content.decode()
    assert "create_group" in page


def test_the_members_page_takes_the_same_queries_for_more_members(client_for, secretary):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(secretary)
    with CaptureQueriesContext(connection) as few:
        client.get(url("member_list"))
    for n in range(6):
        MemberFactory(group=secretary.group, left_on=dt.date(2020, 1, n + 1) if n % 2 else None)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url("member_list")).content.decode()
    assert len(many) == len(few)
    assert body.count('name="order-') == 4  # the secretary and three present; three left
