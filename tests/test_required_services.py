"""A test that needs a service skips when it is down, naming it; in CI that skip is a failure."""

import pytest

from tests.conftest import require_service


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
