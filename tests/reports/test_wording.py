"""The documents' wording comes from the gettext catalogue: Chinese exactly as reviewed, English
with its plurals."""

import pytest
from django.utils import translation

from reports.selectors import wording
from reports.selectors.summary import half_year_summary
from sessions_app.models import StudyGroup
from tests.reports._data import approved_next_plan, make_records

pytestmark = pytest.mark.django_db

TITLE_ZH = "示例县党委理论学习中心组2020年上半年总结及下半年学习计划"
FIGURES_ZH = (
    "今年以来，共开展中心组集中学习3次，其中专题学习1次、专题研讨1次、专家辅导1次；"
    "出勤率75.0%，请假和缺席3人次，已补学1人次，提交心得体会3篇、调研报告1篇。"
    "上半年学习计划安排专题3个，已开展2个，尚有1个未开展（“专题三”）；"
    "确定调研课题2个，已完成1个。"
)


@pytest.fixture
def records(group, term, secretary, leader, member):
    make_records(group=group, term=term, secretary=secretary, leader=leader, member=member)
    approved_next_plan(group=group, leader=leader)


@pytest.fixture
def english(group):
    StudyGroup.objects.filter(pk=group.pk).update(report_language="en")
    group.refresh_from_db()


def test_the_chinese_summary_reads_as_reviewed(group, term, records):
    s = half_year_summary(group=group, term=term)
    assert s.title == TITLE_ZH
    # Chinese sentences follow each other with no space between them.
    assert s.figures_text == FIGURES_ZH
    assert (s.words.practices, s.words.plan, s.words.appendix_attendance) == (
        "主要做法",
        "下半年学习计划",
        "成员考勤情况统计表",
    )
    assert [m.label for m in s.next_plan.months] == ["7月"]


def test_the_english_summary_reads_in_sentences(group, term, records, english):
    s = half_year_summary(group=group, term=term)
    assert s.title == (
        "示例县党委理论学习中心组: summary of the first half of 2020 and plan for the second half"
    )
    # English sentences are separated by a space.
    assert s.figures_text == (
        "Since the start of the year, the group has held 3 study sessions (topic study: "
        "1, seminar: 1, expert lecture: 1); attendance was 75.0%, on leave or absent: "
        "3 person-times, 1 made up, 3 reflection essays and 1 research report were "
        "submitted. The study plan for the first half set 3 topics: "
        "2 have been studied and 1 has not (“专题三”); 1 of 2 research topics is done."
    )
    assert s.words.plan == "Study plan for the second half"
    assert [m.label for m in s.next_plan.months] == ["July"]


def test_the_second_half_in_chinese_names_next_year():
    words = wording.document_words(language="zh-hans", half=2)
    assert words.plan == "明年上半年学习计划"
    assert words.plan_not_approved == "明年上半年学习计划尚未审定。"
    assert wording.summary_title(group_name="某组", year=2020, half=2, language="zh-hans") == (
        "某组2020年下半年总结及2021年上半年学习计划"
    )


def _one_of_each(language):
    return wording.figures_sentences(
        language=language,
        half=1,
        sessions_total=1,
        formats=[(wording.format_labels(language)["seminar"], 1)],
        attendance_rate=None,
        reflections=1,
        research_reports=0,
        topics_planned=1,
        topics_covered=1,
        topics_missing=[],
        research_planned=1,
        research_done=0,
        has_plan=True,
    )


def test_english_counts_of_one_are_singular():
    assert _one_of_each("en") == (
        "Since the start of the year, the group has held 1 study session, all seminar; "
        "1 reflection essay was submitted.",
        "The study plan for the first half set 1 topic, which has been studied; "
        "the research topic is not done yet.",
    )
    assert wording.plan_formats_sentence(
        language="en", half=2, topics_total=1, formats=[("seminar", 1)]
    ) == ("The study plan for the second half sets 1 study topic, all seminar.")
    assert wording.plan_formats_sentence(
        language="en", half=1, topics_total=2, formats=[("seminar", 1)]
    ) == (
        "The study plan for the first half sets 2 study topics "
        "(seminar: 1, format to be decided: 1)."
    )


def test_chinese_counts_of_one_read_as_reviewed():
    assert _one_of_each("zh-hans") == (
        "今年以来，共开展中心组集中学习1次，均为专题研讨；提交心得体会1篇。",
        "上半年学习计划安排专题1个，已全部开展；确定调研课题1个，均在推进中。",
    )


def test_the_report_language_decides_whatever_the_interface_language():
    with translation.override("zh-hans"):
        assert wording.format_labels("en")["expert_lecture"] == "expert lecture"
        assert wording.month_label(3, language="en") == "March"
    with translation.override("en"):
        assert wording.format_labels("zh-hans")["expert_lecture"] == "专家辅导"
        assert wording.month_label(3, language="zh-hans") == "3月"
        assert wording.month_label(None, language="zh-hans") == "不定期"
        assert wording.attachment_mark(2, "zh-hans") == "附件2"
