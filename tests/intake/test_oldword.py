"""Old Word (.doc) and WPS (.wps) essays: read through LibreOffice, or refused with a message that
says how to save the file as .docx; a converter that hangs is stopped in time."""

import concurrent.futures
import os
import tempfile
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from intake.convert import ConversionProblem, convert_to_docx
from intake.essays import essay_file_read
from tests.oldword_files import (
    DAMAGED_DOC_BYTES,
    MACRO_DOC_BYTES,
    MADE_DOC_COUNT,
    MADE_DOC_PARAGRAPHS,
    MADE_DOC_TABLE,
    OLD_XLS_BYTES,
    REAL_DOC_COUNT,
    REAL_DOC_SENTENCES,
    hanging_converter,
    libreoffice_doc_bytes,
    real_doc_bytes,
)
from tests.uploads import docx_bytes


def read(name: str, content: bytes):
    return essay_file_read(SimpleUploadedFile(name, content))


def refusal(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as info, translation.override("zh-hans"):
        read(name, content)
    return info.value


def process_gone(pid: int, within: float = 5.0) -> bool:
    """Whether the process has ended (a zombie waiting for init counts as ended)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_real_chinese_doc_written_by_wps_office_is_read():
    essay_file = read("心得体会.doc", real_doc_bytes())
    assert essay_file.text.split("\n") == list(REAL_DOC_SENTENCES)
    assert essay_file.char_count == REAL_DOC_COUNT == 69
    assert essay_file.extension == ".doc"
    assert essay_file.original_filename == "心得体会.doc"
    assert essay_file.content == real_doc_bytes()  # the user's file is kept, not the conversion


def test_chinese_doc_written_by_libreoffice_is_read_with_its_table():
    essay_file = read("学习心得.doc", libreoffice_doc_bytes())
    for paragraph in MADE_DOC_PARAGRAPHS:
        assert paragraph in essay_file.text.split("\n")
    for cell in MADE_DOC_TABLE:
        assert cell in essay_file.text
    assert essay_file.char_count == MADE_DOC_COUNT == 56


def test_wps_writer_file_is_read():
    # A file in Word's binary format written by WPS Office, under the .wps name WPS Writer gives
    # it (tests/intake/files/README.md).
    essay_file = read("心得体会.wps", real_doc_bytes())
    assert essay_file.text.split("\n") == list(REAL_DOC_SENTENCES)
    assert essay_file.extension == ".wps"
    assert essay_file.original_filename == "心得体会.wps"


def test_old_word_file_renamed_docx_is_read_and_kept_as_the_doc_it_is():
    essay_file = read("心得.docx", real_doc_bytes())
    assert essay_file.char_count == REAL_DOC_COUNT
    assert essay_file.extension == ".doc"
    assert essay_file.original_filename == "心得.docx.doc"


def test_without_a_converter_the_message_says_how_to_save_as_docx_in_word_and_wps(settings):
    """OLD_WORD_CONVERTER names a program that is not installed: a stand-in for a machine
    without the libreoffice-writer-nogui package (shutil.which finds nothing either way)."""
    settings.OLD_WORD_CONVERTER = "soffice-not-installed-here"
    error = refusal("心得体会.doc", real_doc_bytes())
    assert error.code == "doc_no_converter"
    message = error.messages[0]
    assert "文件 → 另存为 → Word 文档(*.docx)" in message
    assert "文件 → 另存为 → Microsoft Word 文件(*.docx)" in message
    with translation.override("en"), pytest.raises(ValidationError) as info:
        read("心得体会.wps", real_doc_bytes())
    assert "File → Save As → Word Document (*.docx)" in info.value.messages[0]


def test_a_converter_that_hangs_is_killed_with_its_children_at_the_time_limit(
    settings, tmp_path
):
    script, pid_file = hanging_converter(tmp_path)
    settings.OLD_WORD_CONVERTER = str(script)
    settings.OLD_WORD_CONVERT_TIMEOUT_SECONDS = 1
    started = time.monotonic()
    error = refusal("心得体会.doc", real_doc_bytes())
    elapsed = time.monotonic() - started
    assert error.code == "doc_timeout"
    assert "用时过长" in error.messages[0]
    assert "另存为" in error.messages[0]
    assert elapsed < 10  # the script would sleep 60 s
    assert process_gone(int(pid_file.read_text()))


def test_converter_time_limit_and_missing_converter_are_told_apart(settings, tmp_path):
    script, _ = hanging_converter(tmp_path)
    settings.OLD_WORD_CONVERTER = str(script)
    settings.OLD_WORD_CONVERT_TIMEOUT_SECONDS = 1
    with pytest.raises(ConversionProblem) as info:
        convert_to_docx(real_doc_bytes(), suffix=".doc")
    assert info.value.kind == "timeout"
    settings.OLD_WORD_CONVERTER = ""
    with pytest.raises(ConversionProblem) as info:
        convert_to_docx(real_doc_bytes(), suffix=".doc")
    assert info.value.kind == "missing"


def test_conversions_leave_no_temporary_files(settings, tmp_path, monkeypatch):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    read("心得体会.doc", real_doc_bytes())
    script, _ = hanging_converter(tmp_path)
    settings.OLD_WORD_CONVERTER = str(script)
    settings.OLD_WORD_CONVERT_TIMEOUT_SECONDS = 1
    refusal("心得体会.doc", real_doc_bytes())
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("damaged.doc", DAMAGED_DOC_BYTES, "doc_unreadable"),
        ("macro.doc", MACRO_DOC_BYTES, "doc_macros"),
        ("sheet.doc", OLD_XLS_BYTES, "old_office"),
        ("sheet.docx", OLD_XLS_BYTES, "old_office"),
        ("text.doc", "学习贯彻新思想".encode(), "not_doc"),
        ("text.wps", "学习贯彻新思想".encode(), "not_doc"),
        ("old-word.pdf", b"", "empty"),
    ],
)
def test_bad_old_word_files_are_refused_with_a_reason(name, content, code):
    assert refusal(name, content).code == code


def test_old_word_file_named_pdf_is_called_a_doc():
    with translation.override("en"), pytest.raises(ValidationError) as info:
        read("report.pdf", real_doc_bytes())
    assert info.value.code == "mismatch"
    assert "it is a .doc file, not .pdf" in info.value.messages[0]


def test_every_refusal_of_a_doc_says_how_to_save_it_as_docx(settings, tmp_path):
    for name, content in (
        ("damaged.doc", DAMAGED_DOC_BYTES),
        ("macro.doc", MACRO_DOC_BYTES),
        ("text.wps", "学习贯彻新思想".encode()),
    ):
        assert "文件 → 另存为" in refusal(name, content).messages[0], name


def test_converter_runs_without_network(settings, tmp_path):
    """A fake converter reports the network interfaces it sees: only loopback."""
    report = tmp_path / "report"
    script = tmp_path / "fake-soffice"
    script.write_text(
        "#!/bin/sh\n"
        f"tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' > {report}\n"
        # Write the .docx where LibreOffice would: the last argument's stem, in --outdir.
        'while [ "$1" != "--outdir" ]; do shift; done; out=$2\n'
        f"cp {os.fspath(tmp_path / 'made.docx')} \"$out/upload.docx\"\n"
    )
    script.chmod(0o755)
    (tmp_path / "made.docx").write_bytes(docx_bytes(["学习贯彻新思想"]))
    settings.OLD_WORD_CONVERTER = str(script)
    essay_file = read("心得体会.doc", real_doc_bytes())
    assert essay_file.text == "学习贯彻新思想"
    assert report.read_text().split() == ["lo"]


def test_two_conversions_at_once_both_succeed():
    # Each has its own LibreOffice profile; with a shared one, the second would hand its file to
    # the first process, or wait on its lock.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(
            pool.map(lambda _: read("心得体会.doc", real_doc_bytes()).char_count, range(2))
        )
    assert results == [REAL_DOC_COUNT, REAL_DOC_COUNT]
