"""The PDF pages: start, follow the progress (JSON or a refreshing page), download; scoped."""

import pytest
from django.urls import reverse

from reports.models import ReportFile
from reports.pdf import ReportRenderError
from reports.services import report_files
from reports.views import pdf as pdf_views
from tests.reports.pdf_helpers import make_narrative, make_term_records, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(group, term, secretary, leader, member):
    make_term_records(group=group, term=term, members=[secretary, leader, member])
    return make_narrative(group=group, term=term, approved=True, approver=leader)


def start_url(term, kind="summary", slug="sample"):
    return reverse("reports:pdf_start", args=[slug, term.code, kind])


def file_url(name, report_file, slug="sample"):
    return reverse(
        f"reports:{name}",
        args=[slug, report_file.term.code, report_file.kind, report_file.pk],
    )


def start(client, term, capture, kind="summary", json=False):
    headers = {"Accept": "application/json"} if json else {}
    with capture(execute=True):
        return client.post(start_url(term, kind), headers=headers)


def test_start_without_script_redirects_to_a_page_offering_the_download(
    client_for, django_capture_on_commit_callbacks, records, term, leader
):
    client = client_for(leader)
    response = start(client, term, django_capture_on_commit_callbacks)
    report_file = ReportFile.objects.get()
    assert response.status_code == 302
    assert response.url == file_url("pdf_progress", report_file) + "?download=auto"
    page = client.get(response.url)
    assert page.status_code == 200
    download = file_url("pdf_download", report_file)
    assert download.encode() in page.content
    # Ready: the page starts the download by itself, and keeps the button.
    assert f'<meta http-equiv="refresh" content="0; url={download}">' in page.content.decode()
    assert len(page.context["messages"]) == 1  # says what happened
    # Opened again later (not from the button): no download unasked.
    assert b'http-equiv="refresh"' not in client.get(file_url("pdf_progress", report_file)).content


def test_start_with_script_returns_the_status_as_json(
    client_for, django_capture_on_commit_callbacks, records, term, leader
):
    client = client_for(leader)
    response = start(client, term, django_capture_on_commit_callbacks, json=True)
    report_file = ReportFile.objects.get()
    # The test's transaction holds the task back until the response is sent.
    assert response.json()["status"] == "pending"
    data = client.get(response.json()["status_url"]).json()
    assert data["status"] == "done"
    assert data["download_url"] == file_url("pdf_download", report_file)
    assert data["status_url"] == file_url("pdf_status", report_file)
    assert data["progress"] and data["error"] == ""


def test_status_while_waiting_has_progress_and_no_link(
    client_for, django_capture_on_commit_callbacks, records, term, leader
):
    client = client_for(leader)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(start_url(term), headers={"Accept": "application/json"})
    report_file = ReportFile.objects.get()
    data = client.get(file_url("pdf_status", report_file)).json()
    assert data["status"] == "pending"
    assert data["download_url"] is None
    assert data["progress"]
    page = client.get(file_url("pdf_progress", report_file) + "?download=auto")
    # Still waiting: the page refreshes itself (same address), not yet to the download.
    assert f'<meta http-equiv="refresh" content="{pdf_views.REFRESH_SECONDS}">' in (
        page.content.decode()
    )
    assert file_url("pdf_download", report_file) not in page.content.decode()
    # Not ready: the download address shows the progress page instead of a file.
    response = client.get(file_url("pdf_download", report_file))
    assert response.status_code == 302
    assert response.url == file_url("pdf_progress", report_file)


def test_download_is_a_pdf_attachment_with_the_reports_chinese_name(
    client_for, django_capture_on_commit_callbacks, records, term, member
):
    client = client_for(member)
    start(client, term, django_capture_on_commit_callbacks)
    report_file = ReportFile.objects.get()
    response = client.get(file_url("pdf_download", report_file))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert "%E4%B8%AD%E5%BF%83%E7%BB%84" in disposition  # 中心组, RFC 5987 encoded
    pdf = b"".join(response.streaming_content)
    assert "共开展中心组集中学习3次" in pdf_text(pdf).replace("\n", "")


def test_a_failed_render_shows_the_error_and_can_be_retried(
    monkeypatch, client_for, django_capture_on_commit_callbacks, records, term, secretary
):
    real_render = report_files.render_pdf

    def broken(html, **kwargs):
        raise ReportRenderError("没有找到中文字体。")

    monkeypatch.setattr(report_files, "render_pdf", broken)
    client = client_for(secretary)
    response = start(client, term, django_capture_on_commit_callbacks)
    page = client.get(response.url)
    assert "没有找到中文字体。" in page.content.decode()
    assert start_url(term).encode() in page.content  # the retry form
    assert b'http-equiv="refresh"' not in page.content
    report_file = ReportFile.objects.get()
    data = client.get(file_url("pdf_status", report_file)).json()
    assert data["status"] == "failed" and data["error"] == "没有找到中文字体。"

    monkeypatch.setattr(report_files, "render_pdf", real_render)
    retried = start(client, term, django_capture_on_commit_callbacks, json=True).json()
    assert retried["id"] == report_file.pk
    assert client.get(retried["status_url"]).json()["status"] == "done"


def test_the_plan_pdf_downloads_too(client_for, django_capture_on_commit_callbacks, group, leader):
    from tests.factories import PlannedTopicFactory, StudyPlanFactory

    plan = StudyPlanFactory(group=group, status="approved")
    PlannedTopicFactory(plan=plan, title="学习贯彻全会精神")
    client = client_for(leader)
    data = start(client, plan.term, django_capture_on_commit_callbacks, kind="plan", json=True)
    status = client.get(data.json()["status_url"]).json()
    response = client.get(status["download_url"])
    assert "学习贯彻全会精神" in pdf_text(b"".join(response.streaming_content))


def test_members_get_no_draft_summary_pdf(
    client_for, django_capture_on_commit_callbacks, group, term, member
):
    make_term_records(group=group, term=term, members=[member])
    make_narrative(group=group, term=term, approved=False)
    response = start(client_for(member), term, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert not ReportFile.objects.exists()


def test_members_cannot_open_a_draft_pdf_made_for_the_secretary(
    client, client_for, django_capture_on_commit_callbacks, group, term, secretary, member
):
    make_term_records(group=group, term=term, members=[secretary, member])
    make_narrative(group=group, term=term, approved=False)
    start(client_for(secretary), term, django_capture_on_commit_callbacks)
    report_file = ReportFile.objects.get()
    assert not report_file.approved
    client.force_login(member.user)
    assert client.get(file_url("pdf_download", report_file)).status_code == 403
    assert client.get(file_url("pdf_status", report_file)).status_code == 403


def test_another_groups_member_gets_404(
    client, client_for, django_capture_on_commit_callbacks, records, term, leader, outsider
):
    start(client_for(leader), term, django_capture_on_commit_callbacks)
    report_file = ReportFile.objects.get()
    client.force_login(outsider.user)
    for name in ("pdf_progress", "pdf_status", "pdf_download"):
        assert client.get(file_url(name, report_file)).status_code == 404
    assert client.post(start_url(term)).status_code == 404
    # Through the outsider's own group's address, the file is still not found.
    for name in ("pdf_progress", "pdf_status", "pdf_download"):
        assert client.get(file_url(name, report_file, slug="other")).status_code == 404


def test_unknown_kind_or_term_is_404(client_for, records, term, leader):
    client = client_for(leader)
    assert client.post(start_url(term, kind="minutes")).status_code == 404
    assert (
        client.post(reverse("reports:pdf_start", args=["sample", "1999H1", "summary"])).status_code
        == 404
    )


def test_start_needs_post_and_login(client, client_for, records, term, leader):
    assert client.post(start_url(term)).status_code == 302  # to the login page
    assert client_for(leader).get(start_url(term)).status_code == 405


def test_the_pdf_button_include_posts_to_start(rf, client_for, records, term, leader):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = leader.user
    html = render_to_string(
        "reports/_pdf_download.html",
        {"current_group": leader.group, "term": term, "kind": "summary"},
        request=request,
    )
    assert start_url(term) in html
    assert "reports/pdf-progress.js" in html
    assert "data-pdf-progress" in html
    # One button, which says what it is doing while the PDF is made; no second "save" button.
    assert html.count("<button") == 1
    assert 'data-busy-label="正在生成…"' in html
    assert "保存PDF" not in html and "btn" not in html.split("</form>", 1)[1]
    assert "<script>" not in html and " on" + "click" not in html  # CSP: script from a file


@pytest.mark.django_db(transaction=True)
def test_with_no_broker_the_pdf_is_ready_when_the_start_answers(client_for, records, term, leader):
    # No test transaction here: the service commits and the eager task runs before the answer.
    response = client_for(leader).post(start_url(term), headers={"Accept": "application/json"})
    data = response.json()
    assert data["status"] == "done"
    assert data["download_url"]
