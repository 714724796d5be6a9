"""Who sees what above the group: the one home of the organisation tree's access rule.

A user with a role at an organisation sees it and every organisation below it (its subtree), and
every study group placed in that subtree; administrators and inspectors alike read, and nobody
here writes a group's records. A group's members see nothing above their group. An organisation
the user may not see answers 404, exactly as one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.http import Http404

from oversight.models import Organisation, OrganisationRole
from sessions_app.models import StudyGroup


@dataclass(frozen=True)
class OrganisationAccess:
    """An organisation as the user reaches it: through their role at it or at one above it."""

    organisation: Organisation
    role: str  # OrganisationRole.Role

    @property
    def role_label(self) -> str:
        return str(OrganisationRole.Role(self.role).label)

    @property
    def is_administrator(self) -> bool:
        return self.role == OrganisationRole.Role.ADMINISTRATOR


def _roles(user: AbstractBaseUser) -> list[OrganisationRole]:
    if not user.is_authenticated:
        return []
    return list(OrganisationRole.objects.filter(user=user).select_related("organisation"))


def _subtree(paths: list[str]) -> Q:
    return reduce(or_, (Q(path__startswith=p) for p in paths))


def organisations_for_user(*, user: AbstractBaseUser) -> list[OrganisationAccess]:
    """The organisations the user holds a role at (not those below them), by path: the entry
    points of their view. Two queries at most."""
    return [
        OrganisationAccess(organisation=grant.organisation, role=grant.role)
        for grant in sorted(_roles(user), key=lambda g: g.organisation.path)
    ]


def organisation_get_for_user(*, user: AbstractBaseUser, slug: str) -> OrganisationAccess:
    """The organisation named by slug when the user holds a role at it or above it, with the role
    that reaches it (the nearest one above wins); Http404 otherwise."""
    roles = _roles(user)
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404("No such organisation")
    reaching = [g for g in roles if organisation.path.startswith(g.organisation.path)]
    if not reaching:
        raise Http404("No such organisation")
    nearest = max(reaching, key=lambda g: len(g.organisation.path))
    return OrganisationAccess(organisation=organisation, role=nearest.role)


def groups_overseen(*, organisation: Organisation) -> QuerySet[StudyGroup]:
    """Study groups placed in organisation or any organisation below it, by name."""
    return StudyGroup.objects.filter(
        placement__organisation__path__startswith=organisation.path
    ).order_by("name", "pk")


def organisations_below(*, organisation: Organisation) -> QuerySet[Organisation]:
    """organisation's subtree without itself, by path."""
    return Organisation.objects.filter(_subtree([organisation.path])).exclude(pk=organisation.pk)


def group_overseen_get(*, access: OrganisationAccess, group_slug: str) -> StudyGroup:
    """A group in the reached organisation's subtree by slug; Http404 for any other group."""
    group = groups_overseen(organisation=access.organisation).filter(slug=group_slug).first()
    if group is None:
        raise Http404("No such group")
    return group
