"""The report's sentences that carry figures, and its numbering: one place for the wording.

The summary follows Chinese official-document conventions (（一）, 一、, 、 between items, ；
between clauses), which English msgids with placeholders cannot express without concatenating
fragments. So the wording is written here per report language, from the figures only: the
numbers in a sentence are the numbers in the tables.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language

CN_DIGITS = "零一二三四五六七八九"


def is_chinese(language: str | None) -> bool:
    return (language or "").lower().startswith("zh")


def chinese_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 99 -> 九十九 (enough for section numbers)."""
    if n <= 0 or n >= 100:
        return str(n)
    tens, units = divmod(n, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else CN_DIGITS[tens]) + "十"
    if units:
        text += CN_DIGITS[units]
    return text


def section_number(n: int, language: str | None = None) -> str:
    """The mark before a section heading: 一、 in Chinese, '1. ' otherwise."""
    if is_chinese(language or get_language()):
        return f"{chinese_numeral(n)}、"
    return f"{n}. "


def paragraph_number(n: int, language: str | None = None) -> str:
    """The mark before a headed paragraph: （一） in Chinese, '(1) ' otherwise."""
    if is_chinese(language or get_language()):
        return f"（{chinese_numeral(n)}）"
    return f"({n}) "


# The words table's names of the session formats (DESIGN.md), used by the documents so that
# the figures sentences read right whatever the state of the interface's catalogue.
FORMAT_NAMES_ZH = {
    "concentrated": "集中学习",
    "seminar": "专题研讨",
    "expert_lecture": "专家辅导",
    "video": "视频学习",
    "enlarged_meeting": "扩大会议",
    "reading_class": "读书班",
}


def format_labels(language: str) -> dict[str, str]:
    """Session format value -> its name in the report language."""
    from sessions_app.models import SessionFormat

    if is_chinese(language):
        return {
            value: FORMAT_NAMES_ZH.get(value, str(label)) for value, label in SessionFormat.choices
        }
    return {value: str(label) for value, label in SessionFormat.choices}


def _rate(rate: Decimal) -> str:
    return f"{rate:.1f}"


def summary_title(*, group_name: str, year: int, half: int, language: str) -> str:
    """The document title: 示例县党委理论学习中心组2020年上半年总结及下半年学习计划."""
    if is_chinese(language):
        if half == 1:
            return f"{group_name}{year}年上半年总结及下半年学习计划"
        return f"{group_name}{year}年下半年总结及{year + 1}年上半年学习计划"
    if half == 1:
        return f"{group_name}: summary of the first half of {year} and plan for the second half"
    return (
        f"{group_name}: summary of the second half of {year}"
        f" and plan for the first half of {year + 1}"
    )


def title_lines(*, title: str, group_name: str) -> tuple[str, ...]:
    """The title in the lines it is printed in: the group's name, then the rest.

    A title is broken after the group's name, never inside a word (GB/T 9704 lays a long title
    out in lines that keep words whole).
    """
    if not group_name or not title.startswith(group_name) or title == group_name:
        return (title,)
    rest = title[len(group_name) :].lstrip(": ").strip()
    if not rest:
        return (title,)
    return (group_name, rest[0].upper() + rest[1:])


def plan_title(*, group_name: str, year: int, half: int, language: str) -> str:
    """The plan's title: 示例县党委理论学习中心组2020年下半年学习计划."""
    if is_chinese(language):
        return f"{group_name}{year}年{'上' if half == 1 else '下'}半年学习计划"
    which = "first" if half == 1 else "second"
    return f"{group_name}: study plan for the {which} half of {year}"


def month_label(month: int | None, *, language: str) -> str:
    if is_chinese(language):
        return f"{month}月" if month else "不定期"
    if not month:
        return "Any time"
    return calendar.month_name[month]


# Up to this many planned topics not studied are named in the figures sentence.
NAMED_TOPICS_MAX = 3


def quoted_titles(titles: Sequence[str], *, language: str) -> str:
    """Titles as a list: “甲”“乙” in Chinese (quotes inside a title become ‘’), else “A”, “B”."""
    if is_chinese(language):
        return "".join(f"“{t.replace('“', '‘').replace('”', '’')}”" for t in titles)
    return ", ".join(f"“{t}”" for t in titles)


def figures_sentences(
    *,
    language: str,
    half: int,
    sessions_total: int,
    formats: Sequence[tuple[str, int]],
    attendance_rate: Decimal | None,
    reflections: int,
    research_reports: int,
    topics_planned: int,
    topics_covered: int,
    topics_missing: Sequence[str],
    research_planned: int,
    research_done: int,
    has_plan: bool,
) -> tuple[str, ...]:
    """The sentences of section 一 that carry figures.

    formats: (label, count) for every format held, count > 0, in the order they should be named;
    the counts add up to sessions_total. Labels are already in the report language.
    attendance_rate is the pooled rate (attended / records), not an average of members' rates.
    topics_missing: the titles of the planned topics not studied (named when there are few).
    """
    figures = {
        "half": half,
        "sessions_total": sessions_total,
        "formats": formats,
        "attendance_rate": attendance_rate,
        "reflections": reflections,
        "research_reports": research_reports,
        "topics_planned": topics_planned,
        "topics_covered": topics_covered,
        "topics_missing": topics_missing,
        "research_planned": research_planned,
        "research_done": research_done,
        "has_plan": has_plan,
    }
    if is_chinese(language):
        return _sentences_zh(**figures)
    return _sentences_en(**figures)


def _sentences_zh(
    *,
    half,
    sessions_total,
    formats,
    attendance_rate,
    reflections,
    research_reports,
    topics_planned,
    topics_covered,
    topics_missing,
    research_planned,
    research_done,
    has_plan,
) -> tuple[str, ...]:
    since = "今年以来" if half == 1 else "下半年"
    if not sessions_total:
        first = f"{since}，中心组尚未开展集中学习"
    else:
        first = f"{since}，共开展中心组集中学习{sessions_total}次"
        if len(formats) > 1:
            first += "，其中" + "、".join(f"{label}{n}次" for label, n in formats)
        elif formats and formats[0][0] != FORMAT_NAMES_ZH["concentrated"]:
            first += f"，均为{formats[0][0]}"
    clauses = []
    if attendance_rate is not None:
        clauses.append(f"出勤率{_rate(attendance_rate)}%")
    if reflections:
        essays = f"提交心得体会{reflections}篇"
        if research_reports:
            essays += f"、调研报告{research_reports}篇"
    else:
        essays = "尚未提交心得体会"
        if research_reports:
            essays += f"，提交调研报告{research_reports}篇"
    clauses.append(essays)
    sentences = [first + "；" + "，".join(clauses) + "。"]
    if has_plan and (topics_planned or research_planned):
        parts = []
        if topics_planned:
            text = f"安排专题{topics_planned}个"
            missing = topics_planned - topics_covered
            if not missing:
                text += "，已全部开展"
            else:
                text += f"，已开展{topics_covered}个，尚有{missing}个未开展"
                if len(topics_missing) == missing and missing <= NAMED_TOPICS_MAX:
                    text += f"（{quoted_titles(topics_missing, language='zh-hans')}）"
            parts.append(text)
        if research_planned:
            text = f"确定调研课题{research_planned}个，"
            if research_done == research_planned:
                text += "均已完成"
            elif research_done:
                text += f"已完成{research_done}个"
            else:
                text += "均在推进中"
            parts.append(text)
        term = "上半年" if half == 1 else "下半年"
        sentences.append(f"{term}学习计划" + "；".join(parts) + "。")
    return tuple(sentences)


def _sentences_en(
    *,
    half,
    sessions_total,
    formats,
    attendance_rate,
    reflections,
    research_reports,
    topics_planned,
    topics_covered,
    topics_missing,
    research_planned,
    research_done,
    has_plan,
) -> tuple[str, ...]:
    since = "Since the start of the year" if half == 1 else "In the second half"
    if not sessions_total:
        first = f"{since}, the group has held no study sessions"
    else:
        first = f"{since}, the group has held {sessions_total} study sessions"
        if len(formats) > 1:
            first += " (" + ", ".join(f"{label}: {n}" for label, n in formats) + ")"
        elif formats:
            first += f", all {formats[0][0]}"
    clauses = []
    if attendance_rate is not None:
        clauses.append(f"attendance was {_rate(attendance_rate)}%")
    if reflections:
        essays = f"{reflections} reflection essays"
        if research_reports:
            essays += f" and {research_reports} research reports"
        clauses.append(essays + " were submitted")
    else:
        clauses.append("no reflection essays have been submitted yet")
        if research_reports:
            clauses.append(f"{research_reports} research reports were submitted")
    sentences = [first + "; " + ", ".join(clauses) + "."]
    if has_plan and (topics_planned or research_planned):
        which = "first" if half == 1 else "second"
        parts = []
        if topics_planned:
            missing = topics_planned - topics_covered
            text = f"set {topics_planned} topics"
            if not missing:
                text += ", all of which have been studied"
            else:
                text += f": {topics_covered} have been studied and {missing} have not"
                if len(topics_missing) == missing and missing <= NAMED_TOPICS_MAX:
                    text += f" ({quoted_titles(topics_missing, language='en')})"
            parts.append(text)
        if research_planned:
            if research_done == research_planned:
                parts.append(f"all {research_planned} research topics are done")
            else:
                parts.append(f"{research_done} of {research_planned} research topics are done")
        sentences.append(f"The study plan for the {which} half " + "; ".join(parts) + ".")
    return tuple(sentences)


def plan_formats_sentence(
    *, language: str, half: int, sessions_total: int, formats: Sequence[tuple[str, int]]
) -> str:
    """The plan's sessions by format as a sentence whose parts add up to the total:
    下半年计划开展集中学习6次，其中集中学习2次、专题研讨2次、专家辅导1次、扩大会议1次。
    Topics without a format are counted in the total and named as still to be decided.
    """
    undecided = sessions_total - sum(n for _label, n in formats)
    if is_chinese(language):
        text = f"{'上' if half == 1 else '下'}半年计划开展集中学习{sessions_total}次"
        parts = [f"{label}{n}次" for label, n in formats]
        if undecided > 0:
            parts.append(f"形式待定{undecided}次")
        if len(parts) > 1:
            text += "，其中" + "、".join(parts)
        elif formats and not undecided and formats[0][0] != FORMAT_NAMES_ZH["concentrated"]:
            text += f"，均为{formats[0][0]}"
        return text + "。"
    which = "first" if half == 1 else "second"
    text = f"The plan for the {which} half provides for {sessions_total} study sessions"
    parts = [f"{label}: {n}" for label, n in formats]
    if undecided > 0:
        parts.append(f"format to be decided: {undecided}")
    if len(parts) > 1:
        text += " (" + ", ".join(parts) + ")"
    elif formats and not undecided:
        text += f", all {formats[0][0]}"
    return text + "."


def attachment_mark(n: int, language: str | None = None) -> str:
    """The mark over an appendix: 附件1 in Chinese, 'Appendix 1' otherwise."""
    if is_chinese(language or get_language()):
        return f"附件{n}"
    return f"Appendix {n}"


def attachment_number(n: int, language: str | None = None) -> str:
    """The number before an attachment's name in the body's list: 1． in Chinese, '1. ' else."""
    if is_chinese(language or get_language()):
        return f"{n}．"
    return f"{n}. "


@dataclass(frozen=True)
class DocumentWords:
    """The fixed words of the printed documents (headings, appendix titles), per report language.

    They are the official document's own structure (一、主要做法, 附件1), so they are written here
    with the sentences rather than looked up word by word in the interface's catalogue.
    """

    practices: str
    problems: str
    problems_found: str
    causes: str
    plan: str
    appendix_sessions: str
    appendix_attendance: str
    attachments: str
    chart_title: str
    chart_caption: str
    chart_description: str
    chart_rule: str
    short_date: str
    chart_date: str
    plan_not_approved: str
    measures: str
    topics_by_month: str
    formats: str
    speakers: str
    research: str
    no_topics: str
    no_research: str
    draft_mark: str
    total: str
    formats_and_speakers: str
    list_sep: str
    colon: str
    done: str
    open: str
    readings: str


def document_words(*, language: str, half: int) -> DocumentWords:
    """The documents' fixed words in the report language, for the term's half."""
    if is_chinese(language):
        nxt = "下半年" if half == 1 else "明年上半年"
        return DocumentWords(
            practices="主要做法",
            problems="存在的问题及原因",
            problems_found="存在的问题",
            causes="原因分析",
            plan=f"{nxt}学习计划",
            appendix_sessions="集中学习情况一览表",
            appendix_attendance="成员考勤情况统计表",
            attachments="附件",
            chart_title="各次集中学习出勤率",
            chart_caption="图1　各次集中学习出勤率",
            chart_description="柱状图：每次集中学习的出勤率（%），按日期排列；虚线为中心组规定的出勤率。",
            chart_rule="中心组规定出勤率",
            short_date="n月j日",
            chart_date="n月j日",
            plan_not_approved=f"{nxt}学习计划尚未审定。",
            measures="主要措施",
            topics_by_month="学习专题安排",
            formats="学习形式",
            speakers="领学人",
            research="调研课题",
            no_topics="暂无学习专题。",
            no_research="暂无调研课题。",
            draft_mark="草稿",
            total="合计",
            formats_and_speakers="学习形式和领学人",
            list_sep="、",
            colon="：",
            done="已完成",
            open="进行中",
            readings="学习材料：",
        )
    nxt = "the second half" if half == 1 else "the first half of next year"
    return DocumentWords(
        practices="What we did",
        problems="Problems and their causes",
        problems_found="Problems",
        causes="Causes",
        plan=f"Study plan for {nxt}",
        appendix_sessions="Study sessions",
        appendix_attendance="Attendance by member",
        attachments="Appendices",
        chart_title="Attendance rate by session",
        chart_caption="Figure 1. Attendance rate by session",
        chart_description=(
            "Bar chart: the attendance rate (%) of each session, by date;"
            " the dashed line is the group's required rate."
        ),
        chart_rule="Required attendance rate",
        short_date="M j",
        chart_date="n/j",
        plan_not_approved=f"The study plan for {nxt} has not been approved yet.",
        measures="Measures",
        topics_by_month="Topics by month",
        formats="Formats",
        speakers="Lead speakers",
        research="Research topics",
        no_topics="No study topics yet.",
        no_research="No research topics.",
        draft_mark="Draft",
        total="Total",
        formats_and_speakers="Formats and lead speakers",
        list_sep=", ",
        colon=": ",
        done="done",
        open="open",
        readings="Reading: ",
    )
