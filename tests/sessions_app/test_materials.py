"""Session materials: only documents and images whose content matches their name are kept,
under a generated name with the uploader's name shown and used for the download; managers delete
them after a confirm page; bad files leave no row and no stored file."""

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape

from intake.materials import material_file_read
from sessions_app.models import SessionMaterial
from sessions_app.services.sessions import material_add, material_delete
from tests.factories import StudySessionFactory
from tests.uploads import (
    ACTIVE_PDFS,
    EXE_BYTES,
    HALF_CHARACTER_UTF8,
    HTML_BYTES,
    JPEG_BYTES,
    OLE2_DOC_BYTES,
    PNG_BYTES,
    SVG_BYTES,
    TEXT_CN,
    docx_bytes,
    encrypted_pdf_bytes,
    pdf_bytes,
    post_material,
    pptx_bytes,
    stored_files,
    xlsm_bytes,
    xlsx_bytes,
    zip_bytes,
)


@pytest.fixture(autouse=True)
def english_interface(client, settings):
    """Messages are checked in their English wording: ask for English as a user does."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def session(group, term):
    return StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 15), topic="学习专题")


def url(name: str, group, *args) -> str:
    return reverse(f"sessions_app:{name}", args=[group.slug, *args])


def upload(client, group, session, name: str, content: bytes, title: str = "学习材料"):
    file = SimpleUploadedFile(name, content)
    return post_material(client, group, session, file=file, title=title)


def file_errors(response):
    return response.context["material_form"].errors.as_data().get("file", [])


def success_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "success"]


def material_of(session, *, name="讲话.pdf", content=None, title="讲话稿", actor=None):
    return material_add(
        session=session,
        actor=actor,
        title=title,
        material_file=material_file_read(SimpleUploadedFile(name, content or pdf_bytes())),
    )


# --- what is accepted ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make_content"),
    [
        ("讲话稿.pdf", pdf_bytes),
        ("学习提纲.docx", lambda: docx_bytes([TEXT_CN])),
        ("统计表.xlsx", xlsx_bytes),
        ("课件.pptx", pptx_bytes),
        ("说明.txt", lambda: TEXT_CN.encode("gb18030")),
        ("照片.png", lambda: PNG_BYTES),
        ("照片.JPG", lambda: JPEG_BYTES),
        ("照片.jpeg", lambda: JPEG_BYTES),
    ],
)
def test_secretary_adds_each_accepted_kind_of_file(
    client_for, secretary, group, session, media_root, name, make_content
):
    response = upload(client_for(secretary), group, session, name, make_content())
    assert response.status_code == 302
    material = SessionMaterial.objects.get()
    kept_name = str(Path(name).with_suffix(Path(name).suffix.lower()))
    assert material.original_filename == kept_name
    stored = stored_files(media_root)
    assert len(stored) == 1
    # Stored under a generated name, never the uploader's.
    assert stored[0].name != name
    assert stored[0].suffix == Path(name).suffix.lower()
    assert success_messages(response) == [f"Material “学习材料” ({kept_name}) added."]


def test_the_list_shows_the_original_file_name_beside_the_title(
    client_for, secretary, member, group, session
):
    upload(client_for(secretary), group, session, "C:\\材料\\讲话\u202e稿.pdf", pdf_bytes())
    material = SessionMaterial.objects.get()
    assert material.original_filename == "讲话稿.pdf"
    page = client_for(member).get(url("session_detail", group, session.pk)).content.decode()
    assert "学习材料" in page
    assert "讲话稿.pdf" in page


def test_download_uses_the_original_name_and_the_content_type_of_its_kind(
    client_for, secretary, member, group, session
):
    # Compared with the very bytes uploaded, not with a second build of the file.
    content = xlsx_bytes()
    upload(client_for(secretary), group, session, "统计表.xlsx", content)
    material = SessionMaterial.objects.get()
    response = client_for(member).get(url("material_download", group, session.pk, material.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "%E7%BB%9F%E8%AE%A1%E8%A1%A8.xlsx" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == content


def test_bidi_control_characters_are_removed_from_the_title(client_for, secretary, group, session):
    upload(
        client_for(secretary), group, session, "a.pdf", pdf_bytes(), title="\u202e学习\u2069材料"
    )
    assert SessionMaterial.objects.get().title == "学习材料"


# --- what is refused -------------------------------------------------------------------------

ACCEPTED = (
    "PDF, Word (.docx, .doc), WPS (.wps), Excel (.xlsx), PowerPoint (.pptx), text (.txt) "
    "or image (.png, .jpg)"
)

BAD_FILES = [
    pytest.param("setup.exe", lambda: EXE_BYTES, "extension", id="exe"),
    pytest.param("page.html", lambda: HTML_BYTES, "extension", id="html"),
    pytest.param("logo.svg", lambda: SVG_BYTES, "extension", id="svg"),
    pytest.param("archive.zip", lambda: zip_bytes({"a.txt": b"a"}), "extension", id="zip"),
    pytest.param("macro.xlsm", xlsm_bytes, "extension", id="xlsm"),
    pytest.param("no-extension", lambda: TEXT_CN.encode(), "extension", id="no-extension"),
    pytest.param("renamed.pdf", lambda: EXE_BYTES, "not_type", id="exe-named-pdf"),
    pytest.param("renamed.docx", lambda: EXE_BYTES, "not_type", id="exe-named-docx"),
    pytest.param("renamed.txt", lambda: EXE_BYTES, "not_type", id="exe-named-txt"),
    pytest.param("page.png", lambda: HTML_BYTES, "not_type", id="html-named-png"),
    pytest.param("logo.jpg", lambda: SVG_BYTES, "not_type", id="svg-named-jpg"),
    pytest.param("macro.xlsx", xlsm_bytes, "not_type", id="xlsm-named-xlsx"),
    pytest.param(
        "plain.docx", lambda: zip_bytes({"word/document.xml": b"<w/>"}), "not_type", id="no-types"
    ),
    pytest.param("photo.pdf", lambda: PNG_BYTES, "mismatch", id="png-named-pdf"),
    pytest.param("sheet.docx", xlsx_bytes, "mismatch", id="xlsx-named-docx"),
    pytest.param("old.docx", lambda: OLE2_DOC_BYTES, "old_office", id="old-doc"),
    pytest.param("secret.pdf", encrypted_pdf_bytes, "pdf_encrypted", id="encrypted-pdf"),
    pytest.param("broken.pdf", lambda: pdf_bytes()[:300], "bad_pdf", id="truncated-pdf"),
    pytest.param("empty.txt", lambda: b"", "empty", id="empty"),
    pytest.param("cut.txt", lambda: HALF_CHARACTER_UTF8, "txt_damaged", id="utf8-cut-off"),
    *[
        pytest.param("active.pdf", make, "pdf_active", id=f"pdf-{kind}")
        for kind, make in sorted(ACTIVE_PDFS.items())
    ],
]


@pytest.mark.parametrize(("name", "make_content", "code"), BAD_FILES)
def test_bad_file_is_refused_with_a_reason_and_nothing_is_saved(
    client_for, secretary, group, session, media_root, name, make_content, code
):
    response = upload(client_for(secretary), group, session, name, make_content())
    assert response.status_code == 400
    errors = file_errors(response)
    assert [e.code for e in errors] == [code]
    assert escape(errors[0].messages[0]) in response.content.decode()
    assert not SessionMaterial.objects.exists()
    assert stored_files(media_root) == []


def test_a_refused_type_says_what_is_accepted(client_for, secretary, group, session):
    response = upload(client_for(secretary), group, session, "setup.exe", EXE_BYTES)
    assert file_errors(response)[0].messages == [
        f"Upload a {ACCEPTED} file. Other file types are not accepted."
    ]


def test_pdf_with_scripts_says_so(client_for, secretary, group, session):
    response = upload(client_for(secretary), group, session, "a.pdf", ACTIVE_PDFS["page-aa"]())
    assert file_errors(response)[0].messages == [
        "The PDF contains scripts or attached files; save it again as a plain PDF or upload .docx."
    ]


def test_file_just_over_the_limit_is_refused_with_the_limit_not_a_rounded_size(
    client_for, secretary, group, session, media_root, settings
):
    settings.ESSAY_MAX_UPLOAD_BYTES = 1024 * 1024
    content = b"a" * (1024 * 1024 + 1)
    response = upload(client_for(secretary), group, session, "big.txt", content)
    assert [e.code for e in file_errors(response)] == ["too_large"]
    assert file_errors(response)[0].messages == [
        "The file is larger than the 1 MB limit. Upload a smaller file."
    ]
    assert stored_files(media_root) == []


def test_file_at_the_limit_is_accepted(client_for, secretary, group, session, settings):
    settings.ESSAY_MAX_UPLOAD_BYTES = 1024 * 1024
    response = upload(client_for(secretary), group, session, "big.txt", b"a" * (1024 * 1024))
    assert response.status_code == 302


def test_the_form_says_what_is_accepted_and_the_limit(client_for, secretary, group, session):
    page = client_for(secretary).get(url("session_detail", group, session.pk)).content.decode()
    assert escape(f"A {ACCEPTED} file of at most 10 MB.") in page
    assert 'accept=".pdf,.docx,.doc,.wps,.xlsx,.pptx,.txt,.png,.jpg,.jpeg"' in page


def test_service_removes_the_stored_file_when_the_row_cannot_be_saved(
    session, secretary, media_root
):
    with pytest.raises(Exception):  # noqa: B017 - full_clean's ValidationError on the title
        material_of(session, title="长" * 400, actor=secretary.user)
    assert not SessionMaterial.objects.exists()
    assert stored_files(media_root) == []


# --- deleting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretary", "leader"])
def test_manager_deletes_a_material_after_confirming(
    request, client_for, group, session, media_root, django_capture_on_commit_callbacks, who
):
    manager = request.getfixturevalue(who)
    client = client_for(manager)
    material = material_of(session, actor=manager.user)
    assert len(stored_files(media_root)) == 1
    detail = client.get(url("session_detail", group, session.pk)).content.decode()
    delete_url = url("material_delete", group, session.pk, material.pk)
    assert delete_url in detail

    page = client.get(delete_url)
    assert page.status_code == 200
    assert "讲话稿" in page.content.decode()
    assert 'method="post"' in page.content.decode()
    assert SessionMaterial.objects.filter(pk=material.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url)
    assert response.status_code == 302
    assert response["Location"].startswith(url("session_detail", group, session.pk))
    assert not SessionMaterial.objects.filter(pk=material.pk).exists()
    assert stored_files(media_root) == []
    assert success_messages(response) == ["Material “讲话稿” was deleted."]


def test_stored_file_stays_until_the_deletion_is_committed(session, secretary, media_root):
    material = material_of(session, actor=secretary.user)
    pk = material.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        material_delete(material=material, member=secretary)
        raise RuntimeError("rolled back")
    assert SessionMaterial.objects.filter(pk=pk).exists()
    assert len(stored_files(media_root)) == 1


def test_member_sees_no_delete_button_and_gets_403(client_for, member, secretary, group, session):
    material = material_of(session, actor=secretary.user)
    client = client_for(member)
    delete_url = url("material_delete", group, session.pk, material.pk)
    assert delete_url not in client.get(url("session_detail", group, session.pk)).content.decode()
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url).status_code == 403
    assert SessionMaterial.objects.filter(pk=material.pk).exists()


def test_other_groups_secretary_gets_404(client_for, outsider, secretary, group, session):
    material = material_of(session, actor=secretary.user)
    client = client_for(outsider)
    for slug in (group.slug, outsider.group.slug):
        for name in ("material_delete", "material_download"):
            path = reverse(f"sessions_app:{name}", args=[slug, session.pk, material.pk])
            assert client.post(path).status_code == 404
    assert SessionMaterial.objects.filter(pk=material.pk).exists()


def test_material_of_another_session_is_not_found_through_this_one(
    client_for, secretary, group, term, session
):
    other = StudySessionFactory(group=group, term=term)
    material = material_of(other, actor=secretary.user)
    response = client_for(secretary).post(url("material_delete", group, session.pk, material.pk))
    assert response.status_code == 404
    assert SessionMaterial.objects.filter(pk=material.pk).exists()
