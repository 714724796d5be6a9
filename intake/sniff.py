"""What is this file? Judged by its content, never by its name alone.

One place knows what a PDF, an Office document, a text file or an image looks like inside;
essays (intake.essays) and session materials (intake.materials) both ask it.
"""

from __future__ import annotations

from intake.office import ZIP_MAGIC, office_kind
from intake.pdf import PDF_MAGIC
from intake.text import decode_text

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Word .doc, Excel .xls, PowerPoint .ppt
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

# What sniff_file answers for an old binary Office file, which nothing here accepts.
OLD_OFFICE = "old-office"


def sniff_file(content: bytes) -> str | None:
    """What the bytes are, whatever the file is called.

    One of .pdf, .docx, .xlsx, .pptx, .png, .jpg, .txt; OLD_OFFICE for a binary .doc/.xls/.ppt;
    None for anything else (programs, archives, damaged files...). Never raises. Only the start
    of a PDF is looked at here: whether it parses, and whether it is safe, is intake.pdf.pdf_open's
    business.
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
