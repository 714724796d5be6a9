"""Settings from the environment: production passes check --deploy; bad values stop start-up."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Variables that would change what the checks see; each test sets its own.
_CLEARED = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "DJANGO_SETTINGS_MODULE",
    # Set by the live-server browser tests in this process; check --deploy rightly refuses it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "AXES_VERBOSE",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py with the real settings module in a clean process."""
    environ = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    environ.update(DJANGO_SETTINGS_MODULE="studygroup.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env() -> dict[str, str]:
    return {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "example.org"}


def test_production_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_production_without_secret_key_refuses_to_start():
    env = production_env()
    del env["SECRET_KEY"]

    result = manage("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_bad_debug_value_is_rejected_loudly():
    result = manage("check", **{**production_env(), "DEBUG": "maybe"})

    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_bad_number_is_rejected_loudly():
    result = manage("check", **{**production_env(), "SECURE_HSTS_SECONDS": "a year"})

    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS must be a whole number" in result.stderr


def test_bad_storage_options_are_rejected_loudly():
    result = manage("check", **{**production_env(), "FILE_STORAGE_OPTIONS": "[1, 2]"})

    assert result.returncode != 0
    assert "FILE_STORAGE_OPTIONS must be a JSON object" in result.stderr


def test_file_storage_is_configurable(tmp_path):
    options = json.dumps({"location": str(tmp_path)})
    result = manage(
        "shell",
        "-c",
        "from django.core.files.storage import default_storage as s; print(s.location)",
        **{**production_env(), "FILE_STORAGE_OPTIONS": options},
    )
    assert result.returncode == 0, result.stderr
    assert str(tmp_path) in result.stdout


def test_env_file_fills_in_unset_variables_and_real_ones_win(tmp_path, monkeypatch):
    from studygroup.env import load_env_file

    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comment\nSTUDYGROUP_TEST_A='from file'\nexport STUDYGROUP_TEST_B=2\n\n", "utf-8"
    )
    monkeypatch.delenv("STUDYGROUP_TEST_A", raising=False)
    monkeypatch.setenv("STUDYGROUP_TEST_B", "real")
    load_env_file(env_file)
    assert os.environ["STUDYGROUP_TEST_A"] == "from file"
    assert os.environ["STUDYGROUP_TEST_B"] == "real"
    monkeypatch.delenv("STUDYGROUP_TEST_A")


def test_a_malformed_env_file_is_rejected_loudly(tmp_path):
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    from studygroup.env import load_env_file

    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG\n", "utf-8")
    with pytest.raises(ImproperlyConfigured, match="line 1"):
        load_env_file(env_file)


def test_every_variable_the_settings_read_is_documented_in_readme_and_env_example():
    source = (BASE_DIR / "studygroup" / "settings.py").read_text()
    read = set(re.findall(r'\benv_[a-z_]+\(\s*"([A-Z0-9_]+)"', source))
    readme = (BASE_DIR / "README.md").read_text()
    example = (BASE_DIR / ".env.example").read_text()

    assert len(read) > 20
    assert sorted(v for v in read if f"`{v}`" not in readme) == []
    assert sorted(v for v in read if not re.search(rf"^#? ?{v}=", example, re.M)) == []


_AXES_SETTINGS = (
    "import logging; from django.conf import settings; "
    "level = logging.getLogger('axes').getEffectiveLevel(); "
    "print(settings.AXES_VERBOSE, logging.getLevelName(level))"
)


def test_the_run_command_console_has_no_django_axes_lines_unless_asked():
    # ./scripts/run: DEBUG on, nothing else set.
    default = manage("shell", "-c", _AXES_SETTINGS, DEBUG="1")
    asked = manage("shell", "-c", _AXES_SETTINGS, DEBUG="1", AXES_VERBOSE="1")

    assert default.returncode == 0, default.stderr
    assert default.stdout.splitlines()[-1] == "False WARNING"
    assert "AXES" not in default.stdout + default.stderr  # not even the start-up banner
    assert asked.stdout.splitlines()[-1] == "True INFO"
    assert "AXES: BEGIN" in asked.stdout + asked.stderr
