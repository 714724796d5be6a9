"""The report PDFs: A4, Chinese text and figures readable, CJK fonts embedded, no empty boxes."""

import re
import subprocess

import pytest
from django.core.checks import Error

from reports import checks as font_checks
from reports.pdf import (
    MissingGlyphsError,
    document_hash,
    render_document_html,
    render_pdf,
    report_document_build,
)
from reports.selectors.summary import half_year_summary
from tests.factories import PlannedTopicFactory, StudyPlanFactory, TermFactory
from tests.reports.pdf_helpers import (
    PREAMBLE,
    make_narrative,
    make_term_records,
    pdf_fonts,
    pdf_info,
    pdf_text,
    with_pdf_file,
)

pytestmark = pytest.mark.django_db


def _squash(text: str) -> str:
    """pdftotext breaks lines where the page does: compare text without the breaks."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def summary_records(group, term, secretary, leader, member):
    make_term_records(group=group, term=term, members=[secretary, leader, member], sessions=3)
    make_narrative(group=group, term=term, approved=True, approver=leader)


@pytest.fixture
def summary_pdf(group, term, summary_records):
    document = report_document_build(group=group, term=term, kind="summary")
    return render_pdf(document.html)


def test_summary_pdf_is_a4_with_page_numbers_at_the_foot(summary_pdf):
    info = pdf_info(summary_pdf)
    assert "A4" in info
    text = pdf_text(summary_pdf)
    assert re.search(r"—\s*1\s*—", text)


def _page_corner_text(pdf: bytes, page: int, *, side: str) -> str:
    """The text in the bottom quarter of one half of a page (at 72 dpi: PDF points)."""
    size = with_pdf_file(pdf, ["pdfinfo", "-f", str(page), "-l", str(page)])
    width, height = (
        float(n) for n in re.search(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", size).groups()
    )
    x = 0 if side == "left" else width / 2
    crop = ["-x", str(int(x)), "-y", str(int(height * 0.75)), "-W", str(int(width / 2))]
    crop += ["-H", str(int(height / 4))]
    return with_pdf_file(
        pdf, ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), *crop], after=("-",)
    )


def test_page_numbers_odd_at_the_right_even_at_the_left(summary_pdf):
    # GB/T 9704: odd page numbers at the right, even ones at the left, as — n —.
    assert re.search(r"—\s*1\s*—", _page_corner_text(summary_pdf, 1, side="right"))
    assert not re.search(r"—\s*1\s*—", _page_corner_text(summary_pdf, 1, side="left"))
    assert re.search(r"—\s*2\s*—", _page_corner_text(summary_pdf, 2, side="left"))
    assert not re.search(r"—\s*2\s*—", _page_corner_text(summary_pdf, 2, side="right"))


def test_appendix_pages_start_with_their_mark_and_the_sessions_list_is_landscape(summary_pdf):
    pages = pdf_text(summary_pdf).split("\f")
    starts = [page.strip().splitlines()[0] for page in pages if page.strip()]
    assert "附件1" in starts and "附件2" in starts
    first_appendix = starts.index("附件1") + 1
    size = with_pdf_file(
        summary_pdf, ["pdfinfo", "-f", str(first_appendix), "-l", str(first_appendix)]
    )
    width, height = (float(n) for n in re.search(r"size:\s+([\d.]+) x ([\d.]+)", size).groups())
    assert width > height  # A4 landscape for the wide table


def test_summary_pdf_text_gives_back_the_chinese_narrative_and_the_figures(
    group, term, summary_pdf
):
    summary = half_year_summary(group=group, term=term)
    text = _squash(pdf_text(summary_pdf))
    assert _squash(summary.title) in text
    assert _squash(PREAMBLE) in text
    assert "坚持领导带头学" in text
    assert "共开展中心组集中学习3次" in text
    for sentence in summary.sentences:
        assert _squash(sentence) in text
    # The appendix tables carry the same figures as the sentences.
    assert "88.9%" in text
    assert "张成员" in text


def test_summary_pdf_embeds_subsets_of_the_faces_gb_t_9704_asks_for(summary_pdf):
    # Title in a bold serif (小标宋 style), 一、 headings in sans (黑体), （一） headings in kai
    # (楷体), the body in serif: each embedded as a subset, nothing else.
    fonts = pdf_fonts(summary_pdf)
    names = {re.sub(r"^[A-Z]{6}\+", "", f["name"]) for f in fonts}
    assert names == {
        "Noto-Serif-CJK-SC-Bold",
        "Noto-Serif-CJK-SC",
        "Noto-Sans-CJK-SC",
        "AR-PL-KaitiM-GB",
    }, fonts
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts), fonts
    # Subset names (a six-letter tag): no fontconfig fallback to DejaVu or the JP face.
    assert all(re.match(r"[A-Z]{6}\+", f["name"]) for f in fonts), fonts


def test_plan_pdf_uses_only_the_named_noto_cjk_sc_fonts(group, leader):
    next_term = TermFactory(group=group, year=2020, half=2)
    plan = StudyPlanFactory(group=group, term=next_term, status="approved")
    PlannedTopicFactory(plan=plan, title="深入学习贯彻党的二十大精神", lead_speaker="李书记")
    document = report_document_build(group=group, term=next_term, kind="plan")
    pdf = render_pdf(document.html)
    fonts = pdf_fonts(pdf)
    assert fonts and all(re.search(r"\+Noto-(Serif|Sans)-CJK-SC", f["name"]) for f in fonts), fonts
    text = _squash(pdf_text(pdf))
    assert "深入学习贯彻党的二十大精神" in text
    assert _squash(document.filename_stem) in text


def test_a_character_no_font_has_is_an_error_not_an_empty_box():
    # U+E000 is in the Private Use Area: no installed font draws it.
    html = "<html><body><p style=\"font-family: 'Noto Serif CJK SC'\">学习\ue000</p></body></html>"
    with pytest.raises(MissingGlyphsError, match="Noto Serif CJK SC"):
        render_pdf(html)


def test_missing_glyph_catching_leaves_weasyprint_logging_as_it_was():
    import logging

    logger = logging.getLogger("weasyprint")
    level, handlers = logger.level, list(logger.handlers)
    render_pdf("<html><body><p>学习</p></body></html>")
    assert logger.level == level
    assert logger.handlers == handlers


def test_content_hash_is_stable_and_changes_with_the_narrative(group, term, summary_records):
    first = report_document_build(group=group, term=term, kind="summary")
    again = report_document_build(group=group, term=term, kind="summary")
    assert first.content_hash == again.content_hash
    assert first.content_hash == document_hash(first.html, kind="summary")
    narrative = term.report_narratives.get()
    narrative.problems = "学习的系统性、针对性还不够强。"
    narrative.save()
    changed = report_document_build(group=group, term=term, kind="summary")
    assert changed.content_hash != first.content_hash


def test_standalone_html_carries_its_stylesheet(group, term, summary_records):
    html = render_document_html(group=group, term=term, kind="summary", inline_css=True)
    assert "@page" in html
    assert "Noto Serif CJK SC" in html
    assert "<link" not in html


# The system check for the CJK fonts.


def _fc_list(stdout: str, returncode: int = 0):
    def run(args, **kwargs):
        assert args[:2] == ["fc-list", ":lang=zh"]
        return subprocess.CompletedProcess(args, returncode, stdout=stdout, stderr="")

    return run


ALL_FACES = (
    "Noto Serif CJK SC:style=Bold\nNoto Serif CJK SC:style=Regular\n"
    "Noto Sans CJK SC:style=Regular\nNoto Sans CJK SC:style=Bold\nNoto Sans CJK JP:style=Regular\n"
    "AR PL KaitiM GB,文鼎ＰＬ简中楷:style=Regular\n"
)


def test_font_check_passes_when_fontconfig_lists_every_face_the_pdfs_use(monkeypatch):
    monkeypatch.setattr(font_checks.subprocess, "run", _fc_list(ALL_FACES))
    assert font_checks.check_cjk_fonts() == []


def test_font_check_names_the_kai_face_and_its_package_when_only_noto_is_installed(monkeypatch):
    listing = "\n".join(line for line in ALL_FACES.splitlines() if "Kaiti" not in line)
    monkeypatch.setattr(font_checks.subprocess, "run", _fc_list(listing))
    errors = font_checks.check_cjk_fonts()
    assert len(errors) == 1 and isinstance(errors[0], Error)
    assert "AR PL KaitiM GB" in errors[0].msg and "楷体" in errors[0].msg
    assert "Noto" not in errors[0].msg
    assert "fonts-arphic-gkai00mp" in errors[0].hint and "fonts-noto-cjk" not in errors[0].hint


def test_font_check_names_the_bold_title_face_when_only_regular_serif_is_there(monkeypatch):
    listing = ALL_FACES.replace("Noto Serif CJK SC:style=Bold\n", "")
    monkeypatch.setattr(font_checks.subprocess, "run", _fc_list(listing))
    errors = font_checks.check_cjk_fonts()
    assert len(errors) == 1
    assert "Noto Serif CJK SC Bold" in errors[0].msg and "小标宋" in errors[0].msg


def test_font_check_fails_naming_the_fonts_when_no_cjk_font_is_installed(monkeypatch):
    monkeypatch.setattr(font_checks.subprocess, "run", _fc_list(""))
    errors = font_checks.check_cjk_fonts()
    assert len(errors) == 1 and isinstance(errors[0], Error)
    for name in ("Noto Serif CJK SC", "Noto Sans CJK SC", "AR PL KaitiM GB"):
        assert name in errors[0].msg
    assert "fonts-noto-cjk" in errors[0].hint and "fonts-arphic-gkai00mp" in errors[0].hint


def test_font_check_fails_when_fc_list_is_missing(monkeypatch):
    def missing(*args, **kwargs):
        raise FileNotFoundError("fc-list")

    monkeypatch.setattr(font_checks.subprocess, "run", missing)
    errors = font_checks.check_cjk_fonts()
    assert len(errors) == 1 and isinstance(errors[0], Error)
    assert "fc-list" in errors[0].msg and "Noto Serif CJK SC" in errors[0].msg


def test_the_font_check_passes_on_this_machine():
    # The packages scripts/lib.sh installs give every face (README's commands were run here).
    assert font_checks.check_cjk_fonts() == []


def test_font_check_is_registered_with_django(monkeypatch):
    from django.core import checks

    monkeypatch.setattr(font_checks.subprocess, "run", _fc_list(""))
    ids = {message.id for message in checks.run_checks()}
    assert "reports.E002" in ids


def test_a_character_no_font_has_prints_as_a_geta_mark_and_the_pdf_renders(caplog):
    html = (
        "<html><body><p style=\"font-family: 'Noto Serif CJK SC'\">学习贯彻会议精神👍</p>"
        "</body></html>"
    )
    with caplog.at_level("WARNING", logger="reports.pdf"):
        pdf = render_pdf(html)
    assert "学习贯彻会议精神〓" in pdf_text(pdf)
    assert "THUMBS UP SIGN" in caplog.text
