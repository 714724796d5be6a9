"""Read an uploaded essay file: judge its type by content, extract its text, count characters.

Nothing here writes to the database or to storage: `essay_file_read` either returns an
`EssayFile` the essay service may store, or raises a ValidationError whose message is meant for
the form's file field. Keeping validation separate from saving is what guarantees that a bad
file leaves no row and no stored file behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from intake.count import count_characters, count_words
from intake.docx import docx_text
from intake.limits import read_limited
from intake.names import file_extension, filename_check, sanitise_filename
from intake.oldword import (
    OLD_WORD_EXTENSIONS,
    is_word_binary,
    old_word_not_word_error,
    old_word_text,
)
from intake.pdf import pdf_text, pdf_without_text_error
from intake.sniff import OLD_OFFICE, sniff_file
from intake.text import tidy, txt_text

ALLOWED_EXTENSIONS = (".docx", ".pdf", ".txt", *OLD_WORD_EXTENSIONS)


@dataclass(frozen=True)
class EssayFile:
    """An uploaded essay file that passed every check, with its text.

    content: the file's bytes as uploaded; extension: one of ALLOWED_EXTENSIONS (lower case, with
    its dot), which the content agrees with; original_filename: the uploader's name made safe
    (intake.names.sanitise_filename); text: the extracted text, tidied (intake.text.tidy), with
    at least one character to count.
    """

    content: bytes
    extension: str
    original_filename: str
    text: str

    @property
    def char_count(self) -> int:
        """The text's 字符数（不计空格） (intake.count.count_characters): 1 or more."""
        return count_characters(self.text)

    @property
    def word_count(self) -> int:
        """The text's 字数 as Word counts it (intake.count.count_words): 1 or more."""
        return count_words(self.text)


def essay_file_read(uploaded: UploadedFile) -> EssayFile:
    """Check an uploaded essay file and extract its text; raise ValidationError if it is unusable.

    The name must be a plain name (intake.names.filename_check). The extension must be .docx,
    .doc, .wps, .pdf or .txt and agree with the content (intake.sniff.sniff_file):
    a .docx must be a Word package (transitional or Strict) that passes the zip and XML checks
    (intake.docx.docx_text), a .doc or .wps an old Word file without macros that LibreOffice
    converts in time (intake.oldword.old_word_text; an old Word file named .docx is read as the
    .doc it is, and kept as one), a .pdf must open without a password, hold no scripts or attached
    files (intake.pdf.pdf_open) and have text, a .txt must decode as UTF-8 (BOM or not), UTF-16
    with a BOM, or GB18030, into likely text, and hold no binary control bytes
    (intake.text.read_text). The file
    must not be empty nor larger than settings.ESSAY_MAX_UPLOAD_BYTES, and must yield some text.
    Each refusal is a ValidationError with its own code ("bad_name", "extension", "too_large",
    "empty", "old_office", "not_doc", "mismatch", "no_text", and those of docx_text,
    old_word_text, pdf_text and txt_text). Reads
    the upload from its start; writes nothing.
    """
    filename_check(uploaded.name)
    extension = file_extension(uploaded.name)
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Upload a .docx, .doc, .wps, .pdf or .txt file. Other file types are not accepted."),
            code="extension",
        )
    content = read_limited(uploaded)
    if not content.strip():
        raise ValidationError(_("The file is empty."), code="empty")

    detected = sniff_file(content)
    if detected == OLD_OFFICE and is_word_binary(content):
        # Old Word or WPS; one renamed .docx (as people do to get it accepted) is read as a .doc.
        detected = extension if extension in OLD_WORD_EXTENSIONS else ".doc"
        if extension == ".docx":
            extension = ".doc"
    elif detected == OLD_OFFICE:
        raise ValidationError(
            _(
                "This is an old Excel or PowerPoint file (.xls, .ppt), not a document. "
                "Upload a .docx, .doc, .wps, .pdf or .txt file."
            ),
            code="old_office",
        )
    elif extension in OLD_WORD_EXTENSIONS:
        raise old_word_not_word_error(extension)
    if detected in ALLOWED_EXTENSIONS and detected != extension:
        raise ValidationError(
            _(
                "The file's content does not match its name: it is a %(detected)s file, "
                "not %(extension)s. Rename it or save it again."
            )
            % {"detected": detected, "extension": extension},
            code="mismatch",
        )

    if extension in OLD_WORD_EXTENSIONS:
        text = old_word_text(content, extension=extension)
    elif extension == ".docx":
        text = docx_text(content)
    elif extension == ".pdf":
        text = pdf_text(content)
    else:
        text = txt_text(content)
    text = tidy(text)
    if count_characters(text) == 0:
        if extension == ".pdf":
            raise pdf_without_text_error()
        raise ValidationError(_("The file contains no text."), code="no_text")
    return EssayFile(
        content=content,
        extension=extension,
        original_filename=sanitise_filename(uploaded.name, extension=extension),
        text=text,
    )
