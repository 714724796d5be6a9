"""Reads of 报送: a group's own submissions, an organisation's inbox, and deadlines."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from oversight.models import Organisation, ReportingDeadline, Submission
from oversight.selectors.access import OrganisationAccess


def submissions_of_group(*, group_id: int) -> list[Submission]:
    """The group's submissions, newest first, with their terms and organisations: one query."""
    return list(
        Submission.objects.filter(group_id=group_id).select_related(
            "term", "organisation", "decided_by"
        )
    )


def submissions_to(*, organisation: Organisation, year: int, half: int) -> QuerySet[Submission]:
    """Submissions of the term year/half from every group in organisation's subtree, newest
    first, with what the inbox shows."""
    return Submission.objects.filter(
        group__placement__organisation__path__startswith=organisation.path,
        term__year=year,
        term__half=half,
    ).select_related("group", "term", "submitted_by", "decided_by")


def submission_get_for_organisation(*, access: OrganisationAccess, pk: int) -> Submission:
    """A submission sent to the reached organisation or one below it; Http404 otherwise."""
    submission = (
        Submission.objects.filter(pk=pk, organisation__path__startswith=access.organisation.path)
        .select_related("organisation", "group", "term")
        .first()
    )
    if submission is None:
        raise Http404("No such submission")
    return submission


def latest_submissions(*, term_ids, kind: str) -> dict[int, Submission]:
    """{term id: the latest submission of kind} for the terms: one query."""
    latest: dict[int, Submission] = {}
    for submission in Submission.objects.filter(term_id__in=term_ids, kind=kind).order_by("id"):
        latest[submission.term_id] = submission
    return latest


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def nearest_deadline(deadlines, *, path: str) -> ReportingDeadline | None:
    """Of deadlines (ReportingDeadlines of one term and kind, at any organisations), the one
    that applies at the organisation whose path is path: its own, or the nearest above it; None
    when none of them is on its chain. No query."""
    by_organisation = {d.organisation_id: d for d in deadlines}
    for org_id in reversed(_path_ids(path)):
        if org_id in by_organisation:
            return by_organisation[org_id]
    return None


def deadline_for(*, organisation: Organisation, year: int, half: int, kind: str) -> dt.date | None:
    """The due date of kind for the term at organisation, set there or at the nearest
    organisation above it (nearest_deadline); None when none is set. One query."""
    deadline = nearest_deadline(
        ReportingDeadline.objects.filter(
            organisation_id__in=_path_ids(organisation.path), year=year, half=half, kind=kind
        ),
        path=organisation.path,
    )
    return deadline.due_on if deadline is not None else None


def submitted_late(
    submission: Submission | None, *, due_on: dt.date | None, today: dt.date
) -> bool:
    """Whether a group is late with a document due on due_on: nothing (or only a returned one)
    submitted and the day after due_on has come, or the latest submitted after due_on."""
    if due_on is None:
        return False
    if submission is None or submission.status == Submission.Status.RETURNED:
        return today > due_on
    return timezone.localdate(submission.submitted_at) > due_on
