"""Approved documents follow the records: every audited change (django-simple-history writes a
history row for each record saved) marks the group's ready documents changed, after commit.

The one place that sees every change to every kind of record, whichever service made it, is
the history: hooking each service instead would miss the next one written. Writes made with
simple-history's bulk helpers send no signal (attendance ticked for a whole session): they change
no approved document's files, whose summary body is frozen at approval and whose plan shows no
attendance, and the next single save or the periodic sweep catches anything else.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

#: Where a record names its group: directly, or through the row it belongs to.
_THROUGH = ("session", "plan", "member", "author")


def group_id_of(instance) -> int | None:
    """The study group a saved record belongs to (None when it belongs to none). May query
    once, for a record whose parent row is not loaded."""
    from sessions_app.models import StudyGroup

    if isinstance(instance, StudyGroup):
        return instance.pk
    group_id = getattr(instance, "group_id", None)
    if group_id is not None:
        return group_id
    for name in _THROUGH:
        if getattr(instance, f"{name}_id", None) is not None:
            return getattr(getattr(instance, name), "group_id", None)
    return None


def _touch(instance) -> None:
    from reports.services.report_files import report_documents_touch

    group_id = group_id_of(instance)
    if group_id is not None:
        report_documents_touch(group_id=group_id)


@receiver(post_create_historical_record, dispatch_uid="reports_documents_follow_records")
def documents_follow_records(sender, instance, **kwargs):
    # After commit: nothing is marked for a change that rolls back, and the request's own
    # queries are not added to. Each saved record costs one small UPDATE after commit
    # (report_documents_touch; none at all for a group with no approved document), and only
    # the first in a second queues a check.
    transaction.on_commit(partial(_touch, instance))
