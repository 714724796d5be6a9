"""The data set of item 10 (the essays' originality check): 100,000 indexed essays of realistic
Chinese, made once in the benchmark's database and kept for the next runs.

seed_bulk's essays are not used: they are assembled from a few dozen template sentences, so any
two on the same topic share most of their shingles, as copies do; a check among them measures a
site where everyone copies. These essays are drawn word by word from a vocabulary cut from the
demo's Chinese texts, weighted as words are in real text (Zipf), so two essays share the stock
phrases and short runs real ones share and nothing longer. Their band keys are computed with the
check's own helpers (audit.originality.shingles.band_keys) and bulk-inserted (COPY on
PostgreSQL), which takes minutes where submitting them one by one would take an hour.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import time
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = "bench-originality"
ESSAYS = 100_000
AUTHORS = 30
#: Essays a session has, about: 30 members, every one writing.
ESSAYS_PER_SESSION = 30
BATCH = 2_000
#: Characters of an essay, about: a typical 心得体会 is 600 to 1,500.
ESSAY_CHARS = (600, 1_000)


#: The vocabulary's Zipf exponent: with it two of these essays share about as many shingles
#: as two real essays on one speech do (Jaccard about 0.01; benchmarks/shingle_size.py).
ZIPF = 0.8


@cache
def vocabulary() -> tuple[tuple[str, ...], list[float]]:
    """Words (2 to 4 Chinese characters) cut from the demo's texts and the interface's Chinese
    (locale/), and cumulative Zipf weights for them in a shuffled (seeded) order."""
    paths = [*sorted((ROOT / "demo").glob("*.py")), ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"]
    text = "".join(path.read_text(encoding="utf-8") for path in paths)
    rng = random.Random(16)
    words: set[str] = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        i = 0
        while i < len(run) - 1:
            size = rng.choice((2, 2, 3, 4))
            words.add(run[i : i + size])
            i += size
    ordered = sorted(words)
    rng.shuffle(ordered)
    return tuple(ordered), list(
        itertools.accumulate(1 / (rank + 1) ** ZIPF for rank in range(len(ordered)))
    )


def essay_text(seed: int) -> str:
    """One essay of about ESSAY_CHARS characters: paragraphs of sentences of clauses of words."""
    rng = random.Random(seed)
    words, weights = vocabulary()
    target = rng.randint(*ESSAY_CHARS)
    paragraphs, length = [], 0
    while length < target:
        sentences = []
        for _ in range(rng.randint(2, 5)):
            clauses = [
                "".join(rng.choices(words, cum_weights=weights, k=rng.randint(2, 5)))
                for _ in range(rng.randint(2, 4))
            ]
            sentences.append("，".join(clauses) + "。")
        paragraph = "".join(sentences)
        paragraphs.append(paragraph)
        length += len(paragraph)
    return "\n".join(paragraphs)


def copy_of(text: str, seed: int, *, changed: float = 0.1) -> str:
    """text as a member copies it: about `changed` of its clauses replaced by new ones."""
    rng = random.Random(seed)
    words, weights = vocabulary()
    clauses = re.split(r"(?<=[，。])", text)
    return "".join(
        "".join(rng.choices(words, cum_weights=weights, k=3)) + clause[-1:]
        if clause and rng.random() < changed
        else clause
        for clause in clauses
    )


def ensure(log=print):
    """The benchmark group with ESSAYS indexed essays (made once): returns (group, session,
    authors). Users, members, a term and one session through the factories; essays and band
    keys bulk-inserted, without history rows (bench data, not records)."""
    from django.db import connection, transaction

    from audit.models import OriginalityBand
    from audit.originality.shingles import band_keys, shingles
    from sessions_app.models import Member, ReflectionEssay, StudyGroup, StudySession
    from tests.factories import (
        MemberFactory,
        StudyGroupFactory,
        StudySessionFactory,
        TermFactory,
        UserFactory,
    )

    group = StudyGroup.objects.filter(slug=SLUG).first()
    if group is None:
        from django.contrib.auth import get_user_model
        from django.db.models import Max

        with transaction.atomic():
            top = get_user_model().objects.aggregate(top=Max("id"))["top"] or 0
            UserFactory.reset_sequence(top + 5000)
            group = StudyGroupFactory(slug=SLUG, name="基准测试查重理论学习中心组")
            term = TermFactory(group=group, year=2020, half=1)
            StudySessionFactory(group=group, term=term, topic="基准测试查重专题")
            for _ in range(AUTHORS):
                MemberFactory(group=group, role=Member.Role.MEMBER)
    session = StudySession.objects.filter(group=group).order_by("pk").first()
    authors = list(Member.objects.filter(group=group).order_by("pk"))
    have = ReflectionEssay.objects.filter(group=group).count()
    if have >= ESSAYS:
        _spread_over_sessions(group, log)
        return group, session, authors
    log(f"Item 10: making {ESSAYS - have} indexed essays (once; kept for the next runs)")
    started = time.monotonic()
    submitted = dt.datetime(2020, 3, 20, 10, 0, tzinfo=dt.UTC)
    for first in range(have, ESSAYS, BATCH):
        numbers = range(first, min(first + BATCH, ESSAYS))
        bodies = [essay_text(n) for n in numbers]
        with transaction.atomic():
            essays = ReflectionEssay.objects.bulk_create(
                ReflectionEssay(
                    group=group,
                    author=authors[n % len(authors)],
                    session=session,
                    kind=ReflectionEssay.Kind.REFLECTION,
                    title=f"学习心得{n}",
                    body=body,
                    word_count=len(body),
                    char_count=len(body),
                    submitted_at=submitted,
                    status=ReflectionEssay.Status.SUBMITTED,
                )
                for n, body in zip(numbers, bodies, strict=True)
            )
            rows = [
                (essay.pk, key)
                for essay, body in zip(essays, bodies, strict=True)
                for key in band_keys(shingles(body))
            ]
            if connection.vendor == "postgresql":
                table = OriginalityBand._meta.db_table
                sql = f"COPY {table} (essay_id, key) FROM STDIN"
                with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                OriginalityBand.objects.bulk_create(
                    (OriginalityBand(essay_id=pk, key=key) for pk, key in rows), batch_size=5000
                )
        done = numbers[-1] + 1
        if done % 10_000 == 0 or done == ESSAYS:
            log(f"  {done} essays, {time.monotonic() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {OriginalityBand._meta.db_table}")
    _spread_over_sessions(group, log)
    return group, session, authors


def _spread_over_sessions(group, log) -> None:
    """Give the essays ESSAYS_PER_SESSION to a session, as a group's are (a session's essays
    and 发言提纲 are read by every check): sessions made in bulk, essays moved in one UPDATE
    (PostgreSQL)."""
    from django.db import connection, transaction

    from sessions_app.models import ReflectionEssay, StudySession

    wanted = ESSAYS // ESSAYS_PER_SESSION
    first = StudySession.objects.filter(group=group).order_by("pk").first()
    have = StudySession.objects.filter(group=group).count()
    if have >= wanted or connection.vendor != "postgresql":
        return
    log(f"Item 10: spreading the essays over {wanted} sessions (once)")
    with transaction.atomic():
        StudySession.objects.bulk_create(
            StudySession(
                group=group, term=first.term, date=first.date, topic=f"基准测试查重专题{n}"
            )
            for n in range(have, wanted)
        )
        essays = ReflectionEssay._meta.db_table
        ids = list(
            StudySession.objects.filter(group=group).order_by("pk").values_list("pk", flat=True)
        )
        with connection.cursor() as cursor:
            # One pass: each essay's session picked from the array by its id.
            cursor.execute(
                f"UPDATE {essays} SET session_id = (%s::bigint[])[(id %% %s) + 1] "
                "WHERE group_id = %s",
                [ids, len(ids), group.pk],
            )
            cursor.execute(f"ANALYZE {essays}")
