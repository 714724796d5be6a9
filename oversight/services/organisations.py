"""Writes above the group: organisations, their roles, and which organisation oversees a group."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from oversight.models import GroupPlacement, Organisation, OrganisationRole
from sessions_app.models import StudyGroup


@transaction.atomic
def organisation_create(
    *,
    name: str,
    slug: str,
    parent: Organisation | None = None,
    actor: AbstractBaseUser | None = None,
) -> Organisation:
    """A new organisation under parent (None: a root). Its path is its parent's path and its own
    id. Raises ValidationError for a blank name or a slug already taken."""
    organisation = Organisation(
        name=name.strip(), slug=slug, parent=parent, created_by=actor, updated_by=actor
    )
    organisation.path = "pending/"
    organisation.full_clean(exclude=["path"])
    organisation.save()
    organisation.path = f"{parent.path if parent else ''}{organisation.pk}/"
    organisation.save(update_fields=["path"])
    return organisation


@transaction.atomic
def organisation_role_grant(
    *,
    organisation: Organisation,
    user: AbstractBaseUser,
    role: str,
    actor: AbstractBaseUser | None = None,
) -> OrganisationRole:
    """Give user a role (OrganisationRole.Role) at organisation, replacing any they had there."""
    grant, _created = OrganisationRole.objects.get_or_create(
        organisation=organisation,
        user=user,
        defaults={"role": role, "created_by": actor, "updated_by": actor},
    )
    if grant.role != role:
        grant.role = role
        grant.updated_by = actor
        grant.full_clean()
        grant.save()
    return grant


@transaction.atomic
def group_place(
    *,
    group: StudyGroup,
    organisation: Organisation,
    actor: AbstractBaseUser | None = None,
) -> GroupPlacement:
    """Put group under organisation (moving it if it was under another)."""
    placement, _created = GroupPlacement.objects.update_or_create(
        group=group,
        defaults={"organisation": organisation, "updated_by": actor},
        create_defaults={"organisation": organisation, "created_by": actor, "updated_by": actor},
    )
    return placement
