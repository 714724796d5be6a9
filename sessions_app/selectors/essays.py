"""Reads of reflection essays and research reports, scoped to who asks.

Members see their own essays; the secretary, leader and deputies see all of their group's.
Another group's essay is never found (404), nor is another member's essay for a member.
"""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from audit.models import essay_flagged
from sessions_app.models import (
    Member,
    PlannedTopic,
    ReflectionEssay,
    StudyGroup,
    StudySession,
    Term,
)

#: A page of the essay list: about a phone's screenful of cards, a screen of rows on a desktop.
ESSAYS_PER_PAGE = 20


def _visible_essays(*, member: Member) -> QuerySet[ReflectionEssay]:
    essays = ReflectionEssay.objects.filter(group_id=member.group_id)
    if not member.can_manage_records:
        essays = essays.filter(author=member)
    return essays


def essay_readable_by(essay: ReflectionEssay, member: Member) -> bool:
    """Whether member may read essay's text: the rule of _visible_essays for one essay in hand
    (their own; any of their group's for the secretary, leader and deputies)."""
    if essay.group_id != member.group_id:
        return False
    return member.can_manage_records or essay.author_id == member.pk


def essays_in_term(*, term: Term) -> Q:
    """Essays belonging to a term: through their session's term or their topic's plan's term.

    Usable on ReflectionEssay querysets (the dashboard and the half-year summary may reuse it).
    """
    return essays_in_terms(terms=[term])


def essays_in_terms(*, terms) -> Q:
    """Essays belonging to any of terms (a list or queryset of Terms), by essays_in_term's rule:
    the county table counts many groups' terms with it in one query."""
    # Subqueries on the terms' own sessions and topics, not joins: with an OR across two joins
    # PostgreSQL hashes every group's planned topics for each count (6 ms among 500 groups).
    # As arrays (sessions_app.lookups), so that the OR uses both columns' indexes.
    return Q(session__in_array=StudySession.objects.filter(term__in=terms).values("pk")) | Q(
        planned_topic__in_array=PlannedTopic.objects.filter(plan__term__in=terms).values("pk")
    )


# Named positively: a plain IN across a join, and a status or kind added later counts only by
# choice. A speaking outline (发言提纲, Kind.OUTLINE) is read and kept like an essay but is no
# essay: no figure, rule or list of essays owed counts it.
COUNTED_STATUSES = (ReflectionEssay.Status.SUBMITTED, ReflectionEssay.Status.ACCEPTED)
COUNTED_KINDS = (ReflectionEssay.Kind.REFLECTION, ReflectionEssay.Kind.RESEARCH_REPORT)


def essay_counts(prefix: str = "") -> Q:
    """Essays that count in any figure: every reflection essay and research report except one
    returned for revision (it counts again once resubmitted); never a speaking outline. prefix is
    the path to the essays from the queried model, e.g. "essays__" on StudySession."""
    return Q(**{f"{prefix}status__in": COUNTED_STATUSES, f"{prefix}kind__in": COUNTED_KINDS})


def outline_on_file(prefix: str = "") -> Q:
    """Speaking outlines (发言提纲) a key speaker has handed in: submitted or accepted, as for
    essays; one returned for revision is still missing. prefix as for essay_counts."""
    return Q(
        **{f"{prefix}kind": ReflectionEssay.Kind.OUTLINE, f"{prefix}status__in": COUNTED_STATUSES}
    )


def sessions_for_outlines(*, member: Member) -> QuerySet[StudySession]:
    """The sessions whose notice (notices.Notice) names member as a key speaker (中心发言人):
    the sessions they may hand a speaking outline in for, upcoming or held."""
    return StudySession.objects.filter(group_id=member.group_id, notice__key_speakers=member)


def asked_for_essay(member: Member, *, session: StudySession) -> bool:
    """Whether a session that asks for essays (essay_due_on; the caller's test) asked member:
    they were in the group on the session's day. The session page's record of who has not
    written one; it never changes when someone leaves later (records keep their past)."""
    return member.is_in_group_on(session.date)


def owes_essay(member: Member, *, session: StudySession, today: dt.date) -> bool:
    """Whether member still owes an essay they were asked for (asked_for_essay), unless they have
    written one that counts: only while they are in the group today, since a member who has
    left cannot submit any more. The dashboard's list of essays due."""
    return asked_for_essay(member, session=session) and member.is_in_group_on(today)


def essays_counted_in_terms(*, terms) -> Q:
    """essays_counted_in_term over several terms at once (see essays_in_terms)."""
    return essays_in_terms(terms=terms) & essay_counts()


def essays_counted_in_term(*, term: Term) -> Q:
    """The essays a term's figures count: tied to a session or topic of the term, not returned.

    The one rule for "counts towards the term": the dashboard, the session list and the
    half-year summary all count with it (or with essay_counts inside one session), so their
    numbers agree.
    """
    return essays_in_term(term=term) & essay_counts()


def essays_in_year(*, year: int, groups=None) -> Q:
    """Essays belonging to a year: those of either of its terms (essays_in_terms), whatever their
    review status. Usable on ReflectionEssay querysets. With groups (group ids: a list or a
    one-column queryset), only those groups' terms are searched: the same rule for their essays,
    since an essay's session and topic are its own group's (sessions_app.services.essays), and
    cheaper for a county than every group's year; the caller keeps to their essays."""
    terms = Term.objects.filter(year=year)
    if groups is not None:
        terms = terms.filter(group__in=groups)
    return essays_in_terms(terms=terms.values("pk"))


def essays_counted_in_year(*, year: int, groups=None) -> Q:
    """The essays a year counts for the group's yearly rule, by the same test as a term's: those
    of either of the year's terms (essays_in_year, groups as there) that count (essay_counts)."""
    return essays_in_year(year=year, groups=groups) & essay_counts()


def essays_written_in_year(*, group_id: int, year: int) -> dict[int, int]:
    """How many essays and research reports each member wrote that the year counts
    (essays_counted_in_year), as {member id: count}; members with none are absent. One query."""
    return dict(
        ReflectionEssay.objects.filter(essays_counted_in_year(year=year), group_id=group_id)
        .values("author_id")
        .annotate(n=Count("id"))
        .values_list("author_id", "n")
    )


def short_of_essay_rule(written: int, *, group: StudyGroup) -> bool:
    """Whether a member with `written` counted essays in a year falls short of the group's
    yearly rule (rule_essays_per_member_year; a rule of 0 asks for none): the dashboard's
    owing list and the archive's 缺项清单 both ask this."""
    return written < group.rule_essays_per_member_year


def essay_page_for_member(
    *,
    member: Member,
    term: Term | None = None,
    session: StudySession | None = None,
    status: str = "",
    page_number: int | str | None = 1,
    per_page: int = ESSAYS_PER_PAGE,
) -> Page:
    """One page of the essays the member may see, newest first, optionally filtered.

    Each essay comes with its author, session, topic and reviewer loaded (the body is deferred),
    so the page costs the same few queries however many essays it shows. For the secretary and
    leaders each also says whether the originality check flagged it (originality_flagged:
    another essay holds the group's threshold of its own text; audit.models.essay_flagged).
    """
    essays = _visible_essays(member=member)
    if term is not None:
        essays = essays.filter(essays_in_term(term=term))
    if session is not None:
        essays = essays.filter(session=session)
    if status:
        essays = essays.filter(status=status)
    essays = (
        essays.select_related("author", "session", "planned_topic", "reviewed_by")
        .defer("body")
        .order_by("-submitted_at", "-id")
    )
    if member.can_manage_records:
        # Flagged to the secretary by the originality check (audit.originality).
        essays = essays.annotate(
            originality_flagged=essay_flagged(threshold=member.group.originality_threshold)
        )
    paginator = Paginator(essays, per_page)
    page = paginator.get_page(page_number)
    page.object_list = list(page.object_list)
    return page


def essays_returned_to(*, member: Member) -> list[ReflectionEssay]:
    """The member's own essays returned for revision (ReflectionEssay.Status.RETURNED), most
    recently reviewed first, each with its reviewer, session and topic loaded and its body
    deferred: one query however many there are. Resubmitting one takes it off the list."""
    return list(
        ReflectionEssay.objects.filter(
            group_id=member.group_id, author=member, status=ReflectionEssay.Status.RETURNED
        )
        .select_related("reviewed_by", "session", "planned_topic")
        .defer("body")
        .order_by("-reviewed_at", "-id")
    )


def essay_get_for_member(*, member: Member, pk: int) -> ReflectionEssay:
    """An essay the member may read (their own; any of the group's for managers), else 404."""
    essay = (
        _visible_essays(member=member)
        .select_related("group", "author", "session", "planned_topic", "reviewed_by")
        .filter(pk=pk)
        .first()
    )
    if essay is None:
        raise Http404("No such essay")
    return essay


def essay_get_for_author(*, member: Member, pk: int) -> ReflectionEssay:
    """The member's own essay, for revising; 404 for anyone else's."""
    essay = (
        ReflectionEssay.objects.filter(group_id=member.group_id, author=member, pk=pk)
        .select_related("author", "session", "planned_topic")
        .first()
    )
    if essay is None:
        raise Http404("No such essay")
    return essay


def essay_get_for_review(*, reviewer: Member, pk: int) -> ReflectionEssay:
    """An essay of the reviewer's group, for a secretary or leader to review; 404 otherwise.

    Raises PermissionDenied (403, with a message) when the reviewer wrote the essay: nobody
    reviews their own essay (ReflectionEssay.check_reviewer, which essay_review enforces too).
    """
    if not reviewer.can_manage_records:
        raise Http404("No such essay")
    essay = essay_get_for_member(member=reviewer, pk=pk)
    essay.check_reviewer(reviewer)
    return essay


def sessions_for_essays(
    *, group_id: int, until: dt.date | None = None, speaker: Member | None = None
) -> QuerySet[StudySession]:
    """The group's sessions an essay may be for (held by `until`, when given), newest first;
    with speaker, also those whose notice names speaker a key speaker, held or not (a speaking
    outline comes before the session: sessions_for_outlines)."""
    sessions = StudySession.objects.filter(group_id=group_id).select_related("term")
    if until is not None:
        held = Q(date__lte=until)
        if speaker is not None:
            held |= Q(notice__key_speakers=speaker)
        sessions = sessions.filter(held)
    return sessions.order_by("-date", "-start_time", "-id")


def topics_for_essays(*, group_id: int) -> QuerySet[PlannedTopic]:
    """The group's planned topics an essay or research report may be written for."""
    return (
        PlannedTopic.objects.filter(plan__group_id=group_id)
        .select_related("plan__term")
        .order_by("-plan__term__year", "-plan__term__half", "kind", "planned_month", "sort_order")
    )
