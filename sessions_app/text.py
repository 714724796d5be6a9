"""How a title is quoted in running text (pure functions: no database, no request).

A title quoted in a Chinese sentence stands in book-title marks, 《…》; one already holding
book-title marks would print 《学习《习近平谈治国理政》第三卷的体会》. GB/T 15834-2011
标点符号用法, 4.15 书名号: "书名号里边还要用书名号时，外面一层用双书名号，里边一层用单书名号",
so the marks inside become 〈〉 (and a third level, rare, 《》 again: the levels alternate).
In English a title stands in quotation marks, “…”, and quotation marks inside it become ‘…’.
"""

from __future__ import annotations

from django.utils.translation import get_language

DOUBLE = ("《", "》")
SINGLE = ("〈", "〉")
_OPENING = {DOUBLE[0], SINGLE[0]}
_CLOSING = {DOUBLE[1], SINGLE[1]}


def _is_chinese(language: str | None) -> bool:
    return (language or "").lower().startswith("zh")


def _wraps_whole(title: str) -> bool:
    """Whether the title's first mark opens and its last one closes the same pair: 《学习体会》
    is wrapped whole, 《甲》与《乙》 is not."""
    if len(title) < 2 or title[0] not in _OPENING or title[-1] not in _CLOSING:
        return False
    depth = 0
    for i, char in enumerate(title):
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth -= 1
            if depth == 0:
                return i == len(title) - 1
    return False


def nested_book_title_marks(title: str) -> str:
    """The title's own book-title marks as they stand inside 《》: the first level single 〈〉,
    the next double 《》, and so on, whichever marks the writer used (学习《论语》 and
    学习〈论语〉 both give 学习〈论语〉). A closing mark with no opening one is left as it is.
    """
    out = []
    depth = 0
    for char in title:
        if char in _OPENING:
            depth += 1
            out.append(SINGLE[0] if depth % 2 else DOUBLE[0])
        elif char in _CLOSING and depth > 0:
            out.append(SINGLE[1] if depth % 2 else DOUBLE[1])
            depth -= 1
        else:
            out.append(char)
    return "".join(out)


def book_title(title: str, language: str | None = None) -> str:
    """The title quoted for a sentence in the language (default: the active one).

    Chinese: 《title》, with the book-title marks inside it nested (nested_book_title_marks);
    a title the writer already wrapped whole in marks (《学习体会》) is not wrapped twice.
    Other languages: “title”, with quotation marks inside it turned to single ones.
    An empty title gives an empty string.
    """
    title = (title or "").strip()
    if not title:
        return ""
    if _is_chinese(language or get_language()):
        if _wraps_whole(title):
            title = title[1:-1]
        return f"{DOUBLE[0]}{nested_book_title_marks(title)}{DOUBLE[1]}"
    return "“" + title.replace("“", "‘").replace("”", "’") + "”"
