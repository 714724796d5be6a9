"""Bulk data: hundreds of county study groups with years of records, for benchmarks at scale.

`bulk_seed()` writes straight to the tables (bulk_create, and COPY on PostgreSQL for the big
tables) instead of through the services the pages use: at 1.8 million attendance rows the
services' per-session transactions would take hours. Constraints stay in place, so the rows are
still checked by the database. The content reuses the demo's phrase lists.

The interface others rely on (benchmarks, load tests):
- group slugs bulk-0001, bulk-0002, …;
- usernames b0001-01, b0001-02, … (group number, member number); in every group member 01 is
  the leader, 02 the deputy leader, 03 the secretary, the rest members;
- one password for every bulk user, BULK_PASSWORD;
- terms run back from 2020H2 (10 terms: 2016H1 … 2020H2).

It refuses to run when bulk groups or bulk users exist (`bulk_reset()` deletes them first), and
the same seed makes the same records.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from demo import records
from demo.records import aware, clock_time
from intake.count import count_characters, count_words
from sessions_app.models import (
    Attendance,
    Member,
    PlannedTopic,
    ReflectionEssay,
    SessionFormat,
    StudyGroup,
    StudyPlan,
    StudySession,
    Term,
)

BULK_PASSWORD = "bulk-pass-2020"
BULK_SLUG_PREFIX = "bulk-"
BULK_SLUG_REGEX = r"^bulk-[0-9]{4}$"
BULK_USERNAME_REGEX = r"^b[0-9]{4}-[0-9]{2}$"
DEFAULT_SEED = 2020
LAST_TERM = (2020, 2)
BATCH_SIZE = 5000

# Limits that keep slugs and usernames in their fixed widths and dates in the app's era.
MAX_GROUPS = 9999
MIN_MEMBERS, MAX_MEMBERS = 3, 99
MAX_TERMS = 40
MAX_SESSIONS = 60

# Share of a group's members (secretary aside) who write an essay after a session that asks for one;
# every third session asks. At the default size this gives about 200,000 essays.
ESSAY_SHARE = 0.33
ESSAY_EVERY = 3

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "建国志刚红梅立新文斌海涛静明辉丽娟宏伟振华春生玉兰晓燕军伟芳敏强磊洋艳勇杰娜涛超"
    "秀英霞平刚桂兰鹏飞华东亮斌林峰琳雪梅德胜永福晨宇浩然俊凯欣怡"
)
PLACE_HEADS = list("东西南北安平永宁清丰长兴河山青云龙凤昌盛金石新嘉德仁阳华泰")
PLACE_TAILS = list("安宁平阳川城源丰泉河林江乐山台原州溪坪乡海口桥田")

PLACES = [
    records.MAIN_ROOM,
    records.MAIN_ROOM,
    "县委常委会议室（视频会议分会场）",
    "县行政中心一楼会议室",
    "县委党校报告厅",
]
HOURS = [("09:00", "11:30"), ("15:00", "17:30"), ("09:00", "11:00"), ("14:30", "17:00")]
LEAVE_REASONS = [
    *records.LEAVE_REASONS,
    "出差",
    "病假",
    "参加上级会议",
    "带队外出招商",
    "参加省委党校学习",
    "处置突发事件",
    "陪同上级领导调研",
    "事假",
]
WORKS = [p[4] for p in records.PEOPLE]
POSITIONS = [p[3] for p in records.PEOPLE if p[2] == Member.Role.MEMBER]
LEADER_POSITION, DEPUTY_POSITION = records.PEOPLE[0][3], records.PEOPLE[1][3]
SECRETARY_POSITION = records.PEOPLE[-1][3]
OTHER_POSITION = "县直部门主要负责同志"

# Study topics by year (title, what an essay calls it), in the order they came up: the first
# four are studied in the first half, the rest in the second. 2020 comes from the demo's plans.
TOPICS_BY_YEAR = {
    2016: [
        ("学习贯彻党的十八届五中全会精神", "党的十八届五中全会精神"),
        ("扎实开展“两学一做”学习教育", "“两学一做”学习教育的部署要求"),
        ("学习《中国共产党廉洁自律准则》和《中国共产党纪律处分条例》", "《准则》和《条例》"),
        ("推进供给侧结构性改革，促进县域经济转型升级", "供给侧结构性改革的部署要求"),
        ("学习习近平总书记在庆祝中国共产党成立95周年大会上的讲话", "“七一”重要讲话精神"),
        ("学习习近平总书记系列重要讲话精神", "习近平总书记系列重要讲话精神"),
        ("学习贯彻党的十八届六中全会精神", "党的十八届六中全会精神"),
        ("牢固树立和贯彻落实新发展理念", "新发展理念"),
    ],
    2017: [
        ("学习《关于新形势下党内政治生活的若干准则》", "《关于新形势下党内政治生活的若干准则》"),
        ("推进“两学一做”学习教育常态化制度化", "“两学一做”学习教育常态化制度化的要求"),
        ("学习贯彻全国“两会”精神", "全国“两会”精神"),
        ("全面从严治党永远在路上", "全面从严治党的部署要求"),
        ("学习习近平总书记“7·26”重要讲话精神", "习近平总书记“7·26”重要讲话精神"),
        ("学习贯彻党的十九大精神", "党的十九大精神"),
        ("深入学习习近平新时代中国特色社会主义思想", "习近平新时代中国特色社会主义思想"),
        ("学习《习近平谈治国理政》第二卷", "《习近平谈治国理政》第二卷"),
    ],
    2018: [
        ("学习贯彻党的十九届三中全会精神，深化机构改革", "党的十九届三中全会精神"),
        ("学习贯彻宪法修正案，维护宪法权威", "宪法修正案"),
        ("实施乡村振兴战略", "乡村振兴战略的部署要求"),
        ("纪念马克思诞辰200周年", "习近平总书记在纪念马克思诞辰200周年大会上的讲话"),
        ("学习新修订的《中国共产党纪律处分条例》", "新修订的《中国共产党纪律处分条例》"),
        ("深入推进扫黑除恶专项斗争", "扫黑除恶专项斗争的部署要求"),
        ("支持民营经济发展，优化营商环境", "习近平总书记在民营企业座谈会上的讲话"),
        ("纪念改革开放40周年", "习近平总书记在庆祝改革开放40周年大会上的讲话"),
    ],
    2019: [
        ("防范化解重大风险，守住安全底线", "防范化解重大风险的部署要求"),
        ("学习《中国共产党农村基层组织工作条例》", "《中国共产党农村基层组织工作条例》"),
        ("学习贯彻全国“两会”精神", "全国“两会”精神"),
        ("坚持和加强党的全面领导", "坚持和加强党的全面领导的要求"),
        ("深入开展“不忘初心、牢记使命”主题教育", "“不忘初心、牢记使命”主题教育的部署要求"),
        ("坚决打好污染防治攻坚战", "污染防治攻坚战的部署要求"),
        ("庆祝中华人民共和国成立70周年", "习近平总书记在庆祝新中国成立70周年大会上的讲话"),
        ("学习贯彻党的十九届四中全会精神", "党的十九届四中全会精神"),
    ],
}
# Sessions outside the plan: what a group meets about between its planned topics.
REGULAR_TOPICS = [
    ("传达学习上级会议精神，研究贯彻落实措施", "上级会议精神"),
    ("观看警示教育片，开展以案促改专题学习", "警示教育片和典型案例"),
    ("学习习近平总书记近期重要讲话和重要指示精神", "习近平总书记近期重要讲话和重要指示精神"),
    ("学习《中国共产党章程》，严守政治纪律和政治规矩", "《中国共产党章程》"),
    ("学习习近平总书记关于安全生产的重要论述", "习近平总书记关于安全生产的重要论述"),
    ("专题研讨：以学促干推动县域高质量发展", "推动县域高质量发展的部署要求"),
    ("学习习近平总书记关于意识形态工作的重要论述", "习近平总书记关于意识形态工作的重要论述"),
    ("学习习近平总书记关于“三农”工作的重要论述", "习近平总书记关于“三农”工作的重要论述"),
    ("开展党风廉政建设专题学习，落实“一岗双责”", "党风廉政建设的部署要求"),
    ("学习习近平总书记关于调查研究的重要论述", "习近平总书记关于调查研究的重要论述"),
]
GENERAL_POINTS = [
    "{subject}思想深邃、内涵丰富，为我们做好新时代县域工作指明了方向、提供了遵循。",
    "学习{subject}，必须同学习习近平新时代中国特色社会主义思想结合起来，做到学深悟透、融会贯通。",
    "贯彻落实{subject}，关键在于把各项部署转化为具体项目、具体措施和具体责任，一项一项抓落实。",
    "领导干部要带头学习{subject}，自觉把学习成果体现到谋划工作、推动发展的思路和举措上。",
    "对照{subject}，我们在统筹推进重点工作、解决群众急难愁盼问题上还有差距，"
    "必须坚持问题导向，补短板、强弱项。",
    "基层是落实{subject}的“最后一公里”，要把上级的决策部署和基层的实际情况紧密结合起来，"
    "创造性地开展工作。",
    "学习{subject}，要坚持学以致用、用以促学，在解决实际问题中检验学习成效。",
    "贯彻{subject}，要始终坚持以人民为中心的发展思想，把群众满意作为检验工作的根本标准。",
]
ESSAY_TITLES = [
    "学习{subject}的心得体会",
    "深入学习{subject}的几点思考",
    "把{subject}落到实处",
    "以{subject}指导推动工作",
]
MINUTES = [
    "会议学习了{subject}。{host}同志主持并领学，与会同志结合分管工作交流了学习体会。"
    "会议要求，各成员要把学习成果转化为推动工作的实际成效。",
    "会议原文学习了{subject}，{host}同志作了总结讲话。会议强调，要提高政治站位，"
    "结合县情抓好贯彻落实，确保各项部署落地见效。",
    "本次学习采取集中学习和交流研讨相结合的方式，围绕{subject}开展学习研讨。"
    "{host}同志要求，要坚持学思用贯通、知信行统一，以学促干、以干促学。",
]
RESEARCH_TITLES = [
    "关于我县{work}情况的调研",
    "{work}中存在的问题及对策调研",
]
RESEARCH_OPENINGS = [
    "按照县委理论学习中心组年度调研安排，调研组深入全县{towns}个乡镇，走访基层单位和群众"
    "{visits}家（户），召开座谈会{meetings}场，对{work}情况进行了专题调研。",
    "为深入了解{work}的实际情况，调研组采取实地走访、入户核查、座谈交流和查阅资料等方式，"
    "先后到{towns}个乡镇、{visits}个村（社区）和企业开展调研，召开座谈会{meetings}场。",
]
RESEARCH_FINDINGS = [
    "统筹协调不够有力，部门之间信息共享和工作衔接不够顺畅",
    "基层力量相对薄弱，专业人才短缺，工作经费保障不足",
    "政策落实“最后一公里”不够畅通，部分惠民政策群众知晓率不高",
    "考核评价机制不够健全，激励约束作用发挥不够充分",
    "工作方式方法创新不够，运用信息化手段提升效能的能力有待提高",
    "长效机制建设滞后，部分问题整改后存在反弹风险",
]
RESEARCH_SUGGESTIONS = [
    "加强统筹协调，建立定期会商和信息共享机制，明确各部门责任分工",
    "充实基层力量，加大人才引进和培训力度，落实好工作经费保障",
    "加大政策宣传力度，畅通政策落实渠道，提高群众知晓率和满意度",
    "健全督查考核机制，把工作成效纳入年度综合考核，强化结果运用",
    "推进信息化建设，运用大数据等手段提高工作精准度和效率",
    "注重建章立制，及时总结推广基层好经验好做法，形成长效机制",
]


def _research_body(rng: random.Random, work: str) -> str:
    opening = rng.choice(RESEARCH_OPENINGS).format(
        work=work,
        towns=rng.randint(4, 12),
        visits=rng.randint(20, 150),
        meetings=rng.randint(2, 8),
    )
    findings = "；".join(rng.sample(RESEARCH_FINDINGS, 3))
    suggestions = "；".join(
        f"{numeral}是{text}"
        for numeral, text in zip("一二三四", rng.sample(RESEARCH_SUGGESTIONS, 4), strict=True)
    )
    return "\n".join(
        [
            opening,
            f"调研发现，近年来{work}取得了明显成效，群众获得感不断增强。但也存在一些问题：{findings}。",
            f"为此建议：{suggestions}。",
        ]
    )


@dataclass(frozen=True)
class BulkSize:
    groups: int = 500
    members: int = 30
    terms: int = 10
    sessions: int = 12

    def errors(self) -> list[str]:
        """What is wrong with these sizes, in words for the operator; empty when they are fine."""
        problems = []
        if not 1 <= self.groups <= MAX_GROUPS:
            problems.append(f"--groups must be between 1 and {MAX_GROUPS}.")
        if not MIN_MEMBERS <= self.members <= MAX_MEMBERS:
            problems.append(
                f"--members must be between {MIN_MEMBERS} (leader, deputy, secretary) "
                f"and {MAX_MEMBERS}."
            )
        if not 1 <= self.terms <= MAX_TERMS:
            problems.append(f"--terms must be between 1 and {MAX_TERMS}.")
        if not 1 <= self.sessions <= MAX_SESSIONS:
            problems.append(f"--sessions must be between 1 and {MAX_SESSIONS}.")
        return problems


@dataclass
class BulkSeedResult:
    """What bulk_seed did: created is False when bulk records were there already."""

    created: bool
    existing_groups: int = 0
    existing_users: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def bulk_slug(group_no: int) -> str:
    return f"{BULK_SLUG_PREFIX}{group_no:04d}"


def bulk_username(group_no: int, member_no: int) -> str:
    return f"b{group_no:04d}-{member_no:02d}"


def bulk_role(member_no: int) -> str:
    return {1: Member.Role.LEADER, 2: Member.Role.DEPUTY, 3: Member.Role.SECRETARY}.get(
        member_no, Member.Role.MEMBER
    )


def bulk_terms(count: int) -> list[tuple[int, int]]:
    """The (year, half) of `count` terms ending with LAST_TERM, oldest first."""
    year, half = LAST_TERM
    index = year * 2 + half - 1 - (count - 1)
    return [(i // 2, i % 2 + 1) for i in range(index, index + count)]


def bulk_groups():
    return StudyGroup.objects.filter(slug__regex=BULK_SLUG_REGEX)


def bulk_users():
    return get_user_model().objects.filter(username__regex=BULK_USERNAME_REGEX)


def _rng(seed: int, table: str) -> random.Random:
    # One stream per table, so that changing how one table is drawn leaves the others as they were.
    return random.Random(f"{seed}:{table}")


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


class _Writer:
    """Inserts rows table by table, and says how long each took."""

    def __init__(self, progress: Callable[[str], None], result: BulkSeedResult):
        self.progress = progress
        self.result = result
        self.now = timezone.now()

    def _done(self, label: str, rows: int, started: float) -> None:
        seconds = time.monotonic() - started
        self.result.rows[label] = rows
        self.result.seconds[label] = seconds
        rate = f", {rows / seconds:,.0f} rows/s" if seconds > 0 else ""
        self.progress(f"  {label}: {rows:,} rows in {seconds:.1f} s{rate}")

    def timed(self, label: str, started: float) -> None:
        """Record and report a step that writes no rows."""
        seconds = time.monotonic() - started
        self.result.seconds[label] = seconds
        self.progress(f"  {label}: {seconds:.1f} s")

    def objects(self, label: str, objects: list[models.Model]) -> list[models.Model]:
        """bulk_create in batches; the objects come back with their primary keys."""
        started = time.monotonic()
        model = type(objects[0]) if objects else None
        if model is not None:
            model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        self._done(label, len(objects), started)
        return objects

    def rows(self, label: str, model: type[models.Model], names: list[str], rows: Iterable):
        """Insert tuples of values for the fields `names`: COPY on PostgreSQL, else bulk_create.

        The audit stamps (created_at, updated_at) are added here, and the defaults of the other
        columns that cannot be null: COPY does not know Django's defaults.
        """
        started = time.monotonic()
        names = [*names, "created_at", "updated_at"]
        defaults = [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key and not f.null and f.attname not in names
        ]
        names += [f.attname for f in defaults]
        stamps = (self.now, self.now, *(f.get_default() for f in defaults))
        count = 0
        report_every = 250_000
        if connection.vendor == "postgresql":
            columns = ", ".join(
                connection.ops.quote_name(model._meta.get_field(n).column) for n in names
            )
            table = connection.ops.quote_name(model._meta.db_table)
            sql = f"COPY {table} ({columns}) FROM STDIN"
            with connection.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row((*row, *stamps))
                    count += 1
                    if count % report_every == 0:
                        self.progress(f"    {label}: {count:,} rows…")
        else:
            for batch in _batches(rows, BATCH_SIZE):
                model.objects.bulk_create(
                    [model(**dict(zip(names, (*row, *stamps), strict=True))) for row in batch]
                )
                count += len(batch)
                if count // report_every != (count - len(batch)) // report_every:
                    self.progress(f"    {label}: {count:,} rows…")
        self._done(label, count, started)
        return count


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2, 2))))


def _place_names(rng: random.Random, count: int) -> list[str]:
    names = [head + tail for head in PLACE_HEADS for tail in PLACE_TAILS if head != tail]
    rng.shuffle(names)
    # Past the list's size, places repeat with a district's number: still one name per group.
    return [
        names[i % len(names)] + (f"第{i // len(names) + 1}区" if i >= len(names) else "")
        for i in range(count)
    ]


def _subject(title: str) -> str:
    """What an essay calls a topic that has no subject of its own: its title, less the verb."""
    return title.removeprefix("学习贯彻").removeprefix("学习")


def _plan_topics(rng: random.Random, year: int, half: int) -> list[tuple[str, str, dict | None]]:
    """(title, subject, demo theme or None) of the six monthly topics of a plan, month by month."""
    months = range(1, 7) if half == 1 else range(7, 13)
    if year == 2020:
        themes = records.ESSAY_THEMES
        if half == 1:
            options = [
                (month, title, themes.get(key))
                for key, month, _f, title, _s in records.H1_STUDY_TOPICS
            ]
        else:
            options = [(month, title, None) for month, _f, title, _s, _r in records.H2_STUDY_TOPICS]
        chosen = [rng.choice([o for o in options if o[0] == month]) for month in months]
        return [
            (title, theme["subject"] if theme else _subject(title), theme)
            for _month, title, theme in chosen
        ]
    year_topics = TOPICS_BY_YEAR.get(year) or TOPICS_BY_YEAR[min(TOPICS_BY_YEAR)]
    topics = iter(year_topics[(half - 1) * 4 : half * 4])
    slots = set(rng.sample(range(6), 4))
    regular = iter(rng.sample(REGULAR_TOPICS, 2))
    return [(*next(topics if i in slots else regular), None) for i in range(6)]


@dataclass
class _Session:
    group_no: int
    term_id: int
    date: dt.date
    subject: str
    theme: dict | None
    host_no: int
    essay_due_on: dt.date | None
    id: int | None = None


def _session_days(rng: random.Random, start: dt.date, end: dt.date, count: int) -> list[dt.date]:
    """`count` distinct days spread over the term, one in each equal slice of it."""
    span = (end - start).days + 1
    return [
        start + dt.timedelta(days=(span * i) // count + rng.randrange(max(1, span // count)))
        for i in range(count)
    ]


def _essay_body(rng: random.Random, subject: str, theme: dict | None, work: str) -> str:
    points = theme["points"] if theme else [p.format(subject=subject) for p in GENERAL_POINTS]
    first, second, third = rng.sample(points, 3)
    return "\n".join(
        [
            rng.choice(records.OPENINGS).format(subject=subject) + "学习中，我有三点体会。",
            f"一是{first}",
            f"二是{second}",
            f"三是{third}",
            rng.choice(records.ACTIONS).format(work=work),
            rng.choice(records.CLOSINGS),
        ]
    )


@dataclass
class _Bulk:
    """What the stages of one bulk_seed share: the sizes, and the keys of what is written so far.

    Groups and members are keyed by number (g, m), terms by (g, year, half).
    """

    size: BulkSize
    seed: int
    write: _Writer
    people: dict[tuple[int, int], str] = field(default_factory=dict)
    user_ids: dict[tuple[int, int], int] = field(default_factory=dict)
    group_ids: dict[int, int] = field(default_factory=dict)
    member_ids: dict[tuple[int, int], int] = field(default_factory=dict)
    terms: dict[tuple[int, int, int], Term] = field(default_factory=dict)
    # (g, year, half, month) -> (topic, subject, theme) of the plan's study topic for the month.
    planned: dict[tuple, tuple] = field(default_factory=dict)
    # (g, year, half) -> (research topic, assignee member numbers, the work it is about).
    research: dict[tuple[int, int, int], tuple] = field(default_factory=dict)
    sessions: list[_Session] = field(default_factory=list)

    def secretary(self, g: int) -> int:
        """The user id that the group's records are stamped with."""
        return self.user_ids[g, 3]


def _write_people(b: _Bulk) -> None:
    """Users, groups, members and terms."""
    rng = _rng(b.seed, "people")
    started = time.monotonic()
    # One PBKDF2 hash for all users, as hashing 15,000 times would take most of an hour.
    password = make_password(BULK_PASSWORD)
    b.write.timed("password hash (one for all users)", started)
    User = get_user_model()
    users = []
    for g in range(1, b.size.groups + 1):
        for m in range(1, b.size.members + 1):
            name = _name(rng)
            b.people[g, m] = name
            users.append(
                User(
                    username=bulk_username(g, m),
                    last_name=name[0],
                    first_name=name[1:],
                    password=password,
                )
            )
    b.write.objects("users", users)
    b.user_ids = {key: u.pk for key, u in zip(b.people, users, strict=True)}

    places = _place_names(rng, b.size.groups)
    groups = [
        StudyGroup(
            name=f"{place}县党委理论学习中心组",
            organisation=f"{place}县委",
            slug=bulk_slug(g),
            created_by_id=b.secretary(g),
            updated_by_id=b.secretary(g),
        )
        for g, place in enumerate(places, start=1)
    ]
    b.write.objects("groups", groups)
    b.group_ids = {g: group.pk for g, group in enumerate(groups, start=1)}

    terms_wanted = bulk_terms(b.size.terms)
    first_start = dt.date(terms_wanted[0][0], 1 if terms_wanted[0][1] == 1 else 7, 1)
    members = []
    for (g, m), name in b.people.items():
        position = {1: LEADER_POSITION, 2: DEPUTY_POSITION, 3: SECRETARY_POSITION}.get(m)
        if position is None:
            position = POSITIONS[m - 4] if m - 4 < len(POSITIONS) else OTHER_POSITION
        members.append(
            Member(
                group_id=b.group_ids[g],
                user_id=b.user_ids[g, m],
                display_name=name,
                role=bulk_role(m),
                position=position,
                joined_on=first_start - dt.timedelta(days=rng.randint(1, 400)),
                sort_order=m * 10,
                created_by_id=b.secretary(g),
                updated_by_id=b.secretary(g),
            )
        )
    b.write.objects("members", members)
    b.member_ids = {key: member.pk for key, member in zip(b.people, members, strict=True)}

    for g in range(1, b.size.groups + 1):
        for year, half in terms_wanted:
            b.terms[g, year, half] = Term(
                group_id=b.group_ids[g],
                year=year,
                half=half,
                start_date=dt.date(year, 1, 1) if half == 1 else dt.date(year, 7, 1),
                end_date=dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31),
                created_by_id=b.secretary(g),
                updated_by_id=b.secretary(g),
            )
    b.write.objects("terms", list(b.terms.values()))


def _write_plans(b: _Bulk) -> None:
    """A plan per term, approved by the leader before it starts: six monthly study topics and a
    research topic for two members."""
    rng = _rng(b.seed, "plans")
    plans = {}
    for (g, year, half), term in b.terms.items():
        plans[g, year, half] = StudyPlan(
            group_id=b.group_ids[g],
            term_id=term.pk,
            status=StudyPlan.Status.APPROVED,
            notes=f"经县委常委会研究，{term.start_date.year - (half == 1)}年"
            f"{12 if half == 1 else 6}月印发。",
            approved_at=aware(term.start_date - dt.timedelta(days=rng.randint(2, 10)), "17:00"),
            approved_by_id=b.member_ids[g, 1],
            created_by_id=b.secretary(g),
            updated_by_id=b.secretary(g),
        )
    b.write.objects("study plans", list(plans.values()))
    topics = []
    for (g, year, half), plan in plans.items():
        term = b.terms[g, year, half]
        for month_index, (title, subject, theme) in enumerate(_plan_topics(rng, year, half)):
            month = term.start_date.month + month_index
            topic = PlannedTopic(
                plan_id=plan.pk,
                kind=PlannedTopic.Kind.STUDY,
                title=title,
                planned_month=month,
                format=rng.choice(SessionFormat.values),
                lead_speaker=b.people[g, rng.choice((1, 1, 2))],
                sort_order=month_index,
                created_by_id=b.secretary(g),
                updated_by_id=b.secretary(g),
            )
            topics.append(topic)
            b.planned[g, year, half, month] = (topic, subject, theme)
        work = rng.choice(WORKS[1:])
        assignees = rng.sample(range(1, b.size.members + 1), 2)
        topic = PlannedTopic(
            plan_id=plan.pk,
            kind=PlannedTopic.Kind.RESEARCH,
            title=rng.choice(RESEARCH_TITLES).format(work=work),
            due_date=term.end_date - dt.timedelta(days=rng.randint(10, 40)),
            completed_on=term.end_date - dt.timedelta(days=rng.randint(0, 9)),
            sort_order=0,
            created_by_id=b.secretary(g),
            updated_by_id=b.secretary(g),
        )
        topics.append(topic)
        b.research[g, year, half] = (topic, assignees, work)
    b.write.objects("planned topics", topics)
    Through = PlannedTopic.assignees.through
    b.write.objects(
        "research assignees",
        [
            Through(plannedtopic_id=topic.pk, member_id=b.member_ids[g, m])
            for (g, _y, _h), (topic, assignees, _w) in b.research.items()
            for m in assignees
        ],
    )


def _write_sessions(b: _Bulk) -> None:
    """The first session of each month covers that month's planned topic; the rest are the
    group's regular business. Every third asks for essays, due two weeks later."""
    rng = _rng(b.seed, "sessions")
    rows = []
    for (g, year, half), term in b.terms.items():
        months = range(term.start_date.month, term.end_date.month + 1)
        plan_titles = {b.planned[g, year, half, month][0].title for month in months}
        regular = [t for t in REGULAR_TOPICS if t[0] not in plan_titles]
        days = _session_days(rng, term.start_date, term.end_date, b.size.sessions)
        rng.shuffle(regular)
        covered, unplanned = set(), 0
        for index, day in enumerate(days):
            plan_entry = b.planned.get((g, year, half, day.month))
            if plan_entry and day.month not in covered:
                covered.add(day.month)
                topic, subject, theme = plan_entry
                title, topic_id, fmt = topic.title, topic.pk, topic.format
            else:
                title, subject = regular[unplanned % len(regular)]
                unplanned += 1
                theme, topic_id, fmt = None, None, SessionFormat.TOPIC_STUDY
            host_no = rng.choice((1, 1, 1, 2))
            start, end = rng.choice(HOURS)
            due = day + dt.timedelta(days=14) if index % ESSAY_EVERY == 0 else None
            chosen = rng.sample(range(1, b.size.members + 1), 3)
            speakers = "、".join(b.people[g, m] for m in sorted(chosen))
            b.sessions.append(_Session(g, term.pk, day, subject, theme, host_no, due))
            rows.append(
                (
                    b.group_ids[g],
                    term.pk,
                    day,
                    clock_time(start),
                    clock_time(end),
                    rng.choice(PLACES),
                    fmt,
                    title,
                    topic_id,
                    b.member_ids[g, host_no],
                    f"{b.people[g, host_no]}领学；{speakers}交流发言",
                    rng.choice(MINUTES).format(subject=subject, host=b.people[g, host_no]),
                    aware(day - dt.timedelta(days=rng.randint(2, 5)), "10:00"),
                    due,
                    b.secretary(g),
                    b.secretary(g),
                )
            )
    b.write.rows(
        "study sessions",
        StudySession,
        [
            "group_id",
            "term_id",
            "date",
            "start_time",
            "end_time",
            "place",
            "format",
            "topic",
            "planned_topic_id",
            "host_id",
            "speakers",
            "minutes",
            "notified_at",
            "essay_due_on",
            "created_by_id",
            "updated_by_id",
        ],
        rows,
    )
    # COPY gives no ids back; a group's sessions fall on distinct days, which find them.
    ids = {
        (group_id, day): pk
        for pk, group_id, day in StudySession.objects.filter(
            group_id__in=b.group_ids.values()
        ).values_list("pk", "group_id", "date")
    }
    for session in b.sessions:
        session.id = ids[b.group_ids[session.group_no], session.date]


def _write_attendance(b: _Bulk) -> None:
    """Each member has their own habit (leaders are called away more often); the host and the
    secretary, who keeps the record, are always there."""
    rng = _rng(b.seed, "attendance")
    habit = {key: rng.uniform(0.90, 0.99) - (0.03 if key[1] <= 2 else 0.0) for key in b.member_ids}
    present, late = Attendance.Status.PRESENT, Attendance.Status.LATE

    def rows():
        for session in b.sessions:
            g = session.group_no
            for m in range(1, b.size.members + 1):
                roll = rng.random()
                keep = habit[g, m]
                if roll < keep or m == 3 or m == session.host_no:
                    status, reason, makeup_on, note = present, "", None, ""
                elif roll < keep + 0.015:
                    status, reason, makeup_on, note = late, "", None, ""
                else:
                    if rng.random() < 0.9:
                        status, reason = Attendance.Status.LEAVE, rng.choice(LEAVE_REASONS)
                    else:
                        status, reason = Attendance.Status.ABSENT, ""
                    makeup_on, note = None, ""
                    if rng.random() < 0.75:
                        makeup_on = session.date + dt.timedelta(days=rng.randint(2, 9))
                        note = rng.choice(records.MAKEUP_NOTES)
                yield (
                    session.id,
                    b.member_ids[g, m],
                    status,
                    reason,
                    makeup_on,
                    note,
                    b.secretary(g),
                    b.secretary(g),
                )

    b.write.rows(
        "attendance",
        Attendance,
        [
            "session_id",
            "member_id",
            "status",
            "leave_reason",
            "makeup_on",
            "makeup_note",
            "created_by_id",
            "updated_by_id",
        ],
        rows(),
    )


def _write_essays(b: _Bulk) -> None:
    """Reflections after the sessions that ask for them, and a research report per term."""
    rng = _rng(b.seed, "essays")
    last_start = max(t.start_date for t in b.terms.values())
    writers = [m for m in range(1, b.size.members + 1) if m != 3]
    works = {m: WORKS[(m - 1) % len(WORKS)] for m in writers}
    per_session = max(1, round(len(writers) * ESSAY_SHARE))
    Status = ReflectionEssay.Status

    def review(g: int, submitted: dt.datetime, current: bool):
        """(status, comment, reviewed_at, reviewed_by_id); some of the newest term's wait."""
        if current and rng.random() < 0.4:
            return Status.SUBMITTED, "", None, None
        returned = rng.random() < 0.04
        return (
            Status.RETURNED if returned else Status.ACCEPTED,
            records.RETURN_COMMENT if returned else "",
            submitted + dt.timedelta(days=rng.randint(1, 4), hours=2),
            b.member_ids[g, 3],
        )

    def rows():
        for session in b.sessions:
            if session.essay_due_on is None:
                continue
            g = session.group_no
            theme, subject = session.theme, session.subject
            titles = theme["titles"] if theme else [t.format(subject=subject) for t in ESSAY_TITLES]
            current = session.date >= last_start
            for position, m in enumerate(sorted(rng.sample(writers, per_session))):
                title = titles[position % len(titles)]
                if position >= len(titles):
                    title = f"{title}——结合{works[m]}的思考"
                day = session.essay_due_on - dt.timedelta(days=rng.randint(-2, 10))
                submitted = aware(day, f"{rng.randint(8, 21)}:{rng.choice(['05', '20', '40'])}")
                body = _essay_body(rng, subject, theme, works[m])
                status, comment, reviewed_at, reviewer = review(g, submitted, current)
                yield (
                    b.group_ids[g],
                    b.member_ids[g, m],
                    ReflectionEssay.Kind.REFLECTION,
                    session.id,
                    None,
                    title[:300],
                    body,
                    count_words(body),
                    count_characters(body),
                    submitted,
                    status,
                    comment,
                    reviewed_at,
                    reviewer,
                    b.user_ids[g, m],
                    b.secretary(g) if reviewer else b.user_ids[g, m],
                )
        for (g, _year, _half), (topic, assignees, work) in b.research.items():
            m = assignees[0]
            body = _research_body(rng, work)
            submitted = aware(topic.completed_on, "16:30")
            yield (
                b.group_ids[g],
                b.member_ids[g, m],
                ReflectionEssay.Kind.RESEARCH_REPORT,
                None,
                topic.pk,
                f"{topic.title}报告",
                body,
                count_words(body),
                count_characters(body),
                submitted,
                Status.ACCEPTED,
                "",
                submitted + dt.timedelta(days=2),
                b.member_ids[g, 3],
                b.user_ids[g, m],
                b.secretary(g),
            )

    b.write.rows(
        "essays",
        ReflectionEssay,
        [
            "group_id",
            "author_id",
            "kind",
            "session_id",
            "planned_topic_id",
            "title",
            "body",
            "word_count",
            "char_count",
            "submitted_at",
            "status",
            "review_comment",
            "reviewed_at",
            "reviewed_by_id",
            "created_by_id",
            "updated_by_id",
        ],
        rows(),
    )


def _check_and_analyze(write: _Writer) -> None:
    # PostgreSQL checks Django's foreign keys (deferred) at commit; checking them here instead
    # shows what they cost, and checks them in tests too, which never commit.
    started = time.monotonic()
    connection.check_constraints()
    write.timed("foreign key checks", started)
    if connection.vendor == "postgresql":
        # Fresh statistics, so that the first queries after the load (a benchmark's) are
        # planned for millions of rows rather than for the empty tables autovacuum last saw.
        started = time.monotonic()
        with connection.cursor() as cursor:
            tables = [
                model._meta.db_table
                for model in (
                    get_user_model(),
                    StudyGroup,
                    Member,
                    Term,
                    StudyPlan,
                    PlannedTopic,
                    StudySession,
                    Attendance,
                    ReflectionEssay,
                )
            ]
            tables.append(PlannedTopic.assignees.through._meta.db_table)
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        write.timed("analyze", started)


@transaction.atomic
def bulk_seed(
    *,
    size: BulkSize = BulkSize(),
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] = lambda message: None,
) -> BulkSeedResult:
    """Create `size.groups` county study groups with their users, terms, plans, sessions,
    attendance and essays, in one transaction.

    Refuses (created=False, nothing written) when any bulk group or bulk user exists. Raises
    ValueError for sizes outside BulkSize's limits. The same seed and size give the same records.
    """
    if problems := size.errors():
        raise ValueError(" ".join(problems))
    existing_groups, existing_users = bulk_groups().count(), bulk_users().count()
    if existing_groups or existing_users:
        return BulkSeedResult(
            created=False, existing_groups=existing_groups, existing_users=existing_users
        )
    result = BulkSeedResult(created=True)
    bulk = _Bulk(size=size, seed=seed, write=_Writer(progress, result))
    _write_people(bulk)
    _write_plans(bulk)
    _write_sessions(bulk)
    _write_attendance(bulk)
    _write_essays(bulk)
    _check_and_analyze(bulk.write)
    return result


@transaction.atomic
def bulk_reset(*, progress: Callable[[str], None] = lambda message: None) -> tuple[int, int]:
    """Delete the bulk groups (slug bulk-0001…) with all their records, and the bulk users.

    Only those: other groups and users are untouched. The big tables are emptied first with
    plain deletes, so that Django's cascade does not load millions of rows. Returns the numbers
    of groups and users deleted.
    """
    groups = bulk_groups()
    for label, queryset in [
        ("essays", ReflectionEssay.objects.filter(group__in=groups)),
        ("attendance", Attendance.objects.filter(session__group__in=groups)),
    ]:
        started = time.monotonic()
        deleted, _by_model = queryset.delete()
        progress(f"  deleted {deleted:,} {label} in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    group_count = groups.count()
    StudySession.objects.filter(group__in=groups).delete()
    groups.delete()
    _count, by_model = bulk_users().delete()
    user_count = by_model.get(get_user_model()._meta.label, 0)
    progress(
        f"  deleted {group_count:,} groups and {user_count:,} users "
        f"in {time.monotonic() - started:.1f} s"
    )
    return group_count, user_count
