"""Writing the audit log: one function every part of the app calls."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

from audit.models import AuditEvent
from studygroup.auth_views import client_address

# What Django's error reports hide (API, TOKEN, KEY, SECRET, PASS, SIGNATURE, HTTP_COOKIE).
_SECRET_NAME = SafeExceptionReporterFilter.hidden_settings


def _without_secrets(details: dict) -> dict:
    """details with every key that names a secret left out, at any depth."""
    clean = {}
    for key, value in details.items():
        if _SECRET_NAME.search(str(key)):
            continue
        clean[str(key)] = _without_secrets(value) if isinstance(value, dict) else value
    return clean


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from: the one login throttling counts failures for."""
    if request is None:
        return None
    return client_address(request) or None


def audit_record(
    *,
    action: str,
    actor: AbstractBaseUser | None = None,
    actor_name: str = "",
    group_id: int | None = None,
    obj: models.Model | None = None,
    description: str = "",
    request: HttpRequest | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Record that actor did action (to obj, in the group), now, from the request's address.

    actor_name defaults to the actor's user name and is kept when the user is deleted; obj gives
    the object's type and id, description (default: str(obj)) says which it was. details keeps
    only keys that do not name a secret (password, token, key, ...): never pass a password, a
    session key or a token in any field. Writes inside the caller's transaction, so an action
    that rolls back leaves no event.
    """
    if actor is not None and not actor.is_authenticated:
        actor = None
    if not actor_name and actor is not None:
        actor_name = actor.get_username()
    if obj is not None and not description:
        description = str(obj)
    return AuditEvent.objects.create(
        action=AuditEvent.Action(action),
        actor=actor,
        actor_name=actor_name[: AuditEvent._meta.get_field("actor_name").max_length],
        group_id=group_id,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=description[: AuditEvent._meta.get_field("object_repr").max_length],
        ip_address=client_ip(request),
        details=_without_secrets(details or {}),
    )


def audit_record_many(
    *,
    action: str,
    actor: AbstractBaseUser | None,
    group_id: int | None,
    objects: list[tuple[models.Model, dict]],
    request: HttpRequest | None = None,
) -> list[AuditEvent]:
    """Record the same action by actor on many objects at once (an import), each with its
    details: the events audit_record would write one by one, in one insert (a few for very
    many rows), so that an import's queries do not grow with its rows. The same rules as
    audit_record (actor_name, description, no secrets in details)."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    actor_name = actor.get_username() if actor is not None else ""
    actor_name = actor_name[: AuditEvent._meta.get_field("actor_name").max_length]
    repr_length = AuditEvent._meta.get_field("object_repr").max_length
    address = client_ip(request)
    events = [
        AuditEvent(
            action=AuditEvent.Action(action),
            actor=actor,
            actor_name=actor_name,
            group_id=group_id,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk) if obj.pk is not None else "",
            object_repr=str(obj)[:repr_length],
            ip_address=address,
            details=_without_secrets(details or {}),
        )
        for obj, details in objects
    ]
    return AuditEvent.objects.bulk_create(events)
