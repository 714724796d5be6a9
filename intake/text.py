"""Plain text as people save it: the encodings Chinese Windows and Notepad write; tidy lines."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from intake.count import strip_invisible

_ALLOWED_CONTROL = {"\t", "\n", "\r", "\f"}


def decode_text(content: bytes) -> str | None:
    """The text of a plain text file, or None when the bytes are not text.

    UTF-16 with a byte order mark (Windows Notepad's "Unicode"), else UTF-8 (BOM or not), else
    GB18030 (Chinese Windows). Binary control characters such as NUL mean it is not text (tab,
    line breaks and form feed are text). Never raises.
    """
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROL for ch in text):
            return None
        return text
    return None


def tidy(text: str) -> str:
    """text with one kind of line break (\\n), no trailing spaces, at most one blank line in a row,
    no NUL, no invisible characters (intake.count.strip_invisible), and no blank lines at either
    end. Never raises."""
    text = strip_invisible(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def txt_text(content: bytes) -> str:
    """The text of an essay's .txt file, as decode_text reads it (not yet tidied).

    Raises ValidationError (code "bad_txt"), worded for the essay form, when the bytes are not
    text in one of the encodings decode_text knows.
    """
    text = decode_text(content)
    if text is None:
        raise ValidationError(
            _("This is not a plain text file. Upload a .docx, .pdf or .txt file."),
            code="bad_txt",
        )
    return text
