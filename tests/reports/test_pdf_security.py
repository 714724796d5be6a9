"""Text written by users reaches the PDF as text: nothing it names is fetched or attached."""

from pathlib import Path

import pytest

from reports.fetcher import DOCUMENT_BASE_URL, FetchRefused, StaticFilesFetcher
from reports.pdf import render_pdf, report_document_build
from tests.factories import PlannedTopicFactory, ReflectionEssayFactory, StudyPlanFactory
from tests.reports.pdf_helpers import make_narrative, make_term_records, pdf_attachments, pdf_text

pytestmark = pytest.mark.django_db

PASSWD_LINE = "root:x:0:0"
HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/passwd">',
    '<img src="http://127.0.0.1:9/x">',
    '<p style="background: url(file:///etc/passwd)">背景</p>',
    '<style>@import url("http://127.0.0.1:9/y.css"); p { background: url(data:,x) }</style>',
]
HOSTILE_TEXT = "\n".join(HOSTILE)


def _no_attachments(pdf: bytes) -> bool:
    return pdf_attachments(pdf).strip().startswith("0 embedded files")


def _spy_fetcher(monkeypatch) -> list[StaticFilesFetcher]:
    made: list[StaticFilesFetcher] = []
    original_init = StaticFilesFetcher.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(StaticFilesFetcher, "__init__", init)
    return made


def test_hostile_narrative_and_titles_render_as_text_and_fetch_nothing(
    monkeypatch, group, term, secretary, leader, member
):
    member.display_name = '<img src="file:///etc/passwd">'
    member.save()
    sessions = make_term_records(group=group, term=term, members=[secretary, leader, member])
    sessions[0].topic = '<link rel="attachment" href="file:///etc/passwd">'
    sessions[0].speakers = '<img src="http://127.0.0.1:9/x">'
    sessions[0].save()
    ReflectionEssayFactory(group=group, author=member, session=sessions[1], title=HOSTILE_TEXT)
    make_narrative(
        group=group,
        term=term,
        approved=True,
        approver=leader,
        preamble=HOSTILE_TEXT,
        practices=[{"heading": HOSTILE[1], "body": HOSTILE_TEXT}],
        problems=HOSTILE[2],
        measures=HOSTILE[4],
    )
    fetchers = _spy_fetcher(monkeypatch)

    document = report_document_build(group=group, term=term, kind="summary")
    pdf = render_pdf(document.html)

    assert pdf.startswith(b"%PDF")
    (fetcher,) = fetchers
    assert fetcher.refused == []
    assert [url.rsplit("/", 1)[-1] for url in fetcher.served] == ["pdf.css"]
    text = pdf_text(pdf)
    assert "file:///etc/passwd" in text  # shown as the words the user wrote
    assert PASSWD_LINE not in text
    assert _no_attachments(pdf)


def test_hostile_plan_topics_render_as_text(monkeypatch, group, leader):
    plan = StudyPlanFactory(group=group, status="approved")
    PlannedTopicFactory(plan=plan, title=HOSTILE[0], lead_speaker=HOSTILE[2], readings=HOSTILE[1])
    fetchers = _spy_fetcher(monkeypatch)
    document = report_document_build(group=group, term=plan.term, kind="plan")
    pdf = render_pdf(document.html)
    assert fetchers[0].refused == []
    assert PASSWD_LINE not in pdf_text(pdf)
    assert _no_attachments(pdf)


def test_raw_html_that_slipped_through_could_still_fetch_nothing():
    # Defence in depth: even unescaped markup reaches no file and no host.
    html = "<html><head></head><body><p>学习</p>" + HOSTILE_TEXT + "</body></html>"
    fetcher = StaticFilesFetcher()
    pdf = render_pdf(html, fetcher=fetcher)
    assert fetcher.served == []
    assert any(url.startswith("file:///etc/passwd") for url in fetcher.refused)
    assert any(url.startswith("http://127.0.0.1:9/") for url in fetcher.refused)
    assert PASSWD_LINE not in pdf_text(pdf)
    assert _no_attachments(pdf)


def test_fetcher_serves_the_apps_static_files():
    fetcher = StaticFilesFetcher()
    response = fetcher(DOCUMENT_BASE_URL + "static/reports/pdf.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "https://example.com/static/reports/pdf.css",
        "data:text/plain,hello",
        DOCUMENT_BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
        DOCUMENT_BASE_URL + "static/../settings.py",
        DOCUMENT_BASE_URL + "static//etc/passwd",
        DOCUMENT_BASE_URL + "static/reports/..%2fpdf.css",
        DOCUMENT_BASE_URL + "static/reports/pdf.css?x=1",
        DOCUMENT_BASE_URL + "media-not-served/essays/1/1/a.pdf",
        DOCUMENT_BASE_URL + "static/reports/no-such-file.css",
    ],
)
def test_fetcher_refuses_everything_else(url):
    fetcher = StaticFilesFetcher()
    with pytest.raises(FetchRefused):
        fetcher(url)
    assert fetcher.refused == [url]


def test_fetcher_never_turns_a_refusal_into_a_worker_killing_base_exception():
    fetcher = StaticFilesFetcher(fail_on_errors=True)
    assert fetcher._fail_on_errors is False
    assert issubclass(FetchRefused, Exception)


def test_static_root_fallback_refuses_traversal(settings, tmp_path):
    settings.STATIC_ROOT = str(tmp_path)
    (tmp_path / "collected.css").write_text("p {}")
    fetcher = StaticFilesFetcher()
    assert fetcher(DOCUMENT_BASE_URL + "static/collected.css").read() == b"p {}"
    outside = Path(tmp_path).parent / "outside.css"
    outside.write_text("secret")
    with pytest.raises(FetchRefused):
        fetcher(DOCUMENT_BASE_URL + "static/%2E%2E/outside.css")
