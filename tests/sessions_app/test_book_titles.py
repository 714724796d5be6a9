"""A title quoted in 《》 nests the marks it holds as 〈〉 (GB/T 15834-2011 标点符号用法, 4.15):
one function (sessions_app.text.book_title), one template filter (booktitle), used by every
message and heading that quotes a title (issue 11, item 4)."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from sessions_app.models import ReflectionEssay
from sessions_app.text import book_title, nested_book_title_marks
from tests.factories import ReflectionEssayFactory, StudySessionFactory
from tests.uploads import post_essay, post_material

NESTED = "学习《习近平谈治国理政》第三卷的体会"


@pytest.mark.parametrize(
    ("title", "quoted"),
    [
        ("学习心得", "《学习心得》"),
        (NESTED, "《学习〈习近平谈治国理政〉第三卷的体会》"),
        ("学习〈论语〉的体会", "《学习〈论语〉的体会》"),
        ("读《论语》与《孟子》", "《读〈论语〉与〈孟子〉》"),
        # Wrapped whole by the writer: not wrapped twice.
        ("《学习心得》", "《学习心得》"),
        ("《甲》与《乙》", "《〈甲〉与〈乙〉》"),
        # A third level is double again: the levels alternate.
        ("转发《关于〈条例〉的通知》", "《转发〈关于《条例》的通知〉》"),
        # A stray closing mark is left as the writer typed it.
        ("学习》体会", "《学习》体会》"),
        ("  学习心得 ", "《学习心得》"),
        ("", ""),
    ],
)
def test_a_chinese_title_is_quoted_with_its_inner_marks_single(title, quoted):
    assert book_title(title, "zh-hans") == quoted


def test_in_english_a_title_is_in_quotation_marks_with_inner_quotes_single():
    assert book_title("学习“两会”精神", "en") == "“学习‘两会’精神”"
    assert book_title(NESTED, "en") == f"“{NESTED}”"


def test_the_active_language_decides_when_none_is_given():
    with translation.override("zh-hans"):
        assert book_title("学习心得") == "《学习心得》"
    with translation.override("en"):
        assert book_title("Notes") == "“Notes”"


def test_nesting_alone_changes_only_the_marks():
    assert nested_book_title_marks("学习《论语》") == "学习〈论语〉"
    assert nested_book_title_marks("无书名号") == "无书名号"


def test_the_filter_quotes_in_the_active_language_and_escapes():
    template = Template("{% load text_tags %}{{ title|booktitle }}")
    with translation.override("zh-hans"):
        assert (
            template.render(Context({"title": NESTED}))
            == "《学习〈习近平谈治国理政〉第三卷的体会》"
        )
        assert template.render(Context({"title": "<b>心得</b>"})) == "《&lt;b&gt;心得&lt;/b&gt;》"


# --- on the pages -----------------------------------------------------------------------------


@pytest.fixture
def session(group, term):
    return StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 15), topic="学习专题")


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_submitting_says_the_title_with_nested_marks(client_for, member, group, session):
    response = post_essay(client_for(member), group, session, title=NESTED, body="认真学习。")
    assert _messages(response) == ["您的《学习〈习近平谈治国理政〉第三卷的体会》已提交（共5字）。"]


def test_the_review_page_heading_and_message_nest_the_marks(
    client_for, secretary, member, group, session
):
    essay = ReflectionEssayFactory(group=group, author=member, session=session, title=NESTED)
    client = client_for(secretary)
    page = client.get(reverse("sessions_app:essay_review", args=[group.slug, essay.pk]))
    assert "审阅《学习〈习近平谈治国理政〉第三卷的体会》</h1>" in page.content.decode()
    response = client.post(
        reverse("sessions_app:essay_review", args=[group.slug, essay.pk]), {"status": "accepted"}
    )
    assert _messages(response) == ["张成员的《学习〈习近平谈治国理政〉第三卷的体会》已通过。"]
    assert ReflectionEssay.objects.get().status == "accepted"


def test_material_messages_and_delete_page_nest_the_marks(client_for, secretary, group, session):
    client = client_for(secretary)
    title = "《中国共产党机构编制工作条例》解读"
    response = post_material(
        client,
        group,
        session,
        file=SimpleUploadedFile("条例.txt", "条例全文".encode()),
        title=title,
    )
    assert _messages(response)[0].startswith("已添加学习材料《〈中国共产党机构编制工作条例〉解读》")
    material = session.materials.get()
    confirm = reverse("sessions_app:material_delete", args=[group.slug, session.pk, material.pk])
    assert "删除学习材料《〈中国共产党机构编制工作条例〉解读》（条例.txt）" in (
        client.get(confirm).content.decode()
    )
    response = client.post(confirm)
    assert _messages(response) == ["已删除学习材料《〈中国共产党机构编制工作条例〉解读》。"]


def test_in_english_the_message_quotes_the_title(
    client, client_for, member, group, session, settings
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = post_essay(client_for(member), group, session, title=NESTED, body="认真学习。")
    assert _messages(response) == [f"Your essay “{NESTED}” has been submitted (5 words)."]
