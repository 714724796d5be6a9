"""报送 and 签收: a group sends its approved summary or plan up; its organisation receives it or
returns it with a comment. Every step is a row (Submission) with its history; a resubmission
is a new row, so earlier ones keep what happened to them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight.models import GroupPlacement, Submission
from oversight.selectors.access import organisation_get_for_user
from reports.models import ReportNarrative
from sessions_app.models import Member, StudyPlan, Term


def _approved_version(*, term: Term, kind: str) -> tuple[int, object]:
    """(version, approved_at) of the term's approved document of kind; ValidationError if none."""
    if kind == Submission.Kind.SUMMARY:
        narrative = (
            ReportNarrative.objects.filter(
                term=term, kind=ReportNarrative.Kind.SUMMARY, status=ReportNarrative.Status.APPROVED
            )
            .order_by("-version")
            .first()
        )
        if narrative is None:
            raise ValidationError(
                _("Only an approved summary is submitted: a leader approves it first.")
            )
        return narrative.version, narrative.approved_at
    plan = StudyPlan.objects.filter(term=term).first()
    if plan is None or not plan.is_approved:
        raise ValidationError(_("Only an approved plan is submitted: a leader approves it first."))
    return 1, plan.approved_at


@transaction.atomic
def submission_submit(*, term: Term, kind: str, member: Member) -> Submission:
    """Send the term's approved document of kind (Submission.Kind) to the organisation the group
    is placed in. The secretary, a leader or a deputy of the term's group submits.

    Raises PermissionDenied for anyone else; ValidationError when the group is placed in no
    organisation, the document is not approved, or this approved version is already submitted
    or received (a returned one, or a newer approval, may be submitted again).
    """
    if member.group_id != term.group_id or not member.can_manage_records:
        raise PermissionDenied
    placement = (
        GroupPlacement.objects.filter(group_id=term.group_id).select_related("organisation").first()
    )
    if placement is None:
        raise ValidationError(
            _("The group belongs to no organisation yet: the site administrator places it first.")
        )
    version, approved_at = _approved_version(term=term, kind=kind)
    # Lock the group's earlier submissions of the document: two clicks make one row.
    earlier = list(
        Submission.objects.select_for_update().filter(term=term, kind=kind).order_by("-id")
    )
    latest = earlier[0] if earlier else None
    if (
        latest is not None
        and latest.status != Submission.Status.RETURNED
        and latest.approved_at == approved_at
    ):
        raise ValidationError(
            _("This version was submitted on %(date)s; it is %(status)s.")
            % {
                "date": timezone.localtime(latest.submitted_at).strftime("%Y-%m-%d %H:%M"),
                "status": latest.get_status_display(),
            }
        )
    submission = Submission(
        group_id=term.group_id,
        term=term,
        kind=kind,
        organisation=placement.organisation,
        version=version,
        approved_at=approved_at,
        submitted_at=timezone.now(),
        submitted_by=member.user,
        created_by=member.user,
        updated_by=member.user,
    )
    submission.full_clean()
    submission.save()
    return submission


def _decide(*, submission: Submission, user: AbstractBaseUser, status: str, comment: str):
    access = organisation_get_for_user(user=user, slug=submission.organisation.slug)
    if not access.is_administrator:
        raise PermissionDenied(_("Inspectors read; the organisation's administrators receive."))
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Submission.Status.SUBMITTED:
        raise ValidationError(
            _("It was already %(status)s.") % {"status": submission.get_status_display()}
        )
    submission.status = status
    submission.comment = comment.strip()
    submission.decided_at = timezone.now()
    submission.decided_by = user
    submission.updated_by = user
    submission.full_clean()
    submission.save()
    return submission


@transaction.atomic
def submission_receive(*, submission: Submission, user: AbstractBaseUser) -> Submission:
    """签收: an administrator of the organisation it went to (or one above) receives it.

    Raises Http404 for a user who cannot see the organisation, PermissionDenied for an
    inspector, ValidationError when it was already received or returned.
    """
    return _decide(submission=submission, user=user, status=Submission.Status.RECEIVED, comment="")


@transaction.atomic
def submission_return(
    *, submission: Submission, user: AbstractBaseUser, comment: str
) -> Submission:
    """Return it to the group with a comment (required), as submission_receive decides."""
    return _decide(
        submission=submission, user=user, status=Submission.Status.RETURNED, comment=comment
    )
