"""Records and tools shared by the PDF tests: a small term of records, and poppler's readers."""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from pathlib import Path

from django.utils import timezone

from reports.models import ReportNarrative
from sessions_app.models import Attendance, SessionFormat
from tests.factories import (
    AttendanceFactory,
    MemberFactory,
    ReflectionEssayFactory,
    StudySessionFactory,
)

PREAMBLE = "上半年，县委理论学习中心组坚持把学习贯彻党的理论创新成果作为首要政治任务。"


def make_term_records(*, group, term, members, sessions: int = 3, formats=None) -> list:
    """Sessions in the term with everyone present except one absence, and one essay each."""
    formats = formats or [SessionFormat.TOPIC_STUDY, SessionFormat.SEMINAR]
    made = []
    for i in range(sessions):
        session = StudySessionFactory(
            group=group,
            term=term,
            date=dt.date(2020, 2 + i, 10),
            format=formats[i % len(formats)],
            topic=f"学习贯彻专题{i + 1}",
            host=members[0],
        )
        for j, m in enumerate(members):
            status = Attendance.Status.ABSENT if (i == 0 and j == 1) else Attendance.Status.PRESENT
            AttendanceFactory(session=session, member=m, status=status)
        ReflectionEssayFactory(
            group=group,
            author=members[j % len(members)],
            session=session,
            title=f"心得体会第{i + 1}篇",
            submitted_at=timezone.make_aware(dt.datetime(2020, 2 + i, 12, 10)),
        )
        made.append(session)
    return made


def make_narrative(
    *, group, term, approved: bool, approver=None, version: int = 1, **text
) -> ReportNarrative:
    fields = {
        "preamble": PREAMBLE,
        "practices": [
            {"heading": "坚持领导带头学", "body": "主要领导带头领学，班子成员交流研讨。"}
        ],
        "problems": "学习的系统性还不够强。",
        "causes": "工作任务繁重，学用结合不够紧密。",
        "measures": "进一步完善学习制度，严格考勤管理。",
    }
    fields.update(text)
    narrative = ReportNarrative(
        group=group,
        term=term,
        kind=ReportNarrative.Kind.SUMMARY,
        version=version,
        status=ReportNarrative.Status.APPROVED if approved else ReportNarrative.Status.DRAFT,
        approved_at=timezone.now() if approved else None,
        approved_by=approver if approved else None,
        **fields,
    )
    narrative.full_clean()
    narrative.save()
    return narrative


def extra_members(group, n: int) -> list:
    return [MemberFactory(group=group, display_name=f"成员甲{i}") for i in range(n)]


def _run(args: list[str]) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def with_pdf_file(pdf: bytes, tool: list[str], after: tuple[str, ...] = ()) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.pdf"
        path.write_bytes(pdf)
        return _run([*tool, str(path), *after])


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as poppler's pdftotext reads it."""
    return with_pdf_file(pdf, ["pdftotext", "-enc", "UTF-8"], after=("-",))


def pdf_fonts(pdf: bytes) -> list[dict]:
    """pdffonts' table: name, type, emb and sub per font."""
    lines = with_pdf_file(pdf, ["pdffonts"]).splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name type [type2] encoding emb sub uni object ID
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts


def pdf_attachments(pdf: bytes) -> str:
    return with_pdf_file(pdf, ["pdfdetach", "-list"])


def pdf_info(pdf: bytes) -> str:
    return with_pdf_file(pdf, ["pdfinfo"])
