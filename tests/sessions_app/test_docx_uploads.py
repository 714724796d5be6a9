""".docx essays and materials through the forms (issue 10): an essay keeps all the text Word
shows (text boxes once, tracked insertions, content controls, Strict Open XML, a renamed main
part) with its hand-counted 字数; a Word file that cannot be read leaves no row and no file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sessions_app.models import ReflectionEssay, SessionMaterial
from tests.factories import StudySessionFactory
from tests.intake.test_docx_text import CASES, FILES
from tests.uploads import (
    XXE,
    post_essay,
    post_material,
    raw_docx_bytes,
    stored_files,
    w_del,
    w_ins,
    w_p,
    w_r,
    w_text_box,
    zip_bytes,
    zip_parts,
)


@pytest.fixture
def session(group, term):
    return StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 15), topic="学习专题")


ESSAY_BODY = (
    w_p(w_r("认真学习"), w_ins("深刻领会"), w_del("随便看看"), w_r("。"))
    + w_p(w_text_box("联系实际，推动工作。"))
    + "<w:sdt><w:sdtPr/><w:sdtContent>"
    + w_p(w_r("学以致用"))
    + "</w:sdtContent></w:sdt>"
)
ESSAY_LINES = ["认真学习深刻领会。", "联系实际，推动工作。", "学以致用"]
ESSAY_COUNT = 9 + 10 + 4


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(raw_docx_bytes(ESSAY_BODY), id="transitional"),
        pytest.param(raw_docx_bytes(ESSAY_BODY, strict=True), id="strict"),
        pytest.param(raw_docx_bytes(ESSAY_BODY, main_part="word/document2.xml"), id="document2"),
    ],
)
def test_the_stored_essay_keeps_all_the_text_word_shows_and_its_count(
    client_for, member, group, session, media_root, content
):
    response = post_essay(
        client_for(member), group, session, file=SimpleUploadedFile("心得.docx", content)
    )
    assert response.status_code == 302
    essay = ReflectionEssay.objects.get()
    assert essay.body.split("\n") == ESSAY_LINES
    assert essay.char_count == ESSAY_COUNT
    assert "随便看看" not in essay.body
    assert len(stored_files(media_root)) == 1


def test_a_real_file_with_a_text_box_is_stored_with_the_box_once(
    client_for, member, group, session
):
    content = (FILES / "docx2python-nested_paragraphs.docx").read_bytes()
    post_essay(client_for(member), group, session, file=SimpleUploadedFile("a.docx", content))
    essay = ReflectionEssay.objects.get()
    assert essay.body.count("To place this text box anywhere on the page, just drag it.") == 1
    assert essay.char_count == 139 + 26 * 26 * 3


def test_each_generated_case_is_stored_with_its_hand_counted_figure(
    client_for, member, group, session
):
    client = client_for(member)
    for name, (body, lines, count) in sorted(CASES.items()):
        file = SimpleUploadedFile(f"{name}.docx", raw_docx_bytes(body))
        post_essay(client, group, session, file=file, title=name)
        essay = ReflectionEssay.objects.get(title=name)
        assert (essay.body.split("\n"), essay.char_count) == (lines, count), name


def _replace(content: bytes, name: str, data: bytes) -> bytes:
    return zip_bytes({**zip_parts(content), name: data})


REFUSED_DOCX = [
    pytest.param(
        _replace(
            raw_docx_bytes(w_p(w_r("正文")), main_part="word/document2.xml"),
            "word/document2.xml",
            f'<?xml version="1.0"?>{XXE}<w:document>&xxe;</w:document>'.encode(),
        ),
        "docx_dtd",
        id="entities-in-a-renamed-main-part",
    ),
    pytest.param(
        _replace(raw_docx_bytes(w_p(w_r("正文")), strict=True), "word/document.xml", b"<w:p"),
        "bad_docx",
        id="broken-strict-main-part",
    ),
    pytest.param(
        zip_bytes(
            {
                k: v
                for k, v in zip_parts(raw_docx_bytes(w_p(w_r("正文")))).items()
                if "rels" not in k
            }
        ),
        "not_docx",
        id="no-relationships",
    ),
    pytest.param(raw_docx_bytes(w_p(w_del("全部删掉了"))), "no_text", id="only-deleted-text"),
]


@pytest.mark.parametrize(("content", "code"), REFUSED_DOCX)
def test_a_refused_word_essay_writes_nothing(
    client_for, member, group, session, media_root, content, code
):
    response = post_essay(
        client_for(member), group, session, file=SimpleUploadedFile("心得.docx", content)
    )
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["file"]] == [code]
    assert not ReflectionEssay.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(raw_docx_bytes(ESSAY_BODY, strict=True), id="strict"),
        pytest.param(raw_docx_bytes(ESSAY_BODY, main_part="word/document2.xml"), id="document2"),
    ],
)
def test_such_word_files_are_kept_as_session_materials(
    client_for, secretary, group, session, media_root, content
):
    response = post_material(
        client_for(secretary), group, session, file=SimpleUploadedFile("讲话.docx", content)
    )
    assert response.status_code == 302
    assert SessionMaterial.objects.get().original_filename == "讲话.docx"
    assert len(stored_files(media_root)) == 1


def test_a_word_material_naming_no_main_part_writes_nothing(
    client_for, secretary, group, session, media_root
):
    parts = zip_parts(raw_docx_bytes(w_p(w_r("正文")), main_part="word/document2.xml"))
    del parts["word/document2.xml"]
    response = post_material(
        client_for(secretary),
        group,
        session,
        file=SimpleUploadedFile("讲话.docx", zip_bytes(parts)),
    )
    assert response.status_code == 400
    assert not SessionMaterial.objects.exists()
    assert stored_files(media_root) == []
