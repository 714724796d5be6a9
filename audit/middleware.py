from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from audit.services import audit_record


class PermissionDeniedAuditMiddleware:
    """Records every PermissionDenied a view raises (the group_view decorator's role checks and
    the services' own), in one place, before Django answers 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PermissionDenied):
            return None
        member = getattr(request, "member", None)
        match = request.resolver_match
        audit_record(
            action=AuditEvent.Action.PERMISSION_DENIED,
            actor=request.user,
            actor_name=member.display_name if member is not None else "",
            group_id=member.group_id if member is not None else None,
            # The path without its query string, which could carry a token.
            description=f"{request.method} {request.path}",
            request=request,
            details={"view": match.view_name} if match is not None else {},
        )
        return None
