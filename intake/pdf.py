"""PDFs: open one without running anything it carries, and read its text.

pypdf is imported inside the functions that need it, so importing this module stays cheap.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from intake.count import count_characters

if TYPE_CHECKING:
    from pypdf import PdfReader

PDF_MAGIC = b"%PDF-"

# Dictionary keys and action types that make a PDF run something or carry other files.
_PDF_ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/XFA"}
)
_PDF_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch"})
# A PDF of 10 MB has some tens of thousands of objects; far more means something is wrong.
PDF_MAX_OBJECTS = 500_000


class PdfProblem(Exception):
    """Why a PDF was refused: `kind` is "encrypted", "damaged" or "active"."""

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


PDF_READ_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    OSError,
    IndexError,
    RecursionError,
    UnicodeError,
    EOFError,
)


def pdf_open(content: bytes) -> PdfReader:
    """A pypdf reader for a PDF that opens without a password and runs nothing.

    Raises PdfProblem("encrypted") when a password is needed, PdfProblem("damaged") when it does
    not parse, PdfProblem("active") when pdf_has_active_content finds scripts or attached files.
    """
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    if not content.startswith(PDF_MAGIC):
        raise PdfProblem("damaged")
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" only against editing, with an empty password to open.
            try:
                if not reader.decrypt(""):
                    raise PdfProblem("encrypted")
            except (DependencyError, FileNotDecryptedError, NotImplementedError) as exc:
                raise PdfProblem("encrypted") from exc
        active = pdf_has_active_content(reader)
    except PdfProblem:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        raise PdfProblem("encrypted") from exc
    except (PyPdfError, *PDF_READ_ERRORS) as exc:
        raise PdfProblem("damaged") from exc
    if active:
        raise PdfProblem("active")
    return reader


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
    """The text of an essay's PDF: each page's text, pages apart by a blank line (not tidied).

    The PDF must pass pdf_open. Raises ValidationError worded for the essay form: code
    "pdf_active" (scripts or attached files), "pdf_encrypted" (needs a password), "bad_pdf" (not
    a PDF, or damaged), "pdf_no_text" (no character to count, as a scan).
    """
    from pypdf.errors import PyPdfError

    damaged = ValidationError(
        _(
            "This PDF is damaged and cannot be read. "
            "Upload a .docx file or type the text into the page."
        ),
        code="bad_pdf",
    )
    if not content.startswith(b"%PDF-"):
        raise ValidationError(
            _("This is not a PDF file. Upload a .docx, .pdf or .txt file."), code="bad_pdf"
        )
    try:
        reader = pdf_open(content)
        pages = [page.extract_text() or "" for page in reader.pages]
    except PdfProblem as problem:
        if problem.kind == "active":
            raise pdf_active_content_error() from problem
        if problem.kind == "encrypted":
            raise ValidationError(
                _(
                    "This PDF is protected by a password, so its text cannot be read. "
                    "Upload a .docx file or type the text into the page."
                ),
                code="pdf_encrypted",
            ) from problem
        raise damaged from problem
    except (PyPdfError, *PDF_READ_ERRORS) as exc:
        raise damaged from exc
    text = "\n\n".join(pages)
    if count_characters(text) == 0:
        raise pdf_without_text_error()
    return text
