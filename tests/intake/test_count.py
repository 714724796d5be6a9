"""字数 as Word counts it, 字符数（不计空格）, and invisible characters: figures counted by hand."""

from __future__ import annotations

import pytest

from intake.count import INVISIBLE_CHARACTERS, count_characters, count_words, strip_invisible
from intake.text import tidy


@pytest.mark.parametrize(
    ("text", "words", "characters"),
    [
        # GDP | 增 | 长 | 5.2%  — nine characters without spaces.
        ("GDP增长5.2%", 4, 9),
        # Ten characters, each its own word: 8 Chinese and two full-width marks.
        ("学习贯彻，深入领会。", 10, 10),
        # 全 年 GDP 同 比 增 长 5.2% ， 高 于 预 期 0.3 个 百 分 点 。
        ("全年GDP同比增长5.2%，高于预期0.3个百分点。", 19, 26),
        # 学 | 习 | “ | 二 | 十 | 大 | ” | 精 | 神 | — | — | 第 | 一 | 讲 | … | …
        ("学习“二十大”精神——第一讲……", 16, 16),
        # （ | 一 | ） | 坚 | 持 | 《 | 纲 | 要 | 》 | 2019-2020 | 年 | ！
        ("（一）坚持《纲要》2019-2020年！", 12, 20),
        # English: one word per run between spaces, an apostrophe inside a word keeps it whole.
        ("It’s a well-known fact.", 4, 20),
        # Whitespace of every kind (ideographic space too) counts nothing and ends a run.
        ("学习 贯彻\n新思想\u3000ABC, 12。\t", 10, 14),
        # Full-width letters and digits are East Asian characters: one each.
        ("ＧＤＰ增长５％", 7, 7),
        ("", 0, 0),
        (" \n\t\u3000", 0, 0),
    ],
)
def test_word_count_and_characters_without_spaces(text, words, characters):
    assert (count_words(text), count_characters(text)) == (words, characters)


def test_invisible_characters_are_never_counted():
    hidden = "学\u200b习\u200c贯\u200d彻\ufeff新\u200e思\u200f想\u202a\u202e\u2066\u2069AB\u00adC"
    assert count_words(hidden) == 7 + 1  # 学习贯彻新思想 and ABC (the soft hyphen joins nothing)
    assert count_characters(hidden) == 7 + 3
    assert strip_invisible(hidden) == "学习贯彻新思想ABC"


def test_every_listed_invisible_character_is_stripped():
    listed = {0x200B, 0x200C, 0x200D, 0xFEFF, 0x200E, 0x200F, 0x00AD}
    listed |= set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
    assert {ord(ch) for ch in INVISIBLE_CHARACTERS} >= listed
    assert strip_invisible("".join(chr(c) for c in listed)) == ""


def test_tidy_takes_invisible_characters_out_of_extracted_text():
    assert tidy("\ufeff学\u200b习\u00ad心得\u200d\n") == "学习心得"
