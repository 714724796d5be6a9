"""What is this file? Uploads are judged by their content, never by their name alone.

Shared by essays (essay_text.essay_file_read) and session materials (material_file_read): one
place knows what a PDF, an Office document, a text file or an image looks like inside, and which
PDFs carry scripts or attached files. Nothing here writes to the database or to storage: a check
either returns what may be stored or raises a ValidationError meant for the form's file field,
so a refused file leaves no row and no stored file behind.
"""

from __future__ import annotations

import collections
import io
import itertools
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Word .doc, Excel .xls, PowerPoint .ppt
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

# What sniff_file answers for an old binary Office file, which nothing here accepts.
OLD_OFFICE = "old-office"

# An Office Open XML file is a zip whose [Content_Types].xml names its main part's type, and
# which holds that part. Macro-enabled files (.docm, .xlsm) declare another type and so fail.
_OFFICE_MAIN_PARTS = {
    ".docx": (
        "word/document.xml",
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    ".xlsx": (
        "xl/workbook.xml",
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    ".pptx": (
        "ppt/presentation.xml",
        b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
}
_CONTENT_TYPES_MAX_BYTES = 1024 * 1024
_ALLOWED_CONTROL = {"\t", "\n", "\r", "\f"}

# Dictionary keys and action types that make a PDF run something or carry other files.
_PDF_ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/XFA"}
)
_PDF_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch"})
# A PDF of 10 MB has some tens of thousands of objects; far more means something is wrong.
PDF_MAX_OBJECTS = 500_000


# --- names and sizes ---------------------------------------------------------------------------


def file_extension(name: str) -> str:
    """The lower-case extension of a file name, with its dot ('' when there is none)."""
    base = re.split(r"[\\/]", name or "")[-1]
    return "." + base.rsplit(".", 1)[-1].lower() if "." in base else ""


def sanitise_filename(name: str, *, extension: str, fallback: str = "essay") -> str:
    """A filename safe to keep and send back in Content-Disposition.

    Drops any directory part (also Windows backslashes), control and format characters (bidi
    overrides among them), and quotes; keeps Chinese; shortens to 200 characters keeping the
    extension; `fallback` is the stem when nothing is left.
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
    was made to attack the app gets here; it is refused rather than guessed at.
    """
    if any(ch in "/\\" or unicodedata.category(ch) == "Cc" for ch in name or ""):
        raise ValidationError(
            _(
                "The file name contains a folder path or control characters. "
                "Rename the file to a plain name and upload it again."
            ),
            code="bad_name",
        )


def max_upload_megabytes() -> str:
    """The upload limit in MB as people write it: '10', or '2.5'."""
    megabytes = settings.ESSAY_MAX_UPLOAD_BYTES / (1024 * 1024)
    return f"{megabytes:.1f}".removesuffix(".0")


def too_large_error() -> ValidationError:
    """The one message for a file over settings.ESSAY_MAX_UPLOAD_BYTES (essays and materials)."""
    return ValidationError(
        _("The file is larger than the %(limit)s MB limit. Upload a smaller file.")
        % {"limit": max_upload_megabytes()},
        code="too_large",
    )


def read_limited(uploaded: UploadedFile) -> bytes:
    """The upload's bytes, refusing (too_large) anything over the limit before reading it all."""
    limit = settings.ESSAY_MAX_UPLOAD_BYTES
    if uploaded.size is not None and uploaded.size > limit:
        raise too_large_error()
    uploaded.seek(0)
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise too_large_error()
    return content


# --- zip packages (Office files) ----------------------------------------------------------------

_ZIP_CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")
_ZIP_ENCRYPTED_FLAG = 0x1
# How an XML document may begin (XML 1.0 appendix F): a BOM, "<" in UTF-8 or UTF-16, whitespace.
_XML_STARTS = (
    b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00<", b" ", b"\t", b"\r", b"\n"
)


class ZipProblem(Exception):
    """Why a zip package was refused: `kind` is "damaged", "too_large" or "dtd"."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def zip_entry_chunks(content: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """An entry's uncompressed bytes, at most 64 KB at a time, checked against its declared size.

    Decompressed here rather than by zipfile: zipfile trusts the size an archive declares and
    inflates a whole entry in one call, so an entry that lies about its size (a zip bomb) takes
    gigabytes before zipfile notices. Raises ZipProblem("too_large") as soon as the bytes pass
    the declared size, ZipProblem("damaged") for anything else that is not a plain stored or
    deflated entry of exactly its declared size.
    """
    if info.flag_bits & _ZIP_ENCRYPTED_FLAG or info.compress_type not in (
        zipfile.ZIP_STORED,
        zipfile.ZIP_DEFLATED,
    ):
        raise ZipProblem("damaged")
    header = content[info.header_offset : info.header_offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        raise ZipProblem("damaged")
    magic, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if magic != ZIP_MAGIC:
        raise ZipProblem("damaged")
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    raw = memoryview(content)[start : start + info.compress_size]
    if len(raw) < info.compress_size:
        raise ZipProblem("damaged")
    crc = 0
    produced = 0

    def checked(chunk: bytes) -> bytes:
        nonlocal crc, produced
        produced += len(chunk)
        if produced > info.file_size:
            raise ZipProblem("too_large")
        crc = zlib.crc32(chunk, crc)
        return chunk

    if info.compress_type == zipfile.ZIP_STORED:
        for offset in range(0, len(raw), _ZIP_CHUNK):
            yield checked(bytes(raw[offset : offset + _ZIP_CHUNK]))
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            for offset in range(0, len(raw), _ZIP_CHUNK):
                pending = bytes(raw[offset : offset + _ZIP_CHUNK])
                while pending:
                    yield checked(inflater.decompress(pending, _ZIP_CHUNK))
                    pending = inflater.unconsumed_tail
            yield checked(inflater.flush())
        except zlib.error as exc:
            raise ZipProblem("damaged") from exc
        if not inflater.eof:
            raise ZipProblem("damaged")
    if produced != info.file_size or crc != info.CRC:
        raise ZipProblem("damaged")


def _refuse_dtd(*_args) -> None:
    raise ZipProblem("dtd")


def _xml_scan(chunks: Iterator[bytes]) -> None:
    """Read an XML part through expat, refusing it at the first <!DOCTYPE (where entities are
    declared: XXE, "billion laughs"), before anything is declared or expanded."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise ZipProblem("damaged") from exc


def zip_package_check(content: bytes, *, max_entries: int, max_bytes: int) -> None:
    """Check a zip package (.docx) before a library unpacks and parses it.

    At most max_entries entries and max_bytes uncompressed, as declared and as really inflated
    (zip_entry_chunks); every part that is XML is read through expat and refused if it has a
    document type declaration, which Office never writes. Raises ZipProblem; reads at most
    64 KB of uncompressed data at a time.
    """
    try:
        infos = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ZipProblem("damaged") from exc
    if len(infos) > max_entries or sum(info.file_size for info in infos) > max_bytes:
        raise ZipProblem("too_large")
    for info in infos:
        chunks = (chunk for chunk in zip_entry_chunks(content, info) if chunk)
        first = next(chunks, b"")
        if first.startswith(_XML_STARTS):
            _xml_scan(itertools.chain([first], chunks))
        else:
            collections.deque(chunks, maxlen=0)  # inflate it all, keeping nothing


# --- what is this file --------------------------------------------------------------------------


def decode_text(content: bytes) -> str | None:
    """The text of a plain text file, or None when the bytes are not text.

    UTF-16 with a byte order mark (Windows Notepad's "Unicode"), else UTF-8 (BOM or not), else
    GB18030 (Chinese Windows). Binary control characters such as NUL mean it is not text.
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


def office_kind(content: bytes) -> str | None:
    """.docx, .xlsx or .pptx when content is that Office Open XML package; None otherwise."""
    if not content.startswith(ZIP_MAGIC):
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = {info.filename: info for info in archive.infolist()}
        types_info = infos.get("[Content_Types].xml")
        if types_info is None or types_info.file_size > _CONTENT_TYPES_MAX_BYTES:
            return None
        content_types = b"".join(zip_entry_chunks(content, types_info))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ZipProblem, ValueError, OSError, EOFError):
        return None
    for extension, (main_part, content_type) in _OFFICE_MAIN_PARTS.items():
        if main_part in infos and content_type in content_types:
            return extension
    return None


def sniff_file(content: bytes) -> str | None:
    """What the bytes are, whatever the file is called.

    One of .pdf, .docx, .xlsx, .pptx, .png, .jpg, .txt; OLD_OFFICE for a binary .doc/.xls/.ppt;
    None for anything else (programs, archives, damaged files...). Only the start of a PDF is
    looked at here: whether it parses, and whether it is safe, is pdf_check's business.
    """
    if content.startswith(PDF_MAGIC):
        return ".pdf"
    if content.startswith(ZIP_MAGIC):
        return office_kind(content)
    if content.startswith(PNG_MAGIC):
        return ".png"
    if content.startswith(JPEG_MAGIC):
        return ".jpg"
    if content.startswith(OLE2_MAGIC):
        return OLD_OFFICE
    if decode_text(content) is not None:
        return ".txt"
    return None


# --- PDFs -----------------------------------------------------------------------------------------


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


def pdf_has_active_content(reader) -> bool:
    """True when the PDF can run something or carries other files.

    Looks through every object reachable from the trailer for JavaScript (/Names /JavaScript,
    /JS, an /OpenAction or annotation of type /JavaScript), automatic actions (/AA), /Launch,
    embedded or attached files (/EmbeddedFiles, /EF, /FileAttachment annotations) and XFA forms.
    Compressed object streams are read too, since pypdf decodes them.
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


def pdf_open(content: bytes):
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


# --- session materials ----------------------------------------------------------------------------

# Extension -> (what sniff_file must find, the Content-Type it is downloaded with).
MATERIAL_TYPES = {
    ".pdf": (".pdf", "application/pdf"),
    ".docx": (
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
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
        "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), text (.txt) or image (.png, .jpg)"
    )


def material_content_type(name: str) -> str:
    """The Content-Type a stored material is downloaded with, from its (checked) extension."""
    kind = MATERIAL_TYPES.get(file_extension(name))
    return kind[1] if kind else "application/octet-stream"


@dataclass(frozen=True)
class MaterialFile:
    """An uploaded session material that passed every check."""

    content: bytes
    extension: str
    original_filename: str


def material_file_read(uploaded: UploadedFile) -> MaterialFile:
    """Check an uploaded session material; raise ValidationError if it may not be kept.

    The name must be a plain name (filename_check). Only PDF, .docx, .xlsx, .pptx, .txt, .png
    and .jpg/.jpeg, at most settings.ESSAY_MAX_UPLOAD_BYTES, not empty, and the content must be
    what the extension says (sniff_file): a renamed program or web page is refused. A PDF must
    open without a password and hold no scripts or attached files. Office files are stored, not
    parsed: only their [Content_Types].xml is read, through zip_entry_chunks.
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
        raise ValidationError(
            _(
                "This is an old Office file (.doc, .xls or .ppt). "
                "Save it as .docx, .xlsx or .pptx and upload that."
            ),
            code="old_office",
        )
    if detected != expected:
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
        raise ValidationError(
            _("This PDF is damaged and cannot be opened. Save it again and upload it."),
            code="bad_pdf",
        ) from problem
