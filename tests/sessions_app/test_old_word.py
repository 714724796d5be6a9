"""Old Word (.doc) and WPS (.wps) files through the pages: an essay's text is read and counted, a
session material is kept as it is; a file that is refused (no converter, a converter that hangs,
macros, an old spreadsheet) leaves no row and no stored file."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from sessions_app.models import ReflectionEssay, SessionMaterial
from tests.factories import StudySessionFactory
from tests.oldword_files import (
    MACRO_DOC_BYTES,
    OLD_XLS_BYTES,
    REAL_DOC_COUNT,
    REAL_DOC_SENTENCES,
    hanging_converter,
    real_doc_bytes,
)
from tests.uploads import post_essay, post_material, stored_files


@pytest.fixture
def session(group, term):
    return StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 15), topic="学习专题")


def url(name: str, group, *args) -> str:
    return reverse(f"sessions_app:{name}", args=[group.slug, *args])


def essay_file_errors(response):
    return response.context["form"].errors.as_data().get("file", [])


def material_file_errors(response):
    return response.context["material_form"].errors.as_data().get("file", [])


def test_member_submits_a_chinese_doc_and_sees_its_text_and_count(
    client_for, member, group, session, media_root
):
    client = client_for(member)
    response = post_essay(
        client, group, session, file=SimpleUploadedFile("心得体会.doc", real_doc_bytes())
    )
    assert response.status_code == 302
    essay = ReflectionEssay.objects.get()
    assert essay.char_count == REAL_DOC_COUNT
    assert essay.original_filename == "心得体会.doc"
    assert len(stored_files(media_root)) == 1
    page = client.get(response["Location"]).content.decode()
    assert f'data-char-count="{REAL_DOC_COUNT}"' in page
    for sentence in REAL_DOC_SENTENCES:
        assert escape(sentence) in page

    download = client.get(url("essay_file", group, essay.pk))
    assert download["Content-Type"] == "application/msword"
    assert b"".join(download.streaming_content) == real_doc_bytes()


def test_without_a_converter_a_doc_essay_is_refused_with_save_as_advice_and_nothing_is_kept(
    client_for, member, group, session, media_root, settings
):
    """OLD_WORD_CONVERTER names a program that is not installed: a stand-in for a server
    without the libreoffice-writer-nogui package."""
    settings.OLD_WORD_CONVERTER = "soffice-not-installed-here"
    response = post_essay(
        client_for(member), group, session, file=SimpleUploadedFile("心得.wps", real_doc_bytes())
    )
    assert response.status_code == 200
    errors = essay_file_errors(response)
    assert [e.code for e in errors] == ["doc_no_converter"]
    assert escape(errors[0].messages[0]) in response.content.decode()
    assert "另存为" in errors[0].messages[0]
    assert not ReflectionEssay.objects.exists()
    assert stored_files(media_root) == []


def test_a_doc_whose_conversion_hangs_is_refused_in_time_and_nothing_is_kept(
    client_for, member, group, session, media_root, settings, tmp_path
):
    script, _ = hanging_converter(tmp_path)
    settings.OLD_WORD_CONVERTER = str(script)
    settings.OLD_WORD_CONVERT_TIMEOUT_SECONDS = 1
    response = post_essay(
        client_for(member), group, session, file=SimpleUploadedFile("心得.doc", real_doc_bytes())
    )
    assert [e.code for e in essay_file_errors(response)] == ["doc_timeout"]
    assert not ReflectionEssay.objects.exists()
    assert stored_files(media_root) == []


def test_secretary_attaches_a_doc_and_a_wps_material_kept_as_they_are(
    client_for, secretary, member, group, session, media_root, settings
):
    # Materials are kept, not read: no converter is needed for them.
    settings.OLD_WORD_CONVERTER = ""
    for name in ("通知.doc", "讲话稿.wps"):
        response = post_material(
            client_for(secretary), group, session, file=SimpleUploadedFile(name, real_doc_bytes())
        )
        assert response.status_code == 302, name
    materials = {m.original_filename: m for m in SessionMaterial.objects.all()}
    assert set(materials) == {"通知.doc", "讲话稿.wps"}
    assert len(stored_files(media_root)) == 2
    download = client_for(member).get(
        url("material_download", group, session.pk, materials["通知.doc"].pk)
    )
    assert download["Content-Type"] == "application/msword"
    assert b"".join(download.streaming_content) == real_doc_bytes()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("macro.doc", MACRO_DOC_BYTES, "doc_macros"),
        ("sheet.doc", OLD_XLS_BYTES, "old_office"),
        ("text.wps", "学习贯彻新思想".encode(), "not_type"),
        ("old.docx", real_doc_bytes(), "mismatch"),
    ],
)
def test_bad_old_word_material_is_refused_and_nothing_is_kept(
    client_for, secretary, group, session, media_root, name, content, code
):
    response = post_material(
        client_for(secretary), group, session, file=SimpleUploadedFile(name, content)
    )
    assert response.status_code == 400
    errors = material_file_errors(response)
    assert [e.code for e in errors] == [code]
    assert escape(errors[0].messages[0]) in response.content.decode()
    assert not SessionMaterial.objects.exists()
    assert stored_files(media_root) == []
