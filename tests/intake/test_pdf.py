"""PDFs: encrypted ones that open without a password are read, each failure gets its own message
(an unexpected one is logged with the file's sha256), and running page numbers, headers and
footers are not essay text."""

import functools
import hashlib
import io
import logging
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from intake.essays import essay_file_read
from intake.materials import material_file_read
from intake.pdf import strip_running_lines
from tests.uploads import TEXT_CN, pdf_bytes

FILES = Path(__file__).parent / "files"
# Each page of pypdf's encryption fixtures: "pdf encryption test\npassword: asdfzxcv".
PYPDF_TEXT = "pdf encryption test\npassword: asdfzxcv"


def read(content: bytes, name: str = "报告.pdf"):
    return essay_file_read(SimpleUploadedFile(name, content))


def refusal(content: bytes, read_with=read) -> ValidationError:
    with pytest.raises(ValidationError) as info, translation.override("en"):
        read_with(content)
    return info.value


def read_material(content: bytes):
    return material_file_read(SimpleUploadedFile("讲话.pdf", content))


def encrypted(user_password: str, algorithm: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password=user_password, owner_password="x", algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-128", "RC4-128"])
def test_pdf_locked_only_against_editing_is_read(algorithm):
    content = encrypted("", algorithm)
    essay_file = read(content)
    assert essay_file.text == f"{TEXT_CN} ABC"
    assert (essay_file.word_count, essay_file.char_count) == (8, 10)
    assert read_material(content).extension == ".pdf"


def test_pdf_that_needs_a_password_is_called_protected():
    content = encrypted("secret", "AES-256")
    error = refusal(content)
    assert error.code == "pdf_encrypted"
    assert "protected by a password" in error.messages[0]
    assert refusal(content, read_material).code == "pdf_encrypted"


@pytest.mark.parametrize(
    "name", ["pypdf-r6-empty-password.pdf", "pypdf-r4-owner-password.pdf"]
)
def test_real_encrypted_pdfs_that_open_without_a_password_are_read(name):
    essay_file = read((FILES / name).read_bytes())
    assert essay_file.text == PYPDF_TEXT
    # pdf | encryption | test | password: | asdfzxcv; 3 + 10 + 4 + 9 + 8 characters.
    assert (essay_file.word_count, essay_file.char_count) == (5, 34)


def test_real_aes_pdf_with_a_user_password_is_called_protected():
    content = (FILES / "pypdf-r4-aes-user-password.pdf").read_bytes()
    assert refusal(content).code == "pdf_encrypted"
    assert refusal(content, read_material).code == "pdf_encrypted"


def test_damaged_pdf_is_called_damaged_and_nothing_is_logged(caplog):
    with caplog.at_level(logging.ERROR):
        assert refusal(pdf_bytes()[:200]).code == "bad_pdf"
    assert caplog.records == []


def _boom(*args, **kwargs):
    raise TypeError("a pypdf bug")


@pytest.mark.parametrize(
    "target",
    [
        "intake.pdf.pdf_has_active_content",
        "pypdf.PageObject.extract_text",
    ],
)
def test_an_unexpected_error_is_not_blamed_on_the_file_and_is_logged_with_its_hash(
    monkeypatch, caplog, target
):
    content = pdf_bytes()
    monkeypatch.setattr(target, _boom)
    with caplog.at_level(logging.ERROR, logger="intake"):
        error = refusal(content)
    assert error.code == "pdf_unreadable"
    assert "damaged" not in error.messages[0] and "password" not in error.messages[0]
    [record] = caplog.records
    assert record.name == "intake.pdf"
    assert hashlib.sha256(content).hexdigest() in record.getMessage()
    assert record.exc_info[0] is TypeError


def test_a_missing_crypto_library_is_not_called_a_password(monkeypatch, caplog):
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    def no_crypto(self, password):
        raise DependencyError("cryptography is required for AES algorithm")

    monkeypatch.setattr(PdfReader, "decrypt", no_crypto)
    content = encrypted("", "AES-256")
    with caplog.at_level(logging.ERROR, logger="intake"):
        assert refusal(content).code == "pdf_unreadable"
        assert refusal(content, read_material).code == "pdf_unreadable"
    assert len(caplog.records) == 2


@functools.cache
def paged_pdf(footer: str, header: str = "", pages: int = 3) -> bytes:
    """A PDF of `pages` A5 pages, one paragraph each, with WeasyPrint margin boxes."""
    from weasyprint import HTML

    font = "font-family: 'Noto Sans CJK SC'"
    top = f"@top-center {{ content: '{header}'; {font} }}" if header else ""
    css = (
        f"@page {{ size: A5; margin: 2cm; @bottom-center {{ content: {footer}; {font} }} {top} }}"
        f"body {{ {font} }} p {{ break-after: page }}"
    )
    body = "".join(f"<p>第{i + 1}段：学习贯彻新思想，深入领会精神实质。</p>" for i in range(pages))
    return HTML(string=f"<style>{css}</style>{body}").write_pdf()


@pytest.mark.parametrize(
    "footer",
    [
        '"— " counter(page) " —"',
        '"- " counter(page) " -"',
        '"第 " counter(page) " 页"',
        '"Page " counter(page) " of " counter(pages)',
        "counter(page)",
    ],
)
def test_running_page_numbers_and_headers_are_not_essay_text(footer):
    essay_file = read(paged_pdf(footer, header="某某县委理论学习中心组"))
    assert essay_file.text == "\n\n".join(
        f"第{n}段：学习贯彻新思想，深入领会精神实质。" for n in (1, 2, 3)
    )
    # Per page: 第 1 段 ： (4) 学习贯彻新思想 (7) ， (1) 深入领会精神实质 (8) 。 (1) = 21.
    assert (essay_file.word_count, essay_file.char_count) == (63, 63)


def test_a_scan_with_only_page_numbers_has_no_text():
    from weasyprint import HTML

    css = "@page { size: A5; @bottom-center { content: '— ' counter(page) ' —' } }"
    boxes = '<div style="height: 300px; background: #333; break-after: page"></div>' * 2
    assert refusal(HTML(string=f"<style>{css}</style>{boxes}").write_pdf()).code == "pdf_no_text"


def test_only_edge_lines_repeated_on_half_the_pages_are_taken_out():
    pages = [
        "县委中心组\n2024\n第一段正文\n1",
        "第二段正文\n县委中心组\n2",
        "第三段正文\n—— 完 ——\n3",
        "第四段\n中间一行\n末行\n4",
    ]
    assert strip_running_lines(pages) == [
        "2024\n第一段正文",  # the header goes; a year in the text stays (not repeated)
        "第二段正文",
        "第三段正文\n—— 完 ——",  # on one page of four: not a running line
        "第四段\n中间一行\n末行",
    ]


def test_a_lone_number_on_a_single_page_is_text_but_a_decorated_one_is_a_page_number():
    assert strip_running_lines(["学习心得\n2024"]) == ["学习心得\n2024"]
    assert strip_running_lines(["学习心得\n- 1 -"]) == ["学习心得"]
    assert strip_running_lines(["学习心得\n第 1 页 共 1 页"]) == ["学习心得"]
