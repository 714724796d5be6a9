"""A session as printable documents: its 学习记录 (session record) and its 签到表 (sign-in sheet),
as plain values that the Word builder (reports.word) reads. Nothing here is HTML.

The record is what the session page shows: time, place, host, who attended, who was on leave
or absent (with the reason), the topic, the speakers, the minutes and the materials' titles.
The sign-in sheet lists the members in the group on the session's date
(Member.objects.in_group_on), in the group's order, for signing by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from reports.selectors import wording
from sessions_app.models import Attendance, Member, SessionMaterial, StudySession


@dataclass(frozen=True)
class AbsenceRow:
    """A member who did not attend: name, 请假/缺席 in the report language, the reason, and
    the make-up study (补学) if one is recorded."""

    name: str
    status_label: str
    reason: str
    # Make-up study (补学), when recorded: its date and note.
    makeup_on: dt.date | None = None
    makeup_note: str = ""


@dataclass(frozen=True)
class SessionRecord:
    """One session's 学习记录, in the group's report language."""

    group_name: str
    language: str
    title: str
    topic: str
    date: dt.date
    start_time: dt.time | None
    end_time: dt.time | None
    place: str
    format_label: str
    host: str
    speakers: str
    attendees: tuple[str, ...]
    absentees: tuple[AbsenceRow, ...]
    minutes: str
    materials: tuple[str, ...]

    @property
    def filename_stem(self) -> str:
        """The download's name: 学习记录 with the date and topic."""
        return f"{self.title}（{self.date.isoformat()} {self.topic}）"


@dataclass(frozen=True)
class SignInRow:
    name: str
    position: str


@dataclass(frozen=True)
class SignInSheet:
    """One session's 签到表: the members in the group that day, in rank order."""

    group_name: str
    language: str
    title: str
    topic: str
    date: dt.date
    start_time: dt.time | None
    end_time: dt.time | None
    place: str
    rows: tuple[SignInRow, ...]

    @property
    def filename_stem(self) -> str:
        return f"{self.title}（{self.date.isoformat()} {self.topic}）"


def session_record(*, session: StudySession) -> SessionRecord:
    """The session's record (session loaded with group and host, as session_get gives it).

    Attendees are the rows that count as attended (Attendance.attended: present or late);
    absentees the others with their status and reason; both in the group's order. Two queries.
    """
    return session_records(sessions=[session])[0]


def session_records(*, sessions: list[StudySession]) -> list[SessionRecord]:
    """The records of several sessions of one group (each loaded with group and host), in the
    order given, as session_record makes one. Two queries however many sessions."""
    if not sessions:
        return []
    rows_of: dict[int, list[Attendance]] = {s.pk: [] for s in sessions}
    for row in (
        Attendance.objects.filter(session__in=sessions)
        .select_related("member")
        .order_by("member__sort_order", "member_id")
    ):
        rows_of[row.session_id].append(row)
    materials_of: dict[int, list[str]] = {s.pk: [] for s in sessions}
    for session_id, title in (
        SessionMaterial.objects.filter(session__in=sessions)
        .order_by("created_at", "id")
        .values_list("session_id", "title")
    ):
        materials_of[session_id].append(title)
    return [
        _record(session, rows_of[session.pk], tuple(materials_of[session.pk]))
        for session in sessions
    ]


def _record(
    session: StudySession, rows: list[Attendance], materials: tuple[str, ...]
) -> SessionRecord:
    group = session.group
    language = group.report_language
    with translation.override(language):
        labels = {value: str(label) for value, label in Attendance.Status.choices}
        return SessionRecord(
            group_name=group.name,
            language=language,
            title=_("Session record"),
            topic=session.topic,
            date=session.date,
            start_time=session.start_time,
            end_time=session.end_time,
            place=session.place,
            format_label=wording.format_labels(language).get(session.format, session.format),
            host=session.host.display_name if session.host else "",
            speakers=session.speakers,
            attendees=tuple(a.member.display_name for a in rows if a.attended),
            absentees=tuple(
                AbsenceRow(
                    name=a.member.display_name,
                    status_label=labels.get(a.status, a.status),
                    reason=a.leave_reason,
                    makeup_on=a.makeup_on,
                    makeup_note=a.makeup_note,
                )
                for a in rows
                if not a.attended
            ),
            minutes=session.minutes,
            materials=materials,
        )


def sign_in_sheet(*, session: StudySession) -> SignInSheet:
    """The session's sign-in sheet: Member.objects.in_group_on(session.date), in rank order.
    One query."""
    group = session.group
    members = Member.objects.filter(group=group).in_group_on(session.date).in_rank_order()
    with translation.override(group.report_language):
        return SignInSheet(
            group_name=group.name,
            language=group.report_language,
            title=_("Sign-in sheet"),
            topic=session.topic,
            date=session.date,
            start_time=session.start_time,
            end_time=session.end_time,
            place=session.place,
            rows=tuple(SignInRow(name=m.display_name, position=m.position) for m in members),
        )
