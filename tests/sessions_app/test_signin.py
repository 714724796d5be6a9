"""One-time sign-in links (sessions_app.signin, /signin/<uidb64>/<token>/): set a password,
signed in, on to the dashboard; used, replaced or expired links say so in the user's language."""

import datetime as dt
import re

import pytest
import segno
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions_app.services.members import member_add, signin_link_issue
from sessions_app.signin import signin_link_path
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "学习强国-Lantern-47-orbit"
BROKEN = "This sign-in link does not work"


@pytest.fixture
def now(time_machine):
    time_machine.move_to(dt.datetime(2020, 5, 20, 10, 0), tick=False)
    return time_machine


@pytest.fixture
def newcomer(group, secretary, leader, now):
    return member_add(group=group, display_name="刘新成员", username="liuxin",
                      actor=secretary.user)


def set_password(client, link: str, password: str = NEW_PASSWORD):
    """Open the link and post the password form; the last response."""
    opened = client.get(link)
    if opened.status_code != 302:
        return opened
    form_url = opened["Location"]
    assert client.get(form_url).status_code == 200
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_the_link_sets_a_usable_password_signs_in_and_goes_to_the_dashboard(client, newcomer):
    link = signin_link_path(newcomer.user)

    # The token leaves the address bar (and any Referer) before the form is shown.
    opened = client.get(link)
    assert opened.status_code == 302 and opened["Location"].endswith("/set-password/")
    page = client.get(opened["Location"])
    assert "liuxin" in page.content.decode()

    done = client.post(opened["Location"],
                       {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
                       follow=True)

    newcomer.user.refresh_from_db()
    assert newcomer.user.check_password(NEW_PASSWORD)
    assert done.redirect_chain[-1][0] == reverse("sessions_app:dashboard", args=["sample"])
    assert done.context["user"] == newcomer.user
    assert "Your password is set" in done.content.decode() or "密码已设置" in done.content.decode()


def test_the_password_validators_apply(client, newcomer):
    response = set_password(client, signin_link_path(newcomer.user), password="123")
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    newcomer.user.refresh_from_db()
    assert not newcomer.user.has_usable_password()


def test_a_link_works_once(client, newcomer):
    link = signin_link_path(newcomer.user)
    set_password(client, link)
    client.logout()

    again = client.get(link)

    assert again.status_code == 200
    assert not again.context["validlink"]
    assert "学习秘书" in again.content.decode()  # says whom to ask, in Chinese by default


def test_a_new_link_makes_the_old_one_stop_working(client, newcomer, secretary):
    old = signin_link_path(newcomer.user)
    new = signin_link_issue(member=newcomer, actor=secretary.user, base_url="http://testserver")

    assert not client.get(old).context["validlink"]
    assert set_password(client, new).status_code == 302
    newcomer.user.refresh_from_db()
    assert newcomer.user.has_usable_password()


@pytest.mark.parametrize(("after", "works"), [(dt.timedelta(days=7), True),
                                              (dt.timedelta(days=7, seconds=1), False)])
def test_a_link_works_for_seven_days(client, newcomer, now, after, works):
    link = signin_link_path(newcomer.user)
    now.move_to(dt.datetime(2020, 5, 20, 10, 0) + after, tick=False)

    response = client.get(link)

    assert (response.status_code == 302) is works


def test_the_days_are_a_setting(client, newcomer, now, settings):
    settings.SIGNIN_LINK_VALID_DAYS = 1
    link = signin_link_path(newcomer.user)
    now.move_to(dt.datetime(2020, 5, 21, 10, 0, 1), tick=False)
    assert client.get(link).status_code == 200


def test_a_broken_link_says_so_in_english_too(client, newcomer):
    client.cookies["django_language"] = "en"
    for link in ("/signin/zz/1-abc/", signin_link_path(newcomer.user)[:-3] + "xx/"):
        response = client.get(link)
        assert response.status_code == 200
        assert BROKEN in response.content.decode()
        assert "Ask your group's secretary" in response.content.decode()


def test_a_deactivated_accounts_link_does_not_work(client, newcomer):
    link = signin_link_path(newcomer.user)
    User.objects.filter(pk=newcomer.user.pk).update(is_active=False)
    assert not client.get(link).context["validlink"]


def test_issuing_a_link_for_an_administrator_or_another_groups_person_is_refused(
    group, secretary, other_group, now
):
    admin_member = MemberFactory(group=group, user__is_staff=True)
    both = MemberFactory(group=group)
    MemberFactory(group=other_group, user=both.user)
    for member in (admin_member, both):
        with pytest.raises(ValidationError):
            signin_link_issue(member=member, actor=secretary.user, base_url="http://testserver")


def test_the_link_can_be_sent_by_email_where_email_is_set_up(
    client, client_for, secretary, newcomer, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_ENABLED = True
    newcomer.user.email = "liu@example.org"
    newcomer.user.save()
    url = reverse("sessions_app:member_link", args=["sample", newcomer.pk])
    page = client_for(secretary).get(url)
    assert 'name="send_email"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"send_email": "on"}, follow=True)

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["liu@example.org"]
    link = re.search(r"http://testserver/signin/\S+", mail.outbox[0].body)[0]
    assert "liu@example.org" in response.content.decode()
    client.logout()
    assert set_password(client, link).status_code == 302


def test_no_email_offered_where_email_is_not_set_up(client_for, secretary, newcomer, settings):
    settings.EMAIL_ENABLED = False
    newcomer.user.email = "liu@example.org"
    newcomer.user.save()
    url = reverse("sessions_app:member_link", args=["sample", newcomer.pk])
    assert 'name="send_email"' not in client_for(secretary).get(url).content.decode()
    client_for(secretary).post(url, {"send_email": "on"})
    assert mail.outbox == []


def test_the_printable_page_has_each_new_members_link_and_its_qr_code(
    client_for, secretary, newcomer, group
):
    second = member_add(group=group, display_name="陈新成员", username="chenxin",
                        actor=secretary.user)
    page = client_for(secretary).get(reverse("sessions_app:member_links", args=["sample"]))
    body = page.content.decode()

    links = re.findall(r'<a href="(http://testserver/signin/[^"]+)"', body)
    assert len(links) == 2  # the two new members; the secretary, who has a password, is not
    assert body.index("刘新成员") < body.index("陈新成员")
    for link in links:
        # The code printed beside a link encodes exactly that link.
        assert segno.make(link, error="m").svg_inline(scale=4, title=link) in body
    assert second.user.username in body
    assert "<nav" in body and "no-print" in body


def test_the_printable_page_takes_the_same_queries_for_more_members(
    client_for, secretary, group, newcomer
):
    client = client_for(secretary)
    url = reverse("sessions_app:member_links", args=["sample"])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        member_add(group=group, display_name=f"新成员{n}", username=f"new{n}",
                   actor=secretary.user)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
