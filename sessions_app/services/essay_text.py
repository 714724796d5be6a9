"""Read an uploaded essay file: judge its type by content, extract its text, count characters.

Nothing here writes to the database or to storage: `essay_file_read` either returns an
`EssayFile` the essay service may store, or raises a ValidationError whose message is meant for
the form's file field. Keeping validation separate from saving is what guarantees that a bad
file leaves no row and no stored file behind.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

ALLOWED_EXTENSIONS = (".docx", ".pdf", ".txt")

# A .docx is a zip: refuse archives that would expand beyond this, or hold absurdly many parts,
# before python-docx inflates them in memory (a "zip bomb").
DOCX_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
DOCX_MAX_ENTRIES = 2000

_ZIP_MAGIC = b"PK\x03\x04"
_PDF_MAGIC = b"%PDF-"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Word .doc, .xls, ...
_ALLOWED_CONTROL = {"\t", "\n", "\r", "\f"}
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


def sanitise_filename(name: str, *, extension: str) -> str:
    """A filename safe to keep and send back in Content-Disposition.

    Drops any directory part (also Windows backslashes), control and format characters, and
    quotes; keeps Chinese; shortens to 200 characters keeping the extension.
    """
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(
        ch
        for ch in unicodedata.normalize("NFC", name)
        if unicodedata.category(ch)[0] != "C" and ch not in '"<>:|?*'
    ).strip()
    stem = name[: -len(extension)] if name.lower().endswith(extension) else name
    stem = stem.strip(" .")[:200] or "essay"
    return f"{stem}{extension}"


def file_extension(name: str) -> str:
    """The lower-case extension of a file name, with its dot ('' when there is none)."""
    base = re.split(r"[\\/]", name or "")[-1]
    return "." + base.rsplit(".", 1)[-1].lower() if "." in base else ""


def max_upload_megabytes() -> str:
    """The upload limit in MB as people write it: '10', or '2.5'."""
    megabytes = settings.ESSAY_MAX_UPLOAD_BYTES / (1024 * 1024)
    return f"{megabytes:.1f}".removesuffix(".0")


def essay_file_read(uploaded: UploadedFile) -> EssayFile:
    """Check an uploaded essay file and extract its text; raise ValidationError if it is unusable.

    The extension must be .docx, .pdf or .txt and agree with the content: a .docx must be a zip
    holding word/document.xml, a .pdf must start with %PDF- and parse, a .txt must decode as
    UTF-8 (BOM or not), UTF-16 with a BOM, or GB18030, and hold no binary control bytes. The file
    must not be empty nor larger than settings.ESSAY_MAX_UPLOAD_BYTES, and must yield some text.
    """
    limit = settings.ESSAY_MAX_UPLOAD_BYTES
    if uploaded.size is not None and uploaded.size > limit:
        raise _too_large()
    extension = file_extension(uploaded.name)
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Upload a .docx, .pdf or .txt file. Other file types are not accepted."),
            code="extension",
        )
    uploaded.seek(0)
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise _too_large()
    if not content.strip():
        raise ValidationError(_("The file is empty."), code="empty")

    if content.startswith(_OLE2_MAGIC):
        raise ValidationError(
            _(
                "This is an old Word (.doc) file, which cannot be read. "
                "Save it as .docx in Word, or paste the text into the page."
            ),
            code="doc",
        )
    detected = _detect_extension(content)
    if detected is not None and detected != extension:
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


def _too_large() -> ValidationError:
    return ValidationError(
        _("The file is larger than %(limit)s MB. Upload a smaller file.")
        % {"limit": max_upload_megabytes()},
        code="too_large",
    )


def _pdf_without_text() -> ValidationError:
    return ValidationError(
        _(
            "This PDF has no text that can be read (it may be a scan). "
            "Upload a .docx file or type the text into the page."
        ),
        code="pdf_no_text",
    )


def _detect_extension(content: bytes) -> str | None:
    """.docx or .pdf when the content is plainly one of them; None otherwise."""
    if content.startswith(_PDF_MAGIC):
        return ".pdf"
    if content.startswith(_ZIP_MAGIC):
        try:
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
            return None
        return ".docx" if "word/document.xml" in names else None
    return None


def _tidy(text: str) -> str:
    """One kind of line break, no trailing spaces, at most one blank line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def _docx_text(content: bytes) -> str:
    not_docx = ValidationError(
        _(
            "This is not a Word (.docx) file that can be read: it may be damaged. "
            "Save it again from Word, or paste the text into the page."
        ),
        code="bad_docx",
    )
    if not content.startswith(_ZIP_MAGIC):
        raise not_docx
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise not_docx from exc
    if "word/document.xml" not in {info.filename for info in infos}:
        raise not_docx
    expanded = sum(info.file_size for info in infos)
    if len(infos) > DOCX_MAX_ENTRIES or expanded > DOCX_MAX_UNCOMPRESSED_BYTES:
        raise ValidationError(
            _("This Word file expands to far more data than an essay needs, so it was refused."),
            code="docx_too_large",
        )
    try:
        import docx

        document = docx.Document(io.BytesIO(content))
        return "\n".join(_docx_block_text(document.element.body))
    except Exception as exc:  # python-docx raises many kinds of errors on a damaged file
        raise not_docx from exc


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
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    protected = ValidationError(
        _(
            "This PDF is protected by a password, so its text cannot be read. "
            "Upload a .docx file or type the text into the page."
        ),
        code="pdf_encrypted",
    )
    damaged = ValidationError(
        _(
            "This PDF is damaged and cannot be read. "
            "Upload a .docx file or type the text into the page."
        ),
        code="bad_pdf",
    )
    if not content.startswith(_PDF_MAGIC):
        raise ValidationError(
            _("This is not a PDF file. Upload a .docx, .pdf or .txt file."), code="bad_pdf"
        )
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" only against editing, with an empty password to open.
            try:
                if not reader.decrypt(""):
                    raise protected
            except (DependencyError, FileNotDecryptedError, NotImplementedError) as exc:
                raise protected from exc
        pages = [page.extract_text() or "" for page in reader.pages]
    except ValidationError:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        raise protected from exc
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        OSError,
        IndexError,
        RecursionError,
        UnicodeError,
    ) as exc:
        raise damaged from exc
    text = "\n\n".join(pages)
    if count_characters(text) == 0:
        raise _pdf_without_text()
    return text


def _txt_text(content: bytes) -> str:
    not_text = ValidationError(
        _("This is not a plain text file. Upload a .docx, .pdf or .txt file."),
        code="bad_txt",
    )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Windows Notepad's "Unicode" is UTF-16 with a byte order mark.
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROL for ch in text):
            raise not_text
        return text
    raise not_text
