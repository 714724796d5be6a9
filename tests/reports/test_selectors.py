import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.selectors import wording
from reports.selectors.plan import study_plan_document
from reports.selectors.summary import half_year_summary
from sessions_app.models import SessionFormat, StudyGroup
from tests.factories import (
    MemberFactory,
    PlannedTopicFactory,
    ReflectionEssayFactory,
    StudySessionFactory,
    TermFactory,
)
from tests.reports._data import approved_next_plan, bulk_records, make_records


@pytest.fixture
def records(group, term, secretary, leader, member):
    return make_records(group=group, term=term, secretary=secretary, leader=leader, member=member)


def test_summary_counts_sessions_by_format(group, term, records):
    s = half_year_summary(group=group, term=term)
    assert s.sessions_count == 3
    assert [(f.format, f.count) for f in s.by_format] == [
        ("topic_study", 1),
        ("seminar", 1),
        ("expert_lecture", 1),
    ]
    assert [row.topic for row in s.sessions] == ["学习一", "研讨二", "辅导三"]
    assert s.sessions[0].host == "李书记"


def test_summary_attendance_overall_and_per_member(group, term, records):
    s = half_year_summary(group=group, term=term)
    a = s.attendance
    assert (a.present, a.late, a.leave, a.absent, a.made_up) == (8, 1, 1, 2, 1)
    assert (a.attended, a.total, a.rate) == (9, 12, Decimal("75.0"))
    rows = {m.name: m for m in s.members}
    assert [r.name for r in s.members] == ["王秘书", "李书记", "张成员", "赵成员"]
    assert rows["王秘书"].rate == Decimal("100.0")
    zhang = rows["张成员"].attendance
    assert (zhang.present, zhang.late, zhang.leave, zhang.absent, zhang.made_up) == (1, 0, 1, 1, 1)
    assert rows["张成员"].rate == Decimal("33.3")
    assert rows["赵成员"].rate == Decimal("66.7")
    assert [(r.attended, r.total) for r in s.sessions] == [(4, 4), (2, 4), (3, 4)]


def test_summary_counts_essays_of_the_term_only(group, term, records):
    s = half_year_summary(group=group, term=term)
    assert (s.reflections, s.research_reports) == (3, 1)
    assert [r.essays for r in s.sessions] == [2, 1, 0]
    rows = {m.name: m for m in s.members}
    assert (rows["李书记"].reflections, rows["李书记"].research_reports) == (1, 1)
    assert rows["赵成员"].essays == 0  # returned and out-of-term essays do not count


def test_summary_topics_covered_against_the_plan(group, term, records):
    s = half_year_summary(group=group, term=term)
    assert [t.title for t in s.topics_covered] == ["专题一", "专题二"]
    assert [t.title for t in s.topics_not_covered] == ["专题三"]
    assert s.topics_covered[0].session_dates == (dt.date(2020, 3, 10),)
    assert [r.title for r in s.research_done] == ["课题一"]
    assert [r.title for r in s.research_open] == ["课题二"]
    assert s.research_open[0].assignees == ("李书记", "张成员")


def test_summary_problem_hints(group, term, records):
    hints = half_year_summary(group=group, term=term).hints
    assert [m.name for m in hints.low_attendance] == ["张成员", "赵成员"]
    assert [x.topic for x in hints.sessions_without_essays] == ["辅导三"]
    assert [t.title for t in hints.topics_not_covered] == ["专题三"]


def test_only_sessions_that_asked_for_essays_and_got_none_are_a_hint(group, term, member):
    def held(topic, day, due=None):
        return StudySessionFactory(
            group=group, term=term, date=dt.date(2020, 5, day), topic=topic, essay_due_on=due
        )

    held("未布置心得", 1)
    held("已过期无人交", 2, dt.date(2020, 5, 10))
    answered = held("已过期有人交", 3, dt.date(2020, 5, 10))
    ReflectionEssayFactory(group=group, author=member, session=answered)
    held("当天截止", 4, dt.date(2020, 5, 20))
    held("尚未到期", 5, dt.date(2020, 6, 1))
    summary = half_year_summary(group=group, term=term, today=dt.date(2020, 5, 20))
    assert [s.topic for s in summary.hints.sessions_without_essays] == ["已过期无人交"]
    # The sessions themselves are all in the document, as before.
    assert len(summary.sessions) == 5


def test_summary_sentence_in_chinese(group, term, records):
    s = half_year_summary(group=group, term=term)
    assert s.sentences[0] == (
        "今年以来，共开展中心组集中学习3次，其中专题学习1次、专题研讨1次、专家辅导1次；"
        "出勤率75.0%，请假和缺席3人次，已补学1人次，提交心得体会3篇、调研报告1篇。"
    )
    assert s.sentences[1] == (
        "上半年学习计划安排专题3个，已开展2个，尚有1个未开展（“专题三”）；"
        "确定调研课题2个，已完成1个。"
    )
    assert s.title == "示例县党委理论学习中心组2020年上半年总结及下半年学习计划"


def test_sentence_numbers_equal_the_tables(group, term, records):
    s = half_year_summary(group=group, term=term)
    first = s.sentences[0]
    total = int(re.search(r"共开展中心组集中学习(\d+)次", first).group(1))
    named = first.split("其中", 1)[1].split("；", 1)[0].split("、")
    by_label = {
        label: int(n) for label, n in (re.fullmatch(r"(\D+)(\d+)次", p).groups() for p in named)
    }
    rate = Decimal(re.search(r"出勤率([\d.]+)%", first).group(1))
    essays = int(re.search(r"心得体会(\d+)篇", first).group(1))
    reports = int(re.search(r"调研报告(\d+)篇", first).group(1))
    # Every format is named, and the parts add up to the total.
    assert total == len(s.sessions) == sum(by_label.values())
    assert by_label == {f.label: f.count for f in s.by_format}
    assert rate == s.attendance.rate
    assert essays == sum(m.reflections for m in s.members) == s.reflections
    assert reports == sum(m.research_reports for m in s.members) == s.research_reports
    planned, covered, missing = map(
        int, re.search(r"专题(\d+)个，已开展(\d+)个，尚有(\d+)个未开展", s.sentences[1]).groups()
    )
    assert (planned, covered, missing) == (
        s.topics_planned,
        len(s.topics_covered),
        len(s.topics_not_covered),
    )
    named_topics = re.search(r"未开展（(.*?)）", s.sentences[1]).group(1)
    assert re.findall(r"“(.*?)”", named_topics) == [t.title for t in s.topics_not_covered]
    research, done = map(int, re.search(r"调研课题(\d+)个，已完成(\d+)个", s.sentences[1]).groups())
    assert (research, done) == (len(s.research_done) + len(s.research_open), len(s.research_done))


def _sentences(**changes):
    figures = {
        "language": "zh-hans",
        "half": 1,
        "sessions_total": 12,
        # The labels the report uses, so the sentence reads as printed.
        "formats": [
            (wording.format_labels("zh-hans")[value], n)
            for value, n in [
                ("topic_study", 3),
                ("seminar", 4),
                ("expert_lecture", 2),
                ("video", 2),
                ("enlarged_meeting", 1),
            ]
        ],
        "attendance_rate": Decimal("91.7"),
        "reflections": 40,
        "research_reports": 2,
        "topics_planned": 12,
        "topics_covered": 10,
        "topics_missing": ["甲专题", "学习“乙”精神"],
        "research_planned": 2,
        "research_done": 2,
        "has_plan": True,
    }
    figures.update(changes)
    return wording.figures_sentences(**figures)


def test_figures_sentences_in_the_reviewed_wording():
    assert _sentences() == (
        "今年以来，共开展中心组集中学习12次，其中专题学习3次、专题研讨4次、专家辅导2次、"
        "视频学习2次、扩大会议1次；出勤率91.7%，提交心得体会40篇、调研报告2篇。",
        "上半年学习计划安排专题12个，已开展10个，尚有2个未开展（“甲专题”“学习‘乙’精神”）；"
        "确定调研课题2个，均已完成。",
    )


def test_figures_sentences_second_half_no_essays_and_many_topics_missing():
    first, second = _sentences(
        half=2,
        formats=[("专题研讨", 12)],
        reflections=0,
        research_reports=0,
        topics_covered=6,
        topics_missing=["一", "二", "三", "四", "五", "六"],
        research_done=0,
    )
    assert (
        first == "下半年，共开展中心组集中学习12次，均为专题研讨；出勤率91.7%，尚未提交心得体会。"
    )
    assert second == (
        "下半年学习计划安排专题12个，已开展6个，尚有6个未开展；确定调研课题2个，均在推进中。"
    )
    assert _sentences(topics_covered=12, topics_missing=[])[1].startswith(
        "上半年学习计划安排专题12个，已全部开展；"
    )


def test_figures_sentences_in_english():
    first, second = _sentences(
        language="en",
        formats=[("topic study", 8), ("seminar", 4)],
        topics_missing=["A", "B"],
        research_done=1,
    )
    assert first == (
        "Since the start of the year, the group has held 12 study sessions "
        "(topic study: 8, seminar: 4); attendance was 91.7%, "
        "40 reflection essays and 2 research reports were submitted."
    )
    assert second == (
        "The study plan for the first half set 12 topics: 10 have been studied and 2 have not "
        "(“A”, “B”); 1 of 2 research topics is done."
    )


def test_sentence_in_english_for_an_english_group(group, term, records):
    StudyGroup.objects.filter(pk=group.pk).update(report_language="en")
    group.refresh_from_db()
    s = half_year_summary(group=group, term=term)
    assert s.sentences[0].startswith("Since the start of the year, the group has held 3 ")
    assert "75.0%" in s.sentences[0]


def test_summary_without_sessions_says_so(group, term):
    s = half_year_summary(group=group, term=term)
    assert s.sessions_count == 0
    assert s.attendance.rate is None
    assert s.sentences == ("今年以来，中心组尚未开展集中学习；尚未提交心得体会。",)
    assert not s.has_plan


def test_sessions_after_today_are_not_counted(group, term, records):
    s = half_year_summary(group=group, term=term, today=dt.date(2020, 4, 30))
    assert s.sessions_count == 2
    assert s.reflections == 3  # the two sessions' essays, and none tied to later ones


def test_next_plan_only_when_approved(group, term, leader, records):
    assert half_year_summary(group=group, term=term).next_plan is None
    plan = approved_next_plan(group=group, leader=leader)
    nxt = half_year_summary(group=group, term=term).next_plan
    assert nxt is not None and nxt.term_code == "2020H2"
    assert [m.label for m in nxt.months] == ["7月"]
    assert nxt.research[0].assignees == ("李书记",)
    plan.status = "draft"
    plan.save()
    assert half_year_summary(group=group, term=term).next_plan is None


def test_plan_document_groups_topics_by_month(group, leader):
    plan = approved_next_plan(group=group, leader=leader)
    PlannedTopicFactory(
        plan=plan,
        title="九月专题",
        planned_month=9,
        lead_speaker="王秘书",
        format=SessionFormat.EXPERT_LECTURE,
    )
    doc = study_plan_document(group=group, term=plan.term)
    assert doc.title == "示例县党委理论学习中心组2020年下半年学习计划"
    assert [(m.label, [t.title for t in m.topics]) for m in doc.months] == [
        ("7月", ["七月专题"]),
        ("9月", ["九月专题"]),
    ]
    assert [(f.label, f.count) for f in doc.formats] == [("专题研讨", 1), ("专家辅导", 1)]
    assert doc.speakers == ("李书记", "王秘书")
    assert doc.is_approved and doc.approved_by == "李书记"


def _count_queries(group, term) -> int:
    with CaptureQueriesContext(connection) as ctx:
        half_year_summary(group=group, term=term)
    return len(ctx.captured_queries)


def test_summary_query_count_does_not_grow_with_the_group(db, django_assert_num_queries):
    small_group = MemberFactory().group
    small_term = TermFactory(group=small_group)
    bulk_records(small_group, small_term, members=5, sessions=6)
    small = _count_queries(small_group, small_term)

    big_group = MemberFactory().group
    big_term = TermFactory(group=big_group)
    bulk_records(big_group, big_term, members=60, sessions=40)
    with django_assert_num_queries(small):
        s = half_year_summary(group=big_group, term=big_term)
    assert s.sessions_count == 40 and len(s.members) == 61
    assert s.next_plan is not None


def test_title_breaks_after_the_group_name(group, term, records):
    s = half_year_summary(group=group, term=term)
    assert s.title_lines == ("示例县党委理论学习中心组", "2020年上半年总结及下半年学习计划")
    assert "".join(s.title_lines) == s.title
    assert wording.title_lines(title="Group: study plan", group_name="Group") == (
        "Group",
        "Study plan",
    )


def _session_rows(n: int):
    from reports.selectors.summary_types import SessionRow

    return tuple(
        SessionRow(
            id=i,
            date=dt.date(2020, 1, 1) + dt.timedelta(days=4 * i),
            format="seminar",
            format_label="专题研讨",
            topic="",
            host="",
            speakers="",
            attended=9,
            total=10,
            rate=Decimal("90.0") if i % 2 else Decimal("100.0"),
            essays=0,
        )
        for i in range(n)
    )


def test_chart_keeps_its_width_and_draws_the_groups_rule():
    from reports.selectors.summary_chart import attendance_chart

    few = attendance_chart(_session_rows(12), rule=Decimal("85.0"))
    many = attendance_chart(_session_rows(40), rule=Decimal("85.0"))
    assert few.width == many.width
    assert many.bars[-1].x + many.bars[-1].width <= many.plot_right
    assert many.bars[0].width < few.bars[0].width
    # The dashed line stands at the group's rule, between 0% and 100% in proportion.
    span = few.plot_bottom - few.plot_top
    assert few.rule_y == pytest.approx(few.plot_bottom - 0.85 * span)
    # 100% labels are inside the picture (not clipped at the top).
    assert min(b.value_y for b in few.bars) - 10 >= 0
    assert few.show_values and not few.rotate_dates
    # Forty sessions: no values above the bars, turned date labels that do not overlap.
    assert not many.show_values and many.rotate_dates
    shown = [b.label_x for b in many.bars if b.show_date]
    assert all(b - a >= 13 for a, b in zip(shown, shown[1:], strict=False))
    assert len(shown) >= 20


def test_plan_formats_sentence_adds_up_and_names_no_numbering(group, leader):
    plan = approved_next_plan(group=group, leader=leader)
    PlannedTopicFactory(plan=plan, title="九月专题", planned_month=9, format=SessionFormat.SEMINAR)
    PlannedTopicFactory(plan=plan, title="十月专题", planned_month=10, format="")
    doc = study_plan_document(group=group, term=plan.term)
    # It counts the plan's topics (个), not sessions (次): a topic is not a session held.
    assert doc.formats_text == "下半年学习计划安排专题3个，其中专题研讨2个、形式待定1个。"
    assert wording.plan_formats_sentence(
        language="zh-hans", half=2, topics_total=6, formats=[("专题学习", 2), ("专题研讨", 4)]
    ) == ("下半年学习计划安排专题6个，其中专题学习2个、专题研讨4个。")
