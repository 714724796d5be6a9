"""字数: how long an essay is, as the essay's page and the essay list show it."""

from __future__ import annotations


def count_characters(text: str) -> int:
    """The 字数 of text: how many of its characters are not whitespace (an int, 0 or more).

    Each Chinese character counts one, as does each Latin letter, digit and punctuation mark
    (full-width or not); spaces (the ideographic space U+3000 too), tabs and line breaks do not
    count (str.isspace). Never raises.

    Source: the figure Word's word count (审阅 > 字数统计) shows as "字符数(不计空格)"
    ("Characters (no spaces)"), which is how "字数" is usually read for Chinese essays; for text
    of Chinese characters alone it is also Word's "字数", which counts a run of Latin letters as
    one word where this counts each letter. The text counted is the one the essay keeps: the tidied
    text of its file (intake.essays.EssayFile.text) or its typed body, stripped
    (sessions_app.services.essays).
    """
    return sum(1 for ch in text if not ch.isspace())
