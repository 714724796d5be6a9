"""Login brute force is throttled by django-axes (issue 4, item 21).

Logins go through the login form, as axes counts failures per request (client.login would not).
"""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

ADDRESS = "10.1.2.3"


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(dt.datetime(2020, 6, 10, 9, 0, tzinfo=dt.UTC), tick=False)


def log_in(client, username, password, address=ADDRESS):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, username, times, address=ADDRESS):
    return [log_in(client, username, "wrong-password", address).status_code for _ in range(times)]


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_limit_is_a_few_failures_and_the_lockout_lasts_a_while():
    assert 3 <= settings.AXES_FAILURE_LIMIT <= 10
    assert dt.timedelta(minutes=5) <= settings.AXES_COOLOFF_TIME


def test_after_the_failure_limit_even_the_right_password_is_refused(client, member):
    limit = settings.AXES_FAILURE_LIMIT

    statuses = fail(client, "member", limit)
    response = log_in(client, "member", PASSWORD)

    assert statuses == [200] * (limit - 1) + [429]
    assert response.status_code == 429
    assert not logged_in(client)


def test_one_failure_fewer_than_the_limit_still_lets_the_right_password_in(client, member):
    fail(client, "member", settings.AXES_FAILURE_LIMIT - 1)

    response = log_in(client, "member", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_the_lockout_page_is_in_the_sites_layout_and_language(client, member):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fail(client, "member", settings.AXES_FAILURE_LIMIT)

    response = log_in(client, "member", PASSWORD)

    assert response.status_code == 429
    names = [t.name for t in response.templates]
    assert "registration/locked_out.html" in names and "base.html" in names
    page = response.content.decode()
    assert "Login locked" in page
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"locked for {minutes} minutes, even with the right password" in page


def test_the_lockout_page_is_chinese_by_default(client, member):
    fail(client, "member", settings.AXES_FAILURE_LIMIT)

    response = log_in(client, "member", PASSWORD)

    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()


def test_the_lockout_ends_after_the_cooloff_time(client, member, time_machine):
    fail(client, "member", settings.AXES_FAILURE_LIMIT)

    time_machine.shift(settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1))
    assert log_in(client, "member", PASSWORD).status_code == 429
    # A failure during the lockout starts the cool-off again: wait it out in full.
    time_machine.shift(settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1))
    response = log_in(client, "member", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_a_successful_login_resets_the_failure_count(client, member):
    below_limit = settings.AXES_FAILURE_LIMIT - 1
    fail(client, "member", below_limit)
    assert log_in(client, "member", PASSWORD).status_code == 302
    client.post(reverse("logout"))

    statuses = fail(client, "member", below_limit)
    response = log_in(client, "member", PASSWORD)

    assert statuses == [200] * below_limit
    assert response.status_code == 302


def test_the_lockout_is_for_that_account_from_that_address(client, member, leader):
    fail(client, "member", settings.AXES_FAILURE_LIMIT)

    other_account = log_in(client, "leader", PASSWORD)
    client.post(reverse("logout"))
    other_address = log_in(client, "member", PASSWORD, address="10.9.9.9")

    assert other_account.status_code == 302
    assert other_address.status_code == 302


def test_failures_spread_over_accounts_do_not_lock_anyone(client, member, leader):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        fail(client, "member", 1)
        fail(client, "leader", 1)

    assert log_in(client, "member", PASSWORD).status_code == 302


def _from(client, password, *, forwarded_for, proxy="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": "member", "password": password},
        REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_trusted_proxy_the_clients_own_address_is_locked_out(client, member, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _from(client, "wrong", forwarded_for="203.0.113.7")
    # What the client puts in X-Forwarded-For itself comes first, and is not believed.
    attacker = _from(client, PASSWORD, forwarded_for="198.51.100.1, 203.0.113.7")
    colleague = _from(client, PASSWORD, forwarded_for="203.0.113.8")

    assert attacker.status_code == 429
    assert colleague.status_code == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, member, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    fail(client, "member", settings.AXES_FAILURE_LIMIT, address="203.0.113.7")

    forged = _from(client, PASSWORD, forwarded_for="198.51.100.1", proxy="203.0.113.7")

    assert forged.status_code == 429


def test_a_login_leaves_no_django_axes_lines_on_the_console_failures_one_each(member, caplog):
    """./scripts/run's console shows requests; django-axes logs only what needs attention: one
    warning per wrong password and the lockout, nothing for a good login (it used to log four)."""
    caplog.set_level("DEBUG")

    def axes_lines():
        lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name.startswith("axes")]
        caplog.clear()
        return lines

    log_in(Client(), "member", PASSWORD)
    good_login = axes_lines()
    attacker = Client()
    fail(attacker, "member", 1)
    wrong_password = axes_lines()
    fail(attacker, "member", settings.AXES_FAILURE_LIMIT - 1)
    until_lockout = axes_lines()

    assert good_login == []
    assert [level for level, _ in wrong_password] == ["WARNING"]
    assert len(until_lockout) == settings.AXES_FAILURE_LIMIT
    assert "Locking out" in until_lockout[-1][1]
