"""A test that needs a service skips when it is down, naming it and saying truly what is missing;
in CI that skip is a failure."""

import pytest
from django.db import connection

from tests.conftest import require_postgresql, require_service


def test_missing_service_skips_with_its_name(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="needs Redis: Redis at redis://x does not"):
        require_service("Redis", "redis://x", answers=False)


def test_missing_service_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="CI needs it"):
        require_service("Redis", "redis://x", answers=False)


def test_answering_service_lets_the_test_run(monkeypatch):
    monkeypatch.setenv("CI", "true")

    require_service("Redis", "redis://x", answers=True)


WHY = "a worker in another process cannot open the in-memory SQLite test database"


def skip_message(**kwargs) -> str:
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_postgresql(WHY, **kwargs)
    return str(skipped.value)


def test_without_database_url_the_skip_says_it_is_not_set_and_how_to_set_it(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    message = skip_message(vendor="sqlite", database_url="")

    assert message.startswith("needs PostgreSQL: DATABASE_URL is not set")
    assert "does not answer" not in message
    assert WHY in message
    assert "DATABASE_URL=postgres://" in message and ".ci/run" in message


def test_with_another_database_url_the_skip_names_that_database_not_its_password(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    message = skip_message(vendor="sqlite", database_url="sqlite:////tmp/secret-path.sqlite3")

    assert message.startswith("needs PostgreSQL: DATABASE_URL names a sqlite database")
    assert "not set" not in message and "secret-path" not in message


def test_the_default_is_the_test_database_and_the_environment(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    if connection.vendor == "postgresql":
        require_postgresql(WHY)  # runs
    else:
        with pytest.raises(pytest.skip.Exception, match="DATABASE_URL is not set"):
            require_postgresql(WHY)


def test_missing_postgresql_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="DATABASE_URL is not set.*CI needs it"):
        require_postgresql(WHY, vendor="sqlite", database_url="")


def test_on_postgresql_the_test_runs(monkeypatch):
    monkeypatch.setenv("CI", "true")

    require_postgresql(WHY, vendor="postgresql", database_url="postgres://u:p@h/db")
