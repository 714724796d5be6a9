"""Uploads for every test, in one place: files made in memory (valid .docx/.pdf/.txt, Office
packages and images, and the bad and hostile files people upload), the two upload forms' posts,
and what ended up in storage.

Every zip made here carries a fixed timestamp, so building the same file twice gives the same
bytes: zipfile otherwise stamps each entry with the clock, and a test comparing a download with
a second build failed whenever the two builds fell in different two-second steps.
"""

import functools
import io
import struct
import zipfile
import zlib
from pathlib import Path

import docx
from django.urls import reverse

TEXT_CN = "学习贯彻新思想"  # 7 characters
# `学习心得` in UTF-8 and the first two of the three bytes of `体`: what a cut-off UTF-8 file ends
# with. Read as GB18030 it would be `瀛︿範蹇冨緱浣`.
HALF_CHARACTER_UTF8 = "学习心得".encode() + "体".encode()[:2]

# Any fixed moment will do; it only has to be the same on every build.
ZIP_DATE_TIME = (2020, 1, 1, 0, 0, 0)


# --- what the forms were sent and what storage kept ------------------------------------------


def post_essay(client, group, session, /, **data):
    """Post the essay form for a reflection on `session`; `data` adds or overrides fields
    (file=SimpleUploadedFile(...), body=..., title=..., session="")."""
    payload = {"title": "学习心得", "kind": "reflection", "session": session.pk, "body": ""}
    payload.update(data)
    return client.post(reverse("sessions_app:essay_create", args=[group.slug]), payload)


def post_material(client, group, session, *, file, title: str = "学习材料"):
    """Post the session page's material form with `file` (a SimpleUploadedFile)."""
    return client.post(
        reverse("sessions_app:material_upload", args=[group.slug, session.pk]),
        {"title": title, "file": file},
    )


def stored_files(root: Path) -> list[Path]:
    """Every file under root (the test's MEDIA_ROOT): what uploads left in storage."""
    return [p for p in root.rglob("*") if p.is_file()]


# --- essay files --------------------------------------------------------------------------------


def docx_bytes(paragraphs=(), table=None, merged_row=None) -> bytes:
    """A .docx with paragraphs, an optional table (list of rows), and an optional merged row."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    if merged_row:
        grid = document.add_table(rows=1, cols=3)
        merged = grid.cell(0, 0).merge(grid.cell(0, 2))
        merged.text = merged_row
    buffer = io.BytesIO()
    document.save(buffer)
    return zip_bytes(zip_parts(buffer.getvalue()))  # python-docx stamps its parts with the clock


@functools.cache
def pdf_bytes(text: str = f"{TEXT_CN} ABC") -> bytes:
    """A one-page PDF with the text in a CJK font (WeasyPrint, fonts-noto-cjk)."""
    from weasyprint import HTML

    html = f"<p style=\"font-family: 'Noto Sans CJK SC', sans-serif\">{text}</p>"
    return HTML(string=html).write_pdf()


@functools.cache
def image_only_pdf_bytes() -> bytes:
    """A PDF with a drawn box and no text, like a scan."""
    from weasyprint import HTML

    html = '<div style="width:200px;height:200px;background:#333"></div>'
    return HTML(string=html).write_pdf()


def encrypted_pdf_bytes() -> bytes:
    """A PDF that needs a password to open."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    """A deflated zip of entries (name -> bytes) in that order; the same bytes on every build."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            entry = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            archive.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def zip_parts(content: bytes) -> dict[str, bytes]:
    """The entries of a zip (name -> bytes), in the archive's order."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_bomb_docx_bytes(expanded_mb: int = 101) -> bytes:
    """A real .docx plus a part of zeros that expands past the limit (a few hundred KB zipped)."""
    buffer = io.BytesIO(docx_bytes([TEXT_CN]))
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/media/padding.bin", "w") as part,
    ):
        for _ in range(expanded_mb):
            part.write(b"\0" * (1024 * 1024))
    return buffer.getvalue()


PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
OLE2_DOC_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500


# --- PDFs that run something or carry files (refused for essays and materials alike) ---------


def _pdf_with(change) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _action(kind: str, **entries):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = TextStringObject(value)
    return action


def _set_root(key: str, value):
    from pypdf.generic import NameObject

    return lambda writer: writer._root_object.__setitem__(NameObject(key), value)


def _set_page_aa(writer) -> None:
    from pypdf.generic import DictionaryObject, NameObject

    writer.pages[0][NameObject("/AA")] = DictionaryObject(
        {NameObject("/O"): _action("/JavaScript", JS="app.alert(1)")}
    )


def _set_names_javascript(writer) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    script = writer._add_object(_action("/JavaScript", JS="app.alert('hi');"))
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("s"), script])})
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )


ACTIVE_PDFS = {
    "names-javascript": lambda: _pdf_with(_set_names_javascript),
    "open-action-js": lambda: _pdf_with(
        _set_root("/OpenAction", _action("/JavaScript", JS="app.alert(1)"))
    ),
    "open-action-launch": lambda: _pdf_with(
        _set_root("/OpenAction", _action("/Launch", F="calc.exe"))
    ),
    "page-aa": lambda: _pdf_with(_set_page_aa),
    "embedded-file": lambda: _pdf_with(lambda w: w.add_attachment("a.exe", EXE_BYTES)),
}


# --- Office files and images for session materials ----------------------------------------------

_CT = "application/vnd.openxmlformats-officedocument.{}.main+xml"


def office_bytes(main_part: str, content_type: str) -> bytes:
    """A minimal Office Open XML package: _rels/.rels pointing at its main part, and
    [Content_Types].xml giving that part's type."""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Override PartName="/{main_part}" ContentType="{content_type}"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOCUMENT_REL["transitional"]}" '
        f'Target="{main_part}"/></Relationships>'
    )
    return zip_bytes(
        {"[Content_Types].xml": types.encode(), "_rels/.rels": rels.encode(), main_part: b"<x/>"}
    )


def xlsx_bytes() -> bytes:
    return office_bytes("xl/workbook.xml", _CT.format("spreadsheetml.sheet"))


def pptx_bytes() -> bytes:
    return office_bytes("ppt/presentation.xml", _CT.format("presentationml.presentation"))


def xlsm_bytes() -> bytes:
    """A macro-enabled workbook: its main part has another content type."""
    return office_bytes("xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml")


JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
SVG_BYTES = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML_BYTES = b"<html><body><script>alert(1)</script></body></html>"


# --- zip bombs and XML entities in Word files ------------------------------------------------


def lying_entry_zip(entries: dict[str, bytes], *, liar: str, real_bytes: int) -> bytes:
    """A zip with `liar` holding real_bytes of zeros while claiming (size and CRC) to hold 1000.

    zipfile checks only the declared size: it inflates the whole entry in one call, then
    keeps the first 1000 bytes, whose CRC matches.
    """
    data = bytearray(zip_bytes({**entries, liar: bytes(real_bytes)}))
    claimed_crc = struct.pack("<I", zlib.crc32(bytes(1000)))
    claimed_size = struct.pack("<I", 1000)
    # The local header (name at +30) and the central directory entry (name at +46).
    for magic, name_at, crc_at, size_at in (
        (b"PK\x03\x04", 30, 14, 22),
        (b"PK\x01\x02", 46, 16, 24),
    ):
        at = _header_of(data, magic, name_at, liar.encode())
        data[at + crc_at : at + crc_at + 4] = claimed_crc
        data[at + size_at : at + size_at + 4] = claimed_size
    return bytes(data)


def _header_of(data: bytearray, magic: bytes, name_at: int, name: bytes) -> int:
    at = data.find(magic)
    while data[at + name_at : at + name_at + len(name)] != name:
        at = data.find(magic, at + 1)
    return at


def docx_parts() -> dict[str, bytes]:
    """The parts of a real one-paragraph .docx (name -> bytes)."""
    return zip_parts(docx_bytes([TEXT_CN]))


def docx_with_document(document_xml: bytes, **extra: bytes) -> bytes:
    """A real .docx whose word/document.xml is document_xml, plus extra parts (folders as __)."""
    parts = docx_parts()
    parts["word/document.xml"] = document_xml
    parts.update({name.replace("__", "/"): data for name, data in extra.items()})
    return zip_bytes(parts)


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def word_document(doctype: str, text: str) -> bytes:
    """A word/document.xml of one paragraph of text, after a document type declaration."""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}\n'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
        "</w:body></w:document>"
    ).encode()


PASSWD_LINE = "root:x:0:0"
XXE = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
BILLION_LAUGHS = (
    '<!DOCTYPE w:document [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


# --- Word files written as raw XML parts: every place Word and WPS put text (issue 10) ------

W_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_WORD_XMLNS = {
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
}
OFFICE_DOCUMENT_REL = {
    "transitional": (
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
    ),
    "strict": "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
}


def word_body_xml(body: str, *, namespace: str = W_NS) -> bytes:
    """A main document part whose w:body holds `body` (WordprocessingML with the w:, r:, mc:,
    wp:, a:, wps: and v: prefixes declared; w: is `namespace`, transitional unless told)."""
    declarations = " ".join(f'xmlns:{p}="{uri}"' for p, uri in _WORD_XMLNS.items())
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{namespace}" {declarations}><w:body>{body}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>'
    ).encode()


def raw_docx_bytes(
    body: str,
    *,
    strict: bool = False,
    main_part: str = "word/document.xml",
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """A .docx made of raw parts: [Content_Types].xml, _rels/.rels pointing at main_part, and
    main_part with `body` (word_body_xml), in Strict Open XML namespaces when strict; extra
    adds parts (name -> bytes) as they are."""
    word_type = _CT.format("wordprocessingml.document")
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{word_type}"/></Types>'
    )
    kind = "strict" if strict else "transitional"
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOCUMENT_REL[kind]}" Target="{main_part}"/>'
        "</Relationships>"
    )
    namespace = W_STRICT_NS if strict else W_NS
    return zip_bytes(
        {
            "[Content_Types].xml": types.encode(),
            "_rels/.rels": rels.encode(),
            main_part: word_body_xml(body, namespace=namespace),
            **(extra or {}),
        }
    )


def w_p(*runs: str) -> str:
    """A paragraph of runs (already XML)."""
    return f"<w:p>{''.join(runs)}</w:p>"


def w_r(text: str) -> str:
    """A run of text, spaces kept."""
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def w_text_box(text: str) -> str:
    """A run holding a text box as Word 2010+ and WPS write it: the DrawingML shape (mc:Choice)
    and the same text again in a VML copy (mc:Fallback) for older readers."""
    box = f"<w:txbxContent>{w_p(w_r(text))}</w:txbxContent>"
    return (
        "<w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:docPr id="1" name="文本框 1"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/'
        f'wordprocessingShape"><wps:wsp><wps:txbx>{box}</wps:txbx></wps:wsp></a:graphicData>'
        "</a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )


def w_ins(text: str) -> str:
    """Text inserted with Track Changes on."""
    return f'<w:ins w:id="1" w:author="张三" w:date="2024-01-01T00:00:00Z">{w_r(text)}</w:ins>'


def w_del(text: str) -> str:
    """Text deleted with Track Changes on: still in the file, no longer in the document."""
    return (
        '<w:del w:id="2" w:author="张三" w:date="2024-01-01T00:00:00Z">'
        f'<w:r><w:delText xml:space="preserve">{text}</w:delText></w:r></w:del>'
    )
