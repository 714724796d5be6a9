"""Reading back what the audit log stored."""

import json

from audit.models import AuditEvent


def stored_text(event: AuditEvent) -> str:
    """Every column of the event's row as one string, as the database holds it."""
    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    return json.dumps(row, default=str, ensure_ascii=False)
