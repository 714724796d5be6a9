"""A group's own Word template (issue 15, section 2): the placeholders, the checks on upload,
the page that keeps its history, and the summary and plan .docx made with it (text, styles,
fonts, page setup, LibreOffice's page count).

The uploaded templates are built here with python-docx, as an office would make one in Word:
python-docx's own test files (which hold real-world .docx) are not installed with it."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook

from reports import word
from reports.models import WordTemplate
from reports.selectors.plan import study_plan_document
from reports.selectors.summary import half_year_summary
from reports.services.word_templates import word_template_upload, word_template_use_default
from sessions_app.models import PlannedTopic
from tests.factories import PlannedTopicFactory, StudyPlanFactory
from tests.reports.pdf_helpers import make_narrative, make_term_records, pdf_info, pdf_text

pytestmark = pytest.mark.django_db

LETTERHEAD = "中共示例县委理论学习中心组办公室"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def office_template(*, body: str = "{{ body }}", tail: str | None = None, header: str =
                    "{{ group }} · {{ title }}", in_table: bool = False) -> bytes:
    """A letterhead template as an office makes one in Word: its own Normal style (宋体 for
    Chinese, 12 pt), A4 with 20 mm margins, a red letterhead line, a header with placeholders,
    the body placeholder typed in two runs (as Word often stores it), and an optional closing
    paragraph after the body on a page of its own."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(12)
    word.set_run_fonts(normal.element, east_asian="宋体", latin="Arial")
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(20))
    section.header.paragraphs[0].text = header
    letterhead = document.add_paragraph()
    run = letterhead.add_run(LETTERHEAD)
    run.bold = True
    if in_table:
        document.add_table(rows=1, cols=1).rows[0].cells[0].paragraphs[0].text = body
    else:
        placeholder = document.add_paragraph()
        half = len(body) // 2
        placeholder.add_run(body[:half])
        placeholder.add_run(body[half:])
    if tail is not None:
        closing = document.add_paragraph()
        closing.add_run().add_break(WD_BREAK.PAGE)
        closing.add_run(tail)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "letterhead.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=DOCX)


def texts(docx_bytes: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(docx_bytes)).paragraphs if p.text.strip()]


# --- The checks -----------------------------------------------------------------------------


def _xlsx() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"plain text, not a Word file", "not a Word (.docx) file"),
        (_xlsx(), "not a Word (.docx) file"),
        (office_template(body="正文放这里"), "no {{ body }} placeholder"),
        (office_template(body="正文：{{ body }}"), "on a line of its own"),
        (office_template(in_table=True), "outside tables"),
        (office_template(header="{{ organ }}"), "unknown placeholders: {{ organ }}"),
        (office_template(header="{{ body }}"), "more than once"),
    ],
)
def test_a_file_that_is_not_a_template_is_refused_with_the_reason_and_nothing_saved(
    group, secretary, content, message
):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        word_template_upload(group=group, member=secretary, user=secretary.user,
                             upload=upload(content))
    assert message in " ".join(refused.value.message_dict["file"])
    assert not WordTemplate.objects.exists()


def test_the_default_template_passes_the_check_and_gives_the_same_document(group, term,
                                                                            secretary, leader):
    make_term_records(group=group, term=term, members=[secretary, leader])
    make_narrative(group=group, term=term, approved=True, approver=leader)
    summary = half_year_summary(group=group, term=term)
    template = word.default_template_docx()
    word.word_template_check(template)
    assert texts(word.summary_docx(summary, template=template)) == texts(
        word.summary_docx(summary)
    )


# --- Documents made with a group's template -------------------------------------------------


def test_the_summary_docx_takes_the_templates_letterhead_styles_and_page_setup(
    group, term, secretary, leader
):
    make_term_records(group=group, term=term, members=[secretary, leader])
    make_narrative(group=group, term=term, approved=True, approver=leader)
    summary = half_year_summary(group=group, term=term)
    docx_bytes = word.summary_docx(summary, template=office_template(tail="（此页无正文）"))
    document = Document(io.BytesIO(docx_bytes))

    paragraphs = texts(docx_bytes)
    # The letterhead first, then the document where {{ body }} was, the template's tail last.
    assert paragraphs[0] == LETTERHEAD
    assert paragraphs[1] == "\n".join(summary.title_lines)
    assert "二、存在的问题及原因" in paragraphs
    assert paragraphs[-1] == "（此页无正文）"
    assert not any("{{" in p for p in paragraphs)
    # The header's placeholders are filled.
    assert document.sections[0].header.paragraphs[0].text == f"{group.name} · {summary.title}"
    # The template's own Normal style is kept: 宋体 12 pt, not the default 仿宋 16 pt.
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(12)
    assert normal.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
    # A style the document needs and the template lacks is added, named for East Asian text.
    table_style = document.styles[word.STYLE_TABLE]
    assert table_style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == word.BODY_FONT
    # The template's page setup, for the body and the portrait appendix; the sessions
    # appendix turned landscape on the same paper.
    def mm(length) -> int:
        return round(length.mm)

    first, landscape = document.sections[0], document.sections[1]
    assert (mm(first.page_width), mm(first.left_margin), mm(first.top_margin)) == (210, 20, 20)
    assert (mm(landscape.page_width), mm(landscape.page_height)) == (297, 210)
    assert mm(landscape.left_margin) == 20


def test_the_plan_docx_fills_the_date_with_the_approval_day(group, leader):
    import datetime as dt

    from django.utils import timezone

    plan = StudyPlanFactory(group=group)
    PlannedTopicFactory(plan=plan, title="学习贯彻专题")
    plan.status = "approved"
    plan.approved_by = leader
    plan.approved_at = timezone.make_aware(dt.datetime(2020, 6, 28, 10))
    plan.save()
    plan_doc = study_plan_document(group=group, term=plan.term)
    template = office_template(header="{{ group }}　{{ date }}")
    document = Document(io.BytesIO(word.plan_docx(plan_doc, template=template)))
    assert document.sections[0].header.paragraphs[0].text == f"{group.name}　2020年6月28日"


def test_libreoffice_converts_a_plan_made_with_a_template_to_the_pages_it_should_have(group):
    """The plan (three topics) fits on the letterhead's first page; the template's closing
    paragraph starts a page of its own: two pages, in that order."""
    plan = StudyPlanFactory(group=group)
    for month in (7, 8, 9):
        PlannedTopicFactory(plan=plan, title=f"{month}月专题", planned_month=month)
    PlannedTopicFactory(plan=plan, kind=PlannedTopic.Kind.RESEARCH, title="调研课题",
                        planned_month=None, format="")
    plan_doc = study_plan_document(group=group, term=plan.term)
    docx_bytes = word.plan_docx(plan_doc, template=office_template(tail="（此页无正文）"))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "plan.docx"
        source.write_bytes(docx_bytes)
        done = subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{Path(tmp) / 'profile'}", "--headless",
             "--convert-to", "pdf", "--outdir", tmp, str(source)],
            capture_output=True, text=True, timeout=180,
        )
        assert done.returncode == 0, done.stderr
        converted = (Path(tmp) / "plan.pdf").read_bytes()
    assert int(re.search(r"Pages:\s+(\d+)", pdf_info(converted)).group(1)) == 2
    first, second = pdf_text(converted).split("\f")[:2]
    squash = lambda text: re.sub(r"\s+", "", text)  # noqa: E731
    assert squash(LETTERHEAD) in squash(first)
    assert "7月专题" in squash(first) and "调研课题" in squash(first)
    # Page two: the header (the group's name and the title) and the closing paragraph only.
    assert squash(second) == squash(f"{group.name} · {plan_doc.title}（此页无正文）")


# --- The page -------------------------------------------------------------------------------


def test_the_secretary_uploads_a_template_and_the_page_keeps_its_history(client, group,
                                                                          secretary):
    client.force_login(secretary.user)
    url = reverse("reports:word_template", args=[group.slug])
    page = client.get(url)
    assert "No template uploaded yet" in page.content.decode()

    response = client.post(url, {"file": upload(office_template())}, follow=True)
    assert "Version 1 of the Word template is saved" in response.content.decode()
    client.post(url, {"file": upload(office_template(), name="second.docx")})
    page = client.get(url).content.decode()
    assert "second.docx" in page and "letterhead.docx" in page
    assert list(WordTemplate.objects.values_list("version", flat=True)) == [2, 1]

    client.post(reverse("reports:word_template_reset", args=[group.slug]))
    assert all(t.is_retired for t in WordTemplate.objects.all())
    assert "The default layout (GB/T 9704" in client.get(url).content.decode()


def test_a_bad_upload_shows_the_reason_and_saves_nothing(client, group, secretary):
    client.force_login(secretary.user)
    response = client.post(reverse("reports:word_template", args=[group.slug]),
                           {"file": upload(office_template(body="没有占位符"))})
    assert response.status_code == 400
    assert "no {{ body }} placeholder" in response.content.decode()
    assert not WordTemplate.objects.exists()


def test_the_summary_download_uses_the_groups_template(client, group, term, secretary, leader):
    make_term_records(group=group, term=term, members=[secretary, leader])
    make_narrative(group=group, term=term, approved=False)
    word_template_upload(group=group, member=secretary, user=secretary.user,
                         upload=upload(office_template()))
    client.force_login(secretary.user)
    response = client.get(reverse("reports:docx_download", args=[group.slug, term.code,
                                                                 "summary"]))
    assert texts(b"".join(response.streaming_content))[0] == LETTERHEAD
    word_template_use_default(group=group, member=secretary, user=secretary.user)
    response = client.get(reverse("reports:docx_download", args=[group.slug, term.code,
                                                                 "summary"]))
    assert texts(b"".join(response.streaming_content))[0] != LETTERHEAD


def test_the_default_template_downloads_with_its_placeholder(client, group, secretary):
    client.force_login(secretary.user)
    response = client.get(reverse("reports:word_template_default", args=[group.slug]))
    content = b"".join(response.streaming_content)
    assert "{{ body }}" in texts(content)
    section = Document(io.BytesIO(content)).sections[0]
    # Word stores twentieths of a point: within 0.1 mm.
    assert abs(section.top_margin - Mm(37)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1)


@pytest.mark.parametrize("uploads", [1, 4])
def test_the_template_page_asks_the_same_queries_whatever_the_history(
    client, group, secretary, uploads, django_assert_num_queries
):
    for _ in range(uploads):
        word_template_upload(group=group, member=secretary, user=secretary.user,
                             upload=upload(office_template()))
    client.force_login(secretary.user)
    url = reverse("reports:word_template", args=[group.slug])
    client.get(url)  # the session's first read
    # The session, the user, the member with the group, the page's context (the menu), the
    # versions with their uploaders in one query, the session saved: none per version.
    with django_assert_num_queries(7):
        page = client.get(url)
    assert page.content.decode().count('<td class="text-break">letterhead.docx') == uploads


@pytest.fixture(autouse=True)
def english(client, settings):
    """These tests read the pages' and refusals' English wording (the Chinese is in the
    catalogue): the code runs in English and the test client asks for English pages."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
