"""Reading the audit log."""

from django.core.paginator import Page, Paginator

from audit.models import AuditEvent

EVENTS_PER_PAGE = 50


def audit_events_page_for_group(
    *, group_id: int, page_number: str | int | None, per_page: int = EVENTS_PER_PAGE
) -> Page:
    """One page of the group's events, newest first, loaded: two queries (count and rows)
    however many events the page holds. Events without a group (logins) are not included."""
    events = AuditEvent.objects.filter(group_id=group_id).order_by("-created_at", "-id")
    page = Paginator(events, per_page).get_page(page_number)
    page.object_list = list(page.object_list)
    return page
