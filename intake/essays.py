"""Read an uploaded essay file: judge its type by content, extract its text, count characters.

Nothing here writes to the database or to storage: `essay_file_read` either returns an
`EssayFile` the essay service may store, or raises a ValidationError whose message is meant for
the form's file field. Keeping validation separate from saving is what guarantees that a bad
file leaves no row and no stored file behind.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from intake.materials import (
    OLD_OFFICE,
    PDF_READ_ERRORS,
    ZIP_MAGIC,
    PdfProblem,
    ZipProblem,
    decode_text,
    file_extension,
    filename_check,
    max_upload_megabytes,
    pdf_active_content_error,
    pdf_open,
    read_limited,
    sanitise_filename,
    sniff_file,
    zip_package_check,
)

__all__ = [
    "ALLOWED_EXTENSIONS",
    "EssayFile",
    "count_characters",
    "essay_file_read",
    "file_extension",
    "max_upload_megabytes",
    "sanitise_filename",
]

ALLOWED_EXTENSIONS = (".docx", ".pdf", ".txt")

# A .docx is a zip: refuse archives that expand beyond this, or hold absurdly many parts,
# before python-docx inflates them in memory (a "zip bomb"); uploads.zip_package_check.
DOCX_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
DOCX_MAX_ENTRIES = 2000

_WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class EssayFile:
    """An uploaded essay file that passed every check, with its text."""

    content: bytes
    extension: str
    original_filename: str
    text: str

    @property
    def char_count(self) -> int:
        return count_characters(self.text)


def count_characters(text: str) -> int:
    """Count the non-whitespace characters of text.

    Each Chinese character counts one, as does each Latin letter, digit and punctuation mark;
    spaces, tabs and line breaks do not count. This is how Word's "字数" is usually read
    for Chinese essays.
    """
    return sum(1 for ch in text if not ch.isspace())


def essay_file_read(uploaded: UploadedFile) -> EssayFile:
    """Check an uploaded essay file and extract its text; raise ValidationError if it is unusable.

    The name must be a plain name (uploads.filename_check). The extension must be .docx, .pdf or
    .txt and agree with the content (uploads.sniff_file):
    a .docx must be a Word package that python-docx reads, a .pdf must open without a password,
    hold no scripts or attached files (uploads.pdf_open) and have text, a .txt must decode as
    UTF-8 (BOM or not), UTF-16 with a BOM, or GB18030, and hold no binary control bytes. The file
    must not be empty nor larger than settings.ESSAY_MAX_UPLOAD_BYTES, and must yield some text.
    """
    filename_check(uploaded.name)
    extension = file_extension(uploaded.name)
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Upload a .docx, .pdf or .txt file. Other file types are not accepted."),
            code="extension",
        )
    content = read_limited(uploaded)
    if not content.strip():
        raise ValidationError(_("The file is empty."), code="empty")

    detected = sniff_file(content)
    if detected == OLD_OFFICE:
        raise ValidationError(
            _(
                "This is an old Word (.doc) file, which cannot be read. "
                "Save it as .docx in Word, or paste the text into the page."
            ),
            code="doc",
        )
    if detected in ALLOWED_EXTENSIONS and detected != extension:
        raise ValidationError(
            _(
                "The file's content does not match its name: it is a %(detected)s file, "
                "not %(extension)s. Rename it or save it again."
            )
            % {"detected": detected, "extension": extension},
            code="mismatch",
        )

    if extension == ".docx":
        text = _docx_text(content)
    elif extension == ".pdf":
        text = _pdf_text(content)
    else:
        text = _txt_text(content)
    text = _tidy(text)
    if count_characters(text) == 0:
        if extension == ".pdf":
            raise _pdf_without_text()
        raise ValidationError(_("The file contains no text."), code="no_text")
    return EssayFile(
        content=content,
        extension=extension,
        original_filename=sanitise_filename(uploaded.name, extension=extension),
        text=text,
    )


def _pdf_without_text() -> ValidationError:
    return ValidationError(
        _(
            "This PDF has no text that can be read (it may be a scan). "
            "Upload a .docx file or type the text into the page."
        ),
        code="pdf_no_text",
    )


def _tidy(text: str) -> str:
    """One kind of line break, no trailing spaces, at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _docx_text(content: bytes) -> str:
    not_word = ValidationError(
        _(
            "This file is not a Word document (.docx), whatever its name says. "
            "Save it as .docx in Word, or paste the text into the page."
        ),
        code="not_docx",
    )
    damaged = ValidationError(
        _(
            "This Word (.docx) file cannot be read: it may be damaged. "
            "Save it again from Word, or paste the text into the page."
        ),
        code="bad_docx",
    )
    if not content.startswith(ZIP_MAGIC):
        raise not_word
    try:
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise damaged from exc
    if "word/document.xml" not in names:
        raise not_word
    try:
        zip_package_check(
            content, max_entries=DOCX_MAX_ENTRIES, max_bytes=DOCX_MAX_UNCOMPRESSED_BYTES
        )
    except ZipProblem as problem:
        if problem.kind == "too_large":
            raise ValidationError(
                _(
                    "This Word file expands to far more data than an essay needs, "
                    "so it was refused."
                ),
                code="docx_too_large",
            ) from problem
        if problem.kind == "dtd":
            raise ValidationError(
                _(
                    "This Word file contains XML declarations that Word never writes "
                    "(a document type or entities), so it was refused. "
                    "Save it again from Word, or paste the text into the page."
                ),
                code="docx_dtd",
            ) from problem
        raise damaged from problem
    try:
        import docx

        document = docx.Document(io.BytesIO(content))
        return "\n".join(_docx_block_text(document.element.body))
    except Exception as exc:  # python-docx raises many kinds of errors on a damaged file
        raise damaged from exc


def _docx_block_text(element) -> list[str]:
    """Paragraph and table-cell text in document order; each merged cell once; nested tables too."""
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for child in element.iterchildren():
        tag = child.tag
        if tag == f"{_WORD_NS}p":
            lines.append(Paragraph(child, None).text)
        elif tag == f"{_WORD_NS}tbl":
            for row in child.iterchildren(f"{_WORD_NS}tr"):
                for cell in row.iterchildren(f"{_WORD_NS}tc"):
                    lines.extend(_docx_block_text(cell))
        elif tag == f"{_WORD_NS}sdt":
            for sdt_content in child.iterchildren(f"{_WORD_NS}sdtContent"):
                lines.extend(_docx_block_text(sdt_content))
    return lines


def _pdf_text(content: bytes) -> str:
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
        raise _pdf_without_text()
    return text


def _txt_text(content: bytes) -> str:
    text = decode_text(content)
    if text is None:
        raise ValidationError(
            _("This is not a plain text file. Upload a .docx, .pdf or .txt file."),
            code="bad_txt",
        )
    return text
