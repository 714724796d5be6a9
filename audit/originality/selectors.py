"""Reads of the originality check: what the essay review page and the essay list show.

The check itself is audit.originality.services; whether an overlap passes the group's threshold
is decided here, at reading time, by audit.models.reaches_threshold, so a threshold the group
changes applies at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper

from audit.models import OriginalityCheck, OriginalityMatch, reaches_threshold
from audit.originality.services import (
    OUTLINE_KIND,
    Source,
    session_sources,
    text_hash,
)
from audit.originality.shingles import marked_spans, segments, shingles
from sessions_app.models import Member, ReflectionEssay, SessionMaterial
from sessions_app.selectors.essays import essay_readable_by

#: The most matches the review page shows side by side (the strongest first).
MATCHES_SHOWN = 10

#: Kinds of marked text on the page: copied from the other essay, quoted from the session.
COPY, QUOTE = "copy", "quote"


@dataclass(frozen=True)
class Match:
    """Another essay sharing the checked essay's own text.

    visible: the viewer may read the other essay (essay_readable_by); when not, title,
    author_name and theirs are empty: only the group's name and the date are shown.
    percent: shared shingles as a percentage of the checked essay's own; passing: it reaches
    the group's threshold. mine and theirs: each text as (piece, kind) with kind COPY for what
    they share, QUOTE for quotations of the session's texts, "" otherwise.
    """

    visible: bool
    same_group: bool
    group_name: str
    submitted_at: dt.datetime
    later: bool
    percent: float
    passing: bool
    essay_id: int | None = None
    title: str = ""
    author_name: str = ""
    mine: list[tuple[str, str]] = field(default_factory=list)
    theirs: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class SharedBy:
    """A later essay whose own check found this essay's text in it (percent of that essay)."""

    visible: bool
    group_name: str
    submitted_at: dt.datetime
    percent: float
    passing: bool
    essay_id: int | None = None
    title: str = ""
    author_name: str = ""


@dataclass(frozen=True)
class OriginalityReport:
    """The originality of one essay as its reviewer sees it.

    checked: False while the essay's current text has not been checked yet (just submitted or
    revised); the other fields are then empty. threshold: the group's, in percent. flagged: a
    match passes it. material_percent: the share of the essay's shingles found in the session's
    materials, minutes and 发言提纲 (sources), shown apart: quoting is not copying.
    quoted: the essay's text with those quotations marked. unread_materials: materials whose
    text could not be read (scans, images), left out.
    """

    checked: bool
    threshold: int
    checked_at: dt.datetime | None = None
    flagged: bool = False
    material_percent: float = 0.0
    unread_materials: int = 0
    sources: list[Source] = field(default_factory=list)
    quoted: list[tuple[str, str]] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    shared_by: list[SharedBy] = field(default_factory=list)


def _passing(threshold: int, *, shared: str, own: str) -> ExpressionWrapper:
    return ExpressionWrapper(
        reaches_threshold(shared=shared, own=own, threshold=threshold),
        output_field=BooleanField(),
    )


def _sources(essay: ReflectionEssay) -> list[Source]:
    """The session's quotable texts as the check last read them: two queries (none without a
    session)."""
    if essay.session_id is None:
        return []
    materials = list(
        SessionMaterial.objects.filter(session_id=essay.session_id).select_related(
            "originality_text"
        )
    )
    outlines = list(
        ReflectionEssay.objects.filter(session_id=essay.session_id, kind=OUTLINE_KIND).only(
            "id", "title", "body"
        )
    )
    return session_sources(essay=essay, materials=materials, outlines=outlines)


def essay_originality_report(*, essay: ReflectionEssay, viewer: Member) -> OriginalityReport:
    """The essay's last check for viewer (its group's secretary or a leader): matches side by
    side, strongest first (at most MATCHES_SHOWN), quotations apart, and the later essays that
    share its text.

    essay must come with its session and group loaded (select_related). Another group's essay
    shows only its group's name and date, never its title, author or text. Five queries with a
    check (three without a session), one without, whatever the number of matches.
    """
    threshold = essay.group.originality_threshold
    check = OriginalityCheck.objects.filter(essay=essay).first()
    if check is None or check.text_hash != text_hash(essay.body):
        return OriginalityReport(checked=False, threshold=threshold)
    rows = list(
        check.matches.annotate(
            passing=_passing(threshold, shared="shared", own="originality_check__own_count")
        ).select_related("other__author", "other__group")[:MATCHES_SHOWN]
    )
    later = list(
        OriginalityMatch.objects.filter(other=essay)
        .exclude(originality_check__essay=essay)
        .annotate(passing=_passing(threshold, shared="shared", own="originality_check__own_count"))
        .select_related("originality_check__essay__author", "originality_check__essay__group")
        .order_by("-shared", "id")[:MATCHES_SHOWN]
    )
    sources = _sources(essay)

    mine = shingles(essay.body)
    material = frozenset().union(*(shingles(source.text) for source in sources))
    own = mine - material
    quote_spans = marked_spans(essay.body, mine & material)
    matches = []
    for row in rows:
        other = row.other
        theirs = shingles(other.body)
        shared = own & theirs
        visible = essay_readable_by(other, viewer)
        match = Match(
            visible=visible,
            same_group=other.group_id == essay.group_id,
            group_name=other.group.name,
            submitted_at=other.submitted_at,
            later=other.submitted_at > essay.submitted_at,
            percent=100 * row.shared / check.own_count if check.own_count else 0.0,
            passing=row.passing,
            mine=segments(essay.body, {COPY: marked_spans(essay.body, shared), QUOTE: quote_spans}),
        )
        if visible:
            match = Match(
                **{
                    **match.__dict__,
                    "essay_id": other.pk,
                    "title": other.title,
                    "author_name": other.author.display_name,
                    "theirs": segments(
                        other.body,
                        {
                            COPY: marked_spans(other.body, shared),
                            QUOTE: marked_spans(other.body, theirs & material),
                        },
                    ),
                }
            )
        matches.append(match)
    shared_by = []
    for row in later:
        other, own_count = row.originality_check.essay, row.originality_check.own_count
        visible = essay_readable_by(other, viewer)
        shared_by.append(
            SharedBy(
                visible=visible,
                group_name=other.group.name,
                submitted_at=other.submitted_at,
                percent=100 * row.shared / own_count if own_count else 0.0,
                passing=row.passing,
                essay_id=other.pk if visible else None,
                title=other.title if visible else "",
                author_name=other.author.display_name if visible else "",
            )
        )
    return OriginalityReport(
        checked=True,
        threshold=threshold,
        checked_at=check.checked_at,
        flagged=any(m.passing for m in matches),
        material_percent=(
            100 * check.material_count / check.shingle_count if check.shingle_count else 0.0
        ),
        unread_materials=check.unread_materials,
        sources=sources,
        quoted=segments(essay.body, {QUOTE: quote_spans}),
        matches=matches,
        shared_by=shared_by,
    )
