"""Writes of the originality check: the index of band keys, each essay's check and its matches.

An essay is checked when it is submitted and whenever its text changes
(sessions_app.services.essays queues audit.tasks.essay_originality_check_task after commit):

1. its text is cut into shingles (audit.originality.shingles) and its LSH band keys computed;
2. the texts it may quote without copying from a colleague are gathered: its session's
   materials (their text read once and kept in MaterialText), the session's minutes, and the
   session's 发言提纲 (essays of kind OUTLINE_KIND); their shingles are set apart;
3. one query finds every other essay (of any group, any term) sharing a band key, most keys
   first, at most MAX_CANDIDATES; each is verified by the exact share of the essay's own
   shingles (quotations aside) it holds;
4. the essay's band keys replace its old ones, and its check (OriginalityCheck) and matches of at
   least ORIGINALITY_FLOOR percent (OriginalityMatch) replace the last check's.

Whether a match passes the group's threshold is decided when it is read
(audit.models.reaches_threshold), so a new threshold applies at once to every essay. Nothing is
rejected: the secretary sees the flag and decides.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from audit.models import (
    MaterialText,
    OriginalityBand,
    OriginalityCheck,
    OriginalityMatch,
    passes_threshold,
)
from audit.originality.shingles import band_keys, overlap, shingles
from intake.materials import material_text
from intake.names import file_extension
from sessions_app.models import ORIGINALITY_FLOOR, ReflectionEssay, SessionMaterial

logger = logging.getLogger(__name__)

#: The kind of a 发言提纲 (the speaking outline of a notice's key speaker). A session's outlines
#: are its speakers' texts, which members quote as they quote materials.
OUTLINE_KIND = ReflectionEssay.Kind.OUTLINE
#: The candidates verified per check: those sharing most band keys (a copy shares many; an essay
#: that only shares a band of stock phrases shares one). Bounds the work, which is mostly
#: verifying: a band of stock phrases can be shared by hundreds of essays.
MAX_CANDIDATES = 50


def text_hash(text: str) -> str:
    """The SHA-256 (hex) of an essay's text, as a check records what it checked."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Source:
    """A text of the session that members may quote: kind is "material", "minutes" or
    "outline"; title names it (a material's title, an outline's title)."""

    kind: str
    title: str
    text: str


def session_sources(
    *, essay: ReflectionEssay, materials: list[SessionMaterial], outlines: list[ReflectionEssay]
) -> list[Source]:
    """The texts of essay's session that count as quotation, from loaded rows: materials with
    readable text (their originality_text), the minutes, and outlines other than essay."""
    sources = [
        Source("material", m.title, m.originality_text.text)
        for m in materials
        if _read_text(m) is not None and m.originality_text.readable
    ]
    if essay.session is not None and essay.session.minutes.strip():
        sources.append(Source("minutes", essay.session.topic, essay.session.minutes))
    sources += [Source("outline", o.title, o.body) for o in outlines if o.pk != essay.pk]
    return sources


def _read_text(material: SessionMaterial) -> MaterialText | None:
    """The material's kept text if it is of its current file, else None."""
    try:
        kept = material.originality_text
    except MaterialText.DoesNotExist:
        return None
    return kept if kept.file_name == material.file.name else None


def _material_text_refresh(material: SessionMaterial) -> MaterialText:
    """Read the material's file (intake.materials.material_text) and keep its text.

    A file that cannot be opened or read, or that has no text, is kept as unreadable: the check
    goes on without it and the page says so.
    """
    text, readable = "", False
    try:
        with material.file.open("rb") as handle:
            content = handle.read()
        read = material_text(content, extension=file_extension(material.file.name))
        if read is not None and read.strip():
            text, readable = read, True
    except (OSError, ValidationError) as exc:
        logger.warning("Material %s has no readable text: %s", material.pk, exc)
    kept, _created = MaterialText.objects.update_or_create(
        material=material,
        defaults={"file_name": material.file.name, "text": text, "readable": readable},
    )
    material.originality_text = kept
    return kept


def _load_sources(essay: ReflectionEssay) -> tuple[list[Source], int]:
    """The essay's session's quotable texts (reading materials not read yet) and how many of
    its materials have no readable text. Two queries, plus two for each material read."""
    if essay.session_id is None:
        return [], 0
    materials = list(
        SessionMaterial.objects.filter(session_id=essay.session_id).select_related(
            "originality_text"
        )
    )
    for material in materials:
        if _read_text(material) is None:
            _material_text_refresh(material)
    outlines = list(
        ReflectionEssay.objects.filter(session_id=essay.session_id, kind=OUTLINE_KIND).only(
            "id", "title", "body"
        )
    )
    unread = sum(1 for m in materials if not m.originality_text.readable)
    return session_sources(essay=essay, materials=materials, outlines=outlines), unread


@transaction.atomic
def essay_originality_check(*, essay_id: int) -> OriginalityCheck | None:
    """Check one essay against every other essay and its session's texts (see the module
    docstring), index it, and keep the result; None when the essay no longer exists.

    A fixed number of queries whatever the number of essays indexed (one finds the candidates
    on the index of band keys), plus two for each material read for the first time.
    """
    essay = ReflectionEssay.objects.select_related("session").filter(pk=essay_id).first()
    if essay is None:
        return None
    essay_shingles = shingles(essay.body)
    keys = band_keys(essay_shingles)
    sources, unread = _load_sources(essay)
    material = frozenset().union(*(shingles(source.text) for source in sources))

    candidate_ids = []
    if keys:
        candidate_ids = [
            row["essay_id"]
            for row in OriginalityBand.objects.filter(key__in=keys)
            .exclude(essay_id=essay.pk)
            .values("essay_id")
            .annotate(hits=Count("id"))
            .order_by("-hits", "essay_id")[:MAX_CANDIDATES]
        ]
    matches: list[tuple[int, int]] = []
    own = len(essay_shingles - material)
    if candidate_ids:
        for other in ReflectionEssay.objects.filter(pk__in=candidate_ids).only("id", "body"):
            found = overlap(essay_shingles, shingles(other.body), material)
            if passes_threshold(shared=found.shared, own=found.own, threshold=ORIGINALITY_FLOOR):
                matches.append((other.pk, found.shared))

    OriginalityBand.objects.filter(essay_id=essay.pk).delete()
    OriginalityBand.objects.bulk_create(OriginalityBand(essay_id=essay.pk, key=k) for k in keys)
    check, _created = OriginalityCheck.objects.update_or_create(
        essay=essay,
        defaults={
            "text_hash": text_hash(essay.body),
            "checked_at": timezone.now(),
            "shingle_count": len(essay_shingles),
            "material_count": len(essay_shingles & material),
            "own_count": own,
            "top_shared": max((shared for _pk, shared in matches), default=0),
            "unread_materials": unread,
        },
    )
    OriginalityMatch.objects.filter(originality_check=check).delete()
    OriginalityMatch.objects.bulk_create(
        OriginalityMatch(originality_check=check, other_id=pk, shared=shared)
        for pk, shared in matches
    )
    return check


def essay_originality_check_queue(*, essay: ReflectionEssay) -> None:
    """Queue essay's check for when the current transaction commits (at once outside one).

    The essay service queues it at every submission and change of text; the review page queues
    it for an essay whose current text has no check (one submitted before the check existed,
    or written by an import or a seed), so the secretary never waits on a check nobody asked.
    """
    from audit.tasks import essay_originality_check_task

    essay_id = essay.pk
    transaction.on_commit(lambda: essay_originality_check_task.delay(essay_id))


def originality_reindex(
    *, batch_size: int = 500, recheck: bool = False, progress: Callable[[int], None] | None = None
) -> int:
    """Rebuild the index of band keys from every essay's current text; with recheck, then check
    every essay again (needed after SHINGLE_SIZE, NUM_PERM or the LSH settings change, or to
    bring old checks up to date). Returns the number of essays indexed.

    The index is emptied first and filled in batches of batch_size essays, one transaction each:
    a check made meanwhile finds only the essays indexed so far. progress, if given, is called
    with the running count after each batch.
    """
    OriginalityBand.objects.all().delete()
    done, last_pk = 0, 0
    while True:
        batch = list(
            ReflectionEssay.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .only("id", "body")[:batch_size]
        )
        if not batch:
            break
        with transaction.atomic():
            OriginalityBand.objects.bulk_create(
                (
                    OriginalityBand(essay_id=essay.pk, key=key)
                    for essay in batch
                    for key in band_keys(shingles(essay.body))
                ),
                batch_size=5000,
            )
        last_pk = batch[-1].pk
        done += len(batch)
        if progress is not None:
            progress(done)
    if recheck:
        for essay_id in ReflectionEssay.objects.order_by("pk").values_list("pk", flat=True):
            essay_originality_check(essay_id=essay_id)
    return done
