"""Hostile uploads (issue 4, items 4-8): oversized files leave nothing behind, a file's type is
judged by its content, hostile names never become paths, zip bombs and XML entities are refused
before they run away, and stored files leave only as attachments through permission checks."""

from __future__ import annotations

import datetime as dt
import io
import struct
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from intake.essays import essay_file_read
from intake.materials import material_file_read
from sessions_app.forms.essays import EssayForm
from sessions_app.forms.sessions import SessionMaterialForm
from sessions_app.models import ReflectionEssay, SessionMaterial
from tests.factories import ReflectionEssayFactory, StudySessionFactory
from tests.sessions_app.files.essay_samples import (
    HTML_BYTES,
    TEXT_CN,
    docx_bytes,
    pdf_bytes,
    xlsx_bytes,
    zip_bomb_docx_bytes,
)

PASSWD_LINE = "root:x:0:0"
SCRIPT_BYTES = b"#!/bin/sh\ncurl http://127.0.0.1:9/x | sh\n"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def english_interface(client, settings):
    """Messages are checked in their English wording: ask for English as a user does."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def session(group, term):
    return StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 15), topic="学习专题")


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def url(name: str, group, *args) -> str:
    return reverse(f"sessions_app:{name}", args=[group.slug, *args])


def post_essay(client, group, session, upload):
    return client.post(
        url("essay_create", group),
        {"title": "学习心得", "kind": "reflection", "session": session.pk, "file": upload},
    )


def post_material(client, group, session, upload):
    return client.post(url("material_upload", group, session.pk), {"title": "材料", "file": upload})


# Each upload form: how to post to it, the form in the response, the rows it would write.
FORMS = {
    "essay": (post_essay, "form", ReflectionEssay),
    "material": (post_material, "material_form", SessionMaterial),
}


def upload_as(kind, client_for, member, secretary, group, session, upload):
    post, context_name, model = FORMS[kind]
    client = client_for(member if kind == "essay" else secretary)
    response = post(client, group, session, upload)
    form = response.context[context_name] if response.context else None
    errors = form.errors.as_data().get("file", []) if form else []
    return response, errors, model


# --- 4. oversized files -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_oversized_upload_is_a_form_error_and_nothing_of_it_is_kept_anywhere(
    kind, monkeypatch, settings, tmp_path, media_root, client_for, member, secretary, group, session
):
    temp_dir = tmp_path / "upload-tmp"
    temp_dir.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temp_dir)
    settings.ESSAY_MAX_UPLOAD_BYTES = 256 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # anything bigger is spooled to temp_dir
    # Look into the temporary directory at the moment the form checks the file: the oversized
    # upload must already be gone, not merely cleaned up after the request.
    temp_bytes_when_checked: list[int] = []
    for module, name in (
        ("sessions_app.forms.essays", "essay_file_read"),
        ("sessions_app.forms.sessions", "material_file_read"),
    ):
        real = getattr(__import__(module, fromlist=[name]), name)

        def spy(uploaded, real=real):
            temp_bytes_when_checked.append(sum(p.stat().st_size for p in temp_dir.iterdir()))
            return real(uploaded)

        monkeypatch.setattr(f"{module}.{name}", spy)

    big = b"a" * (3 * 1024 * 1024)
    response, errors, model = upload_as(
        kind, client_for, member, secretary, group, session, SimpleUploadedFile("big.txt", big)
    )

    assert [e.code for e in errors] == ["too_large"]
    assert "The file is larger than the 0.2 MB limit." in response.content.decode()
    assert temp_bytes_when_checked == [0]
    assert not model.objects.exists()
    assert stored_files(media_root) == []
    assert list(temp_dir.iterdir()) == []


def test_a_file_under_the_limit_still_arrives_whole_through_the_temporary_directory(
    settings, tmp_path, media_root, client_for, member, group, session
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    content = docx_bytes([TEXT_CN * 50])
    response = post_essay(client_for(member), group, session, SimpleUploadedFile("a.docx", content))
    assert response.status_code == 302
    (stored,) = stored_files(media_root)
    assert stored.read_bytes() == content


# --- 5. type by content, not by name or Content-Type ---------------------------------------------

REFUSED = [
    pytest.param("essay", "心得.docx", HTML_BYTES, DOCX_TYPE, "mismatch", id="essay-html-as-docx"),
    pytest.param("essay", "run.docx", SCRIPT_BYTES, DOCX_TYPE, "mismatch", id="essay-script-docx"),
    pytest.param(
        "essay", "essay.pdf.html", HTML_BYTES, "application/pdf", "extension", id="essay-pdf.html"
    ),
    pytest.param(
        "essay", "报告.pdf", HTML_BYTES, "application/pdf", "mismatch", id="essay-html-spoofed-pdf"
    ),
    pytest.param(
        "material", "讲话.docx", HTML_BYTES, DOCX_TYPE, "not_type", id="material-html-as-docx"
    ),
    pytest.param(
        "material", "run.docx", SCRIPT_BYTES, DOCX_TYPE, "not_type", id="material-script-docx"
    ),
    pytest.param(
        "material",
        "essay.pdf.html",
        HTML_BYTES,
        "application/pdf",
        "extension",
        id="material-pdf.html",
    ),
    pytest.param(
        "material", "photo.png", HTML_BYTES, "image/png", "not_type", id="material-html-spoofed-png"
    ),
]


@pytest.mark.parametrize(("kind", "name", "content", "content_type", "code"), REFUSED)
def test_file_whose_content_is_not_what_its_name_or_content_type_says_is_refused(
    kind,
    name,
    content,
    content_type,
    code,
    media_root,
    client_for,
    member,
    secretary,
    group,
    session,
):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    response, errors, model = upload_as(kind, client_for, member, secretary, group, session, upload)
    assert [e.code for e in errors] == [code]
    assert escape(errors[0].messages[0]) in response.content.decode()
    assert not model.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    "name", ["心得\x00.docx", "a.html\x00.docx", "..\\..\\x.docx", "C:\\x.docx"]
)
def test_a_name_holding_a_path_or_nul_is_refused_with_a_clear_message(name, member, session):
    # Over HTTP, Django's upload parser strips these before the form sees the name (and
    # UploadedFile keeps only the part after the last "/"); the forms refuse what is left for
    # any other caller rather than guess what was meant.
    content = docx_bytes([TEXT_CN])
    with translation.override("en"):
        essay_form = EssayForm(
            data={"title": "心得", "kind": "reflection", "session": session.pk},
            files={"file": SimpleUploadedFile(name, content)},
            member=member,
        )
        material_form = SessionMaterialForm(
            data={"title": "材料"}, files={"file": SimpleUploadedFile(name, content)}
        )
        for form in (essay_form, material_form):
            assert not form.is_valid()
            (error,) = form.errors.as_data()["file"]
            assert error.code == "bad_name"
            assert error.messages == [
                "The file name contains a folder path or control characters. "
                "Rename the file to a plain name and upload it again."
            ]


def test_the_content_type_sent_with_an_upload_is_ignored_for_the_download(
    client_for, member, group, session
):
    client = client_for(member)
    post_essay(
        client,
        group,
        session,
        SimpleUploadedFile("心得.docx", docx_bytes([TEXT_CN]), content_type="text/html"),
    )
    essay = ReflectionEssay.objects.get()
    response = client.get(url("essay_file", group, essay.pk))
    assert response["Content-Type"] == DOCX_TYPE


# --- 6. hostile names never become paths -------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_hostile_name_is_stored_under_a_generated_name_and_kept_only_as_clean_metadata(
    kind, media_root, client_for, member, secretary, group, session
):
    name = "../../../../evil\u202e\u200bcod.docx"
    upload = SimpleUploadedFile(name, docx_bytes([TEXT_CN]))
    response, errors, model = upload_as(kind, client_for, member, secretary, group, session, upload)
    assert response.status_code == 302, errors
    row = model.objects.get()
    (stored,) = stored_files(media_root)
    assert stored.resolve().is_relative_to(media_root.resolve())
    assert stored.parent.parent.parent.parent == media_root
    stem = Path(row.file.name).stem
    assert len(stem) == 32 and int(stem, 16) >= 0  # a uuid4 hex, nothing of the upload's name
    assert row.original_filename == "evilcod.docx"


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        (
            "学习 心得.docx",
            "attachment; filename*=utf-8''%E5%AD%A6%E4%B9%A0%20%E5%BF%83%E5%BE%97.docx",
        ),
        ('a"; filename="evil.exe.docx', 'attachment; filename="a\\"; filename=\\"evil.exe.docx"'),
        (
            "a\r\nSet-Cookie: x=1.docx",
            "attachment; filename*=utf-8''a%0D%0ASet-Cookie%3A%20x%3D1.docx",
        ),
    ],
)
def test_content_disposition_cannot_be_broken_even_by_a_name_that_was_never_cleaned(
    original, expected, media_root, client_for, member, group, session
):
    # The row is written directly, as old data or a future code path might: the download must
    # still send one well-formed header.
    essay = ReflectionEssayFactory(
        group=group, author=member, session=session, original_filename=original
    )
    essay.file.save("0" * 32 + ".docx", io.BytesIO(docx_bytes([TEXT_CN])))
    response = client_for(member).get(url("essay_file", group, essay.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == expected
    assert "Set-Cookie" not in response.headers
    assert not response.cookies.get("x")


# --- 7. zip bombs and XML entities ---------------------------------------------------------------


def lying_entry_zip(entries: dict[str, bytes], *, liar: str, real_bytes: int) -> bytes:
    """A zip with `liar` holding real_bytes of zeros while claiming (size and CRC) to hold 1000.

    zipfile checks only the declared size: it inflates the whole entry in one call, then
    keeps the first 1000 bytes, whose CRC matches.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        archive.writestr(liar, bytes(real_bytes))
    data = bytearray(buffer.getvalue())
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
    with zipfile.ZipFile(io.BytesIO(docx_bytes([TEXT_CN]))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def docx_with_document(document_xml: bytes, **extra: bytes) -> bytes:
    parts = docx_parts()
    parts["word/document.xml"] = document_xml
    parts.update({name.replace("__", "/"): data for name, data in extra.items()})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def word_document(doctype: str, text: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}\n'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
        "</w:body></w:document>"
    ).encode()


XXE = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
BILLION_LAUGHS = (
    '<!DOCTYPE w:document [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
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


def test_a_docx_with_a_doctype_is_refused_on_the_page_with_a_clear_message(
    media_root, client_for, member, group, session
):
    content = docx_with_document(word_document(XXE, "&xxe;"))
    response = post_essay(client_for(member), group, session, SimpleUploadedFile("a.docx", content))
    (error,) = response.context["form"].errors.as_data()["file"]
    assert error.code == "docx_dtd"
    assert escape(error.messages[0]) in response.content.decode()
    assert PASSWD_LINE not in response.content.decode()
    assert not ReflectionEssay.objects.exists()
    assert stored_files(media_root) == []


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


# --- 8. downloads ----------------------------------------------------------------------------


@pytest.fixture
def essay_with_file(client_for, member, group, session):
    post_essay(client_for(member), group, session, SimpleUploadedFile("心得.pdf", pdf_bytes()))
    return ReflectionEssay.objects.get()


@pytest.fixture
def material_with_file(client_for, secretary, group, session):
    post_material(
        client_for(secretary), group, session, SimpleUploadedFile("讲话.pdf", pdf_bytes())
    )
    return SessionMaterial.objects.get()


def test_uploaded_files_download_as_attachments_the_browser_must_not_sniff_or_run(
    client_for, member, group, session, essay_with_file, material_with_file
):
    client = client_for(member)
    for path in (
        url("essay_file", group, essay_with_file.pk),
        url("material_download", group, session.pk, material_with_file.pk),
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == pdf_bytes()


def test_uploaded_files_are_never_served_from_a_media_address(
    client_for, member, secretary, essay_with_file, material_with_file, settings
):
    for row in (essay_with_file, material_with_file):
        assert (Path(settings.MEDIA_ROOT) / row.file.name).is_file()
        for who in (member, secretary):
            client = client_for(who)
            for prefix in (settings.MEDIA_URL, "/media/", "/static/../media/", "/"):
                assert client.get(prefix + row.file.name).status_code == 404, prefix


def test_downloads_go_through_the_permission_check(
    client_for, outsider, group, session, essay_with_file, material_with_file
):
    paths = [
        url("essay_file", group, essay_with_file.pk),
        url("material_download", group, session.pk, material_with_file.pk),
    ]
    anonymous = Client()
    for path in paths:
        response = anonymous.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    outsider_client = client_for(outsider)
    for path in paths:
        assert outsider_client.get(path).status_code == 404
