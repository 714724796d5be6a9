"""People's accounts: deactivated, never deleted, once records name them (issue 9, item 8)."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest

from audit.models import AuditEvent
from audit.services import audit_record


def account_event_record(
    *, user: AbstractBaseUser, actor: AbstractBaseUser, action: str, request: HttpRequest | None
) -> None:
    """Audit an account's deactivation, reactivation or deletion (an AuditEvent.Action): once in
    each group the person belongs to, so that each group's log shows it, or once without a
    group for an account with no membership."""
    group_ids = sorted(set(user.memberships.values_list("group_id", flat=True))) or [None]
    for group_id in group_ids:
        audit_record(action=action, actor=actor, group_id=group_id, obj=user, request=request)


@transaction.atomic
def accounts_deactivate(
    *,
    users: Iterable[AbstractBaseUser],
    actor: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> int:
    """Deactivate the active accounts among users: they can no longer sign in (their sessions
    end on the next request) and every record that names them stays as it was. Audited per
    group. Returns how many accounts were deactivated (those already inactive are skipped)."""
    done = 0
    for user in users:
        if not user.is_active:
            continue
        user.is_active = False
        user.save(update_fields=["is_active"])
        account_event_record(
            user=user, actor=actor, action=AuditEvent.Action.DEACTIVATED, request=request
        )
        done += 1
    return done
