"""Lines of the report PDFs as GB/T 9704-2012 sets them: 28 Chinese characters fill a line of the
156 mm text area, justified lines (Chinese with digits and Latin too) end at the right margin,
the text reads back unchanged, and the punctuation rules at line edges hold.

Each paragraph below is crafted so that a naive layout breaks the rule it tests: measured with
poppler's pdftotext -bbox-layout."""

from __future__ import annotations

import re
import unicodedata

import pytest

from reports.cjk_justify import is_cjk
from tests.reports.pdf_helpers import pdf_text
from tests.reports.pdf_lines import (
    CHARACTER,
    LEFT_EDGE,
    MM,
    paragraphs_lines,
    pdf_lines,
    render_paragraphs,
    short_of_the_margin,
    squash,
)

#: Han characters only, no punctuation: every line of it holds as many as fit.
CHINESE = (
    "坚持把学习贯彻党的理论创新成果作为首要政治任务按照年初制定的学习计划统筹疫情防控和理论学习"
    "坚持学习前发通知学习中有记录学习后有检查中心组学习的制度化规范化水平进一步提升"
) * 3
#: Chinese with figures, percentages, a standard's number and a web address: no spaces, so any
#: space pdftotext reads would have been inserted.
MIXED = (
    "今年以来共开展中心组集中学习12次，其中专题学习3次、专题研讨4次、专家辅导2次、视频学习2次；"
    "出勤率92.3%，提交心得体会40篇、调研报告2篇。按照GB/T9704-2012的要求，"
    "学习材料见https://mp.weixin.qq.com/s/AbC123dEf456GhI789，第1至第12期简报已归档。"
) * 3
#: A real paragraph (the demo's preamble): Chinese with punctuation and a year.
PREAMBLE = (
    "2020年上半年，县委理论学习中心组坚持把学习贯彻习近平新时代中国特色社会主义思想作为首要"
    "政治任务，按照年初制定的学习计划，统筹疫情防控和理论学习，坚持学习前发通知、学习中有记录、"
    "学习后有检查，中心组学习的制度化、规范化水平进一步提升。"
)

#: The first line of a paragraph holds 26 characters after its two-character indent.
FIRST = "国" * 26
FULL = "国" * 28
CLOSING = "，。、；：？！”’）》」』】"
OPENING = "“‘（《「『【"


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] not in "PZC"


@pytest.fixture(scope="module")
def measured():
    """One PDF of the paragraphs above, and the lines of each."""
    paragraphs = [CHINESE, MIXED, PREAMBLE]
    pdf = render_paragraphs(*paragraphs)
    return pdf, paragraphs_lines(pdf_lines(pdf), paragraphs)


def test_a_line_of_chinese_characters_holds_28_and_fills_the_text_area(measured):
    _, (chinese, _, _) = measured
    assert len(chinese) >= 5
    # The first line: two characters of indent, then 26; every other full line 28.
    assert len(chinese[0]["text"]) == 26
    assert chinese[0]["xmin"] == pytest.approx(LEFT_EDGE + 2 * CHARACTER, abs=0.5)
    for line in chinese[1:-1]:
        assert len(line["text"]) == 28, line["text"]
        assert line["xmin"] == pytest.approx(LEFT_EDGE, abs=0.5)
    for line in chinese[:-1]:
        assert abs(short_of_the_margin(line)) < 0.5 * MM, line


def test_justified_lines_with_digits_and_latin_end_at_the_right_margin(measured):
    _, (_, mixed, preamble) = measured
    for lines in (mixed, preamble):
        assert len(lines) >= 3
        for line in lines[:-1]:
            # Within a tenth of the character the issue allows (GB/T 9704: 撑满版心).
            assert abs(short_of_the_margin(line)) < 0.5 * MM, line
        # The last line is not stretched: it ends where its text does.
        assert short_of_the_margin(lines[-1]) > CHARACTER or len(lines[-1]["text"]) >= 27
    # A Chinese-only line of the real paragraph holds 28, or 27 when a mark could not start
    # the next line; never 27 with a gap at the end.
    for line in preamble[1:-1]:
        if all(is_cjk(ch) for ch in line["text"]):
            assert len(line["text"]) in (27, 28), line["text"]


def test_justified_text_reads_back_as_written_without_inserted_spaces(measured):
    pdf, _ = measured
    text = pdf_text(pdf)
    # pdftotext puts a space where it sees a gap wider than a tenth of a character between two
    # characters: the shares of a justified line stay under that.
    body = [line for line in text.splitlines() if line.strip() and "—" not in line]
    assert all(" " not in line for line in body), [line for line in body if " " in line]
    assert re.sub(r"—\d+—", "", squash(text)) == squash(CHINESE + MIXED + PREAMBLE)


def _crafted():
    """(name, paragraph) where a naive line break breaks a rule."""
    cases = []
    for mark in CLOSING:
        # The mark would be the 27th character of the first line: it would start line two.
        cases.append((f"closing {mark}", f"{FIRST}{mark}{'学' * 20}"))
    # Across an element's edge: the mark follows <strong>.
    cases.append(("closing after strong", f"{'国' * 24}<strong>学习</strong>，{'学' * 20}"))
    for mark in OPENING:
        # The mark would be the 26th character of the first line: it would end it.
        cases.append((f"opening {mark}", f"{'国' * 25}{mark}学习{'学' * 20}"))
    # 26 + 28 + 1 characters: the last line would hold one.
    cases.append(("one character", f"{FIRST}{FULL}学"))
    cases.append(("one character and a stop", f"{FIRST}{FULL}学。"))
    cases.append(("one character in strong", f"{FIRST}{FULL}<strong>学</strong>"))
    # A web address with closing marks in it, long enough to break inside.
    cases.append(
        (
            "address",
            f"{'国' * 20}https://example.com/a,b.(c)d;e:f?g!h%i"
            + "j" * 20
            + f"{'学' * 10}https://mp.weixin.qq.com/s?__biz={'MzA5NjYwOTg0Mw' * 8}。",
        )
    )
    return cases


@pytest.fixture(scope="module")
def crafted():
    cases = _crafted()
    pdf = render_paragraphs(*(p for _, p in cases))
    texts = [p.replace("<strong>", "").replace("</strong>", "") for _, p in cases]
    return {
        name: lines
        for (name, _), lines in zip(cases, paragraphs_lines(pdf_lines(pdf), texts), strict=True)
    }


def test_no_line_starts_with_closing_punctuation(crafted):
    starts = {name: [line["text"][0] for line in lines] for name, lines in crafted.items()}
    for name, firsts in starts.items():
        assert not set(firsts) & set(CLOSING + ",.;:?!)%"), (name, firsts)
    # Each mark went down with the character before it, and that line still fills the measure.
    for mark in CLOSING:
        lines = crafted[f"closing {mark}"]
        assert lines[1]["text"].startswith(f"国{mark}")
        assert abs(short_of_the_margin(lines[0])) < 0.5 * MM


def test_an_opening_quote_or_bracket_starts_a_line_and_never_ends_one(crafted):
    for name, lines in crafted.items():
        assert all(line["text"][-1] not in OPENING + "(" for line in lines[:-1]), name
    for mark in OPENING:
        lines = crafted[f"opening {mark}"]
        # Down to the next line: alone, or (a quotation mark, which UAX #14 keeps to the
        # character before it) with that character.
        assert lines[1]["text"].startswith((f"{mark}学习", f"国{mark}学习")), lines[1]["text"]
        assert abs(short_of_the_margin(lines[0])) < 0.5 * MM
    assert crafted["opening （"][1]["text"].startswith("（学习")


def test_a_paragraph_never_ends_with_a_line_of_one_character(crafted):
    for name, lines in crafted.items():
        last = [ch for ch in lines[-1]["text"] if _is_letter(ch)]
        assert len(last) >= 2, (name, lines[-1]["text"])
    assert crafted["one character"][-1]["text"] == "国学"
    assert crafted["one character and a stop"][-1]["text"] == "国学。"
    assert crafted["one character in strong"][-1]["text"] == "国学"
    # The line before gave its last character up and still ends at the margin.
    for name in ("one character", "one character in strong"):
        assert abs(short_of_the_margin(crafted[name][-2])) < 0.5 * MM


def test_a_long_web_address_breaks_inside_and_its_lines_fill_the_measure(crafted):
    lines = crafted["address"]
    assert len(lines) >= 3
    for line in lines[:-1]:
        assert abs(short_of_the_margin(line)) < 0.5 * MM, line
