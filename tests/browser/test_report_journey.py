"""Journey 3: a leader opens the demo group's half-year summary and downloads it as a PDF, in
Chinese. Celery runs eagerly in tests (no broker), so the PDF is made inside the request."""

import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reports.services.narrative import (
    NarrativeText,
    narrative_approve,
    narrative_latest,
    narrative_save_draft,
)
from sessions_app.models import Member, StudySession, Term
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def eager_celery():
    """Make the PDF in the request even when the environment names a broker (tests have none:
    this only keeps a developer's CELERY_BROKER_URL from leaving the test waiting for a worker)."""
    from studygroup.celery import app

    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was


@pytest.fixture
def demo(transactional_db):
    """The demo group as `seed_demo` leaves it, with its 2020 H1 narrative approved (made here
    when the seed does not approve one), so that the summary offers its PDF."""
    from demo.records import demo_seed

    result = demo_seed()
    group = result.group
    term = Term.objects.get(group=group, year=2020, half=1)
    leader = Member.objects.get(group=group, user__username="leader")
    narrative = narrative_latest(group=group, term=term)
    if narrative is None or not narrative.is_approved:
        if narrative is None:
            secretary = Member.objects.get(group=group, user__username="secretary")
            narrative = narrative_save_draft(
                group=group,
                term=term,
                text=NarrativeText(
                    preamble="今年以来，县委理论学习中心组坚持把理论学习作为首要政治任务。",
                    practices=[{"heading": "坚持制度化学习", "body": "按月安排集中学习。"}],
                    problems="学习深度还不够。",
                    causes="工作任务重，学用结合不紧。",
                    measures="下半年按计划开展专题研讨。",
                ),
                member=secretary,
                user=secretary.user,
            )
        narrative_approve(narrative=narrative, member=leader, user=leader.user)
    return SimpleNamespace(
        group=group,
        term=term,
        leader=leader,
        password=result.password,
        sessions=StudySession.objects.filter(group=group, term=term).count(),
    )


def pdf_text(data: bytes, tmp_path) -> str:
    """The PDF's text with all whitespace removed (line breaks fall anywhere in Chinese)."""
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    assert len(reader.pages) >= 1
    text = "".join(page.extract_text() or "" for page in reader.pages)
    if shutil.which("pdftotext"):
        path = tmp_path / "summary.pdf"
        path.write_bytes(data)
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return re.sub(r"\s+", "", text)


def test_leader_downloads_the_demo_summary_as_a_pdf_with_the_term_session_count(
    page, page_checks, live_server, demo, eager_celery, tmp_path
):
    slug = demo.group.slug
    log_in(page, live_server, demo.leader, password=demo.password)
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # Dashboard → reports → the term's summary, following the links a leader would.
    reports_link = page.locator(f"main a[href='{reverse('reports:index', args=[slug])}']")
    page_checks(label="leader's dashboard (demo data)", actions=[reports_link])
    reports_link.first.click()
    page.wait_for_url(f"**{reverse('reports:index', args=[slug])}")
    summary_url = reverse("reports:summary", args=[slug, demo.term.code])
    summary_link = page.locator(f"main a[href='{summary_url}']")
    page_checks(label="reports index", actions=[summary_link])
    summary_link.click()
    page.wait_for_url(f"**{summary_url}")

    body = re.sub(r"\s+", "", page.locator("main").inner_text())
    assert f"共开展中心组集中学习{demo.sessions}次" in body
    start_url = reverse("reports:pdf_start", args=[slug, demo.term.code, "summary"])
    start = page.locator(f"main form[action='{start_url}'] button[type=submit]")
    page_checks(label="half-year summary", actions=[start])

    # Start the PDF. With the page's script the download link appears in place; without it the
    # browser follows a progress page that refreshes itself. Either way: wait for the link.
    start.click()
    download_link = page.locator(f"main a[href^='{start_url}'][href$='/download/']")
    expect(download_link).to_be_visible(timeout=90_000)
    if "/pdf/" in page.url:
        page_checks(label="PDF progress page", actions=[download_link])

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF"), data[:40]
    text = pdf_text(data, tmp_path)
    assert f"共开展中心组集中学习{demo.sessions}次" in text, text[:500]
    assert demo.group.name in text
    page_checks.assert_clean()
