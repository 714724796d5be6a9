"""The lines of a report PDF as poppler sees them (pdftotext -bbox-layout): where each starts and
ends and what it says; and a document of given paragraphs set with the report stylesheet."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.template import engines
from django.utils import translation

from reports.pdf import render_pdf
from tests.reports.pdf_helpers import with_pdf_file

MM = 72 / 25.4
#: GB/T 9704-2012's text area on A4 portrait: 28 mm from the left edge, 156 mm wide.
LEFT_EDGE = 28 * MM
RIGHT_EDGE = (28 + 156) * MM
#: One character of the body on the 28-character grid.
CHARACTER = 156 * MM / 28


class _Lines(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict] = []
        self._page = 0
        self._in_word = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "page":
            self._page += 1
        elif tag == "line":
            self.lines.append(
                {
                    "page": self._page,
                    "xmin": float(a["xmin"]),
                    "xmax": float(a["xmax"]),
                    "text": "",
                }
            )
        elif tag == "word":
            self._in_word = True

    def handle_data(self, data):
        if self._in_word:
            self.lines[-1]["text"] += data.strip()

    def handle_endtag(self, tag):
        if tag == "word":
            self._in_word = False


def pdf_lines(pdf: bytes) -> list[dict]:
    """Every line of text in reading order: page (from 1), xmin and xmax in pt, and its text
    with poppler's word breaks taken out."""
    parser = _Lines()
    parser.feed(with_pdf_file(pdf, ["pdftotext", "-bbox-layout", "-enc", "UTF-8"], after=("-",)))
    return parser.lines


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def paragraphs_lines(lines: list[dict], paragraphs: list[str]) -> list[list[dict]]:
    """The lines of each paragraph (given by its text), found in order among lines: each
    paragraph's lines are consecutive lines whose texts add up to its text, page numbers left
    out. AssertionError when a paragraph is not there."""
    lines = [line for line in lines if not re.fullmatch(r"—\d+—", line["text"])]  # page numbers
    found = []
    start = 0
    for paragraph in map(squash, paragraphs):
        for first in range(start, len(lines)):
            if not paragraph.startswith(lines[first]["text"]) or not lines[first]["text"]:
                continue
            taken, text = [], ""
            for line in lines[first:]:
                if not paragraph.startswith(text + line["text"]):
                    break
                taken.append(line)
                text += line["text"]
                if text == paragraph:
                    break
            if text == paragraph:
                found.append(taken)
                start = first + len(taken)
                break
        else:
            raise AssertionError(f"Paragraph not found in the PDF: {paragraph[:30]}…")
    return found


def render_paragraphs(*paragraphs: str) -> bytes:
    """A report PDF (the report stylesheet, render_pdf) of the given paragraphs' HTML, each a
    <p> of the body."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    source = '{% extends "reports/pdf/document.html" %}{% block body %}' + body + "{% endblock %}"
    with translation.override("zh-hans"):
        html = engines["django"].from_string(source).render({"document_title": "行"})
    return render_pdf(html)


def short_of_the_margin(line: dict) -> float:
    """How far the line ends before the right edge of the text area, in pt (negative: past)."""
    return RIGHT_EDGE - line["xmax"]
