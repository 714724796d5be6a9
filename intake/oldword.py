"""Old Word (.doc, Word 97–2003) and WPS Writer (.wps) files: what they are, and their text.

Both are OLE compound files (intake.sniff.OLE2_MAGIC) holding a "WordDocument" stream: the .wps
files WPS Writer saves (WPS Office 2005 and later) are in Word's binary format; older WPS files,
which are not OLE files, are refused with the save-as advice. Their text is read by
converting them to .docx with LibreOffice (intake.convert) and reading that with the .docx reader
(intake.docx.docx_text), so an old file's text follows the same rules as a .docx's. Where no
converter is installed, the user is told how to save the file as .docx in Word and in WPS.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from intake.convert import ConversionProblem, convert_to_docx
from intake.docx import docx_text

logger = logging.getLogger(__name__)

OLD_WORD_EXTENSIONS = (".doc", ".wps")

# Names of OLE directory entries, as they are stored (UTF-16LE). An OLE directory is not parsed
# here: the bytes of these names are looked for anywhere in the file, which a document whose text
# holds the same UTF-16 words could match too (it is then refused, never read wrongly).
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_MACRO_STORAGES = ("Macros".encode("utf-16-le"), "_VBA_PROJECT".encode("utf-16-le"))


def is_word_binary(content: bytes) -> bool:
    """Whether an OLE compound file's bytes hold a Word document (a "WordDocument" stream).

    True for a Word 97–2003 .doc and a WPS Writer .wps; False for an old Excel or PowerPoint file.
    Call it on bytes intake.sniff.sniff_file calls OLD_OFFICE. Never raises.
    """
    return _WORD_STREAM in content


def has_macros(content: bytes) -> bool:
    """Whether an old Word file holds macros ("Macros" or "_VBA_PROJECT" storage). Never raises."""
    return any(name in content for name in _MACRO_STORAGES)


def save_as_docx_advice() -> str:
    """How to save a file as .docx in Word and in WPS, as a sentence for error messages."""
    return _(
        "Save it as .docx and upload that: in Word, File → Save As → Word Document (*.docx); "
        "in WPS, File → Save As → Microsoft Word File (*.docx)."
    )


def old_word_macros_error() -> ValidationError:
    """The refusal of an old Word file with macros (code "doc_macros")."""
    return ValidationError(
        _("This Word file contains macros, which are not accepted. %(advice)s")
        % {"advice": save_as_docx_advice()},
        code="doc_macros",
    )


def old_word_not_word_error(extension: str) -> ValidationError:
    """The refusal of a file named .doc/.wps that is not an old Word file (code "not_doc")."""
    return ValidationError(
        _(
            "This file is not a Word or WPS document (%(extension)s), whatever its name says: "
            "it may be another kind of file renamed, or damaged. %(advice)s"
        )
        % {"extension": extension, "advice": save_as_docx_advice()},
        code="not_doc",
    )


def old_word_text(content: bytes, *, extension: str) -> str:
    """The text of an old Word (.doc) or WPS (.wps) file, read through LibreOffice.

    content: an OLE compound file that is_word_binary accepts; extension: ".doc" or ".wps".
    Returns the text intake.docx.docx_text reads from the .docx LibreOffice makes of it (not
    tidied). Raises ValidationError: "doc_macros" (has_macros), "doc_no_converter" (LibreOffice
    is not installed: the message says how to save as .docx in Word and in WPS), "doc_timeout"
    (it took longer than settings.OLD_WORD_CONVERT_TIMEOUT_SECONDS), "doc_unreadable" (the
    converter could not read it). Writes nothing outside a temporary directory it removes.
    """
    if has_macros(content):
        raise old_word_macros_error()
    try:
        converted = convert_to_docx(content, suffix=extension)
    except ConversionProblem as problem:
        if problem.kind == "missing":
            raise ValidationError(
                _("Old Word and WPS files (.doc, .wps) cannot be read here. %(advice)s")
                % {"advice": save_as_docx_advice()},
                code="doc_no_converter",
            ) from problem
        if problem.kind == "timeout":
            logger.warning("old Word conversion timed out (%d bytes)", len(content))
            raise ValidationError(
                _("Reading this file took too long, so it was stopped. %(advice)s")
                % {"advice": save_as_docx_advice()},
                code="doc_timeout",
            ) from problem
        logger.info("old Word conversion failed: %s (%d bytes)", problem, len(content))
        raise ValidationError(
            _("This Word or WPS file is damaged and cannot be read. %(advice)s")
            % {"advice": save_as_docx_advice()},
            code="doc_unreadable",
        ) from problem
    try:
        return docx_text(converted)
    except ValidationError as problem:
        logger.warning("the .docx converted from an old Word file did not read: %s", problem)
        raise ValidationError(
            _("This Word or WPS file is damaged and cannot be read. %(advice)s")
            % {"advice": save_as_docx_advice()},
            code="doc_unreadable",
        ) from problem
