"""Logins, failed logins and logouts, from django.contrib.auth's signals (the only way to see
every login, whichever view or backend did it). None of them belongs to a group."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import AuditEvent
from audit.services import audit_record


@receiver(user_logged_in, dispatch_uid="audit_login")
def record_login(sender, request, user, **kwargs):
    audit_record(action=AuditEvent.Action.LOGIN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditEvent.Action.LOGOUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    # Only the user name tried: credentials also holds the (masked) password, never kept.
    audit_record(
        action=AuditEvent.Action.LOGIN_FAILED,
        actor_name=str(credentials.get("username", "")),
        request=request,
    )
