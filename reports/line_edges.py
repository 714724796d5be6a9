"""Where the report PDFs' lines may break: two rules Pango's line breaking (Unicode's UAX #14,
which already keeps closing punctuation off the start of a line and opening brackets and
quotes off its end) does not know.

- A paragraph does not end with a line of one character (a 孤字): its last two characters
  (with the punctuation after them) are joined by U+2060 WORD JOINER, so they go to the last
  line together.
- A long run of Latin letters, digits and signs with no space (a WeChat article address, a
  file name) may break between any two of its characters, as a run of Chinese characters may:
  U+200B ZERO WIDTH SPACE goes between them. Otherwise such a run breaks only at a few places
  (after "?" or "/"), and the line before it ends far short of the margin, or its gaps,
  justified between Chinese characters, are so wide that a reader sees spaces.

Both characters are default-ignorable: Pango draws them as empty glyphs, which WeasyPrint does
not write into the PDF, so its text (what pdftotext, a search or a screen reader reads) is the
document's text unchanged. The HTML document itself is not changed: `prepare_tree` works on the
tree WeasyPrint parsed, just before it lays the document out.
"""

from __future__ import annotations

import unicodedata

from reports.cjk_justify import ZERO_WIDTH_SPACE, is_cjk

WORD_JOINER = "\u2060"

#: Runs of Latin, digits and signs at least this long may break anywhere: longer than any
#: ordinary word or figure ("2020年" "GB/T" "9704-2012" "92.3%" stay whole), as long as a
#: short web address.
LONG_RUN = 16

#: The block elements whose last line is kept from holding one character: the body's text.
#: Not headings: WeasyPrint takes a PDF bookmark's label from its heading's text, and a joiner
#: there would stay in the label (and in a search of the bookmarks); a heading is one short line.
_PARAGRAPHS = {"p", "li", "dd"}
#: Elements whose text is not laid out as lines of text.
_SKIPPED = {"head", "style", "script", "title", "svg"}


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _in_run(ch: str) -> bool:
    return not (ch.isspace() or is_cjk(ch) or ch in (ZERO_WIDTH_SPACE, WORD_JOINER))


#: Half-width marks a line must not start with (UAX #14's closing classes), besides the
#: closing brackets and quotes (Unicode categories Pe and Pf).
_NO_BREAK_BEFORE = set(",.;:?!%")


def _spread(run: str) -> str:
    """run with a zero-width space between each two of its characters, except before a
    closing mark and after an opening one (a line may not start with ")" or end with "(")."""
    pieces = [run[0]]
    for before, ch in zip(run, run[1:], strict=False):
        closing = ch in _NO_BREAK_BEFORE or unicodedata.category(ch) in ("Pe", "Pf")
        opening = unicodedata.category(before) in ("Ps", "Pi")
        if not (closing or opening):
            pieces.append(ZERO_WIDTH_SPACE)
        pieces.append(ch)
    return "".join(pieces)


def breakable_long_runs(text: str) -> str:
    """text with a zero-width space between the characters of each run of at least LONG_RUN
    characters that are neither spaces nor CJK (see _spread). Chinese text and short runs are
    unchanged."""
    pieces: list[str] = []
    start = 0
    for index in range(len(text) + 1):
        if index < len(text) and _in_run(text[index]):
            continue
        run = text[start:index]
        pieces.append(_spread(run) if len(run) >= LONG_RUN else run)
        if index < len(text):
            pieces.append(text[index])
        start = index + 1
    return "".join(pieces)


def _is_letter(ch: str) -> bool:
    return not ch.isspace() and unicodedata.category(ch)[0] not in "PZC"


def join_last_two(text: str) -> str:
    """text with a word joiner between its last two characters that are not punctuation or
    spaces (the punctuation after them already cannot start a line), or before its only one
    (to join it to the text of the element before); unchanged when a space comes first."""
    letters = []
    for index in range(len(text) - 1, -1, -1):
        ch = text[index]
        if ch == WORD_JOINER or unicodedata.category(ch) == "Cf":
            continue
        if ch.isspace():
            if letters:
                return text
            continue
        if _is_letter(ch):
            letters.append(index)
            if len(letters) == 2:
                last, before = letters
                between = text[before + 1 : last]
                if WORD_JOINER in between:
                    return text
                return text[: before + 1] + WORD_JOINER + text[before + 1 :]
        elif letters:
            # Punctuation between the two letters ("学。习"): the break before 习 is one
            # a reader expects; leave it.
            return text
    if len(letters) == 1:
        # The text holds one letter (the paragraph ends "…国<strong>学</strong>"): joined to
        # whatever comes before it.
        return WORD_JOINER + text
    return text


def _last_text_holder(element):
    """(node, attribute) holding the last piece of text laid out in element: its own text or
    the tail of its last descendant with text; None when it ends inside a skipped element."""
    holder = (element, "text") if element.text and element.text.strip() else None
    for child in element:
        if _local(child.tag) in _SKIPPED or not isinstance(child.tag, str):
            if child.tail and child.tail.strip():
                holder = (child, "tail")
            continue
        inner = _last_text_holder(child)
        if inner is not None:
            holder = inner
        if child.tail and child.tail.strip():
            holder = (child, "tail")
    return holder


def _spread_runs(element) -> None:
    for child in element:
        if child.tail:
            child.tail = breakable_long_runs(child.tail)
        if not isinstance(child.tag, str) or _local(child.tag) in _SKIPPED:
            continue
        if child.text:
            child.text = breakable_long_runs(child.text)
        _spread_runs(child)


def prepare_tree(root) -> None:
    """Apply both rules to the parsed document (an ElementTree element, the <html> root), in
    place: every text of the body gets breakable long runs, every paragraph (p, li, dd)
    its last two characters joined."""
    _spread_runs(root)
    for element in root.iter():
        if _local(element.tag) not in _PARAGRAPHS:
            continue
        holder = _last_text_holder(element)
        if holder is not None:
            node, attribute = holder
            setattr(node, attribute, join_last_two(getattr(node, attribute)))
