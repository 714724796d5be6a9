"""The report PDFs on hostile real inputs: nothing runs off the page, tall rows split with the
header repeated, no page without body text, and the summary's 落款 and 成文日期."""

import re
from html.parser import HTMLParser

import pytest

from demo.narratives import report_demo_seed
from demo.records import DEMO_SLUG, demo_seed
from reports.pdf import render_pdf, report_document_build
from sessions_app.models import StudyGroup, StudySession, Term
from tests.factories import PlannedTopicFactory, StudyPlanFactory, TermFactory
from tests.reports.pdf_helpers import make_narrative, make_term_records, pdf_text, with_pdf_file
from tests.reports.pdf_lines import (
    CHARACTER,
    paragraphs_lines,
    pdf_lines,
    short_of_the_margin,
    squash,
)
from tests.reports.test_pdf_lines import CHINESE, MIXED, PREAMBLE

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
#: The right margins of the stylesheet's @page rules (static/reports/pdf.css), in mm: A4
#: portrait (26 mm, GB/T 9704) and the landscape page of the sessions table (37 mm).
RIGHT_MARGIN_MM = {"portrait": 26, "landscape": 37}


def unbroken(n: int, *, run: str = "") -> str:
    """A WeChat article address with no place a line may break, n characters long; or, given
    run, that run repeated (a heading made of other characters than the text under it)."""
    if run:
        return (run * n)[:n]
    head = "https://mp.weixin.qq.com/s?__biz="
    return (head + "MzA5NjYwOTg0Mw" * 30)[:n]


class _Words(HTMLParser):
    """pdftotext -bbox's XHTML: per page its width and height, and each word's box."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: list[dict] = []
        self._word: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "page":
            self.pages.append(
                {"width": float(a["width"]), "height": float(a["height"]), "words": []}
            )
        elif tag == "word":
            self._word = {k: float(a[k]) for k in ("xmin", "xmax", "ymin", "ymax")}
            self._word["text"] = ""
            self.pages[-1]["words"].append(self._word)

    def handle_data(self, data):
        if self._word is not None:
            self._word["text"] += data

    def handle_endtag(self, tag):
        if tag == "word":
            self._word = None


def pdf_words(pdf: bytes) -> list[dict]:
    parser = _Words()
    parser.feed(with_pdf_file(pdf, ["pdftotext", "-bbox", "-enc", "UTF-8"], after=("-",)))
    return parser.pages


def words_past_the_text_area(pdf: bytes) -> list[tuple[int, str, float]]:
    """(page, word, how far past the right edge of the text area in mm) for every such word."""
    past = []
    for number, page in enumerate(pdf_words(pdf), start=1):
        orientation = "landscape" if page["width"] > page["height"] else "portrait"
        edge = page["width"] - RIGHT_MARGIN_MM[orientation] * MM
        for word in page["words"]:
            if word["xmax"] > edge + 0.5:
                past.append((number, word["text"][:20], round((word["xmax"] - edge) / MM, 1)))
    return past


@pytest.fixture
def long_strings_everywhere(group, term, secretary, leader, member):
    """A 300-character unbroken string (or the field's longest) in every text field, amid
    Chinese with figures in the narrative, and a planned topic taller than a page: the torture
    document."""
    leader.display_name = unbroken(100)
    leader.position = unbroken(200)
    leader.save()
    sessions = make_term_records(group=group, term=term, members=[leader, secretary, member])
    StudySession.objects.filter(pk__in=[s.pk for s in sessions]).update(
        topic=unbroken(300), speakers=unbroken(300), host=leader
    )
    text = unbroken(300)
    make_narrative(
        group=group,
        term=term,
        approved=True,
        approver=leader,
        # Real inputs around the long link: Chinese with figures, a standard's number, links.
        preamble=f"{MIXED}{text}。{MIXED}",
        practices=[{"heading": unbroken(200, run="HdGxQkZW5nUVJ"), "body": f"{CHINESE}{text}"}],
        problems=text,
        causes=text,
        measures=f"{PREAMBLE}{text}",
    )
    next_term = TermFactory(group=group, year=term.year, half=2)
    plan = StudyPlanFactory(group=group, term=next_term, status="approved", notes=text)
    # And a row taller than a page: the long link, then 60 lines of readings.
    readings = "\n".join([text, *(f"《学习材料第{i}篇》第{i}章" for i in range(1, 61))])
    PlannedTopicFactory(
        plan=plan, title=unbroken(300), lead_speaker=unbroken(200), readings=readings
    )
    return next_term


def test_no_word_runs_past_the_text_area_of_the_summary(group, term, long_strings_everywhere):
    pdf = render_pdf(report_document_build(group=group, term=term, kind="summary").html)
    assert unbroken(300)[-20:] in re.sub(r"\s+", "", pdf_text(pdf))
    assert words_past_the_text_area(pdf) == []


def test_the_torture_summarys_paragraphs_fill_the_measure(group, term, long_strings_everywhere):
    # Long links amid Chinese with digits: every line of a paragraph but its last ends within
    # a character of the right margin (GB/T 9704: 撑满版心), none past it (0.5 pt: poppler
    # adds up widths rounded to a thousandth of an em).
    pdf = render_pdf(report_document_build(group=group, term=term, kind="summary").html)
    narrative = term.report_narratives.get()
    paragraphs = [narrative.preamble, narrative.practices[0]["body"], narrative.measures]
    lines = pdf_lines(pdf)
    for paragraph in paragraphs_lines(lines, paragraphs):
        assert len(paragraph) >= 3
        for line in paragraph[:-1]:
            assert -0.5 < short_of_the_margin(line) < CHARACTER, line
    # The text reads back as written (page numbers aside): nothing inserted, nothing lost.
    text = re.sub(r"—\d+—", "", squash(pdf_text(pdf)))
    assert all(squash(p) in text for p in paragraphs)
    assert "第1章" in text and "第60章" in text  # the tall row of next term's plan is in it


def test_no_word_runs_past_the_text_area_of_the_plan(group, long_strings_everywhere):
    document = report_document_build(group=group, term=long_strings_everywhere, kind="plan")
    pdf = render_pdf(document.html)
    assert words_past_the_text_area(pdf) == []


class _Headings(HTMLParser):
    """The text of the document's headings: the title, 一、 and （一） headings, 附件 marks."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self._depth:
            self._depth += 1
        elif tag in ("h1", "h2", "h3") or "report-attachment-mark" in classes:
            self._depth = 1
            self.headings.append("")

    def handle_endtag(self, tag):
        if self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.headings[-1] += data


def pages_without_body_text(pdf: bytes, html: str) -> list[tuple[int, str]]:
    """(page, its text) for each page whose text is only headings, page numbers and 草稿."""
    parser = _Headings()
    parser.feed(html)
    headings = {re.sub(r"\s+", "", h) for h in parser.headings}
    empty = []
    for number, page in enumerate(pdf_text(pdf).split("\f")[:-1], start=1):
        lines = [re.sub(r"\s+", "", line) for line in page.splitlines()]
        body = [
            line
            for line in lines
            if line and line not in headings and not re.fullmatch(r"—\d+—|草稿", line)
        ]
        # A heading broken over two lines: its parts are not body text either.
        body = [line for line in body if not any(line in h for h in headings)]
        if not body:
            empty.append((number, page.strip()[:40]))
    return empty


@pytest.fixture
def tall_planned_topic(group, term):
    """The term's plan with a topic whose readings run to 60 lines: taller than a page."""
    plan = StudyPlanFactory(group=group, term=term, status="approved")
    readings = "\n".join(f"《学习材料第{i}篇》第{i}章" for i in range(1, 61))
    PlannedTopicFactory(plan=plan, title="深入学习贯彻党的二十大精神", readings=readings)
    PlannedTopicFactory(plan=plan, title="学习习近平新时代中国特色社会主义思想")
    return plan


def test_a_row_taller_than_a_page_splits_with_the_header_repeated(group, term, tall_planned_topic):
    document = report_document_build(group=group, term=term, kind="plan")
    pdf = render_pdf(document.html)
    pages = pdf_text(pdf).split("\f")[:-1]
    assert len(pages) >= 2
    assert pages_without_body_text(pdf, document.html) == []
    # The row starts under the heading on the first page and runs on under the header row.
    assert "第1章" in pages[0] and "第60章" not in pages[0]
    continued = [p for p in pages[1:] if "第60章" in p or "第40章" in p]
    assert continued and all("领学人" in p for p in continued)


def test_no_page_of_the_summary_is_only_headings(group, term, long_strings_everywhere):
    document = report_document_build(group=group, term=term, kind="summary")
    assert pages_without_body_text(render_pdf(document.html), document.html) == []


@pytest.fixture
def demo(db):
    demo_seed()
    report_demo_seed()
    return StudyGroup.objects.get(slug=DEMO_SLUG)


def test_the_approved_summary_ends_with_the_groups_name_and_the_date_before_the_appendices(demo):
    # GB/T 9704-2012 7.3.5.1: 落款 and 成文日期 after the body and the list of attachments;
    # the attachments follow (8: 附件 另面编排).
    term = Term.objects.get(group=demo, year=2020, half=1)
    document = report_document_build(group=demo, term=term, kind="summary")
    pdf = render_pdf(document.html)
    pages = pdf_text(pdf).split("\f")
    first_appendix = next(i for i, p in enumerate(pages) if p.strip().startswith("附件1"))
    body = [line.strip() for line in "\n".join(pages[:first_appendix]).splitlines()]
    body = [line for line in body if line and not re.fullmatch(r"—\s*\d+\s*—", line)]
    assert body[-2:] == [demo.name, "2020年7月10日"]
    # Not alone on its page (GB/T 9704-2012 7.3.5.4): the list of attachments at least with it.
    assert pages_without_body_text(pdf, document.html) == []
    assert "附件" in pages[first_appendix - 1]
    assert "草稿" not in pdf_text(pdf)
    # Placed as 7.3.5.1 places them: the date ends four characters (4 × 16 pt) from the right
    # edge of the text, the name is centred above it.
    page = pdf_words(pdf)[first_appendix - 1]
    edge = page["width"] - RIGHT_MARGIN_MM["portrait"] * MM
    date = next(w for w in page["words"] if w["text"] == "2020年7月10日")
    name = next(w for w in page["words"] if w["text"] == demo.name)
    assert date["xmax"] == pytest.approx(edge - 4 * 16, abs=2)
    assert (name["xmin"] + name["xmax"]) / 2 == pytest.approx(
        (date["xmin"] + date["xmax"]) / 2, abs=2
    )
    assert name["ymax"] <= date["ymin"] + 1


def test_every_page_of_a_draft_says_draft_in_its_header(group, term, secretary, leader, member):
    make_term_records(group=group, term=term, members=[secretary, leader, member])
    make_narrative(group=group, term=term, approved=False)
    document = report_document_build(group=group, term=term, kind="summary", include_draft=True)
    pdf = render_pdf(document.html)
    pages = pdf_text(pdf).split("\f")[:-1]
    assert len(pages) >= 3
    assert all(page.strip().splitlines()[0] == "草稿" for page in pages)
    # In the header: above the text area (the top margin is 37 mm).
    marks = [w for page in pdf_words(pdf) for w in page["words"] if w["text"] == "草稿"]
    assert len(marks) == len(pages) and all(w["ymax"] < 37 * MM for w in marks)
    # And no 落款 for a draft: it has no date yet.
    assert not re.search(r"\d{4}年\d{1,2}月\d{1,2}日", pdf_text(pdf))
