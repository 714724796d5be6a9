"""The session form's planned topics (what the page's script fills in, the warning for another
term's topic) and the session page's essays and attendance."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions_app.models import StudySession
from tests.factories import (
    AttendanceFactory,
    MemberFactory,
    PlannedTopicFactory,
    ReflectionEssayFactory,
    StudyPlanFactory,
    StudySessionFactory,
    TermFactory,
)
from tests.sessions_app.test_sessions import session_post_data


def url(name, group, *args):
    return reverse(f"sessions_app:{name}", args=[group.slug, *args])


@pytest.fixture
def topics(group, term):
    """A topic of this term's plan (2020 H1) and one of next term's (2020 H2)."""
    this = PlannedTopicFactory(
        plan=StudyPlanFactory(group=group, term=term),
        title="学习《民法典》",
        format="expert_lecture",
        lead_speaker="李书记",
    )
    nxt = PlannedTopicFactory(
        plan=StudyPlanFactory(group=group, term=TermFactory(group=group, year=2020, half=2)),
        title="学习五中全会精神",
        format="seminar",
        lead_speaker="赵副书记",
    )
    return this, nxt


class _Options(HTMLParser):
    """Each <option> of the planned-topic select: value → its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.options: dict[str, dict[str, str]] = {}
        self._in_topics = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._in_topics = attrs.get("name") == "planned_topic"
        elif tag == "option" and self._in_topics:
            self.options[attrs["value"]] = attrs


def topic_options(html: str) -> dict[str, dict[str, str]]:
    parser = _Options()
    parser.feed(html)
    return parser.options


def test_new_session_page_carries_each_planned_topics_fill_in_for_the_script(
    client_for, secretary, group, topics
):
    this, nxt = topics
    html = client_for(secretary).get(url("session_create", group)).content.decode()
    options = topic_options(html)
    assert {k: v for k, v in options[str(this.pk)].items() if k.startswith("data-")} == {
        "data-title": "学习《民法典》",
        "data-format": "expert_lecture",
        "data-lead-speaker": "李书记",
        "data-term-start": "2020-01-01",
        "data-term-end": "2020-06-30",
        "data-other-term": "该专题属于2020年上半年学习计划，本次学习活动的日期不在该半年内。",
    }
    assert options[str(nxt.pk)]["data-term-start"] == "2020-07-01"
    assert "data-title" not in options[""]  # the empty choice fills nothing
    assert "js/session-form.js" in html
    assert "data-session-form" in html


@pytest.mark.parametrize("page", ["session_create", "essay_create"])
def test_the_empty_planned_topic_choice_says_no_planned_topic(
    client_for, secretary, group, topics, page
):
    html = client_for(secretary).get(url(page, group)).content.decode()
    assert '<option value="" selected>（不对应计划专题）</option>' in html
    assert "---------" not in html


def test_empty_choice_in_english(client_for, secretary, group, topics, settings, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client_for(secretary).get(url("session_create", group)).content.decode()
    assert '<option value="" selected>(no planned topic)</option>' in html


def test_a_topic_of_another_term_is_saved_with_a_warning(
    client_for, secretary, group, term, topics
):
    _, nxt = topics
    data = session_post_data([secretary], planned_topic=nxt.pk, date="2020-03-15")
    response = client_for(secretary).post(url("session_create", group), data)
    session = StudySession.objects.get()
    assert response["Location"] == url("session_detail", group, session.pk)
    assert session.planned_topic == nxt
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert warnings == [
        "计划专题“学习五中全会精神”属于2020年下半年学习计划，"
        "而2020年3月15日的学习活动属于2020年上半年。请核对日期和专题。"
    ]


def test_a_topic_of_the_sessions_term_gets_no_warning(client_for, secretary, group, topics):
    this, _ = topics
    data = session_post_data([secretary], planned_topic=this.pk, date="2020-03-15")
    response = client_for(secretary).post(url("session_create", group), data)
    assert StudySession.objects.get().planned_topic == this
    assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


# --- the session page: its essays and attendance -----------------------------------------------


@pytest.fixture
def asked(group, term):
    """A session on 2020-03-15 that asked for essays by the end of the month."""
    return StudySessionFactory(
        group=group, term=term, date=dt.date(2020, 3, 15), essay_due_on=dt.date(2020, 3, 31)
    )


def essay(author, session, **kwargs):
    return ReflectionEssayFactory(group=author.group, author=author, session=session, **kwargs)


def essays_section(html: str) -> str:
    start = html.index('id="essays-heading"')
    return html[start : html.index("</section>", start)]


def test_secretary_sees_the_sessions_essays_and_who_has_not_submitted(
    client_for, group, secretary, leader, member, asked
):
    # The group's order, not the order of creation: the leader first.
    for position, m in enumerate([leader, secretary, member], start=1):
        m.sort_order = position
        m.save()
    mine = essay(member, asked, title="学习《民法典》的体会")
    essay(secretary, asked, title="退回的心得", status="returned", review_comment="请充实内容")
    MemberFactory(group=group, display_name="后来者", joined_on=dt.date(2020, 4, 1))
    MemberFactory(group=group, display_name="当天离开", left_on=dt.date(2020, 3, 15))
    MemberFactory(group=group, display_name="次日离开", left_on=dt.date(2020, 3, 16))

    html = client_for(secretary).get(url("session_detail", group, asked.pk)).content.decode()
    section = essays_section(html)
    detail = url("essay_detail", group, mine.pk)
    assert f'<a href="{detail}">学习《民法典》的体会</a>' in section
    assert "退回的心得" not in section  # returned: still owed
    assert "已提交1篇" in section
    # Members in the group on the day (not one who joined later, nor one who left that day).
    assert "未提交（3人）：\n      李书记、王秘书、次日离开" in section


def test_a_member_sees_only_their_own_essay_and_whether_they_owe_one(
    client_for, group, secretary, member, asked
):
    essay(secretary, asked, title="秘书的心得")
    client = client_for(member)
    section = essays_section(client.get(url("session_detail", group, asked.pk)).content.decode())
    assert "秘书的心得" not in section and "王秘书" not in section
    assert "未提交（1人）：\n      张成员" in section
    essay(member, asked, title="我的心得")
    section = essays_section(client.get(url("session_detail", group, asked.pk)).content.decode())
    assert "我的心得" in section and "未提交" not in section


def test_a_session_that_asked_for_no_essays_lists_nobody_as_missing(
    client_for, group, term, secretary, member
):
    session = StudySessionFactory(group=group, term=term, essay_due_on=None)
    html = client_for(secretary).get(url("session_detail", group, session.pk)).content.decode()
    assert 'id="essays-heading"' not in html
    essay(member, session, title="自愿写的心得")
    section = essays_section(
        client_for(secretary).get(url("session_detail", group, session.pk)).content.decode()
    )
    assert "自愿写的心得" in section and "未提交" not in section


def test_leave_and_absence_are_marked_with_their_words_and_colours(
    client_for, group, term, secretary, leader, member
):
    session = StudySessionFactory(group=group, term=term)
    AttendanceFactory(session=session, member=secretary, status="present")
    AttendanceFactory(session=session, member=leader, status="leave", leave_reason="外出开会")
    AttendanceFactory(session=session, member=member, status="absent")
    html = client_for(secretary).get(url("session_detail", group, session.pk)).content.decode()
    assert '<span class="badge text-bg-warning">请假</span>' in html
    assert '<span class="badge text-bg-danger">缺席</span>' in html
    assert '<td class="text-nowrap">出席</td>' in html


def test_session_page_takes_the_same_queries_for_3_and_30_members(
    client_for, group, term, secretary
):
    counts = []
    for size in (3, 30):
        session = StudySessionFactory(group=group, term=term, essay_due_on=dt.date(2020, 3, 31))
        for i in range(size):
            author = MemberFactory(group=group)
            AttendanceFactory(
                session=session,
                member=author,
                status=("leave", "absent")[i % 2],
                leave_reason="事假",
            )
            if i % 3:
                essay(author, session)
        client = client_for(secretary)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("session_detail", group, session.pk))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
