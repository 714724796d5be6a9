"""Finding a report file for a member: scoped to their group, drafts for drafters only."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from reports.models import ReadyDocument, ReportFile, ReportNarrative
from sessions_app.models import Member, Term


def report_file_get_for_member(
    *, member: Member, term: Term, kind: str, report_file_id: int
) -> ReportFile:
    """The member's group's PDF row for the term and kind; 404 for any other group's or term's.

    A PDF made from an unapproved document is for secretary and leaders only (PermissionDenied
    for other members). One query.
    """
    report_file = (
        ReportFile.objects.filter(pk=report_file_id, group_id=member.group_id, term=term, kind=kind)
        .select_related("term")
        .first()
    )
    if report_file is None:
        raise Http404("No such report file")
    if not report_file.approved and not member.can_manage_records:
        raise PermissionDenied
    return report_file


def ready_file_for_member(
    *, member: Member, term: Term, kind: str, file_format: str
) -> ReportFile | None:
    """The approved document's file made ahead (ReadyDocument), when it is what this member
    would be given and is up to date; None otherwise (then the file is made on request).

    Up to date: done, and no change to the group's records since it was made (changed_at
    unset). What the member would be given: the approved document, so not for the secretary
    and leaders while the summary has a draft (they download the draft). One query; two for
    the secretary and leaders of a summary.
    """
    ready = (
        ReadyDocument.objects.filter(
            group_id=member.group_id, term=term, kind=kind, changed_at__isnull=True
        )
        .select_related(f"{file_format}__term")
        .first()
    )
    report_file = getattr(ready, file_format, None) if ready is not None else None
    if report_file is None or not report_file.is_done or not report_file.file:
        return None
    if (
        member.can_manage_records
        and kind == ReportNarrative.Kind.SUMMARY
        and ReportNarrative.objects.filter(
            group_id=member.group_id,
            term=term,
            kind=kind,
            status=ReportNarrative.Status.DRAFT,
        ).exists()
    ):
        return None
    return report_file
