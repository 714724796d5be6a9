"""The benchmark's logins: the data it seeds lets the measured server log its users in, and the
load refuses to report figures when they cannot.

The measured server (benchmarks/load.py) runs the production settings; the tests and the
runner's own process run studygroup.settings_test, whose MD5 hasher production cannot verify.
Seeding from a fresh database under the test settings once made every load-test login fail.
"""

import json
import os
import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import reverse

from benchmarks.load import (
    ROOT,
    LoginsFailed,
    _list_logins,
    login_problem,
    password_problem,
    prepare_server,
    server_env,
)
from benchmarks.run import Bench, Row, finish, parse_args, seed_as_server
from demo.bulk import BULK_PASSWORD
from demo.records import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

SMALL = ["--groups", "2", "--members", "3", "--terms", "1", "--sessions", "1"]
# Enough terms for approved summaries, which the load's users read (login_candidates).
FRESH = ["--groups", "4", "--members", "3", "--terms", "3", "--sessions", "1"]


@pytest.fixture(scope="module")
def server_hashers(tmp_path_factory) -> list[str]:
    """PASSWORD_HASHERS as the measured gunicorn sees them: Django set up in a child process
    with the environment benchmarks/load.py gives the server."""
    workdir = tmp_path_factory.mktemp("server")
    env = server_env("sqlite:///" + str(workdir / "unused.sqlite3"), workdir)
    child = subprocess.run(
        [sys.executable, "-c",
         "import json, django; django.setup(); from django.conf import settings; "
         "print(json.dumps(settings.PASSWORD_HASHERS))"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    )
    hashers = json.loads(child.stdout)
    assert "MD5PasswordHasher" not in " ".join(hashers)  # what made the logins fail
    return hashers


def log_in(client, username: str, password: str) -> int:
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code


def test_demo_users_seeded_as_the_benchmark_does_log_in_under_the_servers_settings(
    client, server_hashers
):
    seed_as_server("seed_demo", "--verbosity", "0")

    with override_settings(PASSWORD_HASHERS=server_hashers):
        assert log_in(client, "leader", DEMO_PASSWORD) == 302


def test_a_wrong_password_is_named_before_the_load(server_hashers):
    seed_as_server("seed_bulk", *SMALL)

    with override_settings(PASSWORD_HASHERS=server_hashers):
        problem = password_problem(["b0001-01"], "not-the-password")

    assert problem == "the password given is not b0001-01's: every login would fail."


# A fresh database, the benchmark's own processes and the server's settings ------------------

SEED_AS_THE_BENCHMARK_DOES = f"""
import django
django.setup()
from benchmarks.run import Bench, parse_args
Bench(parse_args([])).seed_missing({FRESH!r})
"""
SEED_UNDER_THE_TEST_SETTINGS = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("seed_bulk", *{FRESH!r})
"""
LOG_IN = """
import json, sys, django
django.setup()
from django.test import Client
login = json.loads(sys.argv[1])
response = Client(HTTP_HOST="127.0.0.1").post(
    "/accounts/login/", {"username": login["username"], "password": login["password"]}
)
print(response.status_code)
"""


def _python(code: str, env: dict, *args: str) -> str:
    child = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=ROOT,
                           capture_output=True, text=True)
    assert child.returncode == 0, child.stderr
    return child.stdout


def _fresh_database(tmp_path, seed: str) -> str:
    database_url = "sqlite:///" + str(tmp_path / "bench.sqlite3")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "studygroup.settings_test",
           "DATABASE_URL": database_url, "MEDIA_ROOT": str(tmp_path / "media")}
    _python(seed, env)
    return database_url


def _server_login_status(database_url: str, login: dict, tmp_path) -> int:
    """Log in through the login page in a process with the measured server's environment."""
    server = tmp_path / "server"
    server.mkdir()
    return int(_python(LOG_IN, prepare_server(database_url, server), json.dumps(login)))


def test_a_fresh_database_seeded_as_the_benchmark_does_logs_in_on_the_server(tmp_path):
    database_url = _fresh_database(tmp_path, SEED_AS_THE_BENCHMARK_DOES)

    logins = _list_logins(database_url, 2, "bulk-", None)  # the check before the load passes

    assert [login["password"] for login in logins] == [BULK_PASSWORD] * 2
    assert _server_login_status(database_url, logins[1], tmp_path) == 302


def test_a_fresh_database_seeded_under_the_test_settings_is_refused_before_the_load(tmp_path):
    database_url = _fresh_database(tmp_path, SEED_UNDER_THE_TEST_SETTINGS)

    with pytest.raises(LoginsFailed, match="hashed with 'md5'.*seed_bulk --reset"):
        _list_logins(database_url, 2, "bulk-", None)
    login = {"username": "b0001-01", "password": BULK_PASSWORD}
    assert _server_login_status(database_url, login, tmp_path) == 200  # the form again


# The figures of a run --------------------------------------------------------------------


def _figures(logins: int, failed: int) -> dict:
    return {"login": {"requests": logins, "errors": failed}}


def test_a_failed_login_leaves_the_load_without_figures():
    problem = login_problem(_figures(logins=50, failed=50), users=50)

    assert problem.startswith("50 of 50 logins failed")
    assert "PASSWORD_HASHERS" in problem


def test_users_who_never_logged_in_leave_the_load_without_figures():
    assert login_problem(_figures(logins=48, failed=0), users=50) == (
        "only 48 of 50 simulated users logged in: the load did not run as asked "
        "(see locust's output above)."
    )
    assert login_problem(_figures(logins=50, failed=0), users=50) is None


def test_the_run_fails_and_keeps_the_documented_figures_when_the_load_had_none(
    tmp_path, monkeypatch, capsys
):
    output = tmp_path / "PERFORMANCE.md"
    output.write_text("the documented run\n", encoding="utf-8")
    bench = Bench(parse_args(["--output", str(output)]))
    bench.rows.append(Row("1", "summary figures", "12 ms", "< 50 ms", True))

    def refused(**_kwargs):
        raise LoginsFailed("50 of 50 logins failed (the server did not accept the password)")

    monkeypatch.setattr("benchmarks.load.measure_load", refused)
    bench.load()
    status = finish(bench, bench.args, [], (0.0, 0.0, 0.0))

    assert status == 1
    printed = capsys.readouterr()
    assert "error: Item 8 (load) has no figures: 50 of 50 logins failed" in printed.err
    assert "not measured: logins failed" in printed.out
    assert output.read_text(encoding="utf-8") == "the documented run\n"
