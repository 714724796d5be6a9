"""Plain text as people save it: the encodings Chinese Windows and Notepad write; tidy lines.

A file is read in the one encoding its bytes are valid in, checked, or refused: nothing is read
half-decoded. The order is UTF-16 with a byte order mark (Notepad's "Unicode"), UTF-8 (BOM or
not), then GB18030 (which reads GBK and GB2312, Chinese Windows' "ANSI"). Bytes that are almost
UTF-8 are UTF-8 with damage, never GB18030: read as GB18030 they give plausible-looking nonsense
(`学习心得` with half a character after it reads as `瀛︿範蹇冨緱…`).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from intake.count import strip_invisible

_ALLOWED_CONTROL = {"\t", "\n", "\r", "\f"}
_BOMS_UTF16 = (b"\xff\xfe", b"\xfe\xff")
_BOM_UTF8 = b"\xef\xbb\xbf"
_BINARY_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Bytes that hold at least this many well-formed UTF-8 multi-byte characters per broken sequence
# are UTF-8 with damage. Chinese text saved as GBK, read as UTF-8, has well under one well-formed
# character per broken sequence (at most 0.375 over the 250 essays of the demo seed, measured).
UTF8_DAMAGED_RATIO = 2
# Of the characters past ASCII a GB18030 reading gives, at least this share must be in GB2312
# (the 6,763 common simplified characters and full-width punctuation). GBK text in traditional
# characters has about 60%; UTF-8 read as GB18030 about 40% and less.
GB2312_MIN_SHARE = 0.5


class TextProblem(Exception):
    """Why bytes are not read as text: `kind` is "binary" (control bytes: not text at all),
    "damaged_utf8" (UTF-8 with broken or cut characters) or "encoding" (valid in none of the
    encodings read, or read only into unlikely characters)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def _utf8_damaged(content: bytes) -> bool:
    """Whether bytes that are not valid UTF-8 are UTF-8 all the same, with some damage."""
    text = content.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    well_formed = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return well_formed > 0 and well_formed >= UTF8_DAMAGED_RATIO * broken


def _likely_gb18030(text: str) -> bool:
    """Whether a GB18030 reading gives the characters Chinese text is made of (see
    GB2312_MIN_SHARE): no private-use characters, and enough common ones."""
    beyond_ascii = [ch for ch in text if ord(ch) > 0x7F]
    if not beyond_ascii:
        return True
    common = 0
    for ch in beyond_ascii:
        if unicodedata.category(ch) == "Co":
            return False
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common >= GB2312_MIN_SHARE * len(beyond_ascii)


def read_text(content: bytes) -> str:
    """The text of a plain text file, decoded and checked; raises TextProblem otherwise.

    UTF-16 with a byte order mark, else UTF-8 (with or without a BOM; the BOM is dropped), else
    GB18030, each strictly (no character replaced or skipped). Raises TextProblem("damaged_utf8")
    when the bytes are UTF-8 with broken or cut characters (see UTF8_DAMAGED_RATIO), and
    TextProblem("encoding") when they are valid in none of these or GB18030 reads them into
    unlikely characters (GB2312_MIN_SHARE), and TextProblem("binary") for control characters
    other than tab, line breaks and form feed (NUL and the like: not text). Never anything else.
    """
    if content.startswith(_BOMS_UTF16):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise TextProblem("encoding") from exc
    else:
        # Neither UTF-8 nor GB18030 uses a byte below 0x80 inside a character: a control byte is
        # a control character whichever they are.
        if _BINARY_CONTROL_BYTES.search(content):
            raise TextProblem("binary")
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            if content.startswith(_BOM_UTF8) or _utf8_damaged(content):
                raise TextProblem("damaged_utf8") from None
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError:
                raise TextProblem("encoding") from None
            if not _likely_gb18030(text):
                raise TextProblem("encoding") from None
    if _has_binary_control(text):
        raise TextProblem("binary")
    return text


def _has_binary_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROL for ch in text)


def decode_text(content: bytes) -> str | None:
    """The text of a plain text file as read_text reads it, or None when it is not readable text
    (whichever TextProblem). Never raises."""
    try:
        return read_text(content)
    except TextProblem:
        return None


def tidy(text: str) -> str:
    """text with one kind of line break (\\n), no trailing spaces, at most one blank line in a row,
    no NUL, no invisible characters (intake.count.strip_invisible), and no blank lines at either
    end. Never raises."""
    text = strip_invisible(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def text_encoding_error(content: bytes) -> ValidationError | None:
    """The refusal for a text file in an encoding that cannot be read (TextProblem "damaged_utf8"
    or "encoding"), worded for any upload form and saying to save it as UTF-8; None when the bytes
    read as text or are not text at all ("binary"). Never raises."""
    try:
        read_text(content)
    except TextProblem as problem:
        if problem.kind == "damaged_utf8":
            return ValidationError(
                _(
                    "This text file is saved as UTF-8 but some of its characters are broken or "
                    "cut off, so it cannot be read correctly. Open it, save it again as UTF-8 "
                    "(in Notepad: Save as, Encoding: UTF-8) and upload it again."
                ),
                code="txt_damaged",
            )
        if problem.kind == "encoding":
            return ValidationError(
                _(
                    "This text file is not in an encoding that can be read (UTF-8, UTF-16 or "
                    "GBK/GB18030). Save it as UTF-8 (in Notepad: Save as, Encoding: UTF-8) and "
                    "upload it again."
                ),
                code="txt_encoding",
            )
    return None


def txt_text(content: bytes) -> str:
    """The text of an essay's .txt file, as read_text reads it (not yet tidied).

    Raises ValidationError worded for the essay form: code "txt_damaged" or "txt_encoding"
    (text_encoding_error: save it as UTF-8), "bad_txt" when the bytes are not text at all.
    """
    try:
        return read_text(content)
    except TextProblem as problem:
        error = text_encoding_error(content)
        if error is not None:
            raise error from problem
        raise ValidationError(
            _("This is not a plain text file. Upload a .docx, .pdf or .txt file."),
            code="bad_txt",
        ) from problem
