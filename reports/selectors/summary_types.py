"""The half-year summary as plain values: what the builder (reports.selectors.summary) gathers
from the records, and the HTML page, the PDF and the tests read. Nothing here queries the
database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe

from reports.selectors import wording
from reports.selectors.plan import FormatCount, PlanDocument, ResearchTopicRow
from reports.selectors.summary_chart import AttendanceChart
from sessions_app.models import Attendance
from sessions_app.selectors.attendance import attendance_rate, attended_in

#: Where the appendices start in the summary body (templates/reports/_summary_body.html): the
#: app's own markup, which escaped user text cannot contain.
APPENDIX_START = '<section class="report-appendix'


@dataclass(frozen=True)
class SessionRow:
    id: int
    date: dt.date
    format: str
    format_label: str
    topic: str
    host: str
    speakers: str
    attended: int
    total: int
    rate: Decimal | None
    essays: int


@dataclass(frozen=True)
class AttendanceFigures:
    present: int = 0
    late: int = 0
    leave: int = 0
    absent: int = 0
    made_up: int = 0

    def by_status(self) -> dict[str, int]:
        """The rows by attendance status, as the counting rule reads them."""
        status = Attendance.Status
        return {
            status.PRESENT: self.present,
            status.LATE: self.late,
            status.LEAVE: self.leave,
            status.ABSENT: self.absent,
        }

    @property
    def attended(self) -> int:
        return attended_in(self.by_status())

    @property
    def total(self) -> int:
        return sum(self.by_status().values())

    @property
    def rate(self) -> Decimal | None:
        return attendance_rate(attended=self.attended, total=self.total)


@dataclass(frozen=True)
class MemberRow:
    id: int
    name: str
    position: str
    role_label: str
    attendance: AttendanceFigures
    reflections: int
    research_reports: int

    @property
    def rate(self) -> Decimal | None:
        return self.attendance.rate

    @property
    def essays(self) -> int:
        return self.reflections + self.research_reports


@dataclass(frozen=True)
class TopicRow:
    id: int
    title: str
    planned_month: int | None
    format_label: str
    lead_speaker: str
    session_dates: tuple[dt.date, ...]


@dataclass(frozen=True)
class ProblemHints:
    """What the records show that the problems section might name: members below the group's
    own attendance rule (low_attendance_rate, the group's rule_attendance_rate); sessions that
    asked for essays (essay_due_on set) whose deadline has passed with none counted; planned
    topics not studied."""

    low_attendance: tuple[MemberRow, ...]
    sessions_without_essays: tuple[SessionRow, ...]
    topics_not_covered: tuple[TopicRow, ...]
    low_attendance_rate: Decimal

    @property
    def any(self) -> bool:
        return bool(self.low_attendance or self.sessions_without_essays or self.topics_not_covered)


@dataclass(frozen=True)
class Practice:
    heading: str
    body: str


@dataclass(frozen=True)
class NarrativeView:
    id: int | None
    version: int
    status: str
    status_label: str
    is_approved: bool
    preamble: str
    practices: tuple[Practice, ...]
    problems: str
    causes: str
    measures: str
    approved_by: str
    approved_at: dt.datetime | None
    updated_at: dt.datetime | None
    is_preview: bool = False
    # The report body frozen at approval (empty for drafts and for versions approved before
    # documents were frozen), and the hash of the figures it was rendered from.
    frozen_body: SafeString | str = ""
    frozen_figures_hash: str = ""

    @property
    def is_frozen(self) -> bool:
        return bool(self.is_approved and self.frozen_body)

    def _frozen_split(self) -> int:
        at = self.frozen_body.find(APPENDIX_START)
        return len(self.frozen_body) if at < 0 else at

    @property
    def frozen_before_appendices(self) -> SafeString:
        """The frozen body up to its appendices: the text and the list of attachments. The
        document puts the 落款 between the two halves (GB/T 9704-2012: 落款 after the body and
        the 附件说明, the attachments after it), as bodies frozen before it existed lack it."""
        return mark_safe(self.frozen_body[: self._frozen_split()])  # noqa: S308

    @property
    def frozen_appendices(self) -> SafeString:
        """The frozen body from its first appendix on (empty when it has none)."""
        return mark_safe(self.frozen_body[self._frozen_split() :])  # noqa: S308


@dataclass(frozen=True)
class LateRecord:
    """A session recorded or changed more than audit.promptness.LATE_RECORD_DAYS days after it
    was held: its local recorded day (None: attendance never entered) and the local day of its
    last attendance change, with the days each came after the session."""

    id: int
    date: dt.date
    topic: str
    recorded_on: dt.date | None
    recorded_days_after: int | None
    last_changed_on: dt.date | None
    changed_days_after: int | None


@dataclass(frozen=True)
class Promptness:
    """How promptly the term's sessions were recorded (audit.promptness has the words), from the
    creation times and the attendance history, never from a date a user types.

    due: sessions held more than PROMPT_RECORD_DAYS days ago, or recorded already (a session
    held this week and not yet recorded is not late yet); prompt: those of them recorded within
    PROMPT_RECORD_DAYS days; late: the appendix's list, oldest first."""

    due: int = 0
    prompt: int = 0
    late: tuple[LateRecord, ...] = ()
    prompt_days: int = 7
    late_days: int = 30

    @property
    def share(self) -> Decimal | None:
        """prompt / due as a percentage rounded to one place, None with nothing due."""
        if not self.due:
            return None
        return (Decimal(100) * self.prompt / self.due).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class HalfYearSummary:
    group_id: int
    group_name: str
    group_slug: str
    organisation: str
    language: str
    term_id: int
    term_code: str
    term_label: str
    year: int
    half: int
    start_date: dt.date
    end_date: dt.date
    title: str
    words: wording.DocumentWords
    sessions: tuple[SessionRow, ...]
    by_format: tuple[FormatCount, ...]
    has_plan: bool
    topics_covered: tuple[TopicRow, ...]
    topics_not_covered: tuple[TopicRow, ...]
    attendance: AttendanceFigures
    members: tuple[MemberRow, ...]
    reflections: int
    research_reports: int
    research_done: tuple[ResearchTopicRow, ...]
    research_open: tuple[ResearchTopicRow, ...]
    hints: ProblemHints
    next_plan: PlanDocument | None
    narrative: NarrativeView | None
    sentences: tuple[str, ...]
    chart: AttendanceChart
    promptness: Promptness = Promptness()

    @property
    def title_lines(self) -> tuple[str, ...]:
        """The title as printed: the group's name on the first line, the rest on the second."""
        return wording.title_lines(title=self.title, group_name=self.group_name)

    @property
    def figures_text(self) -> str:
        """The figures sentences as one paragraph (no space between Chinese sentences)."""
        return ("" if wording.is_chinese(self.language) else " ").join(self.sentences)

    @property
    def sessions_count(self) -> int:
        return len(self.sessions)

    @property
    def essays_in_sessions(self) -> int:
        """Essays tied to one of the listed sessions (the sessions table's column total)."""
        return sum(s.essays for s in self.sessions)

    @property
    def topics_planned(self) -> int:
        return len(self.topics_covered) + len(self.topics_not_covered)

    def with_narrative(self, narrative: NarrativeView | None) -> HalfYearSummary:
        """The same figures with another narrative (a preview of unsaved text)."""
        return dataclasses.replace(self, narrative=narrative)

    @property
    def figures_hash(self) -> str:
        """A hash of everything the records put in the document, the narrative left out
        (64 hex digits).

        Compared with the hash stored at approval, it tells whether the records have changed
        since: any row the document shows (a session's topic or host, a member's name, a topic's
        title, next term's plan) counts, not only the totals. Derived parts are left out: the
        hints (not in the document), the fixed wording (from the language and half) and the
        chart's geometry (from the sessions); the chart's dashed line, the group's attendance
        rule, is not derived and counts.

        The appendix's promptness figures (Promptness) are shown in the document, so they count
        too. They do not make an approved summary look changed by themselves: a session's
        created_at never changes, and the last attendance change moves only when someone
        changes attendance (an unchanged save writes no history row), which changes what the
        document shows. A session held in the week before approval and recorded after it does
        move them, as it should.
        """
        figures = dataclasses.asdict(
            dataclasses.replace(self, narrative=None, hints=None, chart=None, words=None)
        )
        figures["chart_rule"] = self.chart.rule
        encoded = json.dumps(figures, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(encoded.encode("utf-8")).hexdigest()

    @property
    def records_changed_since_approval(self) -> bool:
        """Whether the shown version is frozen and the live records no longer match it."""
        n = self.narrative
        return bool(
            n is not None
            and n.is_frozen
            and n.frozen_figures_hash
            and n.frozen_figures_hash != self.figures_hash
        )
