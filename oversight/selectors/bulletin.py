"""The term bulletin (学习通报) as plain values: written from the county table, so its figures
are the groups' own; the page, the PDF and the .docx all read this one structure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import pgettext, pgettext_lazy

from oversight.models import Bulletin, Organisation, SittingIn
from oversight.selectors.table import CountyTable, GroupRow, county_table, per_member
from sessions_app.selectors.attendance import attendance_rate
from sessions_app.selectors.rules import RuleState

# The rules of the county table's rule_states, as the bulletin names them.
RULE_NAMES = {
    "sessions": pgettext_lazy("bulletin", "sessions each quarter"),
    "attendance": pgettext_lazy("bulletin", "the attendance rate"),
    "essays": pgettext_lazy("bulletin", "essays by every member"),
}


@dataclass(frozen=True)
class Finding:
    """What an inspector found at one session: the group, the day, the problems they wrote."""

    group: str
    date: dt.date
    topic: str
    problems: str


@dataclass(frozen=True)
class BulletinDocument:
    table: CountyTable
    bulletin: Bulletin | None
    met_all: list[GroupRow]
    short: list[tuple[GroupRow, list[str]]]  # groups with a rule not met or behind: which
    groups: int
    sessions: int
    attendance_rate: Decimal | None
    essays: int
    members: int
    away: int
    made_up: int
    sat_in: int
    evaluations: int
    findings: list[Finding]

    @property
    def title(self) -> str:
        if self.table.half == 1:
            return pgettext(
                "bulletin", "On the study of the groups in the first half of %(year)s"
            ) % {"year": self.table.year}
        return pgettext("bulletin", "On the study of the groups in the second half of %(year)s") % {
            "year": self.table.year
        }

    @property
    def essays_per_member(self) -> Decimal | None:
        return per_member(self.essays, self.members)


def bulletin_document(
    *, organisation: Organisation, year: int, half: int, today: dt.date
) -> BulletinDocument:
    """The bulletin of the term: the table, the groups that met every rule, those that did not
    and in what (the names of the rules not met or behind, RULE_NAMES), sessions sat in, the
    problems inspectors wrote, and the drafted words (None before a draft). Sixteen queries,
    whatever the number of groups."""
    table = county_table(organisation=organisation, year=year, half=half, today=today)
    rows = [r for r in table.rows if r.term is not None]
    met_all = [r for r in rows if r.state == RuleState.MET]
    short = [
        (
            r,
            [
                str(RULE_NAMES[k])
                for k, s in r.rule_states.items()
                if s in (RuleState.NOT_MET, RuleState.BEHIND)
            ],
        )
        for r in rows
        if r.state in (RuleState.NOT_MET, RuleState.BEHIND)
    ]
    term_ids = [r.term.pk for r in rows]
    findings = [
        Finding(
            group=s.session.group.name,
            date=s.session.date,
            topic=s.session.topic,
            problems=s.problems,
        )
        for s in SittingIn.objects.filter(session__term_id__in=term_ids, filed_at__isnull=False)
        .exclude(problems="")
        .select_related("session", "session__group")
        .order_by("session__date", "pk")
    ]
    return BulletinDocument(
        table=table,
        bulletin=Bulletin.objects.filter(organisation=organisation, year=year, half=half).first(),
        met_all=met_all,
        short=short,
        groups=len(rows),
        sessions=sum(r.sessions_held for r in rows),
        attendance_rate=attendance_rate(
            attended=sum(r.attended for r in rows), total=sum(r.attendance_rows for r in rows)
        ),
        essays=sum(r.essays for r in rows),
        members=sum(r.members for r in rows),
        away=sum(r.leave_or_absent for r in rows),
        made_up=sum(r.made_up for r in rows),
        sat_in=sum(r.sat_in for r in rows),
        evaluations=sum(r.evaluations for r in rows),
        findings=findings,
    )
