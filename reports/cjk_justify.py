"""Justified Chinese text in WeasyPrint: space shared out between characters, not only at spaces.

WeasyPrint (70.0) justifies a line by widening its spaces only (weasyprint.layout.inline.
justify_line, which says so in a TODO). Chinese has no spaces between words, so a justified
Chinese line stopped short of the right margin by whatever the next character did not fit, up
to a character's width, and a line with digits or Latin by up to 13 mm. CSS Text 3's
`text-justify: auto` for Chinese shares the extra space out between characters
(inter-character justification); Word and WPS do the same on a document grid.

This module carries that until WeasyPrint does it (the upstream proposal, with the patch it
sketches, is docs/upstream/weasyprint-cjk-justify.md). `install()` replaces three functions:

- `weasyprint.layout.inline.justify_line`: counts the line's justification opportunities, every
  gap between two characters of which one is CJK (a Han character, kana, a full-width
  punctuation mark), every place a long Latin run may break (reports.line_edges) and every
  space, and gives each the same share of the extra width: the text boxes move and widen as
  WeasyPrint's add_word_spacing moves and widens them for spaces. A line without CJK text or
  such a run is left to WeasyPrint's own code, so English reports are unchanged.
- `weasyprint.text.line_break.Layout.set_text` and `Layout.get_first_line`: when a justified
  text box's text is set again to be drawn (`justify=True`), the share is added to the advance
  of the glyph of each character before an opportunity, once Pango has shaped the line.
  WeasyPrint's draw_first_line writes the difference between a glyph's advance and its width as
  a TJ adjustment.

The characters drawn are the same, so the PDF's text layer (what pdftotext or a screen reader
reads, what a search finds) is unchanged: no spaces are inserted. `install()` checks that the
functions are the ones it was written against (WeasyPrint's version and the functions'
signatures) and raises RuntimeError otherwise, so a WeasyPrint upgrade that changes them is
noticed by the first render (and by tests/reports/test_cjk_justify.py) instead of silently
losing justified lines.
"""

from __future__ import annotations

import inspect
import threading
import unicodedata
from itertools import accumulate

import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline as weasy_inline
from weasyprint.text import line_break as weasy_line_break
from weasyprint.text.ffi import TO_UNITS, ffi

#: The WeasyPrint versions whose justify_line, Layout.set_text and Layout.get_first_line this
#: module replaces, checked to widen only spaces (see the module docstring). A new version must
#: be checked by hand (tests/reports/test_cjk_justify.py, test_pdf_lines.py) and added here, or
#: WeasyPrint's own CJK justification used instead if it has come.
SUPPORTED_WEASYPRINT = ("70.0",)

_SPACES = (" ", "\u00a0")
ZERO_WIDTH_SPACE = "\u200b"
_install_lock = threading.Lock()
_original_justify_line = weasy_inline.justify_line
_original_set_text = weasy_line_break.Layout.set_text
_original_get_first_line = weasy_line_break.Layout.get_first_line


def is_cjk(ch: str) -> bool:
    """Whether a character is set on the CJK grid: wide or full-width (Han characters, kana,
    hangul, 、。，：；？！（）《》 and the other full-width forms), or a punctuation mark of
    ambiguous width (“”‘’…—), which CJK fonts draw full width in Chinese text."""
    width = unicodedata.east_asian_width(ch)
    return width in ("W", "F") or (width == "A" and unicodedata.category(ch)[0] == "P")


def _leaves(box) -> list:
    """The line's in-flow leaves in order: text boxes, and atomic inlines (images) as None."""
    found = []
    for child in box.children:
        if not child.is_in_normal_flow():
            continue
        if isinstance(child, boxes.TextBox):
            found.append(child)
        elif isinstance(child, (boxes.LineBox, boxes.InlineBox)):
            found.extend(_leaves(child))
        else:
            found.append(None)
    return found


def justification_opportunities(texts: list[str | None]) -> list[list[int]]:
    """For each text of a line (None for an image), the indexes of its characters after which a
    justification opportunity lies: a gap with a CJK character on either side, a zero-width
    space (a place a long Latin run may break, see reports.line_edges), or after a space.
    Never after the line's last character; zero-width characters themselves take no share.
    Pure function, for the tests."""
    chars = []  # (text, index, character, whether a zero-width space comes before it)
    after_zwsp = False
    for t, text in enumerate(texts):
        for i, ch in enumerate(text if text is not None else "\ufffc"):
            if unicodedata.category(ch) == "Cf":
                after_zwsp = after_zwsp or ch == ZERO_WIDTH_SPACE
                continue
            chars.append((t, i, ch, after_zwsp))
            after_zwsp = False
    result: list[list[int]] = [[] for _ in texts]
    for (t, i, ch, _), (_, _, following, breakable) in zip(chars, chars[1:], strict=False):
        if texts[t] is None:
            continue
        if ch in _SPACES or breakable or is_cjk(ch) or is_cjk(following):
            result[t].append(i)
    return result


def justify_line(context, line, extra_width: float) -> None:
    """Share extra_width (pt) out between the line's justification opportunities.

    Replaces weasyprint.layout.inline.justify_line: same arguments, called by text_align for
    every line of `text-align: justify` text but the last. Lines without CJK text or a long
    Latin run made breakable (reports.line_edges), and lines right to left, go to WeasyPrint's
    own code (spaces only).
    """
    leaves = _leaves(line)
    texts = [leaf.text if leaf is not None else None for leaf in leaves]
    if line.style["direction"] == "rtl" or not any(
        is_cjk(ch) or ch == ZERO_WIDTH_SPACE for text in texts if text for ch in text
    ):
        _original_justify_line(context, line, extra_width)
        return
    opportunities = justification_opportunities(texts)
    count = sum(len(found) for found in opportunities)
    if not count:
        return
    share = extra_width / count
    for leaf, found in zip(leaves, opportunities, strict=True):
        if leaf is None or not found:
            continue
        starts = [0, *accumulate(len(ch.encode()) for ch in leaf.text)]  # UTF-8 offsets
        layout = weasy_line_break.create_layout(
            leaf.text, leaf.style, context, max_width=None, justification_spacing=0
        )
        layout.deactivate()
        layout.cjk_justification = (share, frozenset(starts[i] for i in found))
        leaf.pango_layout = layout
        leaf.justification_spacing = 0
    _advance(line, share, dict(zip(map(id, leaves), opportunities, strict=True)))


def _advance(box, share: float, opportunities: dict[int, list[int]], x_advance: float = 0.0):
    """Move each box right by the space given out before it and widen it by its own share,
    as WeasyPrint's add_word_spacing does for spaces. Returns the space given out so far."""
    box.position_x += x_advance
    if isinstance(box, boxes.TextBox):
        extra = share * len(opportunities.get(id(box), ()))
        box.width += extra
        return x_advance + extra
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        start = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _advance(child, share, opportunities, x_advance)
        box.width += x_advance - start
        return x_advance
    return x_advance


def set_text(self, text, justify=False):
    """Layout.set_text; when the text is set again to be drawn (justify=True), marks the layout
    so that get_first_line widens the opportunities' glyphs once the text is shaped."""
    _original_set_text(self, text, justify)
    self.cjk_pending = bool(justify and getattr(self, "cjk_justification", None))


def get_first_line(self):
    """Layout.get_first_line; on a layout marked by set_text, each justification opportunity's
    share is added to the advance of the last glyph of the character before it. Pango's
    letter spacing would put half of it before the character and drop it at the text's ends."""
    first_line, index = _original_get_first_line(self)
    if getattr(self, "cjk_pending", False):
        self.cjk_pending = False
        share, starts = self.cjk_justification
        _widen_glyphs(first_line, round(share * TO_UNITS), starts)
    return first_line, index


def _widen_glyphs(line, share_units: int, starts: frozenset[int]) -> None:
    """Add share_units (Pango units) to the advance of each cluster that holds a character
    starting at one of the byte offsets `starts`, once per such character (left to right)."""
    run = line.runs
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyphs = glyph_item.glyphs
        count = glyphs.num_glyphs
        offset, length = glyph_item.item.offset, glyph_item.item.length
        clusters = glyphs.log_clusters
        for i in range(count):
            if i + 1 < count and clusters[i + 1] == clusters[i]:
                continue  # not the cluster's last glyph
            start = offset + clusters[i]
            end = offset + (clusters[i + 1] if i + 1 < count else length)
            widened = sum(1 for byte in range(start, end) if byte in starts)
            if widened:
                glyphs.glyphs[i].geometry.width += widened * share_units


def _expected_signatures() -> bool:
    justify = inspect.signature(_original_justify_line)
    text = inspect.signature(_original_set_text)
    first_line = inspect.signature(_original_get_first_line)
    return (
        list(justify.parameters) == ["context", "line", "extra_width"]
        and list(text.parameters) == ["self", "text", "justify"]
        and list(first_line.parameters) == ["self"]
    )


def install() -> None:
    """Replace WeasyPrint's justify_line, Layout.set_text and Layout.get_first_line (idempotent).

    Raises RuntimeError when WeasyPrint is not a version listed in SUPPORTED_WEASYPRINT or the
    functions' signatures differ from the ones this module was written against.
    """
    with _install_lock:
        if weasy_inline.justify_line is justify_line:
            return
        if weasyprint.__version__ not in SUPPORTED_WEASYPRINT or not _expected_signatures():
            raise RuntimeError(
                f"reports.cjk_justify was written for WeasyPrint {SUPPORTED_WEASYPRINT}, "
                f"not {weasyprint.__version__}: check that justify_line still widens only "
                "spaces and Layout.set_text and get_first_line are unchanged, then add the version "
                "(see docs/upstream/weasyprint-cjk-justify.md)."
            )
        weasy_inline.justify_line = justify_line
        weasy_line_break.Layout.set_text = set_text
        weasy_line_break.Layout.get_first_line = get_first_line
