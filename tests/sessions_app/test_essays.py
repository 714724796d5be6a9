"""Essays through the browser's eyes: submit (file or typed), refuse bad files leaving nothing,
who sees and reviews what, the download, and a list whose query count does not grow."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from intake.essays import essay_file_read
from sessions_app.models import Member, ReflectionEssay
from sessions_app.services.essays import essay_review, essay_submit
from tests.factories import (
    MemberFactory,
    PlannedTopicFactory,
    ReflectionEssayFactory,
    StudyPlanFactory,
    StudySessionFactory,
)
from tests.uploads import (
    ACTIVE_PDFS,
    EXE_BYTES,
    HALF_CHARACTER_UTF8,
    PNG_BYTES,
    TEXT_CN,
    docx_bytes,
    docx_with_document,
    encrypted_pdf_bytes,
    image_only_pdf_bytes,
    pdf_bytes,
    post_essay,
    stored_files,
    zip_bomb_docx_bytes,
)


@pytest.fixture
def session(group, term):
    return StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 15), topic="学习专题")


def url(name: str, group, *args) -> str:
    return reverse(f"sessions_app:{name}", args=[group.slug, *args])


def field_errors(response, field: str) -> list[ValidationError]:
    return response.context["form"].errors.as_data().get(field, [])


def success_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "success"]


def essay_by(author: Member, session, **kwargs) -> ReflectionEssay:
    return ReflectionEssayFactory(group=author.group, author=author, session=session, **kwargs)


# --- submitting -------------------------------------------------------------------------------


def test_member_submits_a_docx_and_sees_its_character_count(
    client_for, member, group, session, media_root
):
    content = docx_bytes([TEXT_CN, "ABC"], table=[["一", "二"]])
    response = post_essay(
        client_for(member), group, session, file=SimpleUploadedFile("我的心得.docx", content)
    )
    essay = ReflectionEssay.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("essay_detail", group, essay.pk)
    assert essay.author == member and essay.session == session
    # 学习贯彻新思想 | ABC | 一 | 二: 10 words; 12 characters without spaces.
    assert (essay.word_count, essay.char_count) == (10, 12)
    assert essay.original_filename == "我的心得.docx"
    assert essay.created_by == member.user
    # Stored under a generated name, not the user's.
    assert essay.file.name.startswith(f"essays/{group.pk}/{member.pk}/")
    assert "我的心得" not in essay.file.name
    assert len(stored_files(media_root)) == 1
    assert success_messages(response)

    detail = client_for(member).get(response["Location"])
    assert 'data-char-count="12"' in detail.content.decode()
    assert "字数 10" in detail.content.decode()
    assert TEXT_CN in detail.content.decode()


def test_typed_text_loses_invisible_characters_and_counts_as_word_does(
    client_for, member, group, session
):
    typed = "全年\u200bGDP同比增长5.2%\u00ad，\ufeff高于预期。\u202e"
    response = post_essay(client_for(member), group, session, body=typed)
    essay = ReflectionEssay.objects.get()
    assert essay.body == "全年GDP同比增长5.2%，高于预期。"
    # 全 年 GDP 同 比 增 长 5.2% ， 高 于 预 期 。 : 14 words; 19 characters without spaces.
    assert (essay.word_count, essay.char_count) == (14, 19)
    assert "（共14字）" in success_messages(response)[0]

    page = client_for(member).get(response["Location"]).content.decode()
    assert "字数 14" in page and "字符数（不计空格）19" in page
    listing = client_for(member).get(url("essay_list", group)).content.decode()
    assert 'data-word-count="14">14</td>' in listing


def test_member_submits_a_gbk_text_file(client_for, member, group, session):
    content = f"{TEXT_CN}，认真学习。".encode("gbk")
    post_essay(client_for(member), group, session, file=SimpleUploadedFile("心得.txt", content))
    essay = ReflectionEssay.objects.get()
    assert essay.body == f"{TEXT_CN}，认真学习。"
    assert essay.char_count == 13


def test_member_submits_a_pdf_research_report_for_a_planned_topic(client_for, member, group, term):
    plan = StudyPlanFactory(group=group)
    topic = PlannedTopicFactory(plan=plan, kind="research", title="乡村振兴调研")
    response = client_for(member).post(
        url("essay_create", group),
        {
            "title": "调研报告",
            "kind": "research_report",
            "planned_topic": topic.pk,
            "file": SimpleUploadedFile("报告.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 302
    essay = ReflectionEssay.objects.get()
    assert essay.kind == "research_report" and essay.planned_topic == topic
    assert essay.char_count == 10


def test_member_types_the_essay_into_the_page(client_for, member, group, session, media_root):
    response = post_essay(client_for(member), group, session, body=f"  {TEXT_CN}\n\n第二段  ")
    essay = ReflectionEssay.objects.get()
    assert response.status_code == 302
    assert essay.body == f"{TEXT_CN}\n\n第二段"
    assert essay.char_count == 10
    assert not essay.file
    assert stored_files(media_root) == []


def test_typed_text_is_escaped_and_keeps_its_line_breaks(client_for, member, group, session):
    client = client_for(member)
    post_essay(client, group, session, body="<script>alert(1)</script>\n第二行")
    page = client.get(url("essay_detail", group, ReflectionEssay.objects.get().pk))
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\n第二行" in html
    assert "text-pre" in html


def test_neither_file_nor_text_is_an_error_on_the_file_field(client_for, member, group, session):
    response = post_essay(client_for(member), group, session)
    assert response.status_code == 200
    assert field_errors(response, "file")
    assert not ReflectionEssay.objects.exists()


def test_both_file_and_text_is_an_error_on_the_text_field(
    client_for, member, group, session, media_root
):
    response = post_essay(
        client_for(member),
        group,
        session,
        body="文字",
        file=SimpleUploadedFile("a.txt", TEXT_CN.encode()),
    )
    assert response.status_code == 200
    assert field_errors(response, "body")
    assert not ReflectionEssay.objects.exists()
    assert stored_files(media_root) == []


def test_essay_needs_a_session_or_a_topic(client_for, member, group, session):
    response = post_essay(client_for(member), group, session, session="", body="文字")
    assert field_errors(response, "session")
    assert not ReflectionEssay.objects.exists()


def test_another_groups_session_cannot_be_chosen(client_for, member, group, other_group):
    foreign = StudySessionFactory(group=other_group)
    response = post_essay(client_for(member), group, foreign, body="文字")
    assert field_errors(response, "session")
    assert not ReflectionEssay.objects.exists()


def large_text(settings):
    settings.ESSAY_MAX_UPLOAD_BYTES = 1024 * 1024
    return b"a" * (1024 * 1024 + 1)


BAD_FILES = [
    pytest.param("setup.exe", lambda s: EXE_BYTES, "extension", id="exe"),
    pytest.param("renamed.docx", lambda s: EXE_BYTES, "not_docx", id="exe-renamed-docx"),
    pytest.param(
        "script.pdf", lambda s: ACTIVE_PDFS["open-action-js"](), "pdf_active", id="pdf-with-js"
    ),
    pytest.param(
        "attached.pdf",
        lambda s: ACTIVE_PDFS["embedded-file"](),
        "pdf_active",
        id="pdf-with-attachment",
    ),
    pytest.param("renamed.pdf", lambda s: PNG_BYTES, "bad_pdf", id="png-renamed-pdf"),
    pytest.param("renamed.txt", lambda s: PNG_BYTES, "bad_txt", id="png-renamed-txt"),
    pytest.param("cut.txt", lambda s: HALF_CHARACTER_UTF8, "txt_damaged", id="utf8-cut-off"),
    pytest.param(
        "corrupt.docx",
        lambda s: docx_with_document(b"<w:document"),
        "bad_docx",
        id="corrupt-docx",
    ),
    pytest.param("bomb.docx", lambda s: zip_bomb_docx_bytes(), "docx_too_large", id="zip-bomb"),
    pytest.param("secret.pdf", lambda s: encrypted_pdf_bytes(), "pdf_encrypted", id="encrypted"),
    pytest.param("scan.pdf", lambda s: image_only_pdf_bytes(), "pdf_no_text", id="image-pdf"),
    pytest.param("pdf.docx", lambda s: pdf_bytes(), "mismatch", id="pdf-named-docx"),
    pytest.param("big.txt", large_text, "too_large", id="too-large"),
    pytest.param("empty.txt", lambda s: b"", "empty", id="empty"),
]


@pytest.mark.parametrize(("name", "make_content", "code"), BAD_FILES)
def test_bad_file_shows_the_error_on_the_field_and_saves_nothing(
    client_for, member, group, session, media_root, settings, name, make_content, code
):
    response = post_essay(
        client_for(member),
        group,
        session,
        file=SimpleUploadedFile(name, make_content(settings)),
    )
    assert response.status_code == 200
    errors = field_errors(response, "file")
    assert [e.code for e in errors] == [code]
    message = errors[0].messages[0]
    assert escape(message) in response.content.decode()
    assert not ReflectionEssay.objects.exists()
    assert stored_files(media_root) == []


def test_service_removes_the_stored_file_when_the_row_cannot_be_saved(member, session, media_root):
    essay_file = essay_file_read(SimpleUploadedFile("a.txt", TEXT_CN.encode()))
    with pytest.raises(ValidationError):
        essay_submit(
            author=member,
            title="长" * 400,
            kind="reflection",
            session=session,
            essay_file=essay_file,
        )
    assert not ReflectionEssay.objects.exists()
    assert stored_files(media_root) == []


# --- who sees what --------------------------------------------------------------------------


def test_member_lists_only_their_own_essays(client_for, member, group, session):
    mine = essay_by(member, session, title="我的心得")
    theirs = essay_by(MemberFactory(group=group), session, title="别人的心得")
    response = client_for(member).get(url("essay_list", group))
    assert list(response.context["page"].object_list) == [mine]
    assert theirs.title not in response.content.decode()


def test_member_cannot_open_another_members_essay_or_file(client_for, member, group, session):
    other = essay_by(
        MemberFactory(group=group),
        session,
        file=SimpleUploadedFile("x.txt", b"abc"),
        original_filename="x.txt",
    )
    client = client_for(member)
    assert client.get(url("essay_detail", group, other.pk)).status_code == 404
    assert client.get(url("essay_file", group, other.pk)).status_code == 404
    assert client.get(url("essay_edit", group, other.pk)).status_code == 404


def test_member_cannot_review(client_for, member, group, session):
    essay = essay_by(member, session)
    client = client_for(member)
    assert client.get(url("essay_review", group, essay.pk)).status_code == 403
    response = client.post(url("essay_review", group, essay.pk), {"status": "accepted"})
    assert response.status_code == 403
    essay.refresh_from_db()
    assert essay.status == "submitted"


@pytest.mark.parametrize("name", ["essay_detail", "essay_file", "essay_review", "essay_edit"])
def test_other_groups_secretary_gets_404_for_an_essay(
    client_for, outsider, member, group, other_group, session, name
):
    essay = essay_by(member, session, file=SimpleUploadedFile("x.txt", b"abc"))
    client = client_for(outsider)
    # Through this group's URL (not their group) and through their own group's URL.
    assert client.get(url(name, group, essay.pk)).status_code == 404
    assert client.get(url(name, other_group, essay.pk)).status_code == 404
    assert client.post(url(name, other_group, essay.pk), {"status": "accepted"}).status_code == 404
    essay.refresh_from_db()
    assert essay.status == "submitted"


def test_other_groups_secretary_does_not_see_the_essay_in_any_list(
    client_for, outsider, member, group, other_group, session
):
    essay_by(member, session, title="本组心得")
    client = client_for(outsider)
    assert client.get(url("essay_list", group)).status_code == 404
    response = client.get(url("essay_list", other_group))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert "本组心得" not in response.content.decode()


def test_secretary_sees_all_and_filters_by_term_session_and_status(
    client_for, secretary, member, group, term, session
):
    later = StudySessionFactory(group=group, term=term, date=dt.date(2020, 5, 10))
    a = essay_by(member, session, title="甲")
    b = essay_by(MemberFactory(group=group), later, title="乙", status="accepted")
    plan = StudyPlanFactory(group=group)  # next term (2020 H2)
    c = ReflectionEssayFactory(
        group=group, author=member, planned_topic=PlannedTopicFactory(plan=plan), title="丙"
    )
    client = client_for(secretary)

    def shown(**params):
        response = client.get(url("essay_list", group), params)
        return {e.title for e in response.context["page"].object_list}

    assert shown() == {a.title, b.title, c.title}
    assert shown(status="accepted") == {b.title}
    assert shown(session=later.pk) == {b.title}
    assert shown(term="2020H1") == {a.title, b.title}
    assert shown(term="2020H2") == {c.title}


def test_filtered_list_with_no_match_says_what_to_do(client_for, secretary, group, term):
    response = client_for(secretary).get(url("essay_list", group), {"status": "accepted"})
    assert response.context["filtered"]
    assert reverse("sessions_app:essay_list", args=[group.slug]) in response.content.decode()


# --- the file download --------------------------------------------------------------------


def test_author_downloads_the_file_as_an_attachment_with_its_chinese_name(
    client_for, member, group, session
):
    client = client_for(member)
    content = docx_bytes([TEXT_CN])
    post_essay(client, group, session, file=SimpleUploadedFile("学习 心得.docx", content))
    essay = ReflectionEssay.objects.get()
    response = client.get(url("essay_file", group, essay.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E5%AD%A6%E4%B9%A0%20%E5%BF%83%E5%BE%97.docx" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"


def test_secretary_downloads_a_members_file(client_for, secretary, member, group, session):
    post_essay(
        client_for(member), group, session, file=SimpleUploadedFile("notes.txt", TEXT_CN.encode())
    )
    essay = ReflectionEssay.objects.get()
    response = client_for(secretary).get(url("essay_file", group, essay.pk))
    assert response.status_code == 200
    assert 'filename="notes.txt"' in response["Content-Disposition"]


def test_typed_essay_has_no_file_to_download(client_for, member, group, session):
    essay = essay_by(member, session)
    assert client_for(member).get(url("essay_file", group, essay.pk)).status_code == 404


def test_files_are_not_under_a_public_media_url(settings):
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve(settings.MEDIA_URL + "essays/1/1/x.docx")


# --- review flow -----------------------------------------------------------------------------


def test_returning_needs_a_comment(client_for, secretary, member, group, session):
    essay = essay_by(member, session)
    response = client_for(secretary).post(
        url("essay_review", group, essay.pk), {"status": "returned", "comment": "  "}
    )
    assert response.status_code == 200
    assert field_errors(response, "comment")
    essay.refresh_from_db()
    assert essay.status == "submitted"


def test_review_return_revise_and_accept(
    client,
    client_for,
    secretary,
    leader,
    member,
    group,
    session,
    django_capture_on_commit_callbacks,
):
    client_for(member)
    post_essay(client, group, session, file=SimpleUploadedFile("初稿.txt", "初稿内容".encode()))
    essay = ReflectionEssay.objects.get()
    first_file = essay.file.name

    client.force_login(secretary.user)
    response = client.post(
        url("essay_review", group, essay.pk), {"status": "returned", "comment": "请结合工作实际"}
    )
    assert response["Location"] == url("essay_list", group)
    assert success_messages(response)
    essay.refresh_from_db()
    assert (essay.status, essay.review_comment, essay.reviewed_by) == (
        "returned",
        "请结合工作实际",
        secretary,
    )

    client.force_login(member.user)
    detail = client.get(url("essay_detail", group, essay.pk)).content.decode()
    assert "请结合工作实际" in detail
    assert url("essay_edit", group, essay.pk) in detail
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("essay_edit", group, essay.pk),
            {
                "title": "修改稿",
                "kind": "reflection",
                "session": session.pk,
                "file": SimpleUploadedFile("修改稿.txt", "修改后的内容更充实".encode()),
            },
        )
    assert response.status_code == 302
    assert success_messages(response)
    essay.refresh_from_db()
    assert (essay.status, essay.title, essay.char_count) == ("submitted", "修改稿", 9)
    assert essay.original_filename == "修改稿.txt"
    assert essay.file.name != first_file
    assert not essay.file.storage.exists(first_file)  # the replaced file is removed

    client.force_login(leader.user)
    response = client.post(url("essay_review", group, essay.pk), {"status": "accepted"})
    assert response.status_code == 302
    essay.refresh_from_db()
    assert (essay.status, essay.reviewed_by) == ("accepted", leader)

    client.force_login(member.user)
    response = client.get(url("essay_edit", group, essay.pk))
    assert response.status_code == 302  # an accepted essay is final
    assert response["Location"] == url("essay_detail", group, essay.pk)


def test_revising_without_a_new_file_or_text_keeps_the_file(
    client, client_for, member, group, session
):
    client_for(member)
    post_essay(client, group, session, file=SimpleUploadedFile("a.txt", TEXT_CN.encode()))
    essay = ReflectionEssay.objects.get()
    response = client.post(
        url("essay_edit", group, essay.pk),
        {
            "title": "新标题",
            "kind": "reflection",
            "session": session.pk,
            "body": "",
        },
    )
    assert response.status_code == 302
    refreshed = ReflectionEssay.objects.get()
    assert (refreshed.title, refreshed.file.name, refreshed.body) == (
        "新标题",
        essay.file.name,
        TEXT_CN,
    )


def test_service_refuses_a_reviewer_from_another_group(outsider, member, session):
    from django.core.exceptions import PermissionDenied

    essay = essay_by(member, session)
    with pytest.raises(PermissionDenied):
        essay_review(essay=essay, reviewer=outsider, status="accepted")


# --- nobody reviews their own essay -----------------------------------------------------------

OWN_ESSAY_REFUSED = "不能审阅本人的心得体会"


def returned_essay_by(author: Member, session, reviewer: Member) -> ReflectionEssay:
    return essay_by(
        author, session, title="副书记的心得", status="returned", review_comment="请充实内容",
        reviewed_by=reviewer,
    )


def test_service_refuses_the_author_as_reviewer_and_changes_nothing(
    deputy, secretary, session
):
    from django.core.exceptions import PermissionDenied

    from audit.models import AuditEvent

    essay = returned_essay_by(deputy, session, reviewer=secretary)
    with pytest.raises(PermissionDenied, match=OWN_ESSAY_REFUSED):
        essay_review(essay=essay, reviewer=deputy, status="accepted")
    essay = ReflectionEssay.objects.get(pk=essay.pk)
    assert (essay.status, essay.review_comment, essay.reviewed_by) == (
        "returned", "请充实内容", secretary
    )
    assert not AuditEvent.objects.filter(action__in=["approved", "returned"]).exists()


@pytest.mark.parametrize("role", ["deputy", "leader", "secretary"])
def test_author_gets_403_on_their_own_review_page_and_nothing_changes(
    request, client_for, group, session, leader, role
):
    author = request.getfixturevalue(role)
    reviewer = leader if role != "leader" else request.getfixturevalue("secretary")
    essay = returned_essay_by(author, session, reviewer=reviewer)
    client = client_for(author)
    review_url = url("essay_review", group, essay.pk)

    page = client.get(review_url)
    assert page.status_code == 403
    assert OWN_ESSAY_REFUSED in page.content.decode()
    response = client.post(review_url, {"status": "accepted", "comment": ""})
    assert response.status_code == 403
    essay.refresh_from_db()
    assert (essay.status, essay.reviewed_by) == ("returned", reviewer)

    # Neither the list nor the essay's page offers the author a review; they offer the revision.
    for page_url in (url("essay_list", group), url("essay_detail", group, essay.pk)):
        body = client.get(page_url).content.decode()
        assert review_url not in body
    assert url("essay_edit", group, essay.pk) in client.get(
        url("essay_detail", group, essay.pk)
    ).content.decode()
    # Another manager is offered it and may review it.
    client = client_for(reviewer)
    for page_url in (url("essay_list", group), url("essay_detail", group, essay.pk)):
        assert review_url in client.get(page_url).content.decode()
    assert client.post(review_url, {"status": "accepted"}).status_code == 302
    essay.refresh_from_db()
    assert essay.status == "accepted"


# --- query count -----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 30])
def test_essay_list_query_count_does_not_grow(
    client_for, secretary, group, term, session, django_assert_max_num_queries, n
):
    plan = StudyPlanFactory(group=group)
    for i in range(n):
        author = MemberFactory(group=group)
        if i % 2:
            ReflectionEssayFactory(
                group=group,
                author=author,
                session=session,
                status="accepted",
                reviewed_by=secretary,
            )
        else:
            ReflectionEssayFactory(
                group=group, author=author, planned_topic=PlannedTopicFactory(plan=plan)
            )
    client = client_for(secretary)
    # 7 for the page, 3 for moving the session's idle timeout on (savepoint, update, release).
    with django_assert_max_num_queries(10):
        response = client.get(url("essay_list", group), {"term": "2020H1", "status": ""})
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        response = client.get(url("essay_list", group))
    assert len(response.context["page"].object_list) == n
