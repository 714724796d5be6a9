"""Session materials: which files a secretary may attach to a session, checked by content.

Nothing here writes to the database or to storage: material_file_read either returns a
MaterialFile the session service may store, or raises a ValidationError meant for the form's
file field, so a refused file leaves no row and no stored file behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from intake.docx import docx_text
from intake.limits import read_limited
from intake.names import file_extension, filename_check, sanitise_filename
from intake.oldword import (
    OLD_WORD_EXTENSIONS,
    has_macros,
    is_word_binary,
    old_word_macros_error,
    old_word_text,
)
from intake.pdf import PdfProblem, pdf_active_content_error, pdf_open, pdf_text
from intake.sniff import OLD_OFFICE, sniff_file
from intake.text import text_encoding_error, tidy, txt_text

# Extension -> (what sniff_file must find, the Content-Type it is downloaded with).
MATERIAL_TYPES = {
    ".pdf": (".pdf", "application/pdf"),
    ".docx": (
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".doc": (".doc", "application/msword"),
    # Kingsoft's WPS Writer has no registered type (application/vnd.ms-works is Microsoft Works).
    ".wps": (".wps", "application/octet-stream"),
    ".xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pptx": (
        ".pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ".txt": (".txt", "text/plain"),
    ".png": (".png", "image/png"),
    ".jpg": (".jpg", "image/jpeg"),
    ".jpeg": (".jpg", "image/jpeg"),
}
MATERIAL_EXTENSIONS = tuple(MATERIAL_TYPES)


def material_accepted_types() -> str:
    """The accepted kinds of material file, as a sentence part for help texts and errors."""
    return _(
        "PDF, Word (.docx, .doc), WPS (.wps), Excel (.xlsx), PowerPoint (.pptx), text (.txt) "
        "or image (.png, .jpg)"
    )


def material_content_type(name: str) -> str:
    """The Content-Type a stored material is downloaded with, from its (checked) extension.

    application/octet-stream for an extension that is not a material's. Never raises.
    """
    kind = MATERIAL_TYPES.get(file_extension(name))
    return kind[1] if kind else "application/octet-stream"


@dataclass(frozen=True)
class MaterialFile:
    """An uploaded session material that passed every check.

    content: the file's bytes as uploaded; extension: a key of MATERIAL_TYPES (lower case, with
    its dot), which the content agrees with; original_filename: the uploader's name made safe.
    """

    content: bytes
    extension: str
    original_filename: str


def material_file_read(uploaded: UploadedFile) -> MaterialFile:
    """Check an uploaded session material; raise ValidationError if it may not be kept.

    The name must be a plain name (filename_check). Only PDF, .docx, .doc, .wps, .xlsx, .pptx,
    .txt, .png and .jpg/.jpeg, at most settings.ESSAY_MAX_UPLOAD_BYTES, not empty, and the content
    must be what the extension says (sniff_file): a renamed program or web page is refused. A PDF
    must open without a password and hold no scripts or attached files. Office files are stored,
    not parsed: only their _rels/.rels and [Content_Types].xml are read (intake.office.office_kind),
    so a .docx whose main part has another name, or a Strict Open XML one, is a .docx here too; an
    old Word or WPS file (.doc, .wps) must hold a Word document and no macros
    (intake.oldword.is_word_binary, has_macros); old Excel and PowerPoint files are refused.
    Each refusal is a ValidationError with its own code: "bad_name", "extension", "too_large",
    "empty", "old_office", "doc_macros", "mismatch", "not_type", "txt_damaged" and "txt_encoding"
    (a .txt file in an encoding that cannot be read: intake.text.text_encoding_error),
    "pdf_active", "pdf_encrypted", "bad_pdf", "pdf_unreadable" (an error that is not the file's
    fault, logged with its sha256: intake.pdf.pdf_open).
    Reads the upload from its start; writes nothing.
    """
    filename_check(uploaded.name)
    extension = file_extension(uploaded.name)
    if extension not in MATERIAL_TYPES:
        raise ValidationError(
            _("Upload a %(types)s file. Other file types are not accepted.")
            % {"types": material_accepted_types()},
            code="extension",
        )
    content = read_limited(uploaded)
    if not content.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    expected = MATERIAL_TYPES[extension][0]
    detected = sniff_file(content)
    if detected == OLD_OFFICE:
        if not is_word_binary(content):
            raise ValidationError(
                _(
                    "This is an old Excel or PowerPoint file (.xls or .ppt). "
                    "Save it as .xlsx or .pptx and upload that."
                ),
                code="old_office",
            )
        if has_macros(content):
            raise old_word_macros_error()
        detected = extension if extension in OLD_WORD_EXTENSIONS else ".doc"
    if detected != expected:
        if expected == ".txt" and detected is None:
            encoding_error = text_encoding_error(content)
            if encoding_error is not None:
                raise encoding_error
        if detected is not None and detected != ".txt":
            raise ValidationError(
                _(
                    "The file's content does not match its name: it is a %(detected)s file, "
                    "not %(extension)s. Rename it or save it again."
                )
                % {"detected": detected, "extension": extension},
                code="mismatch",
            )
        raise ValidationError(
            _(
                "This file is not a %(extension)s file, whatever its name says: it may be "
                "another kind of file renamed, or damaged. Upload a %(types)s file."
            )
            % {"extension": extension, "types": material_accepted_types()},
            code="not_type",
        )
    if expected == ".pdf":
        _material_pdf_check(content)
    return MaterialFile(
        content=content,
        extension=extension,
        original_filename=sanitise_filename(
            uploaded.name, extension=extension, fallback=_("material")
        ),
    )


def _material_pdf_check(content: bytes) -> None:
    try:
        pdf_open(content)
    except PdfProblem as problem:
        if problem.kind == "active":
            raise pdf_active_content_error() from problem
        if problem.kind == "encrypted":
            raise ValidationError(
                _(
                    "This PDF is protected by a password, so it cannot be checked. "
                    "Save it without a password and upload it again."
                ),
                code="pdf_encrypted",
            ) from problem
        if problem.kind == "unreadable":
            raise ValidationError(
                _(
                    "This PDF could not be checked, and the problem has been recorded for the "
                    "administrator. Save it again as PDF and upload it again."
                ),
                code="pdf_unreadable",
            ) from problem
        raise ValidationError(
            _("This PDF is damaged and cannot be opened. Save it again and upload it."),
            code="bad_pdf",
        ) from problem


#: The material types whose text the originality check reads; others (spreadsheets, slides,
#: images) hold no running text a member would quote.
MATERIAL_TEXT_TYPES = (".docx", ".doc", ".wps", ".pdf", ".txt")


def material_text(content: bytes, *, extension: str) -> str | None:
    """The text of a stored session material, for the essays' originality check (tidied, as an
    essay's text is); None for a type without running text (see MATERIAL_TEXT_TYPES).

    The readers are the essays' (intake.docx.docx_text, intake.pdf.pdf_text, intake.text.txt_text,
    intake.oldword.old_word_text). Raises ValidationError when the file yields no text (a scanned
    PDF) or cannot be read; reads nothing but content, writes nothing.
    """
    extension = extension.lower()
    if extension not in MATERIAL_TEXT_TYPES:
        return None
    if extension in OLD_WORD_EXTENSIONS:
        text = old_word_text(content, extension=extension)
    elif extension == ".docx":
        text = docx_text(content)
    elif extension == ".pdf":
        text = pdf_text(content)
    else:
        text = txt_text(content)
    return tidy(text)
