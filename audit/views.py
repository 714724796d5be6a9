from django.shortcuts import render

from audit.selectors import audit_events_page_for_group
from sessions_app.views.common import group_view


@group_view(managers_only=True)
def audit_log(request):
    """The group's audit log, for its secretary, leader and deputies."""
    page = audit_events_page_for_group(
        group_id=request.member.group_id, page_number=request.GET.get("page")
    )
    return render(request, "audit/log.html", {"page": page})
