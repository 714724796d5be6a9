"""A year of records for the archive tests: small enough to check by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile

from reports.services.narrative import NarrativeText, narrative_approve, narrative_save_draft
from sessions_app.models import ReflectionEssay, SessionMaterial, StudySession
from sessions_app.services.essays import essay_review
from sessions_app.services.plans import plan_approve
from tests.factories import (
    AttendanceFactory,
    MemberFactory,
    PlannedTopicFactory,
    ReflectionEssayFactory,
    StudyPlanFactory,
    StudySessionFactory,
    TermFactory,
)
from tests.reports._data import aware

COMPLETE_NARRATIVE = {
    "preamble": "上半年，中心组坚持集中学习。",
    "practices": [{"heading": "突出重点", "body": "坚持经常学。"}],
    "problems": "一是学用结合不够紧。",
    "causes": "一是认识不到位。",
}

#: The uploads' bytes, to compare with what the .zip holds.
ESSAY_FILE = "张成员的心得：原文。".encode() + bytes(range(256))
MATERIAL_FILE = b"%PDF-1.4 material \x00\x01\x02"


@dataclass
class ArchiveYear:
    h1_sessions: list[StudySession]
    h2_session: StudySession
    essay_with_file: ReflectionEssay
    material: SessionMaterial


def archive_year(*, group, term, secretary, leader, member) -> ArchiveYear:
    """2020: H1 (term) with an approved plan and an approved summary, two sessions (the first
    with minutes, a material and 张成员's essay with its file; the second, whose topic holds a
    path and a colon, without minutes, 张成员 on leave and made up later); H2 with a draft plan,
    no summary and one session with minutes. 张成员 and 王秘书 wrote one counted essay each, the
    leader's was returned."""
    plan = StudyPlanFactory(group=group, term=term)
    PlannedTopicFactory(plan=plan, title="上半年专题", planned_month=3)
    plan_approve(plan=plan, member=leader)
    s1 = StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 10), topic="学习一",
                             minutes="集中学习了讲话精神。", host=leader)
    s2 = StudySessionFactory(group=group, term=term, date=dt.date(2020, 4, 15),
                             topic="研讨/二：专题*", minutes="  \n ")
    for m in (secretary, leader, member):
        AttendanceFactory(session=s1, member=m)
    AttendanceFactory(session=s2, member=secretary)
    AttendanceFactory(session=s2, member=leader, status="late")
    AttendanceFactory(session=s2, member=member, status="leave", leave_reason="出差",
                      makeup_on=dt.date(2020, 4, 20), makeup_note="自学讲话原文")
    material = SessionMaterial(session=s1, title="讲话原文", original_filename="讲话原文.pdf")
    material.file.save("stored-material.pdf", ContentFile(MATERIAL_FILE), save=False)
    material.save()
    essay = ReflectionEssayFactory(group=group, author=member, session=s1, title="学习心得甲",
                                   body="第一段心得。\n第二段心得。",
                                   original_filename="我的心得.docx")
    essay.file.save("stored-essay.docx", ContentFile(ESSAY_FILE))
    essay_review(essay=essay, reviewer=secretary, status=ReflectionEssay.Status.ACCEPTED)
    ReflectionEssayFactory(group=group, author=secretary, session=s2, title="学习心得乙",
                           submitted_at=aware(2020, 4, 20, 9))
    returned = ReflectionEssayFactory(group=group, author=leader, session=s2, title="被退回的心得")
    essay_review(essay=returned, reviewer=secretary, status=ReflectionEssay.Status.RETURNED,
                 comment="请补充")
    narrative = narrative_save_draft(group=group, term=term, text=NarrativeText(
        **COMPLETE_NARRATIVE), member=secretary, user=secretary.user)
    narrative_approve(narrative=narrative, member=leader, user=leader.user)

    h2 = TermFactory(group=group, year=2020, half=2)
    StudyPlanFactory(group=group, term=h2)
    s3 = StudySessionFactory(group=group, term=h2, date=dt.date(2020, 9, 9), topic="学习三",
                             minutes="学习三的记录。")
    for m in (secretary, leader, member):
        AttendanceFactory(session=s3, member=m)
    return ArchiveYear(h1_sessions=[s1, s2], h2_session=s3, essay_with_file=essay,
                       material=material)


def more_records(group, term, *, members: int, sessions: int, year: int = 2020) -> None:
    """Members × sessions in the term, each present, and an essay per member (for the query
    count at two sizes)."""
    people = [MemberFactory(group=group) for _ in range(members)]
    for i in range(sessions):
        session = StudySessionFactory(group=group, term=term,
                                      date=dt.date(year, 1 + i % 6, 1 + i % 28), minutes="记录")
        for m in people:
            AttendanceFactory(session=session, member=m)
    for i, m in enumerate(people):
        ReflectionEssayFactory(group=group, author=m, session=session, title=f"心得{i}")
