"""Office Open XML packages (.docx, .xlsx, .pptx): zip files read with bounded memory.

A zip declares the sizes of its entries and zipfile believes it; here every entry is inflated
64 KB at a time and checked against what it declared, so a zip bomb is refused early, and every
XML part is refused at its first document type declaration (XXE, "billion laughs").
"""

from __future__ import annotations

import collections
import io
import itertools
import struct
import zipfile
import zlib
from collections.abc import Iterator
from xml.parsers import expat

ZIP_MAGIC = b"PK\x03\x04"

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


def office_kind(content: bytes) -> str | None:
    """.docx, .xlsx or .pptx when content is that Office Open XML package; None otherwise.

    Reads only [Content_Types].xml (at most 1 MB, through zip_entry_chunks); a damaged zip, a
    macro-enabled file (.docm, .xlsm) or any other zip is None. Never raises.
    """
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
