"""PDFs: open one without running anything it carries, and read its text.

pypdf is imported inside the functions that need it, so importing this module stays cheap. Each
failure has its own kind (PdfProblem) and message: a password is needed, the file is damaged (pypdf
says it is malformed), there is no text (a scan), it runs something, or it could not be read for a
reason that is not the user's (a pypdf error we did not expect, logged with the file's sha256).
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import re
from collections import Counter
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from intake.count import count_characters

if TYPE_CHECKING:
    from pypdf import PdfReader

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"

# Dictionary keys and action types that make a PDF run something or carry other files.
_PDF_ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/XFA"}
)
_PDF_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch"})
# A PDF of 10 MB has some tens of thousands of objects; far more means something is wrong.
PDF_MAX_OBJECTS = 500_000


class PdfProblem(Exception):
    """Why a PDF was refused: `kind` is "encrypted" (a password is needed to open it), "damaged"
    (pypdf finds it malformed), "active" (scripts or attached files) or "unreadable" (an error
    that says nothing about the file, such as a pypdf bug; logged with the file's sha256)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def pdf_active_content_error() -> ValidationError:
    """The one message for a PDF with scripts or attached files (essays and materials)."""
    return ValidationError(
        _(
            "The PDF contains scripts or attached files; "
            "save it again as a plain PDF or upload .docx."
        ),
        code="pdf_active",
    )


def pdf_has_active_content(reader: PdfReader) -> bool:
    """True when the PDF can run something or carries other files.

    Looks through every object reachable from the trailer for JavaScript (/Names /JavaScript,
    /JS, an /OpenAction or annotation of type /JavaScript), automatic actions (/AA), /Launch,
    embedded or attached files (/EmbeddedFiles, /EF, /FileAttachment annotations) and XFA forms.
    Compressed object streams are read too, since pypdf decodes them. Raises
    PdfProblem("damaged") past PDF_MAX_OBJECTS objects, and whatever pypdf raises on a broken
    object (pdf_open turns those into PdfProblem("damaged")).
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    budget = PDF_MAX_OBJECTS
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            budget -= 1
            if budget < 0:
                raise PdfProblem("damaged")
            for key, value in dict.items(obj):
                if key in _PDF_ACTIVE_KEYS:
                    return True
                if key == "/S" and value in _PDF_ACTIVE_ACTIONS:
                    return True
                if key == "/Subtype" and value == "/FileAttachment":
                    return True
                if isinstance(value, (DictionaryObject, ArrayObject, IndirectObject)):
                    stack.append(value)
        elif isinstance(obj, ArrayObject):
            budget -= 1
            if budget < 0:
                raise PdfProblem("damaged")
            stack.extend(
                v for v in obj if isinstance(v, (DictionaryObject, ArrayObject, IndirectObject))
            )
    return False


def _unreadable(content: bytes, stage: str) -> PdfProblem:
    """Log the exception being handled, with the file's sha256 and size, and say "unreadable"."""
    logger.exception(
        "PDF could not be read (%s): sha256 %s, %d bytes",
        stage,
        hashlib.sha256(content).hexdigest(),
        len(content),
    )
    return PdfProblem("unreadable")


def pdf_open(content: bytes) -> PdfReader:
    """A pypdf reader for a PDF that opens without a password and runs nothing.

    An encrypted PDF whose user password is empty (RC4 or AES, as Word, WPS and Acrobat write
    one restricted only against editing or printing) is decrypted and read. Raises
    PdfProblem("encrypted") when a password is really needed to open it, PdfProblem("damaged")
    when it does not start as a PDF or pypdf finds it malformed (pypdf's PyPdfError),
    PdfProblem("active") when pdf_has_active_content finds scripts or attached files, and
    PdfProblem("unreadable") for any other error, which is logged (logger "intake.pdf") with the
    file's sha256.
    """
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import PyPdfError

    if not content.startswith(PDF_MAGIC):
        raise PdfProblem("damaged")
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise PdfProblem("encrypted")
        active = pdf_has_active_content(reader)
    except PdfProblem:
        raise
    except PyPdfError as exc:
        # DependencyError (cryptography missing) is ours, not the file's.
        if type(exc).__name__ == "DependencyError":
            raise _unreadable(content, "open") from exc
        raise PdfProblem("damaged") from exc
    except Exception as exc:
        raise _unreadable(content, "open") from exc
    if active:
        raise PdfProblem("active")
    return reader


# A page number alone on a line: "— 1 —", "- 2 -", "3", "第 3 页", "第3页 共9页", "Page 4 of 9",
# "4 / 9", "-4-".
_PAGE_NUMBER = re.compile(
    r"""^(?:
        [-—–―~·\s]*\d{1,4}[-—–―~·\s]*
      | 第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?
      | 共\s*\d{1,4}\s*页\s*[,，/／]?\s*第\s*\d{1,4}\s*页
      | (?:page\s*)?\d{1,4}\s*(?:of|/|／)\s*\d{1,4}
      | page\s*\d{1,4}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# How many lines at the top and at the bottom of a page count as its header and footer. pypdf
# may give a page's header after its body (WeasyPrint's and Word's do), so both ends are looked at.
RUNNING_LINES_AT_EDGE = 3


def _running_key(line: str) -> str:
    """A line as it repeats from page to page: spaces squeezed."""
    return re.sub(r"\s+", " ", line.strip())


def strip_running_lines(pages: list[str]) -> list[str]:
    """pages' text without running page numbers and repeated headers and footers.

    Conservative: only a line among the first or last RUNNING_LINES_AT_EDGE non-blank lines of a
    page is taken out, and only when it is a page number (_PAGE_NUMBER: "— 1 —", "- 2 -",
    "第 3 页", "Page 4 of 9"...) or the same line (spaces aside) stands at an edge of at least half
    the pages, and of two at least. A number alone ("7") is a page number only as a page's very
    first or last line, and only where at least half the pages (two at least) have one there.
    Lines inside a page are never touched. Never raises.
    """
    split = [page.split("\n") for page in pages]
    edges: list[set[int]] = []
    ends: list[set[int]] = []
    for lines in split:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        edges.append(set(filled[:RUNNING_LINES_AT_EDGE] + filled[-RUNNING_LINES_AT_EDGE:]))
        ends.append({filled[0], filled[-1]} if filled else set())
    enough = max(2, math.ceil(len(pages) / 2))
    seen = Counter()
    for lines, edge in zip(split, edges, strict=True):
        seen.update({_running_key(lines[i]) for i in edge})
    repeated = {key for key, n in seen.items() if n >= enough}
    numbered = sum(
        any(lines[i].strip().isdigit() for i in end) for lines, end in zip(split, ends, strict=True)
    )

    def running(line: str, i: int, edge: set[int], end: set[int]) -> bool:
        if i not in edge:
            return False
        line = line.strip()
        if _running_key(line) in repeated:
            return True
        if line.isdigit():
            return i in end and numbered >= enough and _PAGE_NUMBER.match(line) is not None
        return _PAGE_NUMBER.match(line) is not None

    return [
        "\n".join(
            line for i, line in enumerate(lines) if not running(line, i, edge, end)
        )
        for lines, edge, end in zip(split, edges, ends, strict=True)
    ]


def pdf_without_text_error() -> ValidationError:
    """The one message for an essay PDF with no text to read (a scan): code "pdf_no_text"."""
    return ValidationError(
        _(
            "This PDF has no text that can be read (it may be a scan). "
            "Upload a .docx file or type the text into the page."
        ),
        code="pdf_no_text",
    )


def pdf_text(content: bytes) -> str:
    """The text of an essay's PDF: each page's text without its running page numbers, headers
    and footers (strip_running_lines), pages apart by a blank line (not tidied).

    The PDF must pass pdf_open. Raises ValidationError worded for the essay form: code
    "pdf_active" (scripts or attached files), "pdf_encrypted" (needs a password), "bad_pdf" (not
    a PDF, or damaged), "pdf_no_text" (no character to count, as a scan), "pdf_unreadable" (an
    error that is not the file's fault; logged with the file's sha256).
    """
    from pypdf.errors import PyPdfError

    if not content.startswith(PDF_MAGIC):
        raise ValidationError(
            _("This is not a PDF file. Upload a .docx, .pdf or .txt file."), code="bad_pdf"
        )
    try:
        reader = pdf_open(content)
        try:
            pages = [page.extract_text() or "" for page in reader.pages]
        except PyPdfError as exc:
            raise PdfProblem("damaged") from exc
        except Exception as exc:
            raise _unreadable(content, "extract text") from exc
    except PdfProblem as problem:
        raise _essay_pdf_error(problem.kind) from problem
    text = "\n\n".join(strip_running_lines(pages))
    if count_characters(text) == 0:
        raise pdf_without_text_error()
    return text


def _essay_pdf_error(kind: str) -> ValidationError:
    if kind == "active":
        return pdf_active_content_error()
    if kind == "encrypted":
        return ValidationError(
            _(
                "This PDF is protected by a password, so its text cannot be read. "
                "Upload a .docx file or type the text into the page."
            ),
            code="pdf_encrypted",
        )
    if kind == "unreadable":
        return ValidationError(
            _(
                "This PDF could not be read, and the problem has been recorded for the "
                "administrator. Upload a .docx file or type the text into the page."
            ),
            code="pdf_unreadable",
        )
    return ValidationError(
        _(
            "This PDF is damaged and cannot be read. "
            "Upload a .docx file or type the text into the page."
        ),
        code="bad_pdf",
    )
