"""Reading essay files: text and character counts from .docx, .pdf and .txt; bad files refused."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from intake.count import count_characters
from intake.essays import essay_file_read
from intake.names import sanitise_filename
from tests.uploads import (
    ACTIVE_PDFS,
    EXE_BYTES,
    OLE2_DOC_BYTES,
    PNG_BYTES,
    TEXT_CN,
    docx_bytes,
    docx_with_document,
    encrypted_pdf_bytes,
    image_only_pdf_bytes,
    pdf_bytes,
    zip_bomb_docx_bytes,
    zip_bytes,
)


def read(name: str, content: bytes):
    return essay_file_read(SimpleUploadedFile(name, content))


def error_code(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as info:
        read(name, content)
    return info.value.code


def test_count_characters_counts_each_chinese_character_once_and_skips_whitespace():
    assert count_characters("学习 贯彻\n新思想\u3000ABC, 12。\t") == 14


def test_docx_text_comes_from_paragraphs_and_table_cells_in_order():
    content = docx_bytes(
        paragraphs=[TEXT_CN, "ABC 12"],
        table=[["一", "二"], ["三", "四"]],
        merged_row="合并",
    )
    essay_file = read("心得.docx", content)
    assert essay_file.text.split("\n") == [TEXT_CN, "ABC 12", "一", "二", "三", "四", "合并"]
    assert essay_file.char_count == 7 + 5 + 4 + 2  # a merged cell counts once
    assert essay_file.extension == ".docx"
    assert essay_file.original_filename == "心得.docx"


def test_pdf_text_is_extracted_with_chinese_characters():
    essay_file = read("调研报告.pdf", pdf_bytes())
    assert TEXT_CN in essay_file.text
    assert essay_file.char_count == 10


def test_utf8_text_file_with_and_without_bom():
    text = f"{TEXT_CN}\r\n第二段 two"
    for content in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        essay_file = read("a.txt", content)
        assert essay_file.text == f"{TEXT_CN}\n第二段 two"
        assert essay_file.char_count == 7 + 3 + 3


def test_gbk_text_file_from_chinese_windows_is_decoded():
    essay_file = read("心得体会.txt", f"{TEXT_CN}，认真学习。".encode("gbk"))
    assert essay_file.text == f"{TEXT_CN}，认真学习。"
    assert essay_file.char_count == 7 + 6


def test_utf16_text_file_with_bom_from_notepad_is_decoded():
    essay_file = read("a.txt", TEXT_CN.encode("utf-16"))
    assert essay_file.text == TEXT_CN


def test_extension_is_judged_case_insensitively():
    assert read("A.TXT", TEXT_CN.encode()).extension == ".txt"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("program.exe", EXE_BYTES, "extension"),
        ("picture.png", PNG_BYTES, "extension"),
        ("no-extension", TEXT_CN.encode(), "extension"),
        ("renamed.docx", EXE_BYTES, "not_docx"),
        ("renamed.pdf", PNG_BYTES, "bad_pdf"),
        ("renamed.txt", PNG_BYTES, "bad_txt"),
        ("renamed.txt", EXE_BYTES, "bad_txt"),
        ("old.docx", OLE2_DOC_BYTES, "old_office"),  # OLE, but no WordDocument stream
        ("not-word.docx", zip_bytes({"hello.txt": b"hi"}), "not_docx"),
        ("broken.docx", docx_with_document(b"<not xml"), "bad_docx"),
        ("truncated.docx", docx_bytes([TEXT_CN])[:3000], "bad_docx"),
        ("is-a-pdf.docx", pdf_bytes(), "mismatch"),
        ("is-a-docx.pdf", docx_bytes([TEXT_CN]), "mismatch"),
        ("is-a-docx.txt", docx_bytes([TEXT_CN]), "mismatch"),
        ("truncated.pdf", pdf_bytes()[:200], "bad_pdf"),
        ("scan.pdf", image_only_pdf_bytes(), "pdf_no_text"),
        ("empty.txt", b"", "empty"),
        ("blank.txt", b" \r\n\t ", "empty"),
        ("nul.txt", b"abc\x00def", "bad_txt"),
        ("empty-doc.docx", docx_bytes([""]), "no_text"),
    ],
)
def test_bad_files_are_refused_with_a_reason(name, content, code):
    assert error_code(name, content) == code


def test_program_renamed_docx_is_called_not_a_word_document_not_damaged():
    with pytest.raises(ValidationError) as info, translation.override("en"):
        read("心得.docx", EXE_BYTES)
    message = info.value.messages[0]
    assert "not a Word document" in message
    assert "damaged" not in message


@pytest.mark.parametrize("kind", sorted(ACTIVE_PDFS))
def test_pdf_with_scripts_or_attached_files_is_refused(kind):
    with pytest.raises(ValidationError) as info, translation.override("en"):
        read("报告.pdf", ACTIVE_PDFS[kind]())
    assert info.value.code == "pdf_active"
    assert "scripts or attached files" in info.value.messages[0]


def test_encrypted_pdf_is_refused_as_protected():
    assert error_code("secret.pdf", encrypted_pdf_bytes()) == "pdf_encrypted"


def test_docx_that_expands_enormously_is_refused():
    content = zip_bomb_docx_bytes()
    assert len(content) < 2 * 1024 * 1024
    assert error_code("bomb.docx", content) == "docx_too_large"


def test_file_over_the_limit_is_refused_saying_the_limit_in_mb(settings):
    settings.ESSAY_MAX_UPLOAD_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as info, translation.override("en"):
        read("big.txt", b"a" * (1024 * 1024 + 1))
    assert info.value.code == "too_large"
    assert info.value.messages[0].startswith("The file is larger than the 1 MB limit.")


@pytest.mark.parametrize(
    ("name", "extension", "expected"),
    [
        ("C:\\Users\\张三\\心得.docx", ".docx", "心得.docx"),
        ("../../etc/passwd.txt", ".txt", "passwd.txt"),
        ('bad"\x00\nname.pdf', ".pdf", "badname.pdf"),
        (".docx", ".docx", "essay.docx"),
    ],
)
def test_original_filename_is_sanitised(name, extension, expected):
    assert sanitise_filename(name, extension=extension) == expected
