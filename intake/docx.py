"""Word (.docx) files: the text of an essay, after the package passed the zip and XML checks."""

from __future__ import annotations

import io
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from intake.office import ZIP_MAGIC, ZipProblem, zip_package_check

# A .docx is a zip: refuse archives that expand beyond this, or hold absurdly many parts,
# before python-docx inflates them in memory (a "zip bomb"); office.zip_package_check.
DOCX_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
DOCX_MAX_ENTRIES = 2000

_WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_text(content: bytes) -> str:
    """The text of an essay's .docx: paragraphs and table cells in document order, one a line.

    Not yet tidied. Before python-docx parses it, the package must pass
    office.zip_package_check with DOCX_MAX_ENTRIES and DOCX_MAX_UNCOMPRESSED_BYTES. Raises
    ValidationError worded for the essay form: code "not_docx" (not a Word package),
    "docx_too_large" (expands past the limits), "docx_dtd" (a document type or entity
    declaration), "bad_docx" (damaged, or python-docx cannot read it).
    """
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
