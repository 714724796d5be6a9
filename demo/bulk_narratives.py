"""Bulk reports: approved half-year summary narratives for some of the bulk groups' terms.

Runs after `demo.bulk.bulk_seed()`. The versions are written straight to the
table, like the rest of the bulk data, as approved without a frozen document: the summary page
then shows them with the live figures (as it does for versions approved before documents were
frozen), which keeps approving thousands of summaries from rendering each one.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from demo.bulk import DEFAULT_SEED, bulk_groups
from reports.models import ReportNarrative
from reports.selectors import wording
from sessions_app.models import Member, Term

# Share of the terms (the newest aside, whose summary is still to be written) with an approved
# summary.
NARRATIVE_SHARE = 0.6

PREAMBLES = [
    "{period}，县委理论学习中心组坚持把学习贯彻习近平新时代中国特色社会主义思想作为首要政治"
    "任务，按照年初制定的学习计划，坚持学习前发通知、学习中有记录、学习后有检查，中心组学习的"
    "制度化、规范化水平进一步提升。",
    "{period}，县委理论学习中心组认真落实党委（党组）理论学习中心组学习规则，围绕中心、服务"
    "大局，把理论学习同推动县域经济社会发展紧密结合起来，较好地完成了学习计划确定的各项任务。",
]
PRACTICES = [
    (
        "突出政治引领，在学懂弄通上下功夫",
        "坚持把习近平总书记重要讲话精神和党中央重大决策部署作为必学内容，第一时间传达、第一时间"
        "研讨。县委书记审定学习计划、确定学习专题，主持集中学习并领学重要内容。",
    ),
    (
        "创新方式方法，在务求实效上下功夫",
        "采取集中学习、专题辅导、交流研讨、现场教学相结合的方式，邀请党校专家作专题辅导，推动学习"
        "由“听”向“议”转变。因故不能参加集中学习的，通过自学会议材料、观看会议录像等方式补学。",
    ),
    (
        "坚持学以致用，在推动发展上下功夫",
        "把调查研究作为理论联系实际的重要途径，中心组成员围绕分管领域的重点难点问题深入一线调研，"
        "形成调研报告，提出的意见建议已转化为县委、县政府的具体举措。",
    ),
    (
        "健全制度机制，在常态长效上下功夫",
        "严格执行考勤、补学和学习档案制度，每次学习的考勤和学习记录都及时录入、留存，"
        "避免年底突击补记录。",
    ),
]
PROBLEMS = [
    "学习计划执行还不够到位，个别专题未能按期开展。",
    "有的同志公务活动与集中学习时间冲突，请假后补学不够及时。",
    "研讨交流还不够充分，有的成员发言多谈认识体会，结合分管工作提出对策不够具体。",
    "学习成果转化不够均衡，个别心得篇幅较短、联系实际不够。",
]
CAUSES = [
    "统筹工作与学习的能力还不够强，任务繁重时对学习的时间保障有所放松。",
    "督学促学机制落实还不够到位，对请假补学、心得体会的督促和点评不够及时。",
    "学习的针对性还不够强，专题设置与分管工作结合得不够紧密。",
]
MEASURES = [
    "严格落实学习计划，逐月安排专题，确保全年任务不落空。",
    "严格考勤和补学制度，因故请假的须在一周内补学并向学习秘书报告。",
    "提高研讨质量，每次研讨前明确题目，成员围绕分管工作准备发言提纲。",
    "强化成果运用，对调研提出的建议建立台账、跟踪落实。",
]


def _numbered(rng: random.Random, items: list[str], count: int) -> str:
    return "\n".join(
        f"{wording.chinese_numeral(i)}是{text}"
        for i, text in enumerate(rng.sample(items, count), start=1)
    )


@transaction.atomic
def report_bulk_seed(
    *, seed: int = DEFAULT_SEED, progress: Callable[[str], None] = lambda message: None
) -> int:
    """Approve, as each group's leader and drafted by its secretary, the summary narrative of
    NARRATIVE_SHARE of the bulk groups' terms, the newest term aside.

    Terms that have any narrative are left alone, so a second run writes nothing. Returns the
    number of narratives written. The same seed gives the same narratives.
    """
    started = time.monotonic()
    rng = random.Random(f"{seed}:narratives")
    groups = bulk_groups()
    terms = list(Term.objects.filter(group__in=groups).order_by("group__slug", "year", "half"))
    newest = {}
    for term in terms:
        newest[term.group_id] = term.pk
    written = set(
        ReportNarrative.objects.filter(group__in=groups).values_list("term_id", flat=True)
    )
    people = {
        (m.group_id, m.role): m
        for m in Member.objects.filter(
            group__in=groups, role__in=[Member.Role.LEADER, Member.Role.SECRETARY]
        ).order_by("-sort_order")
    }
    narratives = []
    for term in terms:
        chosen = rng.random() < NARRATIVE_SHARE
        if not chosen or term.pk == newest[term.group_id] or term.pk in written:
            continue
        leader = people[term.group_id, Member.Role.LEADER]
        secretary = people[term.group_id, Member.Role.SECRETARY]
        period = f"{term.year}年{'上' if term.half == Term.Half.FIRST else '下'}半年"
        approved_at = timezone.make_aware(
            dt.datetime.combine(term.end_date + dt.timedelta(days=rng.randint(5, 20)), dt.time(16))
        )
        narratives.append(
            ReportNarrative(
                group_id=term.group_id,
                term=term,
                kind=ReportNarrative.Kind.SUMMARY,
                version=1,
                status=ReportNarrative.Status.APPROVED,
                preamble=rng.choice(PREAMBLES).format(period=period),
                practices=[
                    {"heading": heading, "body": body} for heading, body in rng.sample(PRACTICES, 3)
                ],
                problems=_numbered(rng, PROBLEMS, 3),
                causes=_numbered(rng, CAUSES, 2),
                measures=_numbered(rng, MEASURES, 3),
                approved_at=approved_at,
                approved_by=leader,
                created_by_id=secretary.user_id,
                updated_by_id=leader.user_id,
            )
        )
    ReportNarrative.objects.bulk_create(narratives, batch_size=2000)
    seconds = time.monotonic() - started
    progress(f"  summary narratives: {len(narratives):,} rows in {seconds:.1f} s")
    return len(narratives)
