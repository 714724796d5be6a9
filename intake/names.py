"""File names as users send them: the extension, a name safe to keep, a name that is refused."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def file_extension(name: str) -> str:
    """The lower-case extension of a file name, with its dot: '.docx' for '心得.DOCX'.

    '' when the name has no dot; a folder part (before the last / or \\) is ignored. Never
    raises.
    """
    base = re.split(r"[\\/]", name or "")[-1]
    return "." + base.rsplit(".", 1)[-1].lower() if "." in base else ""


def sanitise_filename(name: str, *, extension: str, fallback: str = "essay") -> str:
    """A filename safe to keep and send back in Content-Disposition.

    Drops any directory part (also Windows backslashes), control and format characters (bidi
    overrides among them), and quotes; keeps Chinese; shortens to 200 characters keeping the
    extension; `fallback` is the stem when nothing is left. `extension` is the one already
    checked (with its dot, lower case) and always ends the result. Never raises.
    """
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(
        ch
        for ch in unicodedata.normalize("NFC", name)
        if unicodedata.category(ch)[0] != "C" and ch not in '"<>:|?*'
    ).strip()
    stem = name[: -len(extension)] if name.lower().endswith(extension) else name
    stem = stem.strip(" .")[:200] or fallback
    return f"{stem}{extension}"


def filename_check(name: str) -> None:
    """Refuse a file name that holds a path (/ or \\) or control characters such as NUL.

    Browsers send a bare name and Django's upload parser strips such parts, so only a name that
    was made to attack the app gets here; it is refused rather than guessed at. Raises
    ValidationError (code "bad_name"); returns nothing for a plain name.
    """
    if any(ch in "/\\" or unicodedata.category(ch) == "Cc" for ch in name or ""):
        raise ValidationError(
            _(
                "The file name contains a folder path or control characters. "
                "Rename the file to a plain name and upload it again."
            ),
            code="bad_name",
        )
