"""Essay files for tests, made in memory: valid .docx/.pdf/.txt and the bad files people upload."""

import functools
import io
import zipfile

import docx

TEXT_CN = "学习贯彻新思想"  # 7 characters


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
    return buffer.getvalue()


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
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


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
    """A minimal Office Open XML package: [Content_Types].xml naming its main part."""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Override PartName="/{main_part}" ContentType="{content_type}"/></Types>'
    )
    return zip_bytes({"[Content_Types].xml": types.encode(), main_part: b"<x/>"})


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
