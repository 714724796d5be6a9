"""Demo reports: the demo group's approved 2020 H2 plan and its approved 2020 H1 narrative.

Runs after `sessions_app.services.demo.demo_seed()`, through the same services the pages use,
so that the demo summary reads complete from a fresh set-up. Idempotent: a plan already
approved and a narrative already written (in any version) are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from reports.models import ReportNarrative
from reports.services.narrative import NarrativeText, narrative_approve, narrative_save_draft
from sessions_app.models import Member, StudyGroup, StudyPlan, Term
from sessions_app.services.demo import DEMO_SLUG
from sessions_app.services.plans import plan_approve

H1_NARRATIVE = NarrativeText(
    preamble=(
        "2020年上半年，县委理论学习中心组坚持把学习贯彻习近平新时代中国特色社会主义思想作为"
        "首要政治任务，按照年初制定的学习计划，统筹疫情防控和理论学习，做到学习计划、时间、"
        "内容、人员“四落实”，中心组学习的制度化、规范化水平进一步提升。"
    ),
    practices=[
        {
            "heading": "突出政治引领，在学懂弄通上下功夫",
            "body": (
                "坚持把党的十九届四中全会精神和习近平总书记重要讲话精神作为必学内容，第一时间"
                "传达、第一时间研讨。县委书记带头领学、带头发言，班子成员围绕分管领域交流体会，"
                "形成了一把手带头学、班子成员跟进学、联系实际深入学的良好氛围。\n"
                "坚持学习前发通知、列书目，学习中有发言、有记录，学习后交心得、建档案，每次学习"
                "的考勤、发言提纲和心得体会均在系统中留存，避免年底突击补记录。"
            ),
        },
        {
            "heading": "创新方式方法，在务求实效上下功夫",
            "body": (
                "疫情期间人员聚集受限，中心组及时调整学习安排，采取视频学习和分散自学相结合的"
                "方式，做到学习不停、标准不降。邀请市委党校、市中级人民法院专家开展专题辅导，"
                "围绕总体国家安全观、民法典等内容答疑解惑；结合脱贫攻坚、区域协调发展等重点工作"
                "开展专题研讨，推动学习由“听”向“议”转变。因公请假的成员均按要求补学，确保"
                "学习全覆盖。"
            ),
        },
        {
            "heading": "坚持学以致用，在推动发展上下功夫",
            "body": (
                "把调查研究作为理论联系实际的重要途径，中心组成员围绕中小企业复工复产、脱贫攻坚"
                "“回头看”和防止返贫监测两个课题深入一线调研，形成调研报告，提出的减负纾困、"
                "动态监测等建议已转化为县委、县政府的具体举措，以学促干的成效初步显现。"
            ),
        },
    ],
    problems=(
        "一是学习的系统性有待加强。受疫情影响，部分计划专题未能按期开展，集中学习时间"
        "前松后紧，个别专题学习深度不够。\n"
        "二是研讨交流还不够充分。有的成员发言多谈认识体会，结合分管工作查找问题、提出"
        "对策不够具体，研讨质量有待提高。\n"
        "三是学习成果转化不够均衡。心得体会提交时间不一，个别心得篇幅较短、联系实际不够，"
        "调研成果的跟踪落实还需加强。"
    ),
    causes=(
        "一是统筹工作与学习的能力还不够强，在疫情防控和经济社会发展任务繁重时，对学习的"
        "时间保障有所放松。\n"
        "二是督学促学机制落实还不够到位，对心得体会和调研成果的督促、点评和运用不够及时。"
    ),
    measures=(
        "一是严格落实学习计划。按照下半年学习计划逐月安排专题，未完成的上半年专题在下半年"
        "适时补学，确保全年任务不落空。\n"
        "二是提高研讨质量。每次专题研讨前明确研讨题目，成员围绕分管工作准备发言提纲，"
        "做到有问题、有分析、有措施。\n"
        "三是强化成果运用。按期完成下半年两个调研课题，对调研提出的建议建立台账、跟踪落实，"
        "并将心得体会提交和考勤情况纳入年度学习考评。"
    ),
)


@dataclass(frozen=True)
class ReportDemoResult:
    plan_approved: bool
    narrative_version: int | None


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
        plan_approved = True

    version = None
    h1 = Term.objects.filter(group=group, year=2020, half=1).first()
    written = ReportNarrative.objects.filter(
        group=group, term=h1, kind=ReportNarrative.Kind.SUMMARY
    ).exists()
    if h1 is not None and not written:
        draft = narrative_save_draft(
            group=group, term=h1, text=H1_NARRATIVE, member=secretary, user=secretary.user
        )
        version = narrative_approve(narrative=draft, member=leader, user=leader.user).version
    return ReportDemoResult(plan_approved=plan_approved, narrative_version=version)
