"""Shared fixtures: every view test has the group's secretary, leader and member, and an outsider
who belongs to another group (as healthchecks' alice, bob and charlie)."""

import os

import pytest
from django.conf import settings
from django.utils import translation

from sessions_app.models import Member
from tests.factories import MemberFactory, StudyGroupFactory, TermFactory


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the site's default language, as a new worker process does: a
    request made by an earlier test leaves its language active in the thread."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test's uploads and PDFs go to its own folder, never to the checkout's media/."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def group(db):
    return StudyGroupFactory(name="示例县党委理论学习中心组", slug="sample")


@pytest.fixture
def term(group):
    return TermFactory(group=group, year=2020, half=1)


@pytest.fixture
def secretary(group):
    return MemberFactory(group=group, role=Member.Role.SECRETARY, display_name="王秘书",
                         user__username="secretary")


@pytest.fixture
def leader(group):
    return MemberFactory(group=group, role=Member.Role.LEADER, display_name="李书记",
                         user__username="leader")


@pytest.fixture
def deputy(group):
    return MemberFactory(group=group, role=Member.Role.DEPUTY, display_name="赵副书记",
                         user__username="deputy")


@pytest.fixture
def member(group):
    return MemberFactory(group=group, role=Member.Role.MEMBER, display_name="张成员",
                         user__username="member")


@pytest.fixture
def other_group(db):
    return StudyGroupFactory(name="另一个中心组", slug="other")


@pytest.fixture
def outsider(other_group):
    """A secretary of another group: has every right there and none here."""
    return MemberFactory(group=other_group, role=Member.Role.SECRETARY, display_name="外组秘书",
                         user__username="outsider")


@pytest.fixture
def client_for(client):
    """Log the test client in as a member: client_for(secretary)."""

    def login(member):
        client.force_login(member.user)
        return client

    return login


# Services a test may need (Redis for the Celery worker test). Off CI such a test skips and names
# the service; in CI (CI=true) the skip is a failure, so a stopped service cannot pass unnoticed.


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_service(name: str, address: str, answers: bool) -> None:
    """Skip the running test when the service does not answer; fail it instead under CI."""
    if answers:
        return
    message = f"{name} at {address} does not answer"
    if _in_ci():
        pytest.fail(f"{message}, and CI needs it (.ci/run starts it)", pytrace=False)
    pytest.skip(f"needs {name}: {message}")


POSTGRESQL_EXAMPLE_URL = "postgres://postgres@127.0.0.1:5432/studygroup_ci"


def require_postgresql(why: str, *, vendor: str | None = None,
                       database_url: str | None = None) -> None:
    """Skip the running test unless the tests run on PostgreSQL (fail it instead under CI),
    saying what is missing: DATABASE_URL unset (and how to set it), or naming another database.

    why: what the test needs PostgreSQL for. vendor and database_url default to the test
    database's connection.vendor and the DATABASE_URL environment variable. The message names
    only the URL's scheme, never its password."""
    from django.db import connection

    vendor = connection.vendor if vendor is None else vendor
    database_url = os.environ.get("DATABASE_URL", "") if database_url is None else database_url
    if vendor == "postgresql":
        return
    if not database_url.strip():
        message = (
            f"DATABASE_URL is not set, so the tests run on SQLite; {why}. Set it to a PostgreSQL "
            f"server the tests may create their database on, e.g. "
            f"DATABASE_URL={POSTGRESQL_EXAMPLE_URL} ./scripts/test (as .ci/run does)"
        )
    else:
        scheme = database_url.split(":", 1)[0]
        message = f"DATABASE_URL names a {scheme} database, not PostgreSQL; {why}"
    if _in_ci():
        pytest.fail(f"needs PostgreSQL: {message}, and CI needs it", pytrace=False)
    pytest.skip(f"needs PostgreSQL: {message}")


def _redis_test_url() -> str:
    return os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def pytest_runtest_setup(item):
    if item.get_closest_marker("redis"):
        url = _redis_test_url()
        require_service("Redis", url, _redis_answers(url))


@pytest.fixture
def redis_url() -> str:
    """The Celery worker test's broker (CELERY_TEST_BROKER_URL); mark the test `redis` too."""
    url = _redis_test_url()
    require_service("Redis", url, _redis_answers(url))
    return url
