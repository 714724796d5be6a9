"""Demo reports: the demo group's approved 2020 H2 plan and its approved 2020 H1 narrative.

Runs after `demo.records.demo_seed()`, through the same services the pages use,
so that the demo summary reads complete from a fresh set-up. Idempotent: a plan already
approved and a narrative already written (in any version) are left as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from demo.records import (
    DEMO_SLUG,
    H2_PLAN_APPROVED_NOTE,
    H2_PLAN_APPROVED_ON,
)
from reports.models import ReportNarrative
from reports.selectors import wording
from reports.selectors.summary import HalfYearSummary, half_year_summary
from reports.services.narrative import NarrativeText, narrative_approve, narrative_save_draft
from sessions_app.models import Member, StudyGroup, StudyPlan, Term
from sessions_app.services.plans import plan_approve

NARRATIVE_APPROVED_AT = (dt.datetime(2020, 7, 10, 16, 0), dt.datetime(2020, 7, 6, 9, 30))


def _quoted(titles: list[str]) -> str:
    """Titles as a Chinese list: “甲”“乙”, as the summary's sentences quote them."""
    return wording.quoted_titles(titles, language="zh-hans")


def h1_narrative(
    summary: HalfYearSummary, *, attendance_rule: Decimal, leader_name: str
) -> NarrativeText:
    """The demo's 2020 H1 narrative, in the reference document's manner, true to the records.

    Whatever it says about attendance, make-up study, essays and topics is taken from the
    summary's figures, so that a change to the seed cannot leave the text behind the tables.
    """
    a = summary.attendance
    away = a.leave + a.absent
    not_made_up = away - a.made_up
    below_rule = [m for m in summary.members if m.rate is not None and m.rate < attendance_rule]
    missed = [t.title for t in summary.topics_not_covered]
    carried = set()
    if summary.next_plan is not None:
        carried = {t.title for month in summary.next_plan.months for t in month.topics}
    missed_carried = [t for t in missed if t in carried]
    # Every session that produced no essay, asked for or not: the text says essays were asked
    # for after some sessions only (the hints list only those that asked and got none).
    no_essays = sum(1 for s in summary.sessions if not s.essays)
    next_research = len(summary.next_plan.research) if summary.next_plan is not None else 0

    if not away:
        makeup = "上半年集中学习无人请假或缺席。"
    elif not_made_up:
        makeup = (
            f"请假和缺席的{away}人次中，已补学{a.made_up}人次，"
            f"其余{not_made_up}人次已督促限期补学。"
        )
    else:
        makeup = f"请假和缺席的{away}人次均已补学。"

    problems = []
    if missed:
        problems.append(
            "学习计划执行还不够到位。受疫情影响，集中学习时间前松后紧，"
            f"上半年计划的{summary.topics_planned}个专题中，{_quoted(missed)}"
            f"{len(missed)}个专题未能按期开展。"
        )
    if below_rule or not_made_up:
        parts = []
        if below_rule:
            rule = format(attendance_rule.normalize(), "f")
            text = (
                f"有的同志公务活动与集中学习时间冲突，上半年有{len(below_rule)}名成员出勤率"
                f"低于中心组规定的{rule}%"
            )
            if leader_name in {m.name for m in below_rule}:
                text += "，其中包括主要负责同志"
            parts.append(text)
        if not_made_up:
            parts.append(f"请假和缺席的{away}人次中仍有{not_made_up}人次未完成补学")
        problems.append("考勤和补学制度落实还有差距。" + "；".join(parts) + "。")
    problems.append(
        "研讨交流还不够充分。有的成员发言多谈认识体会，结合分管工作查找问题、提出"
        "对策不够具体，研讨质量有待提高。"
    )
    essays = "学习成果转化不够均衡。"
    if no_essays:
        essays += (
            f"心得体会只在部分学习后布置，{summary.sessions_count}次集中学习中有{no_essays}次"
            "没有形成心得体会；"
        )
    essays += "个别心得篇幅较短、联系实际不够，调研成果的跟踪落实还需加强。"
    problems.append(essays)

    measures = []
    plan_measure = "严格落实学习计划。按照下半年学习计划逐月安排专题"
    if missed_carried:
        plan_measure += f"，上半年未开展的{_quoted(missed_carried)}专题已列入下半年学习计划"
    measures.append(plan_measure + "，确保全年任务不落空。")
    measures.append(
        "严格考勤和补学制度。集中学习提前通知、原则上不得请假，主要负责同志带头参加；"
        "因故请假的，须在一周内补学并向学习秘书报告，学习秘书逐次登记、按季度通报。"
    )
    measures.append(
        "提高研讨质量。每次专题研讨前明确研讨题目，成员围绕分管工作准备发言提纲，"
        "做到有问题、有分析、有措施。"
    )
    research = f"按期完成下半年{next_research}个调研课题，" if next_research else ""
    measures.append(
        f"强化成果运用。每次集中学习后均布置心得体会，{research}对调研提出的建议建立台账、"
        "跟踪落实，并将心得体会提交和考勤情况纳入年度学习考评。"
    )

    return NarrativeText(
        preamble=(
            "2020年上半年，县委理论学习中心组坚持把学习贯彻习近平新时代中国特色社会主义思想作为"
            "首要政治任务，按照年初制定的学习计划，统筹疫情防控和理论学习，坚持学习前发通知、"
            "学习中有记录、学习后有检查，中心组学习的制度化、规范化水平进一步提升。"
        ),
        practices=[
            {
                "heading": "突出政治引领，在学懂弄通上下功夫",
                "body": (
                    "坚持把党的十九届四中全会精神和习近平总书记重要讲话精神作为必学内容，第一时间"
                    "传达、第一时间研讨。县委书记审定学习计划、确定学习专题，主持集中学习并领学"
                    "重要内容，班子成员围绕分管领域交流体会。\n"
                    "坚持学习前发通知、列书目，学习中有发言、有记录，每次学习的考勤和学习记录"
                    "都在系统中随时录入、留存，避免年底突击补记录。"
                ),
            },
            {
                "heading": "创新方式方法，在务求实效上下功夫",
                "body": (
                    "疫情期间人员聚集受限，中心组及时调整学习安排，采取视频学习和分散自学相结合的"
                    "方式，做到学习不停、标准不降。邀请市委党校、市中级人民法院专家开展专题辅导，"
                    "围绕总体国家安全观、民法典等内容答疑解惑；结合脱贫攻坚、区域协调发展等重点工作"
                    "开展专题研讨，推动学习由“听”向“议”转变。因故不能参加集中学习的，通过自学"
                    f"会议材料、观看会议录像等方式补学。{makeup}"
                ),
            },
            {
                "heading": "坚持学以致用，在推动发展上下功夫",
                "body": (
                    "把调查研究作为理论联系实际的重要途径，中心组成员围绕中小企业复工复产、脱贫攻坚"
                    "“回头看”和防止返贫监测等课题深入一线调研，形成调研报告，提出的减负纾困、"
                    "动态监测等建议已转化为县委、县政府的具体举措，以学促干的成效初步显现。"
                ),
            },
        ],
        problems="\n".join(
            f"{wording.chinese_numeral(i)}是{text}" for i, text in enumerate(problems, start=1)
        ),
        causes=(
            "一是统筹工作与学习的能力还不够强，在疫情防控和经济社会发展任务繁重时，对学习的"
            "时间保障有所放松，公务活动与集中学习冲突时，有的同志优先安排了公务。\n"
            "二是督学促学机制落实还不够到位，对请假补学、心得体会和调研成果的督促、点评和"
            "运用不够及时。"
        ),
        measures="\n".join(
            f"{wording.chinese_numeral(i)}是{text}" for i, text in enumerate(measures, start=1)
        ),
    )


@dataclass(frozen=True)
class ReportDemoResult:
    plan_approved: bool
    narrative_version: int | None


def _aware(when: dt.datetime) -> dt.datetime:
    return timezone.make_aware(when)


def _first(group: StudyGroup, role: str) -> Member | None:
    return (
        Member.objects.filter(group=group, role=role, left_on__isnull=True)
        .select_related("user")
        .order_by("sort_order", "id")
        .first()
    )


@transaction.atomic
def report_demo_seed() -> ReportDemoResult:
    """Approve the demo group's 2020 H2 plan (the draft seed_demo made) as its leader, and have
    its secretary draft and its leader approve the 2020 H1 summary's narrative.

    Does nothing without the demo group; changes nothing on a second run.
    """
    group = StudyGroup.objects.filter(slug=DEMO_SLUG).first()
    if group is None:
        return ReportDemoResult(plan_approved=False, narrative_version=None)
    leader = _first(group, Member.Role.LEADER)
    secretary = _first(group, Member.Role.SECRETARY)
    if leader is None or secretary is None:
        return ReportDemoResult(plan_approved=False, narrative_version=None)

    plan_approved = False
    h2_plan = StudyPlan.objects.filter(group=group, term__year=2020, term__half=2).first()
    if h2_plan is not None and not h2_plan.is_approved:
        plan_approve(plan=h2_plan, member=leader)
        # Approved when the demo's story says it was, with the wording of an issued plan.
        StudyPlan.objects.filter(pk=h2_plan.pk).update(
            approved_at=_aware(dt.datetime.combine(H2_PLAN_APPROVED_ON, dt.time(17, 0))),
            notes=H2_PLAN_APPROVED_NOTE,
        )
        plan_approved = True

    version = None
    h1 = Term.objects.filter(group=group, year=2020, half=1).first()
    written = ReportNarrative.objects.filter(
        group=group, term=h1, kind=ReportNarrative.Kind.SUMMARY
    ).exists()
    if h1 is not None and not written:
        text = h1_narrative(
            half_year_summary(group=group, term=h1),
            attendance_rule=group.rule_attendance_rate,
            leader_name=leader.display_name,
        )
        draft = narrative_save_draft(
            group=group, term=h1, text=text, member=secretary, user=secretary.user
        )
        approved = narrative_approve(narrative=draft, member=leader, user=leader.user)
        approved_at, drafted_at = (_aware(when) for when in NARRATIVE_APPROVED_AT)
        ReportNarrative.objects.filter(pk=approved.pk).update(
            created_at=drafted_at, updated_at=approved_at, approved_at=approved_at
        )
        version = approved.version
    return ReportDemoResult(plan_approved=plan_approved, narrative_version=version)
