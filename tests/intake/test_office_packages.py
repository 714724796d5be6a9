"""Hostile Office packages (issue 4, item 7), read without a page: zip bombs, whether they declare
their size or lie about it, and XML entities (XXE, "billion laughs") are refused before they run
away, in bounded time and memory; ordinary files still pass. The page's message for them is
tested in tests/security/test_uploads.py."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intake.essays import essay_file_read
from intake.materials import material_file_read
from tests.uploads import (
    BILLION_LAUGHS,
    PASSWD_LINE,
    TEXT_CN,
    XXE,
    docx_bytes,
    docx_parts,
    docx_with_document,
    lying_entry_zip,
    word_document,
    xlsx_bytes,
    zip_bomb_docx_bytes,
)

HOSTILE_DOCX = {
    "zip-bomb-declared": (zip_bomb_docx_bytes, "docx_too_large"),
    "zip-bomb-lying-about-its-size": (
        lambda: lying_entry_zip(docx_parts(), liar="word/media/image1.png", real_bytes=300 << 20),
        "docx_too_large",
    ),
    "zip-bomb-lying-document-xml": (
        lambda: lying_entry_zip(
            {k: v for k, v in docx_parts().items() if k != "word/document.xml"},
            liar="word/document.xml",
            real_bytes=300 << 20,
        ),
        "docx_too_large",
    ),
    "xxe-file": (lambda: docx_with_document(word_document(XXE, "&xxe;")), "docx_dtd"),
    "billion-laughs": (
        lambda: docx_with_document(word_document(BILLION_LAUGHS, "&lol9;")),
        "docx_dtd",
    ),
    "xxe-in-utf16": (
        lambda: docx_with_document(
            word_document(XXE, "&xxe;").decode().replace("UTF-8", "UTF-16").encode("utf-16")
        ),
        "docx_dtd",
    ),
    "entities-in-a-part-not-named-xml": (
        lambda: docx_with_document(
            word_document("", TEXT_CN), customXml__item1__bin=word_document(XXE, "&xxe;")
        ),
        "docx_dtd",
    ),
}


@pytest.mark.parametrize("attack", sorted(HOSTILE_DOCX))
def test_docx_bombs_and_entity_declarations_are_refused_in_bounded_time_and_memory(attack, capsys):
    make, code = HOSTILE_DOCX[attack]
    content = make()
    assert len(content) < 2 * 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(Exception) as info:
            essay_file_read(SimpleUploadedFile("心得.docx", content))
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    with capsys.disabled():
        print(
            f"\n{attack}: {len(content) / 1024:.0f} KB refused in {seconds * 1000:.0f} ms, "
            f"peak {peak / 2**20:.1f} MB traced"
        )
    assert getattr(info.value, "code", None) == code, info.value
    assert PASSWD_LINE not in str(info.value)
    # A runaway inflates hundreds of MB and takes seconds; the refusal reads 64 KB at a time.
    assert peak < 40 * 2**20
    assert seconds < 3


def test_a_material_whose_content_types_part_lies_about_its_size_is_refused_quickly():
    # Materials are stored, not parsed; only [Content_Types].xml is read to tell the kind.
    parts = {"xl/workbook.xml": b"<x/>"}
    content = lying_entry_zip(parts, liar="[Content_Types].xml", real_bytes=300 << 20)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(Exception) as info:
            material_file_read(SimpleUploadedFile("表.xlsx", content))
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert info.value.code == "not_type"
    assert peak < 40 * 2**20
    assert seconds < 3


def test_ordinary_office_files_still_pass_the_package_checks():
    assert essay_file_read(SimpleUploadedFile("a.docx", docx_bytes([TEXT_CN]))).text == TEXT_CN
    assert material_file_read(SimpleUploadedFile("a.xlsx", xlsx_bytes())).extension == ".xlsx"
