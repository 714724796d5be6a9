"""Reads of 列席旁听: an inspector's sessions, a session's evaluations, the table's counts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q
from django.http import Http404

from oversight.models import SittingIn
from oversight.selectors.access import OrganisationAccess
from sessions_app.models import StudySession


def sittings_of(*, user: AbstractBaseUser, access: OrganisationAccess) -> list[SittingIn]:
    """The user's sittings in on sessions of groups under the reached organisation, by date:
    one query."""
    return list(
        SittingIn.objects.filter(
            inspector=user,
            session__group__placement__organisation__path__startswith=access.organisation.path,
        ).select_related("session", "session__group")
    )


def sitting_get_for_user(*, user: AbstractBaseUser, access: OrganisationAccess, pk: int):
    """The user's own sitting in, under the reached organisation; Http404 otherwise."""
    sitting = (
        SittingIn.objects.filter(
            pk=pk,
            inspector=user,
            session__group__placement__organisation__path__startswith=access.organisation.path,
        )
        .select_related("session", "session__group")
        .first()
    )
    if sitting is None:
        raise Http404("No such sitting in")
    return sitting


def session_overseen_get(*, access: OrganisationAccess, pk: int) -> StudySession:
    """A session of a group under the reached organisation; Http404 for any other."""
    session = (
        StudySession.objects.filter(
            pk=pk, group__placement__organisation__path__startswith=access.organisation.path
        )
        .select_related("group", "host")
        .first()
    )
    if session is None:
        raise Http404("No such session")
    return session


def evaluations_for_session(*, session: StudySession) -> list[SittingIn]:
    """Who sits in on the session, with each filed evaluation, for the group's leaders and
    secretary: one query."""
    return list(
        SittingIn.objects.filter(session=session).select_related("inspector", "organisation")
    )


def sitting_counts(*, session_ids) -> dict[int, tuple[int, int]]:
    """{group id: (sessions sat in, evaluations filed)} over the given sessions: one query."""
    return {
        row["session__group_id"]: (row["sat"], row["filed"])
        for row in SittingIn.objects.filter(session_id__in=session_ids)
        .values("session__group_id")
        .annotate(
            sat=Count("session", distinct=True),
            filed=Count("pk", filter=Q(filed_at__isnull=False)),
        )
        .order_by()
    }


def sittings_by_session(*, session_ids) -> dict[int, list[SittingIn]]:
    """{session id: its sittings in, with the inspectors}: one query."""
    out: dict[int, list[SittingIn]] = {}
    for sitting in SittingIn.objects.filter(session_id__in=session_ids).select_related("inspector"):
        out.setdefault(sitting.session_id, []).append(sitting)
    return out
