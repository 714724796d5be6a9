"""字数 and 字符数（不计空格）: how long an essay is, counted as Word and WPS count it.

Both figures are counted on the text the essay keeps: the tidied text of its file
(intake.essays.EssayFile.text) or its typed body, with invisible characters taken out
(strip_invisible) and stripped (sessions_app.services.essays).

Source. Word's 字数统计 dialog (审阅 > 字数统计) shows 字数 and 字符数（不计空格）
side by side: they are Word's wdStatisticWords and wdStatisticCharacters (Microsoft,
"WdStatistic enumeration (Word)", https://learn.microsoft.com/office/vba/api/word.wdstatistic).
Its third figure there, wdStatisticFarEastCharacters ("count of characters for Asian
languages"), is the dialog's 中文字符和朝鲜语单词, and 非中文单词 is the difference. Microsoft
does not publish how a word is delimited in East Asian text; the rule count_words follows is
Word's observed behaviour, which WPS matches: each East Asian character (ideograph, kana,
full-width letter, digit or punctuation mark) is one word, and a run of other characters
between spaces or East Asian characters is one word. So "GDP增长5.2%" is 4 words (GDP, 增, 长,
5.2%) and 9 characters without spaces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters that show nothing and are never counted: zero-width space, non-joiner and joiner,
# the byte order mark (zero-width no-break space) and the word joiner, the bidirectional marks,
# embeddings, overrides and isolates, and the soft hyphen.
INVISIBLE_CHARACTERS = frozenset(
    "\u200b\u200c\u200d\ufeff\u2060\u200e\u200f\u00ad"
    + "".join(chr(c) for c in range(0x202A, 0x202F))
    + "".join(chr(c) for c in range(0x2066, 0x206A))
)
_INVISIBLE_RE = re.compile("[" + "".join(sorted(INVISIBLE_CHARACTERS)) + "]")


def strip_invisible(text: str) -> str:
    """text without the characters of INVISIBLE_CHARACTERS (zero-width space and joiners, BOM,
    word joiner, bidirectional controls, soft hyphen). Never raises."""
    return _INVISIBLE_RE.sub("", text)


def count_characters(text: str) -> int:
    """字符数（不计空格）: how many characters of text are neither whitespace nor invisible (an int,
    0 or more).

    Each Chinese character, Latin letter, digit and punctuation mark (full-width or not) counts
    one; spaces (the ideographic space U+3000 too), tabs and line breaks do not (str.isspace), nor
    do the characters strip_invisible removes. Word's "字符数(不计空格)" (wdStatisticCharacters; see
    the module docstring for the source). Never raises.
    """
    return sum(1 for ch in text if not ch.isspace() and ch not in INVISIBLE_CHARACTERS)


@lru_cache(maxsize=4096)
def _is_east_asian(ch: str) -> bool:
    """Whether ch counts as one word on its own: wide or full-width (CJK ideographs, kana,
    Hangul, 、。，（）《》 and the other full-width forms), or a punctuation mark of ambiguous
    width, which a Chinese font sets full-width (“ ” ‘ ’ — … ·)."""
    width = unicodedata.east_asian_width(ch)
    if width in ("W", "F"):
        return True
    return width == "A" and unicodedata.category(ch).startswith("P")


def count_words(text: str) -> int:
    """字数 as Word and WPS count it (an int, 0 or more).

    Each East Asian character is one: CJK ideographs, kana, Hangul, full-width letters, digits
    and punctuation marks (，。、；：？！（）《》【】 and the like), and the quotation
    marks, dashes, ellipsis and middle dot Chinese text uses (“ ” ‘ ’ — … ·). Every other run of
    characters that are not whitespace (Latin letters, digits, half-width punctuation) is one
    word, however long: "GDP" is one, "5.2%" is one, "2019-2020" is one. A quotation mark or
    dash of ambiguous width between two characters of such a run belongs to it ("it’s" is one
    word, "2019–2020" too).
    Whitespace and invisible characters (strip_invisible) count nothing and end a run.
    Examples: "GDP增长5.2%" is 4; "学习贯彻，深入领会。" is 10; "Hello world" is 2.
    Source: Word's "字数" (wdStatisticWords; see the module docstring). Never raises.
    """
    text = strip_invisible(text)
    words = 0
    in_run = False
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch.isspace():
            in_run = False
        elif _is_east_asian(ch) and not (
            in_run
            and i < last
            and unicodedata.east_asian_width(ch) == "A"
            and not text[i + 1].isspace()
            and not _is_east_asian(text[i + 1])
        ):
            words += 1
            in_run = False
        elif not in_run:
            words += 1
            in_run = True
    return words
