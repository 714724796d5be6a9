"""Journey 3: a leader gets the demo group's half-year summary as a PDF, in Chinese, in two clicks
(dashboard → summary → PDF button) and one wait. Celery runs eagerly in tests (no broker), so the
PDF is made inside the request; `held_back` keeps it waiting as a busy worker would, to follow
the progress with and without JavaScript."""

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
    # These journeys follow a PDF made on request (a document whose records changed since it
    # was made ahead, or one approved before documents were): forget the files made ahead.
    from reports.models import ReadyDocument, ReportFile

    ReadyDocument.objects.filter(group=group).delete()
    ReportFile.objects.filter(group=group).delete()
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


def test_leader_gets_the_terms_pdf_in_two_clicks_and_one_wait(
    page, page_checks, live_server, demo, eager_celery, tmp_path
):
    slug = demo.group.slug
    log_in(page, live_server, demo.leader, password=demo.password)
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # Click 1: the dashboard's 半年总结 opens the term's summary (not the list of reports).
    summary_link = page.get_by_role("link", name="半年总结", exact=True)
    page_checks(label="leader's dashboard (demo data)", actions=[summary_link])
    summary_link.click()
    summary_url = reverse("reports:summary", args=[slug, demo.term.code])
    page.wait_for_url(f"**{summary_url}")

    body = re.sub(r"\s+", "", page.locator("main").inner_text())
    assert f"共开展中心组集中学习{demo.sessions}次" in body
    button = page.get_by_role("button", name="下载PDF")
    page_checks(label="half-year summary", actions=[button])
    # One PDF button, in line with the toolbar's other buttons.
    assert page.get_by_role("button", name="保存PDF").count() == 0
    tops = page.locator(".report-toolbar .btn").evaluate_all(
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert len(tops) >= 2 and len(set(tops)) == 1, tops

    # Click 2: the PDF is made (eagerly here) and its download starts by itself.
    with page.expect_download(timeout=90_000) as download_info:
        button.click()
    download = download_info.value
    assert page.url.endswith(summary_url)  # the page stayed
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF"), data[:40]
    text = pdf_text(data, tmp_path)
    assert f"共开展中心组集中学习{demo.sessions}次" in text, text[:500]
    assert demo.group.name in text
    # The link for browsers that block the automatic download.
    fallback = page.locator("[data-pdf-fallback] a")
    expect(fallback).to_be_visible()
    assert fallback.get_attribute("href").endswith("/download/")
    expect(button).to_be_enabled()
    page_checks.assert_clean()


@pytest.fixture
def held_back(monkeypatch):
    """The PDF waits, as it does for a busy worker, until the test renders it (render())."""
    from reports.services import report_files

    queued = []
    monkeypatch.setattr(report_files, "_queue", queued.append)

    def render():
        assert queued, "no PDF was queued"
        for report_file_id in queued:
            report_files.report_file_render(report_file_id=report_file_id)

    return render


def test_while_the_pdf_is_made_the_button_says_so_and_the_download_starts_when_ready(
    page, live_server, demo, held_back
):
    log_in(page, live_server, demo.leader, password=demo.password)
    page.goto(live_server.url + reverse("reports:summary", args=[demo.group.slug, demo.term.code]))
    button = page.locator("[data-pdf-start]")
    button.click()
    expect(button).to_have_text("正在生成…")
    expect(button).to_be_disabled()
    expect(page.locator("[data-pdf-progress]")).to_have_text("正在等待后台任务开始生成PDF。")

    with page.expect_download(timeout=90_000) as download_info:
        held_back()
    assert Path(download_info.value.path()).read_bytes().startswith(b"%PDF")
    expect(button).to_have_text("下载PDF")
    expect(page.locator("[data-pdf-progress]")).to_have_text("PDF已生成。")
    assert page.js_errors == []


def test_without_javascript_the_progress_page_starts_the_download(
    browser, live_server, demo, held_back
):
    context = browser.new_context(locale="zh-CN", accept_downloads=True, java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, live_server, demo.leader, password=demo.password)
        page.goto(
            live_server.url + reverse("reports:summary", args=[demo.group.slug, demo.term.code])
        )
        with page.expect_navigation():
            page.get_by_role("button", name="下载PDF").click()
        assert "/pdf/" in page.url and page.url.endswith("?download=auto")
        expect(page.locator("main p[role=status]")).to_contain_text("正在等待后台任务开始生成PDF。")

        # The page refreshes itself; once the PDF is ready it starts the download.
        with page.expect_download(timeout=90_000) as download_info:
            held_back()
        assert Path(download_info.value.path()).read_bytes().startswith(b"%PDF")
        expect(page.get_by_role("link", name="下载PDF")).to_be_visible()
    finally:
        context.close()
