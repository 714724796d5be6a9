"""Finding a report PDF for a member: scoped to their group, drafts for drafters only."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from reports.models import ReportFile
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
