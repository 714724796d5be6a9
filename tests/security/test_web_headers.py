"""Security headers on every kind of page (issue 4, item 24); the browser test
(tests/browser/test_web_csp.py) shows the pages work under the Content-Security-Policy."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# The PDF's HTML is read by WeasyPrint (or saved as a file by render_report), never served.
# Documents, not pages: PDF sources, and the summaries .zip's 目录.html (opened from disk after
# unpacking, so it carries its own style).
NOT_SERVED = {"reports/pdf", "oversight/zip"}


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def pages(client, client_for, group, secretary):
    """A page of each kind: an anonymous form, a logged-in page, a 404."""

    def fetch(kind):
        if kind == "login page":
            return client.get(reverse("login"), secure=True)
        logged_in = client_for(secretary)
        if kind == "dashboard":
            return logged_in.get(reverse("sessions_app:dashboard", args=[group.slug]), secure=True)
        if kind == "not found":
            return logged_in.get("/g/no-such-group/", secure=True)
        raise AssertionError(kind)

    return fetch


KINDS = ["login page", "dashboard", "not found"]


@pytest.mark.parametrize("kind", KINDS)
def test_pages_send_the_security_headers(pages, kind):
    response = pages(kind)

    hsts = response["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts)[1]) >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in {"same-origin", "strict-origin", "no-referrer"}
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("kind", KINDS)
def test_pages_send_a_content_security_policy_without_inline_script(pages, kind):
    csp = csp_directives(pages(kind))

    assert csp["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        sources = csp.get(directive, csp["default-src"])
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
        assert "*" not in sources and "data:" not in sources
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]


def test_plain_http_gets_no_hsts(client):
    # Browsers ignore HSTS over HTTP; SecurityMiddleware sends it on HTTPS only (and redirects
    # HTTP to HTTPS in production).
    assert "Strict-Transport-Security" not in client.get(reverse("login"))


def _served_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES).as_posix()
        if not any(relative.startswith(prefix + "/") for prefix in NOT_SERVED):
            yield relative, path.read_text("utf-8")


INLINE = {
    "style attribute": re.compile(r"\sstyle\s*="),
    "style element": re.compile(r"<style[\s>]"),
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>"),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.S),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_templates_have_no_inline_script_or_style():
    found = [
        f"{name}: {what}"
        for name, text in _served_templates()
        for what, pattern in INLINE.items()
        if pattern.search(text)
    ]

    assert found == [], "The Content-Security-Policy blocks these; move them to static files"
