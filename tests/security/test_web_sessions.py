"""Passwords and sessions (issue 4, item 22): password validation, a new session key at login,
logout that ends the session on the server, cookie flags, and an idle timeout."""

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def log_in(client, username="member", password=PASSWORD):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, "login failed"
    return response


def dashboard(client, group):
    return client.get(reverse("sessions_app:dashboard", args=[group.slug]))


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# --- passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["短密码1", "12345678901", "password123", "member2020"],
    ids=["too short", "all digits", "common", "like the user name"],
)
def test_weak_passwords_are_refused(member, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=member.user)


def test_a_strong_password_is_accepted(member):
    validate_password("学习强国-Lantern-47-orbit", user=member.user)


def test_the_admins_set_password_form_refuses_a_weak_password(member):
    form = AdminPasswordChangeForm(
        member.user, {"password1": "password123", "password2": "password123"}
    )

    assert not form.is_valid()
    assert "password2" in form.errors
    member.user.refresh_from_db()
    assert member.user.check_password(PASSWORD)


def change_password(client, new, old=PASSWORD):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_changing_to_a_weak_password_is_refused_and_keeps_the_old_one(client, member):
    log_in(client)

    response = change_password(client, "password123")

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    member.user.refresh_from_db()
    assert member.user.check_password(PASSWORD)


def test_changing_the_password_keeps_this_session_and_ends_the_others(client, member, group):
    elsewhere = Client()
    log_in(elsewhere)
    log_in(client)

    response = change_password(client, "学习强国-Lantern-47-orbit")

    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.check_password("学习强国-Lantern-47-orbit")
    assert dashboard(client, group).status_code == 200
    assert dashboard(elsewhere, group).status_code == 302


# --- the session ------------------------------------------------------------------------------


def test_login_gives_a_new_session_key(client, member):
    client.get(reverse("login"))
    anonymous = client.session
    anonymous["seen"] = True  # a session the visitor already had (fixation)
    anonymous.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = anonymous.session_key

    log_in(client)

    assert session_key(client) != anonymous.session_key
    assert not SessionStore().exists(anonymous.session_key)


def test_logout_ends_the_session_on_the_server(client, member, group):
    log_in(client)
    old_key = session_key(client)
    assert dashboard(client, group).status_code == 200

    client.post(reverse("logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    response = dashboard(replay, group)

    assert not SessionStore().exists(old_key)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(client, member):
    client.get(reverse("login"))
    log_in(client)

    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        cookie = client.cookies[name]
        assert cookie["secure"], f"{name} is sent over plain HTTP"
        assert cookie["httponly"], f"{name} can be read by scripts"
        assert cookie["samesite"] in ("Lax", "Strict"), f"{name} goes with cross-site requests"


# --- idle timeout -----------------------------------------------------------------------------


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(dt.datetime(2020, 6, 10, 9, 0, tzinfo=dt.UTC), tick=False)
    return time_machine


def idle() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_the_idle_timeout_is_a_few_hours_at_most():
    assert dt.timedelta(minutes=10) <= idle() <= dt.timedelta(hours=8)
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_a_session_left_idle_past_the_timeout_is_logged_out(client, member, group, clock):
    log_in(client)

    clock.shift(idle() + dt.timedelta(minutes=1))
    response = dashboard(client, group)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_each_request_moves_the_timeout_on(client, member, group, clock):
    log_in(client)

    for _ in range(3):
        clock.shift(idle() * 3 / 4)
        assert dashboard(client, group).status_code == 200


def test_a_too_short_password_is_refused_in_chinese(client, member):
    """Django 5.2's own catalogue leaves this message in English; ours translates it."""
    log_in(client)

    response = change_password(client, "短密码1")

    assert "密码太短，至少需要8个字符。" in response.context["form"].errors["new_password2"]
