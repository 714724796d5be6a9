"""The report's sentences that carry figures, its titles, fixed words and numbering.

Every sentence and word is a gettext message in the report's language (translation.override),
with ngettext for counts: the Chinese wording is the zh_Hans catalogue's (locale/), reviewed
against the official document's conventions (、 between items, ； between clauses, no space
between sentences). Messages are whole clauses with placeholders, with a context ("report: ...")
that tells the translator where they stand; what a language's typography decides beyond words
(Chinese numerals in headings, how quoted titles follow each other) stays in code below.
The numbers in a sentence are the numbers in the tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import dateformat, translation
from django.utils.translation import get_language, npgettext, pgettext, pgettext_lazy

CN_DIGITS = "零一二三四五六七八九"


def chinese_date(value: dt.date) -> str:
    """成文日期 as GB/T 9704-2012 7.3.5.1 writes it: 2020年7月10日 (Arabic numerals, in full)."""
    return f"{value.year}年{value.month}月{value.day}日"


def session_time(date: dt.date, start: dt.time | None, end: dt.time | None) -> str:
    """A session's time as the session documents (学习记录, 签到表) write it, in the active
    language: 2020年3月15日 09:00—11:00 (Chinese) or 2020-03-15 09:00—11:00."""
    text = chinese_date(date) if is_chinese(translation.get_language()) else (
        dateformat.format(date, "Y-m-d")
    )
    if start:
        text += f" {start:%H:%M}"
        if end:
            text += f"—{end:%H:%M}"
    return text


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


def format_labels(language: str) -> dict[str, str]:
    """Session format value -> its name in the report language (the catalogue's)."""
    from sessions_app.models import SessionFormat

    with translation.override(language):
        return {value: str(label) for value, label in SessionFormat.choices}


def _rate(rate: Decimal) -> str:
    return f"{rate:.1f}"


def summary_title(*, group_name: str, year: int, half: int, language: str) -> str:
    """The document title: 示例县党委理论学习中心组2020年上半年总结及下半年学习计划."""
    values = {"group": group_name, "year": year, "next_year": year + 1}
    with translation.override(language):
        if half == 1:
            return (
                pgettext(
                    "report title",
                    "%(group)s: summary of the first half of %(year)d and plan for the second half",
                )
                % values
            )
        return (
            pgettext(
                "report title",
                "%(group)s: summary of the second half of %(year)d and plan for the first half of "
                "%(next_year)d",
            )
            % values
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
    values = {"group": group_name, "year": year}
    with translation.override(language):
        if half == 1:
            return pgettext(
                "plan title", "%(group)s: study plan for the first half of %(year)d"
            ) % (values)
        return pgettext("plan title", "%(group)s: study plan for the second half of %(year)d") % (
            values
        )


#: A planned month's name in a plan: 3月 in Chinese (the catalogue's), March in English.
MONTH_NAMES = {
    1: pgettext_lazy("report: planned month", "January"),
    2: pgettext_lazy("report: planned month", "February"),
    3: pgettext_lazy("report: planned month", "March"),
    4: pgettext_lazy("report: planned month", "April"),
    5: pgettext_lazy("report: planned month", "May"),
    6: pgettext_lazy("report: planned month", "June"),
    7: pgettext_lazy("report: planned month", "July"),
    8: pgettext_lazy("report: planned month", "August"),
    9: pgettext_lazy("report: planned month", "September"),
    10: pgettext_lazy("report: planned month", "October"),
    11: pgettext_lazy("report: planned month", "November"),
    12: pgettext_lazy("report: planned month", "December"),
}


def month_label(month: int | None, *, language: str) -> str:
    """The heading of a plan's month (1-12), or of the topics with no month (None or 0)."""
    with translation.override(language):
        if not month:
            return pgettext("report: topics with no planned month", "Any time")
        return str(MONTH_NAMES[month])


# Up to this many planned topics not studied are named in the figures sentence.
NAMED_TOPICS_MAX = 3


def quoted_titles(titles: Sequence[str], *, language: str) -> str:
    """Titles as a list: “甲”“乙” in Chinese (quotes inside a title become ‘’), else “A”, “B”."""
    if is_chinese(language):
        return "".join(f"“{t.replace('“', '‘').replace('”', '’')}”" for t in titles)
    return ", ".join(f"“{t}”" for t in titles)


def _list_sep() -> str:
    return pgettext("report: between the items of a list", ", ")


def _clause_sep() -> str:
    return pgettext("report: between the clauses of a sentence", ", ")


def _part_sep() -> str:
    return pgettext("report: between the parts of a sentence", "; ")


def _full_stop() -> str:
    return pgettext("report: the end of a sentence", ".")


def _formats_tail(
    lead: str, formats: Sequence[tuple[str, int]], undecided: int = 0, *, topics: bool = False
) -> str:
    """The lead clause with how many of it are of each format: (label, count) pairs, and those
    whose format is still to be decided. topics: the counts are planned topics (专题…个), not
    sessions held (…次)."""
    if topics:
        parts = [
            pgettext("report: planned topics of one format", "%(format)s: %(count)d")
            % {"format": label, "count": n}
            for label, n in formats
        ]
    else:
        parts = [
            pgettext("report: sessions of one format", "%(format)s: %(count)d")
            % {"format": label, "count": n}
            for label, n in formats
        ]
    if undecided > 0:
        parts.append(
            pgettext(
                "report: planned topics whose format is open", "format to be decided: %(count)d"
            )
            % {"count": undecided}
        )
    if len(parts) > 1:
        return pgettext(
            "report: the sessions, then how many of each format", "%(sessions)s (%(formats)s)"
        ) % {
            "sessions": lead,
            "formats": _list_sep().join(parts),
        }
    if formats and not undecided:
        return pgettext(
            "report: the sessions, every one of them of this format", "%(sessions)s, all %(format)s"
        ) % {
            "sessions": lead,
            "format": formats[0][0],
        }
    return lead


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
    away: int = 0,
    made_up: int = 0,
    topics_covered: int,
    topics_missing: Sequence[str],
    research_planned: int,
    research_done: int,
    has_plan: bool,
) -> tuple[str, ...]:
    """The sentences of section 一 that carry figures, in the report language.

    formats: (label, count) for every format held, count > 0, in the order they should be named;
    the counts add up to sessions_total. Labels are already in the report language.
    attendance_rate is the pooled rate (attended / records), not an average of members' rates.
    away: the person-times (人次) on leave or absent, made_up: how many of them are made up
    (sessions_app.selectors.makeup.makeup_counts), named after the rate as the reference
    document does ("请假和缺席X人次，已补学Y人次").
    topics_missing: the titles of the planned topics not studied (named when there are few).
    """
    with translation.override(language):
        sentences = [
            _sessions_sentence(
                half=half,
                sessions_total=sessions_total,
                formats=formats,
                attendance_rate=attendance_rate,
                reflections=reflections,
                research_reports=research_reports,
                away=away,
                made_up=made_up,
            )
        ]
        if has_plan and (topics_planned or research_planned):
            sentences.append(
                _plan_sentence(
                    half=half,
                    topics_planned=topics_planned,
                    topics_covered=topics_covered,
                    topics_missing=topics_missing,
                    research_planned=research_planned,
                    research_done=research_done,
                    language=language,
                )
            )
        return tuple(sentences)


def _sessions_sentence(
    *, half, sessions_total, formats, attendance_rate, reflections, research_reports, away, made_up
) -> str:
    if not sessions_total:
        if half == 1:
            first = pgettext(
                "report", "Since the start of the year, the group has held no study sessions"
            )
        else:
            first = pgettext("report", "In the second half, the group has held no study sessions")
    else:
        if half == 1:
            first = npgettext(
                "report",
                "Since the start of the year, the group has held %(count)d study session",
                "Since the start of the year, the group has held %(count)d study sessions",
                sessions_total,
            )
        else:
            first = npgettext(
                "report",
                "In the second half, the group has held %(count)d study session",
                "In the second half, the group has held %(count)d study sessions",
                sessions_total,
            )
        first = _formats_tail(first % {"count": sessions_total}, formats)
    clauses = []
    if attendance_rate is not None:
        clauses.append(
            pgettext("report", "attendance was %(rate)s%%") % {"rate": _rate(attendance_rate)}
        )
        if away:
            clauses.append(_makeup_clause(away=away, made_up=made_up))
    if reflections and research_reports:
        clauses.append(
            pgettext("report", "%(essays)s and %(reports)s were submitted")
            % {
                "essays": npgettext(
                    "report",
                    "%(count)d reflection essay",
                    "%(count)d reflection essays",
                    reflections,
                )
                % {"count": reflections},
                "reports": npgettext(
                    "report",
                    "%(count)d research report",
                    "%(count)d research reports",
                    research_reports,
                )
                % {"count": research_reports},
            }
        )
    elif reflections:
        clauses.append(
            npgettext(
                "report",
                "%(count)d reflection essay was submitted",
                "%(count)d reflection essays were submitted",
                reflections,
            )
            % {"count": reflections}
        )
    else:
        clauses.append(pgettext("report", "no reflection essays have been submitted yet"))
        if research_reports:
            clauses.append(
                npgettext(
                    "report",
                    "%(count)d research report was submitted",
                    "%(count)d research reports were submitted",
                    research_reports,
                )
                % {"count": research_reports}
            )
    return first + _part_sep() + _clause_sep().join(clauses) + _full_stop()


def _makeup_clause(*, away: int, made_up: int) -> str:
    """请假和缺席X人次，已补学Y人次 (away > 0)."""
    return npgettext(
        "report: person-times on leave or absent, and how many of them made up",
        "on leave or absent: %(away)d person-time, %(made_up)d made up",
        "on leave or absent: %(away)d person-times, %(made_up)d made up",
        away,
    ) % {"away": away, "made_up": made_up}


def _plan_sentence(
    *,
    half,
    topics_planned,
    topics_covered,
    topics_missing,
    research_planned,
    research_done,
    language,
) -> str:
    parts = []
    if topics_planned:
        missing = topics_planned - topics_covered
        if not missing:
            text = npgettext(
                "report",
                "set %(count)d topic, which has been studied",
                "set %(count)d topics, all of which have been studied",
                topics_planned,
            ) % {"count": topics_planned}
        else:
            text = pgettext(
                "report: the topics planned, then how many were studied",
                "%(planned)s: %(studied)s and %(missing)s",
            ) % {
                "planned": npgettext(
                    "report", "set %(count)d topic", "set %(count)d topics", topics_planned
                )
                % {"count": topics_planned},
                "studied": npgettext(
                    "report: planned topics",
                    "%(count)d has been studied",
                    "%(count)d have been studied",
                    topics_covered,
                )
                % {"count": topics_covered},
                "missing": npgettext(
                    "report: planned topics", "%(count)d has not", "%(count)d have not", missing
                )
                % {"count": missing},
            }
            if len(topics_missing) == missing and missing <= NAMED_TOPICS_MAX:
                text = pgettext(
                    "report: the topics not studied, by name", "%(text)s (%(titles)s)"
                ) % {
                    "text": text,
                    "titles": quoted_titles(topics_missing, language=language),
                }
        parts.append(text)
    if research_planned:
        values = {"count": research_planned, "done": research_done}
        if research_done == research_planned:
            text = npgettext(
                "report",
                "the research topic is done",
                "all %(count)d research topics are done",
                research_planned,
            )
        elif research_done:
            text = npgettext(
                "report",
                "%(done)d of %(count)d research topics is done",
                "%(done)d of %(count)d research topics are done",
                research_done,
            )
        else:
            text = npgettext(
                "report",
                "the research topic is not done yet",
                "none of the %(count)d research topics is done yet",
                research_planned,
            )
        parts.append(text % values)
    if half == 1:
        sentence = pgettext("report", "The study plan for the first half %(parts)s.")
    else:
        sentence = pgettext("report", "The study plan for the second half %(parts)s.")
    return sentence % {"parts": _part_sep().join(parts)}


def plan_formats_sentence(
    *, language: str, half: int, topics_total: int, formats: Sequence[tuple[str, int]]
) -> str:
    """The plan's study topics by format, as a sentence whose parts add up to the total:
    下半年学习计划安排专题6个，其中专题学习2个、专题研讨2个、专家辅导1个、形式待定1个。
    What is counted is the plan's topics (a topic may take more than one session, or none yet),
    so the sentence says topics, not sessions. Topics without a format are counted in the total
    and named as still to be decided.
    """
    undecided = topics_total - sum(n for _label, n in formats)
    with translation.override(language):
        if half == 1:
            lead = npgettext(
                "report",
                "The study plan for the first half sets %(count)d study topic",
                "The study plan for the first half sets %(count)d study topics",
                topics_total,
            )
        else:
            lead = npgettext(
                "report",
                "The study plan for the second half sets %(count)d study topic",
                "The study plan for the second half sets %(count)d study topics",
                topics_total,
            )
        lead %= {"count": topics_total}
        return _formats_tail(lead, formats, undecided, topics=True) + _full_stop()


def attachment_mark(n: int, language: str | None = None) -> str:
    """The mark over an appendix: 附件1 in Chinese, 'Appendix 1' otherwise."""
    with translation.override(language or get_language()):
        return pgettext("report: the mark over an appendix", "Appendix %(number)d") % {"number": n}


def attachment_number(n: int, language: str | None = None) -> str:
    """The number before an attachment's name in the body's list: 1． in Chinese, '1. ' else."""
    with translation.override(language or get_language()):
        return pgettext("report: the number before an appendix's name", "%(number)d. ") % {
            "number": n
        }


@dataclass(frozen=True)
class DocumentWords:
    """The fixed words of the printed documents (headings, appendix titles, date formats) in
    the report language: the official document's own structure (一、主要做法, 附件1)."""

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
    signing_date: str
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
    with translation.override(language):
        if half == 1:
            plan = pgettext("report: heading", "Study plan for the second half")
            plan_not_approved = pgettext(
                "report", "The study plan for the second half has not been approved yet."
            )
        else:
            plan = pgettext("report: heading", "Study plan for the first half of next year")
            plan_not_approved = pgettext(
                "report",
                "The study plan for the first half of next year has not been approved yet.",
            )
        return DocumentWords(
            practices=pgettext("report: heading", "What we did"),
            problems=pgettext("report: heading", "Problems and their causes"),
            problems_found=pgettext("report: heading", "Problems"),
            causes=pgettext("report: heading", "Causes"),
            plan=plan,
            appendix_sessions=pgettext("report: appendix title", "Study sessions"),
            appendix_attendance=pgettext("report: appendix title", "Attendance by member"),
            attachments=pgettext("report: before the list of appendices", "Appendices"),
            chart_title=pgettext("report: chart", "Attendance rate by session"),
            chart_caption=pgettext("report: chart", "Figure 1. Attendance rate by session"),
            chart_description=pgettext(
                "report: chart",
                "Bar chart: the attendance rate (%) of each session, by date; the dashed line "
                "is the group's required rate.",
            ),
            chart_rule=pgettext("report: chart legend", "Required attendance rate"),
            # Django date formats (the |date filter).
            short_date=pgettext("report: date format of a session in the table", "M j"),
            # 成文日期 (GB/T 9704-2012 7.3.5.1): Arabic numerals, in full, 2020年7月10日.
            signing_date=pgettext("report: date format of the date of signing", "j F Y"),
            chart_date=pgettext("report: date format under a bar of the chart", "n/j"),
            plan_not_approved=plan_not_approved,
            measures=pgettext("report: heading", "Measures"),
            topics_by_month=pgettext("report: heading", "Topics by month"),
            formats=pgettext("report: heading", "Formats"),
            speakers=pgettext("report: heading", "Lead speakers"),
            research=pgettext("report: heading", "Research topics"),
            no_topics=pgettext("report", "No study topics yet."),
            no_research=pgettext("report", "No research topics."),
            draft_mark=pgettext("report: the mark on a draft", "Draft"),
            total=pgettext("report: table footer", "Total"),
            formats_and_speakers=pgettext("report: heading", "Formats and lead speakers"),
            list_sep=_list_sep(),
            colon=pgettext("report: after a label", ": "),
            done=pgettext("report: research topic", "done"),
            open=pgettext("report: research topic", "open"),
            readings=pgettext("report: before a topic's readings", "Reading: "),
        )
