"""The report PDFs on hostile real inputs: nothing runs off the page, tall rows split with the
header repeated, no page without body text, and the summary's 落款 and 成文日期."""

import re
from html.parser import HTMLParser

import pytest

from reports.pdf import render_pdf, report_document_build
from sessions_app.models import StudySession
from tests.factories import PlannedTopicFactory, StudyPlanFactory, TermFactory
from tests.reports.pdf_helpers import make_narrative, make_term_records, pdf_text, with_pdf_file

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
#: The right margins of the stylesheet's @page rules (static/reports/pdf.css), in mm: A4
#: portrait (26 mm, GB/T 9704) and the landscape page of the sessions table (37 mm).
RIGHT_MARGIN_MM = {"portrait": 26, "landscape": 37}


def unbroken(n: int) -> str:
    """A WeChat article address with no place a line may break, n characters long."""
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
    """A 300-character unbroken string (or the field's longest) in every text field."""
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
        preamble=text,
        practices=[{"heading": text, "body": text}],
        problems=text,
        causes=text,
        measures=text,
    )
    next_term = TermFactory(group=group, year=term.year, half=2)
    plan = StudyPlanFactory(group=group, term=next_term, status="approved", notes=text)
    PlannedTopicFactory(plan=plan, title=unbroken(300), lead_speaker=unbroken(200), readings=text)
    return next_term


def test_no_word_runs_past_the_text_area_of_the_summary(group, term, long_strings_everywhere):
    pdf = render_pdf(report_document_build(group=group, term=term, kind="summary").html)
    assert unbroken(300)[-20:] in re.sub(r"\s+", "", pdf_text(pdf))
    assert words_past_the_text_area(pdf) == []


def test_no_word_runs_past_the_text_area_of_the_plan(group, long_strings_everywhere):
    document = report_document_build(group=group, term=long_strings_everywhere, kind="plan")
    pdf = render_pdf(document.html)
    assert words_past_the_text_area(pdf) == []
