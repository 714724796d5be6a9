"""Two groups with one of every record, for the access tests: what each role may reach in its
own group, and the other group's records that must stay out of reach (tests/security/test_access_*).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from oversight.services.organisations import group_place, organisation_create
from reports.models import ArchiveBuild, ReportFile, ReportNarrative
from reports.services.narrative import NarrativeText, narrative_approve, narrative_save_draft
from sessions_app.models import (
    Member,
    PlannedTopic,
    ReflectionEssay,
    SessionMaterial,
    StudyGroup,
    StudyPlan,
    StudySession,
    Term,
)
from tests.factories import (
    AttendanceFactory,
    MemberFactory,
    PlannedTopicFactory,
    ReflectionEssayFactory,
    StudyPlanFactory,
    StudySessionFactory,
    TermFactory,
)

# What a summary needs before a leader may approve it.
COMPLETE_NARRATIVE = {
    "preamble": "上半年，中心组坚持集中学习。",
    "practices": [{"heading": "突出重点，在学深悟透上下功夫", "body": "坚持经常学。"}],
    "problems": "一是学用结合不够紧。",
    "causes": "一是认识不到位。",
}


@dataclass
class GroupRecords:
    """One group's records: a session with attendance and a material, an essay with a file, a
    draft plan with a study and a research topic, an approved summary with a newer draft, and an
    approved summary PDF."""

    group: StudyGroup
    term: Term
    session: StudySession
    material: SessionMaterial
    essay: ReflectionEssay
    plan: StudyPlan
    study_topic: PlannedTopic
    research_topic: PlannedTopic
    draft: ReportNarrative
    report_file: ReportFile
    # A member who left after the session (the members page takes them back).
    former: Member
    # A finished build of the year's archive (a PDF and a .zip).
    archive_build: ArchiveBuild


def group_records(*, group: StudyGroup, term: Term, secretary: Member, leader: Member,
                  author: Member, tag: str) -> GroupRecords:
    """Every kind of record a URL names, for one group; tag marks their text (组甲, 组乙)."""
    session = StudySessionFactory(
        group=group, term=term, date=term.start_date + dt.timedelta(days=70), host=leader,
        topic=f"{tag}的学习专题",
    )
    for m in Member.objects.filter(group=group):
        AttendanceFactory(session=session, member=m)
    material = SessionMaterial(session=session, title=f"{tag}的材料", original_filename="材料.txt")
    material.file.save("generated-name.txt", ContentFile("学习材料".encode()), save=False)
    material.save()
    essay = ReflectionEssayFactory(
        group=group, author=author, session=session, title=f"{tag}的心得", body=f"{tag}的心得正文",
        original_filename="心得.txt",
    )
    essay.file.save("generated-essay.txt", ContentFile(f"{tag}的心得正文".encode()))
    plan = StudyPlanFactory(group=group, term=term)
    study_topic = PlannedTopicFactory(
        plan=plan, title=f"{tag}的计划专题", planned_month=term.start_date.month
    )
    research_topic = PlannedTopicFactory(
        plan=plan, kind=PlannedTopic.Kind.RESEARCH, title=f"{tag}的调研课题", planned_month=None
    )
    research_topic.assignees.set([author])

    # Made before the summary is approved: a member of the term changes its figures, and an
    # approved summary whose figures changed has no Word file (reports.word).
    former = MemberFactory(
        group=group, display_name=f"{tag}的前成员", left_on=session.date + dt.timedelta(days=30)
    )

    def save_draft(preamble: str) -> ReportNarrative:
        text = NarrativeText(**{**COMPLETE_NARRATIVE, "preamble": preamble})
        return narrative_save_draft(
            group=group, term=term, text=text, member=secretary, user=secretary.user
        )

    narrative_approve(narrative=save_draft(f"{tag}已审定的导语"), member=leader, user=leader.user)
    draft = save_draft(f"{tag}草稿的导语")
    report_file = ReportFile(
        group=group, term=term, kind=ReportFile.Kind.SUMMARY, content_hash="0" * 64,
        title=f"{tag}的总结", approved=True, status=ReportFile.Status.DONE,
    )
    report_file.file.save("summary.pdf", ContentFile(b"%PDF-1.7 " + tag.encode()), save=False)
    report_file.save()
    archive_build = ArchiveBuild(group=group, year=term.year, status=ArchiveBuild.Status.DONE,
                                 progress=100)
    archive_build.save()
    archive_build.pdf.save("archive.pdf", ContentFile(b"%PDF-1.7 " + tag.encode()), save=False)
    archive_build.zip.save("archive.zip", ContentFile(b"PK\x05\x06" + bytes(18)), save=False)
    archive_build.save()
    return GroupRecords(
        group=group, term=term, session=session, material=material, essay=essay, plan=plan,
        study_topic=study_topic, research_topic=research_topic, draft=draft,
        report_file=report_file, former=former, archive_build=archive_build,
    )


@dataclass
class World:
    """The group under test ("sample", term 2020H1) with a member in each role, and another
    group ("other", term 2019H2, a code the sample group does not have) with its own records."""

    roles: dict[str, Member | None]
    mine: GroupRecords
    theirs: GroupRecords

    @property
    def group(self) -> StudyGroup:
        return self.mine.group


def build_world(*, group, term, leader, deputy, secretary, member, other_group, outsider) -> World:
    mine = group_records(
        group=group, term=term, secretary=secretary, leader=leader, author=member, tag="组甲"
    )
    their_leader = MemberFactory(group=other_group, role=Member.Role.LEADER)
    their_author = MemberFactory(group=other_group)
    theirs = group_records(
        group=other_group, term=TermFactory(group=other_group, year=2019, half=2),
        secretary=outsider, leader=their_leader, author=their_author, tag="组乙",
    )
    # The county above the group: nobody of either group holds a role there.
    county = organisation_create(name="中共示例县委宣传部", slug="county")
    group_place(group=group, organisation=county)
    roles = {
        "leader": leader,
        "deputy": deputy,
        "secretary": secretary,
        "member": member,
        "other": outsider,
        "anonymous": None,
    }
    return World(roles=roles, mine=mine, theirs=theirs)


# What the forms post: valid data, so that only the id a test changes can be refused.


def session_form(w: World, **overrides) -> dict:
    data = {
        "date": "2020-03-20",
        "start_time": "09:00",
        "end_time": "11:00",
        "place": "会议室",
        "format": "seminar",
        "topic": "新记录的学习专题",
        "speakers": "李书记",
        "minutes": "集中学习。",
    }
    for m in Member.objects.filter(group=w.group):
        data[f"m{m.pk}-status"] = "present"
    return {**data, **overrides}


def material_form(w: World) -> dict:
    return {"title": "新材料", "file": SimpleUploadedFile("说明.txt", "学习材料说明。".encode())}


def essay_form(w: World) -> dict:
    return {
        "title": "改写后的心得",
        "kind": ReflectionEssay.Kind.REFLECTION,
        "session": str(w.mine.session.pk),
        "body": "认真学习，深刻领会，联系实际。",
    }


def narrative_form(w: World, preamble="新写的导语") -> dict:
    return {
        "narrative-preamble": preamble,
        "narrative-problems": "一是学用结合不够紧。",
        "narrative-causes": "一是认识不到位。",
        "narrative-measures": "坚持每月学习一次。",
        "practices-TOTAL_FORMS": "1",
        "practices-INITIAL_FORMS": "0",
        "practices-MIN_NUM_FORMS": "0",
        "practices-MAX_NUM_FORMS": "12",
        "practices-0-heading": "突出重点",
        "practices-0-body": "坚持经常学。",
    }


def plan_form(w: World, notes="修改后的计划说明") -> dict:
    study, research = w.mine.study_topic, w.mine.research_topic
    return {
        "plan-notes": notes,
        "study-TOTAL_FORMS": "1",
        "study-INITIAL_FORMS": "1",
        "study-MIN_NUM_FORMS": "0",
        "study-MAX_NUM_FORMS": "1000",
        "study-0-id": str(study.pk),
        "study-0-title": study.title,
        "study-0-planned_month": str(study.planned_month),
        "study-0-format": study.format,
        "study-0-lead_speaker": "",
        "study-0-readings": "",
        "research-TOTAL_FORMS": "1",
        "research-INITIAL_FORMS": "1",
        "research-MIN_NUM_FORMS": "0",
        "research-MAX_NUM_FORMS": "1000",
        "research-0-id": str(research.pk),
        "research-0-title": research.title,
        "research-0-assignees": [str(m.pk) for m in research.assignees.all()],
        "research-0-due_date": "",
    }
