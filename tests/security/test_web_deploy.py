"""Production settings (issue 4, item 20). That they pass `check --deploy --fail-level WARNING`
is tests/test_settings.py's test_production_settings_pass_check_deploy_without_warnings (and a
step of scripts/test); here: that the check would catch a weakened setting, and that production
turns on the web defences the other tests/security/test_web_* tests rely on."""

import json
from pathlib import Path

from tests.test_settings import manage, production_env

SCRIPTS_TEST = Path(__file__).resolve().parents[2] / "scripts" / "test"

SETTINGS_JSON = """
import json
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": s.SESSION_COOKIE_HTTPONLY,
    "SESSION_COOKIE_SAMESITE": s.SESSION_COOKIE_SAMESITE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "CSRF_COOKIE_HTTPONLY": s.CSRF_COOKIE_HTTPONLY,
    "SESSION_COOKIE_AGE": s.SESSION_COOKIE_AGE,
    "SESSION_SAVE_EVERY_REQUEST": s.SESSION_SAVE_EVERY_REQUEST,
    "AUTHENTICATION_BACKENDS": s.AUTHENTICATION_BACKENDS,
    "MIDDLEWARE": s.MIDDLEWARE,
    "AXES_FAILURE_LIMIT": s.AXES_FAILURE_LIMIT,
    "AXES_COOLOFF_MINUTES": s.AXES_COOLOFF_TIME.total_seconds() / 60,
    "TRUSTED_PROXY_COUNT": s.TRUSTED_PROXY_COUNT,
}))
"""


def production_settings(**env: str) -> dict:
    result = manage("shell", "-c", SETTINGS_JSON, **{**production_env(), **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_fails_when_a_production_setting_is_weakened():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        **{**production_env(), "SECURE_HSTS_SECONDS": "0"},
    )

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_ci_runs_check_deploy_with_production_settings():
    script = SCRIPTS_TEST.read_text("utf-8")

    assert "check --deploy --fail-level WARNING" in script
    assert "DEBUG=0" in script


def test_production_turns_on_the_web_defences():
    s = production_settings()

    assert s["DEBUG"] is False
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_HTTPONLY"] and s["CSRF_COOKIE_HTTPONLY"]
    assert s["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert s["SESSION_SAVE_EVERY_REQUEST"] is True
    assert s["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert s["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    assert "csp.middleware.CSPMiddleware" in s["MIDDLEWARE"]
    assert "django.middleware.csrf.CsrfViewMiddleware" in s["MIDDLEWARE"]


def test_the_login_lockout_and_idle_timeout_are_configurable():
    s = production_settings(
        LOGIN_FAILURE_LIMIT="3", LOGIN_LOCKOUT_MINUTES="60", SESSION_IDLE_MINUTES="30"
    )

    assert s["AXES_FAILURE_LIMIT"] == 3
    assert s["AXES_COOLOFF_MINUTES"] == 60
    assert s["SESSION_COOKIE_AGE"] == 30 * 60
    assert s["TRUSTED_PROXY_COUNT"] == 0
    assert production_settings(TRUSTED_PROXY_COUNT="1")["TRUSTED_PROXY_COUNT"] == 1
