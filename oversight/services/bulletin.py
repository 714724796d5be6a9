"""The term bulletin's words: drafted and approved by the organisation's administrators."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight.models import Bulletin
from oversight.selectors.access import OrganisationAccess


def _administrator(access: OrganisationAccess) -> None:
    if not access.is_administrator:
        raise PermissionDenied(_("Inspectors read; the organisation's administrators write."))


@transaction.atomic
def bulletin_save(
    *,
    access: OrganisationAccess,
    year: int,
    half: int,
    user: AbstractBaseUser,
    preamble: str,
    findings: str,
    requirements: str,
) -> Bulletin:
    """Save the term bulletin's words as a draft (an approved bulletin becomes a draft again
    until approved anew; its history keeps the approved words). Administrators only:
    PermissionDenied otherwise."""
    _administrator(access)
    bulletin, _created = Bulletin.objects.select_for_update().get_or_create(
        organisation=access.organisation,
        year=year,
        half=half,
        defaults={"created_by": user, "updated_by": user},
    )
    bulletin.preamble, bulletin.findings, bulletin.requirements = (
        preamble.strip(),
        findings.strip(),
        requirements.strip(),
    )
    bulletin.status = Bulletin.Status.DRAFT
    bulletin.approved_at = bulletin.approved_by = None
    bulletin.updated_by = user
    bulletin.full_clean()
    bulletin.save()
    return bulletin


@transaction.atomic
def bulletin_approve(
    *, access: OrganisationAccess, year: int, half: int, user: AbstractBaseUser
) -> Bulletin:
    """Approve the term bulletin: administrators only (PermissionDenied); ValidationError when
    there is no draft or its preamble or requirements are blank."""
    _administrator(access)
    bulletin = (
        Bulletin.objects.select_for_update()
        .filter(organisation=access.organisation, year=year, half=half)
        .first()
    )
    if bulletin is None or bulletin.is_approved:
        raise ValidationError(_("There is no draft to approve."))
    if not bulletin.preamble or not bulletin.requirements:
        raise ValidationError(_("Write the preamble and the requirements before approving."))
    bulletin.status = Bulletin.Status.APPROVED
    bulletin.approved_at = timezone.now()
    bulletin.approved_by = user
    bulletin.updated_by = user
    bulletin.full_clean()
    bulletin.save()
    return bulletin
