"""reports.cjk_justify (our inter-character justification for WeasyPrint) and reports.line_edges
(where lines may break): their rules, and the guards that fail when WeasyPrint changes."""

from __future__ import annotations

import pytest
import weasyprint
from weasyprint.layout import inline as weasy_inline
from weasyprint.text import line_break as weasy_line_break

from reports import cjk_justify
from reports.line_edges import (
    WORD_JOINER,
    ZERO_WIDTH_SPACE,
    breakable_long_runs,
    join_last_two,
)
from tests.reports.pdf_lines import (
    MM,
    paragraphs_lines,
    pdf_lines,
    render_paragraphs,
    short_of_the_margin,
)
from tests.reports.test_pdf_lines import MIXED


def test_every_gap_next_to_a_chinese_character_is_an_opportunity_but_none_inside_a_number():
    texts = ["共12次，出勤率92.3%", None, "GB/T 9704"]
    found = cjk_justify.justification_opportunities(texts)
    # 共|1 2|次|，|出|勤|率|9 …: after 共, 2, 次, ，, 出, 勤, 率; never inside 12 or 92.3%.
    assert found[0] == [0, 2, 3, 4, 5, 6, 7]
    # Before the image: % is not CJK, the image neither; after the image nothing either.
    assert found[1] == []
    # After the space of "GB/T 9704" (WeasyPrint's own opportunity); never after the last one.
    assert found[2] == [4]


def test_zero_width_characters_take_no_share_and_a_zero_width_space_makes_an_opportunity():
    text = f"国{WORD_JOINER}学ab{ZERO_WIDTH_SPACE}cd"
    (found,) = cjk_justify.justification_opportunities([text])
    # 国|学 once (not twice around the joiner), 学|a, b|c at the zero-width space; not a|b.
    assert found == [0, 2, 4]


def test_a_long_latin_run_may_break_anywhere_but_before_a_closing_or_after_an_opening_mark():
    address = "https://a.cn/x,y(z)w?q=1"
    spread = breakable_long_runs(f"访问{address}查看")
    assert spread.replace(ZERO_WIDTH_SPACE, "") == f"访问{address}查看"
    assert f"h{ZERO_WIDTH_SPACE}t" in spread
    for mark in ",)?":
        assert f"{ZERO_WIDTH_SPACE}{mark}" not in spread
    assert f"({ZERO_WIDTH_SPACE}" not in spread
    # Words, figures and a standard's number stay whole; Chinese is untouched.
    for text in ("GB/T9704-2012", "出勤率92.3%", "Xi Jinping Thought", "学习贯彻"):
        assert breakable_long_runs(text) == text


def test_the_last_two_characters_of_a_paragraph_are_joined():
    assert join_last_two("学习贯彻。") == f"学习贯{WORD_JOINER}彻。"
    assert join_last_two("学习贯彻”） ") == f"学习贯{WORD_JOINER}彻”） "
    # One character (the end of a paragraph in an element of its own): joined to what precedes.
    assert join_last_two("学") == f"{WORD_JOINER}学"
    # A space first: a Latin word cannot break anyway.
    assert join_last_two("the end") == f"the en{WORD_JOINER}d"
    assert join_last_two("at 5") == "at 5"


def test_install_replaced_weasyprints_functions_once():
    cjk_justify.install()
    cjk_justify.install()
    assert weasy_inline.justify_line is cjk_justify.justify_line
    assert weasy_line_break.Layout.set_text is cjk_justify.set_text
    assert weasy_line_break.Layout.get_first_line is cjk_justify.get_first_line


@pytest.fixture
def weasyprint_as_shipped(monkeypatch):
    """WeasyPrint's own justification, for the length of a test."""
    monkeypatch.setattr(weasy_inline, "justify_line", cjk_justify._original_justify_line)
    monkeypatch.setattr(weasy_line_break.Layout, "set_text", cjk_justify._original_set_text)
    monkeypatch.setattr(
        weasy_line_break.Layout, "get_first_line", cjk_justify._original_get_first_line
    )


def test_install_refuses_a_weasyprint_it_was_not_written_for(weasyprint_as_shipped, monkeypatch):
    monkeypatch.setattr(weasyprint, "__version__", "99.0")
    with pytest.raises(RuntimeError, match="99.0"):
        cjk_justify.install()
    assert weasy_inline.justify_line is cjk_justify._original_justify_line


def test_weasyprint_itself_still_leaves_chinese_lines_short(weasyprint_as_shipped):
    # The reason reports/cjk_justify.py exists (docs/upstream/weasyprint-cjk-justify.md). When
    # this fails, WeasyPrint justifies Chinese itself: drop the module and use its own.
    pdf = render_paragraphs(MIXED)
    (lines,) = paragraphs_lines(pdf_lines(pdf), [MIXED])
    shortfalls = [short_of_the_margin(line) for line in lines[:-1]]
    assert max(shortfalls) > 2 * MM
