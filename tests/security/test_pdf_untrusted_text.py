"""Untrusted text and the PDF renderer (issue 4, items 1 and 2).

Text written by users (essay titles and bodies, narrative sections, session topics and
speakers, member names, plan topics) holding markup is shown as text on every page and in the
PDF: nothing it names is fetched, from the disk or the network, and nothing is attached to the
PDF. A trap HTTP server on 127.0.0.1 proves "nothing fetched" from the network's side; the
fetcher's own record proves it for files.
"""

from __future__ import annotations

import datetime as dt
import http.server
import io
import re
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from reports.fetcher import DOCUMENT_BASE_URL, FetchRefused, StaticFilesFetcher
from reports.models import ReportFile
from reports.pdf import render_pdf, report_document_build
from reports.services.narrative import NarrativeText, narrative_approve, narrative_save_draft
from tests.factories import (
    AttendanceFactory,
    PlannedTopicFactory,
    ReflectionEssayFactory,
    StudyPlanFactory,
    StudySessionFactory,
)
from tests.reports.pdf_helpers import pdf_attachments, pdf_text, with_pdf_file

pytestmark = pytest.mark.django_db

PASSWD_LINE = "root:x:0:0"


class _TrapHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request with a redirect to the server's secrets, and writes it down."""

    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.hits.append(self.path)
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def trap():
    """An HTTP server on 127.0.0.1 that records every request it gets (there must be none)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TrapHandler)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def hostile(port: int) -> str:
    """Markup that would read /etc/passwd, attach /etc/hostname and call the trap if it ran."""
    return (
        '<img src="file:///etc/passwd">'
        '<link rel="attachment" href="file:///etc/hostname">'
        f"<style>@import url(http://127.0.0.1:{port}/style.css);</style>"
        f"@import url(http://127.0.0.1:{port}/text.css)"
        "<script>alert(1)</script>"
    )


def short_hostile(port: int) -> str:
    """The same attack in the 100 characters a member's name may have."""
    return f'<img src="http://127.0.0.1:{port}/n"><script>alert(1)</script>'


class _LiveMarkup(HTMLParser):
    """Collects elements that would load or run something naming one of the markers."""

    LOADING = {"img", "link", "script", "style", "iframe", "object", "embed", "image", "use"}

    def __init__(self, markers: list[str]):
        super().__init__(convert_charrefs=True)
        self.markers = markers
        self.live: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = " ".join(v or "" for _k, v in attrs)
        if tag in self.LOADING and any(m in values for m in self.markers):
            self.live.append(f"<{tag} {values}>")
        if tag in ("script", "style"):
            self._in.append(tag)

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        if self._in and any(m in data for m in self.markers):
            self.live.append(f"<{self._in[-1]}>{data}")


def live_markup(page: str, port: int) -> list[str]:
    parser = _LiveMarkup(["etc/passwd", "etc/hostname", f"127.0.0.1:{port}", "alert(1)"])
    parser.feed(page)
    return parser.live


def pdf_embedded_files(pdf: bytes) -> list[str]:
    """What pypdf finds attached: the /EmbeddedFiles name tree, /AF entries, file annotations."""
    reader = PdfReader(io.BytesIO(pdf))
    found = [f"names:{name}" for name in reader.attachments]
    root = reader.trailer["/Root"]
    if "/EmbeddedFiles" in root.get("/Names", {}):
        found.append("/Names /EmbeddedFiles")
    if "/AF" in root:
        found.append("/Root /AF")
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            if annot.get_object().get("/Subtype") == "/FileAttachment":
                found.append(f"page {number + 1} /FileAttachment")
    return found


@pytest.fixture
def hostile_records(trap, group, term, secretary, leader, member):
    """Every kind of user text in the group's records holds the attack."""
    port = trap.server_address[1]
    text = hostile(port)
    member.display_name = short_hostile(port)
    member.position = text[:200]
    member.save()
    session = StudySessionFactory(
        group=group, term=term, date=dt.date(2020, 3, 10), topic=text, speakers=text, host=leader
    )
    for who in (secretary, leader, member):
        AttendanceFactory(session=session, member=who)
    essay = ReflectionEssayFactory(
        group=group, author=member, session=session, title=text, body=f"{text}\n{text}"
    )
    plan = StudyPlanFactory(group=group, term=term, status="approved")
    PlannedTopicFactory(plan=plan, title=text, lead_speaker=text[:200], readings=text)
    sections = NarrativeText(
        preamble=text,
        practices=[{"heading": text, "body": f"{text}\n{text}"}],
        problems=text,
        causes=text,
        measures=text,
    )
    draft = narrative_save_draft(
        group=group, term=term, text=sections, member=secretary, user=secretary.user
    )
    narrative_approve(narrative=draft, member=leader, user=leader.user)
    return {"port": port, "text": text, "session": session, "essay": essay}


# --- 1. on the pages --------------------------------------------------------------------------


def hostile_pages(group, term, records) -> list[tuple[str, str]]:
    """(who, address) of every page that shows one of the hostile texts."""
    session, essay = records["session"], records["essay"]
    s = lambda name, *args: reverse(f"sessions_app:{name}", args=[group.slug, *args])  # noqa: E731
    r = lambda name, *args: reverse(f"reports:{name}", args=[group.slug, *args])  # noqa: E731
    return [
        ("secretary", s("session_list")),
        ("secretary", s("session_detail", session.pk)),
        ("secretary", s("session_edit", session.pk)),
        ("secretary", s("essay_list")),
        ("secretary", s("essay_detail", essay.pk)),
        ("member", s("essay_edit", essay.pk)),
        ("member", s("my_record")),
        ("secretary", s("plan_detail", term.code)),
        ("member", r("summary", term.code)),
        ("secretary", r("summary_edit", term.code)),
        ("member", r("plan_document", term.code)),
    ]


def test_hostile_text_is_shown_as_text_on_every_page_and_nothing_on_them_would_load_it(
    request, client_for, group, term, hostile_records, trap
):
    port = hostile_records["port"]
    escaped_script = escape("<script>alert(1)</script>")
    for who, address in hostile_pages(group, term, hostile_records):
        response = client_for(request.getfixturevalue(who)).get(address)
        assert response.status_code == 200, address
        page = response.content.decode()
        assert live_markup(page, port) == [], address
        # Shown, and every time as escaped text.
        assert page.count("alert(1)") == page.count(escaped_script) > 0, address
        assert (
            escape('<img src="file:///etc/passwd">') in page or escape(short_hostile(port)) in page
        ), address
    assert trap.hits == []


def test_the_detector_finds_markup_that_would_run():
    # The page check above is only as good as this parser: it must see live markup.
    page = '<p>&lt;img src="file:///etc/passwd"&gt;</p><img src="file:///etc/passwd"><script>alert(1)</script>'
    assert live_markup(page, 1) == ["<img file:///etc/passwd>", "<script>alert(1)"]
    assert live_markup('<p title="&lt;img src=file:///etc/passwd&gt;">x</p>', 1) == []


# --- 1. in the PDF --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["summary", "plan"])
def test_hostile_text_is_printed_as_text_in_the_pdf_fetching_and_attaching_nothing(
    kind, group, term, hostile_records, trap
):
    fetcher = StaticFilesFetcher()
    document = report_document_build(group=group, term=term, kind=kind)
    pdf = render_pdf(document.html, fetcher=fetcher)

    assert fetcher.refused == []
    assert [url.rsplit("/", 1)[-1] for url in fetcher.served] == ["pdf.css"]
    assert trap.hits == []
    text = re.sub(r"\s+", "", pdf_text(pdf))
    assert '<imgsrc="file:///etc/passwd">' in text  # the words the user wrote, as words
    assert "<script>alert(1)</script>" in text
    assert PASSWD_LINE not in text
    assert pdf_embedded_files(pdf) == []
    assert pdf_attachments(pdf).strip().startswith("0 embedded files")


def test_the_pdf_the_web_serves_is_the_same_safe_document(
    client_for, django_capture_on_commit_callbacks, term, secretary, hostile_records, trap
):
    client = client_for(secretary)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:pdf_start", args=["sample", term.code, "summary"]))
    report_file = ReportFile.objects.get()
    assert report_file.status == ReportFile.Status.DONE, report_file.error
    response = client.get(
        reverse("reports:pdf_download", args=["sample", term.code, "summary", report_file.pk])
    )
    pdf = b"".join(response.streaming_content)
    assert "alert(1)" in pdf_text(pdf)
    assert PASSWD_LINE not in pdf_text(pdf)
    assert pdf_embedded_files(pdf) == []
    assert trap.hits == []


def test_markup_that_slipped_past_escaping_would_still_fetch_and_attach_nothing(trap):
    # Defence in depth: the fetcher alone keeps unescaped markup from reaching a file or host.
    port = trap.server_address[1]
    html = f"<html><head></head><body><p>学习</p>{hostile(port)}</body></html>"
    fetcher = StaticFilesFetcher()
    pdf = render_pdf(html, fetcher=fetcher)
    assert fetcher.served == []
    assert any(url.startswith("file:///etc/passwd") for url in fetcher.refused)
    assert any(url.startswith("file:///etc/hostname") for url in fetcher.refused)
    assert f"http://127.0.0.1:{port}/style.css" in fetcher.refused
    assert trap.hits == []
    assert PASSWD_LINE not in pdf_text(pdf)
    assert pdf_embedded_files(pdf) == []


# --- 2. the fetcher ------------------------------------------------------------------------


def test_fetcher_serves_the_apps_static_files():
    fetcher = StaticFilesFetcher()
    response = fetcher(DOCUMENT_BASE_URL + "static/reports/pdf.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"
    assert fetcher.served == [DOCUMENT_BASE_URL + "static/reports/pdf.css"]


# A 1x1 PNG. data: images are refused too: no template uses one, user text cannot make one
# (it is escaped), and a refused data: URL cannot be a decompression bomb.
PNG_DATA_URL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5"
    "8hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/hostname",
        "http://127.0.0.1:9/x",
        "https://example.com/static/reports/pdf.css",
        "ftp://127.0.0.1:9/x.css",
        "data:text/plain,hello",
        PNG_DATA_URL,
        "https://report.invalid:443/static/reports/pdf.css",
        "https://user:pw@report.invalid/static/reports/pdf.css",
        DOCUMENT_BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
        DOCUMENT_BASE_URL + "static/../settings.py",
        DOCUMENT_BASE_URL + "static//etc/passwd",
        DOCUMENT_BASE_URL + "static/reports/..%2fpdf.css",
        DOCUMENT_BASE_URL + "static/reports/pdf.css?x=1",
        DOCUMENT_BASE_URL + "static/reports/pdf.css#x",
        DOCUMENT_BASE_URL + "static/reports%5cpdf.css",
        DOCUMENT_BASE_URL + "static/reports/pdf.css%00.png",
        DOCUMENT_BASE_URL + "media-not-served/essays/1/1/a.pdf",
        DOCUMENT_BASE_URL + "static/reports/no-such-file.css",
    ],
)
def test_fetcher_refuses_every_other_address(url):
    fetcher = StaticFilesFetcher()
    with pytest.raises(FetchRefused):
        fetcher(url)
    assert fetcher.refused == [url]
    assert fetcher.served == []


def test_fetcher_follows_no_redirect_and_never_opens_a_connection(trap):
    # The trap answers with a redirect to file:///etc/passwd: WeasyPrint's own fetcher would
    # call it and follow the redirect; ours never calls it.
    port = trap.server_address[1]
    html = (
        f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/redirect.css">'
        f'</head><body><img src="http://127.0.0.1:{port}/redirect.png"><p>学习</p></body></html>'
    )
    fetcher = StaticFilesFetcher()
    pdf = render_pdf(html, fetcher=fetcher)
    assert trap.hits == []
    assert sorted(fetcher.refused) == [
        f"http://127.0.0.1:{port}/redirect.css",
        f"http://127.0.0.1:{port}/redirect.png",
    ]
    assert PASSWD_LINE not in pdf_text(pdf)


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


def _word_heights(pdf: bytes) -> dict[str, float]:
    out = with_pdf_file(pdf, ["pdftotext", "-bbox"], after=("-",))
    return {
        word: float(y_max) - float(y_min)
        for y_min, y_max, word in re.findall(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(\w+)</word>', out
        )
    }


def test_presentational_hints_stay_off():
    # With presentational_hints, <font size=7> would print BIG at three times the size.
    html = '<html><body><p><font size="7">BIG</font> small</p></body></html>'
    heights = _word_heights(render_pdf(html))
    assert heights["BIG"] == pytest.approx(heights["small"], rel=0.05)
