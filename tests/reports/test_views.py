import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import ReportNarrative
from reports.services.narrative import NarrativeText, narrative_approve, narrative_save_draft
from tests.factories import MemberFactory, StudyGroupFactory, TermFactory
from tests.reports._data import approved_next_plan, bulk_records, make_records

HOSTILE = "<script>alert(1)</script><img src=file:///etc/passwd>"


@pytest.fixture(autouse=True)
def english_interface(client, settings):
    """These tests check the interface's English wording: ask for English as a user does (the
    language cookie), since the Chinese catalogue is compiled wherever the tests run."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def url(name, *args):
    return reverse(f"reports:{name}", args=["sample", *args])


# What a version needs before a leader may approve it; tests override the parts they look at.
COMPLETE = {
    "preamble": "上半年，中心组坚持集中学习。",
    "practices": [{"heading": "突出重点，在学深悟透上下功夫", "body": "坚持经常学。"}],
    "problems": "一是学用结合不够紧。",
    "causes": "一是认识不到位。",
}


def save_draft(group, term, secretary, **text):
    return narrative_save_draft(
        group=group,
        term=term,
        text=NarrativeText(**{**COMPLETE, **text}),
        member=secretary,
        user=secretary.user,
    )


def approve(narrative, leader):
    return narrative_approve(narrative=narrative, member=leader, user=leader.user)


def form_data(**overrides):
    data = {
        "narrative-preamble": "上半年，中心组坚持集中学习。",
        "narrative-problems": "一是学用结合不够紧。",
        "narrative-causes": "一是认识不到位。",
        "narrative-measures": "坚持每月学习一次。",
        "practices-TOTAL_FORMS": "2",
        "practices-INITIAL_FORMS": "0",
        "practices-MIN_NUM_FORMS": "0",
        "practices-MAX_NUM_FORMS": "12",
        "practices-0-heading": "突出重点，在学深悟透上下功夫",
        "practices-0-body": "坚持经常学。",
        "practices-1-heading": "",
        "practices-1-body": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def approved(group, term, secretary, leader):
    return approve(save_draft(group, term, secretary, preamble="已审定的导语"), leader)


def test_outsider_gets_404_on_every_url(group, term, secretary, outsider, client_for, approved):
    client = client_for(outsider)
    for name, args in [
        ("index", []),
        ("summary", ["2020H1"]),
        ("summary_edit", ["2020H1"]),
        ("summary_approve", ["2020H1"]),
        ("summary_version", ["2020H1", 1]),
        ("plan_document", ["2020H1"]),
    ]:
        assert client.get(url(name, *args)).status_code == 404, name
    for name in ("summary_edit", "summary_approve", "summary_preview"):
        assert client.post(url(name, "2020H1"), form_data()).status_code == 404, name
    assert ReportNarrative.objects.get().version == 1


def test_other_groups_term_is_404(group, secretary, other_group, client_for):
    TermFactory(group=other_group, year=2019, half=2)
    assert client_for(secretary).get(url("summary", "2019H2")).status_code == 404


def test_member_cannot_see_a_draft(group, term, secretary, member, client_for):
    save_draft(group, term, secretary, preamble="草稿里的话")
    client = client_for(member)
    assert client.get(url("summary", "2020H1")).status_code == 403
    assert client.get(url("summary_version", "2020H1", 1)).status_code == 403
    assert client.get(url("summary_edit", "2020H1")).status_code == 403
    index = client.get(url("index")).content.decode()
    assert "Draft (version 1)" not in index


def test_member_reads_the_approved_summary(group, term, secretary, member, client_for, approved):
    save_draft(group, term, secretary, preamble="新的草稿")
    page = client_for(member).get(url("summary", "2020H1")).content.decode()
    assert "已审定的导语" in page
    assert "新的草稿" not in page


def test_secretary_sees_the_draft_and_the_hints(group, term, secretary, leader, member, client_for):
    make_records(group=group, term=term, secretary=secretary, leader=leader, member=member)
    save_draft(group, term, secretary, preamble="草稿导语")
    page = client_for(secretary).get(url("summary", "2020H1")).content.decode()
    assert "草稿导语" in page
    assert "What the records show" in page
    assert "张成员 (33.3%)" in page
    # The expert lecture asked for essays and got none; the other two sessions have some.
    assert re.search(
        r"Sessions whose essays were due and none came in:\s+May 20, 2020 辅导三<", page
    )


def test_hints_use_full_width_brackets_in_chinese(
    group, term, secretary, leader, member, client_for, settings
):
    make_records(group=group, term=term, secretary=secretary, leader=leader, member=member)
    client = client_for(secretary)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(url("summary", "2020H1")).content.decode()
    assert "张成员（33.3%）" in page and "张成员 (33.3%)" not in page


def test_summary_page_shows_figures_and_chart(group, term, secretary, leader, member, client_for):
    make_records(group=group, term=term, secretary=secretary, leader=leader, member=member)
    # Approved after the records: an approved version shows the figures it was approved with.
    approve(save_draft(group, term, secretary), leader)
    page = client_for(member).get(url("summary", "2020H1")).content.decode()
    assert "今年以来，共开展中心组集中学习3次，其中专题学习1次、专题研讨1次、专家辅导1次" in page
    assert (
        "一、主要做法" in page and "二、存在的问题及原因" in page and "三、下半年学习计划" in page
    )
    # The attachment note after the body, then each appendix under its own 附件N mark.
    text = re.sub(r"<[^>]+>", "", page)
    assert "附件：1．集中学习情况一览表" in text and "2．成员考勤情况统计表" in text
    appendix_1 = page.split('<p class="report-attachment-mark">附件1</p>', 1)[1]
    assert appendix_1.split("附件2", 1)[0].count("集中学习情况一览表") >= 1
    assert '<p class="report-attachment-mark">附件2</p>' in appendix_1
    # The chart is per session, so it sits under 附件1, captioned 图1.
    svg = re.search(r"<svg.*?</svg>", appendix_1.split("附件2", 1)[0], re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg
    assert svg.count("<rect") == 3
    assert "<script" not in svg
    assert "3月10日" in svg and "中心组规定出勤率90.0%" in svg
    assert "图1　各次集中学习出勤率" in page


def test_edit_saves_a_draft(group, term, secretary, client_for):
    response = client_for(secretary).post(url("summary_edit", "2020H1"), form_data(), follow=True)
    narrative = ReportNarrative.objects.get()
    assert narrative.status == "draft" and narrative.version == 1
    assert narrative.practices == [
        {"heading": "突出重点，在学深悟透上下功夫", "body": "坚持经常学。"}
    ]
    assert "The draft (version 1) is saved." in response.content.decode()
    assert response.redirect_chain[-1][0] == url("summary", "2020H1")


def test_edit_form_shows_errors_next_to_the_field(group, term, secretary, client_for):
    response = client_for(secretary).post(
        url("summary_edit", "2020H1"), form_data(**{"practices-0-heading": ""})
    )
    assert response.status_code == 200
    assert "Give the paragraph a heading." in response.content.decode()
    assert not ReportNarrative.objects.exists()


def test_preview_button_renders_without_saving(group, term, secretary, client_for):
    response = client_for(secretary).post(
        url("summary_edit", "2020H1"), form_data(preview="1", **{"narrative-preamble": "预览导语"})
    )
    assert response.status_code == 200
    assert "预览导语" in response.content.decode()
    assert not ReportNarrative.objects.exists()


def test_live_preview_endpoint_returns_the_body(group, term, secretary, member, client_for):
    client = client_for(secretary)
    response = client.post(url("summary_preview", "2020H1"), form_data())
    assert response.status_code == 200
    body = response.content.decode()
    assert "（一）突出重点，在学深悟透上下功夫" in body and "<html" not in body
    assert not ReportNarrative.objects.exists()
    assert client.get(url("summary_preview", "2020H1")).status_code == 405
    assert client_for(member).post(url("summary_preview", "2020H1"), form_data()).status_code == 403


def test_hostile_text_is_escaped(group, term, secretary, leader, member, client_for):
    narrative = save_draft(
        group,
        term,
        secretary,
        preamble=HOSTILE,
        problems=HOSTILE,
        practices=[{"heading": HOSTILE, "body": HOSTILE}],
        measures=HOSTILE,
    )
    approve(narrative, leader)
    page = client_for(member).get(url("summary", "2020H1")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<img src=file:///etc/passwd>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    preview = (
        client_for(secretary)
        .post(url("summary_preview", "2020H1"), form_data(**{"narrative-preamble": HOSTILE}))
        .content.decode()
    )
    assert "<script>alert(1)</script>" not in preview and "&lt;img src=file:" in preview


def test_approval_is_for_leaders_only(group, term, secretary, member, client_for):
    save_draft(group, term, secretary, preamble="待审定")
    for who in (secretary, member):
        client = client_for(who)
        assert client.get(url("summary_approve", "2020H1")).status_code == 403
        assert client.post(url("summary_approve", "2020H1")).status_code == 403
    assert ReportNarrative.objects.get().status == "draft"


def test_leader_confirms_then_approves(group, term, secretary, leader, client_for):
    save_draft(group, term, secretary, preamble="待审定")
    client = client_for(leader)
    confirm = client.get(url("summary_approve", "2020H1"))
    assert confirm.status_code == 200 and "Yes, approve" in confirm.content.decode()
    assert ReportNarrative.objects.get().status == "draft"
    response = client.post(url("summary_approve", "2020H1"), follow=True)
    narrative = ReportNarrative.objects.get()
    assert narrative.status == "approved" and narrative.approved_by == leader
    assert "Version 1 of the summary is approved." in response.content.decode()


def test_approve_without_a_draft_says_what_to_do(group, term, leader, client_for, approved):
    response = client_for(leader).post(url("summary_approve", "2020H1"), follow=True)
    assert "There is no draft to approve." in response.content.decode()


def test_earlier_version_stays_readable(
    group, term, secretary, leader, member, client_for, approved
):
    approve(save_draft(group, term, secretary, preamble="第二版导语"), leader)
    client = client_for(member)
    assert "已审定的导语" in client.get(url("summary_version", "2020H1", 1)).content.decode()
    current = client.get(url("summary", "2020H1")).content.decode()
    assert "第二版导语" in current and "Version 1" in current
    assert client.get(url("summary_version", "2020H1", 9)).status_code == 404


def test_plan_document_draft_hidden_from_members(
    group, term, leader, member, secretary, client_for
):
    plan = approved_next_plan(group=group, leader=leader)
    plan.status = "draft"
    plan.save()
    assert client_for(member).get(url("plan_document", "2020H2")).status_code == 403
    assert client_for(secretary).get(url("plan_document", "2020H2")).status_code == 200
    plan.status = "approved"
    plan.save()
    page = client_for(member).get(url("plan_document", "2020H2")).content.decode()
    title = re.search(r'<h1 class="report-title">(.*?)</h1>', page, re.S).group(1)
    # One line for the group's name, one for the rest: the title never breaks inside a word.
    assert re.findall(r'<span class="report-title-line">(.*?)</span>', title) == [
        "示例县党委理论学习中心组",
        "2020年下半年学习计划",
    ]
    assert "七月专题" in page


def test_plan_document_without_plan_says_what_to_do(group, term, member, client_for):
    page = client_for(member).get(url("plan_document", "2020H1")).content.decode()
    assert "This term has no study plan yet." in page


def test_index_lists_terms_and_states(group, term, secretary, leader, client_for, approved):
    approved_next_plan(group=group, leader=leader)
    page = client_for(secretary).get(url("index")).content.decode()
    assert "Approved (version 1)" in page
    assert url("plan_document", "2020H2") in page


def _page_queries(client, group_slug) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert (
            client.get(reverse("reports:summary", args=[group_slug, "2020H1"])).status_code == 200
        )
    return len(ctx.captured_queries)


def test_summary_page_query_count_does_not_grow(db, client):
    counts = []
    for members, sessions in ((5, 6), (60, 40)):
        group = StudyGroupFactory()
        term = TermFactory(group=group)
        secretary = MemberFactory(group=group, role="secretary")
        bulk_records(group, term, members=members, sessions=sessions)
        save_draft(group, term, secretary, preamble="导语")
        client.force_login(secretary.user)
        counts.append(_page_queries(client, group.slug))
    assert counts[0] == counts[1]


def test_pdf_button_only_once_a_version_is_approved(group, term, secretary, leader, client_for):
    save_draft(group, term, secretary, preamble="草稿")
    client = client_for(leader)
    start = reverse("reports:pdf_start", args=["sample", "2020H1", "summary"])
    assert start not in client.get(url("summary", "2020H1")).content.decode()
    approve(ReportNarrative.objects.get(), leader)
    save_draft(group, term, secretary, preamble="第二稿")
    assert start in client.get(url("summary", "2020H1")).content.decode()


def test_problems_and_causes_each_have_their_own_heading(group, term, secretary, client_for):
    save_draft(group, term, secretary, problems="一是学用结合不够紧。", causes="一是认识不到位。")
    page = client_for(secretary).get(url("summary", "2020H1")).content.decode()
    section = page.split("二、存在的问题及原因", 1)[1].split("三、", 1)[0]
    found, causes = section.index("（一）存在的问题"), section.index("（二）原因分析")
    assert found < section.index("一是学用结合不够紧") < causes < section.index("一是认识不到位")


def test_english_report_tables_start_format_names_with_a_capital(
    group, term, secretary, leader, member, client_for
):
    make_records(group=group, term=term, secretary=secretary, leader=leader, member=member)
    approved_next_plan(group=group, leader=leader)
    group.report_language = "en"
    group.save()
    page = client_for(secretary).get(url("summary", "2020H1")).content.decode()
    cells = re.findall(r'<td class="nowrap">([A-Za-z ]+)</td>', page)
    assert {"Topic study", "Seminar", "Expert lecture"} <= set(cells)
    # In a sentence the names stay lower case.
    assert "(topic study: 1, seminar: 1, expert lecture: 1)" in page
