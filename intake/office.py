"""Office Open XML packages (.docx, .xlsx, .pptx): zip files read with bounded memory.

A zip declares the sizes of its entries and zipfile believes it; here every entry is inflated
64 KB at a time and checked against what it declared, so a zip bomb is refused early, and every
XML part is refused at its first document type declaration (XXE, "billion laughs").
"""

from __future__ import annotations

import collections
import io
import itertools
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

ZIP_MAGIC = b"PK\x03\x04"

# An Office Open XML file is a zip whose _rels/.rels names its main part (the officeDocument
# relationship) and whose [Content_Types].xml gives that part's type (ECMA-376 / ISO/IEC 29500
# part 2, Open Packaging Conventions). The main part may have any name: Word Online writes
# word/document2.xml. Strict Open XML files (ISO/IEC 29500 Strict) name the relationship in the
# purl.oclc.org namespace and keep the same content types. Macro-enabled files (.docm, .xlsm)
# declare another type and so are none of these.
OFFICE_DOCUMENT_RELATIONSHIPS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
)
WORD_MAIN_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
_OFFICE_MAIN_TYPES = {
    WORD_MAIN_CONTENT_TYPE: ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": ".pptx",
}
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
# [Content_Types].xml and _rels/.rels are a few KB; more than this is not a real package.
_PACKAGE_PART_MAX_BYTES = 1024 * 1024

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


@dataclass(frozen=True)
class MainPart:
    """An Office package's main part: its zip entry and the content type it is declared with."""

    info: zipfile.ZipInfo
    content_type: str


def office_main_part(content: bytes) -> MainPart | None:
    """The package's main part, found as Office finds it: through the officeDocument relationship
    in _rels/.rels (transitional or Strict) and its type in [Content_Types].xml (an Override for
    the part, else the Default for its extension). Part names are compared without regard to
    case, as the Open Packaging Conventions say.

    None when the zip names no main part that it holds (any other zip). Reads only those two
    parts, at most 1 MB each, through zip_entry_chunks, and refuses a document type declaration
    in them. Raises ZipProblem ("damaged", "too_large", "dtd") when the zip or those parts are
    broken.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = {info.filename.lower(): info for info in archive.infolist()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ZipProblem("damaged") from exc
    rels_info = infos.get("_rels/.rels")
    types_info = infos.get("[content_types].xml")
    if rels_info is None or types_info is None:
        return None
    targets = [
        attrs.get("Target", "")
        for name, attrs in _small_part_elements(content, rels_info)
        if name == f"{_RELS_NS} Relationship"
        and attrs.get("Type") in OFFICE_DOCUMENT_RELATIONSHIPS
        and attrs.get("TargetMode", "Internal") == "Internal"
    ]
    if len(targets) != 1:
        return None
    part_name = posixpath.normpath("/" + targets[0].lstrip("/")).lstrip("/").lower()
    info = infos.get(part_name)
    if info is None:
        return None
    overrides: dict[str, str] = {}
    defaults: dict[str, str] = {}
    for name, attrs in _small_part_elements(content, types_info):
        if name == f"{_TYPES_NS} Override":
            overrides[attrs.get("PartName", "").lstrip("/").lower()] = attrs.get("ContentType", "")
        elif name == f"{_TYPES_NS} Default":
            defaults[attrs.get("Extension", "").lower()] = attrs.get("ContentType", "")
    extension = posixpath.splitext(part_name)[1].lstrip(".")
    content_type = overrides.get(part_name, defaults.get(extension, ""))
    return MainPart(info=info, content_type=content_type.strip())


def _small_part_elements(content: bytes, info: zipfile.ZipInfo) -> list[tuple[str, dict]]:
    """The elements of a small XML part ("namespace name", attributes), in order."""
    if info.file_size > _PACKAGE_PART_MAX_BYTES:
        raise ZipProblem("too_large")
    elements: list[tuple[str, dict]] = []
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = lambda name, attrs: elements.append((name, attrs))
    try:
        for chunk in zip_entry_chunks(content, info):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise ZipProblem("damaged") from exc
    return elements


def office_kind(content: bytes) -> str | None:
    """.docx, .xlsx or .pptx when content is that Office Open XML package; None otherwise.

    The kind is the content type of the package's main part (office_main_part), so a .docx
    whose main part is word/document2.xml, or a Strict Open XML file, is a .docx. Reads only
    _rels/.rels and [Content_Types].xml; a damaged zip, a macro-enabled file (.docm, .xlsm) or
    any other zip is None. Never raises.
    """
    if not content.startswith(ZIP_MAGIC):
        return None
    try:
        main = office_main_part(content)
    except ZipProblem:
        return None
    return _OFFICE_MAIN_TYPES.get(main.content_type) if main else None
