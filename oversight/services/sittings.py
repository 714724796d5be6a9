"""列席旁听: an inspector takes (or is assigned) a session of an overseen group and, after it,
files a short evaluation that the group's leaders and secretary read on the session's page."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight.models import OrganisationRole, SittingIn
from oversight.selectors.access import OrganisationAccess, organisation_get_for_user
from sessions_app.models import StudySession


def session_is_over(session: StudySession) -> bool:
    """Whether a session is over (no more sitting in): past its end time, else its start time,
    else the end of its day."""
    at = session.end_time or session.start_time or dt.time(23, 59)
    return timezone.make_aware(dt.datetime.combine(session.date, at)) <= timezone.now()


@transaction.atomic
def sitting_in_add(
    *,
    access: OrganisationAccess,
    session: StudySession,
    inspector: AbstractBaseUser,
    actor: AbstractBaseUser,
) -> SittingIn:
    """Put inspector down to sit in on session, a session of a group under access's
    organisation (the caller found it there). An inspector takes a session themself; an
    administrator may assign any inspector who reaches the organisation.

    Raises PermissionDenied when actor may not assign, ValidationError when inspector is no
    inspector there, the session is over, or they already sit in on it.
    """
    if actor.pk != inspector.pk and not access.is_administrator:
        raise PermissionDenied
    reach = organisation_get_for_user(user=inspector, slug=access.organisation.slug)
    if reach.role != OrganisationRole.Role.INSPECTOR:
        raise ValidationError(_("Only an inspector sits in on sessions."))
    if session_is_over(session):
        raise ValidationError(_("The session is over: sitting in is arranged before it ends."))
    sitting = SittingIn(
        session=session,
        inspector=inspector,
        organisation=access.organisation,
        created_by=actor,
        updated_by=actor,
    )
    sitting.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            sitting.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("%(name)s already sits in on this session.")
            % {"name": inspector.get_full_name() or inspector.get_username()}
        ) from exc
    return sitting


@transaction.atomic
def sitting_in_evaluate(
    *,
    sitting: SittingIn,
    user: AbstractBaseUser,
    evaluation: str,
    highlights: str,
    problems: str,
) -> SittingIn:
    """File (or correct) the evaluation of a sitting in: its inspector only, once the session
    has begun. Raises PermissionDenied for anyone else, ValidationError when the session has not
    begun, when all three parts are blank, or when they hold more than 500 characters."""
    if sitting.inspector_id != user.pk:
        raise PermissionDenied
    session = sitting.session
    start = timezone.make_aware(
        dt.datetime.combine(session.date, session.start_time or dt.time(0, 0))
    )
    if timezone.now() < start:
        raise ValidationError(_("The evaluation is filed once the session has begun."))
    sitting = SittingIn.objects.select_for_update().get(pk=sitting.pk)
    sitting.evaluation, sitting.highlights, sitting.problems = (
        evaluation.strip(),
        highlights.strip(),
        problems.strip(),
    )
    if not sitting.evaluation_chars:
        raise ValidationError(_("Write the evaluation, its highlights or its problems."))
    sitting.filed_at = timezone.now()
    sitting.updated_by = user
    sitting.full_clean()
    sitting.save()
    return sitting
