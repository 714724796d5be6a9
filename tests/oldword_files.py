"""Old Word (.doc) and WPS (.wps) files for the tests: a real one, one LibreOffice writes, a fake
converter that hangs, and old-Office bytes that are not a readable document."""

import functools
import io
import subprocess
import tempfile
from pathlib import Path

import docx

FILES = Path(__file__).parent / "intake" / "files"

# tests/intake/files/README.md: written by WPS Office, from node-word-extractor's tests (MIT).
REAL_DOC_SENTENCES = (
    "这是一个用来测试nodejs解析Word文档.doccccc",
    "This is a test for parsing the Word file in node.",
)
# Hand-counted, every character but spaces and line breaks (intake.count today):
# 这是一个用来测试 8 + nodejs 6 + 解析 2 + Word 4 + 文档 2 + .doccccc 8 = 30;
# This 4 + is 2 + a 1 + test 4 + for 3 + parsing 7 + the 3 + Word 4 + file 4 + in 2 + node. 5 = 39.
REAL_DOC_COUNT = 30 + 39

# What the .doc LibreOffice writes holds.
MADE_DOC_PARAGRAPHS = (
    "关于加强学习小组建设的心得体会",  # 15
    "今年我们认真学习了文件精神，收获很大。",  # 19
    "第二段：理论联系实际，学以致用。",  # 16
)
MADE_DOC_TABLE = ("表格甲", "表格乙")  # 3 + 3
MADE_DOC_COUNT = 15 + 19 + 16 + 3 + 3

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The start of an OLE file whose directory names a WordDocument stream: sniffed as an old Word
# file, but nothing LibreOffice can read.
DAMAGED_DOC_BYTES = OLE2_MAGIC + b"\x00" * 200 + "WordDocument".encode("utf-16-le") + b"\x00" * 300
# An old Word file that says it holds macros (a Macros storage next to WordDocument).
MACRO_DOC_BYTES = DAMAGED_DOC_BYTES + "Macros".encode("utf-16-le") + b"\x00" * 100
# An old Excel file: an OLE file with a Workbook stream and no WordDocument.
OLD_XLS_BYTES = OLE2_MAGIC + b"\x00" * 200 + "Workbook".encode("utf-16-le") + b"\x00" * 300


def real_doc_bytes() -> bytes:
    """The real Chinese .doc written by WPS Office (tests/intake/files/wps-office-chinese.doc)."""
    return (FILES / "wps-office-chinese.doc").read_bytes()


@functools.cache
def libreoffice_doc_bytes() -> bytes:
    """A Word 97 .doc that LibreOffice (soffice) writes from a .docx made with python-docx."""
    document = docx.Document()
    for text in MADE_DOC_PARAGRAPHS:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    for cell, text in zip(table.rows[0].cells, MADE_DOC_TABLE, strict=True):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "made.docx"
        source.write_bytes(buffer.getvalue())
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={(Path(work) / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                "doc:MS Word 97",
                "--outdir",
                work,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return (Path(work) / "made.doc").read_bytes()


def hanging_converter(folder: Path) -> tuple[Path, Path]:
    """A fake soffice that starts a child and then sleeps for a minute, like a converter stuck on
    a hostile file. Returns (the script, the file where it writes its child's process id)."""
    pid_file = folder / "child.pid"
    script = folder / "fake-soffice"
    script.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pid_file}\nsleep 60\n")
    script.chmod(0o755)
    return script, pid_file
