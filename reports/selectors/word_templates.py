"""A group's Word templates: the one in use and the history of uploads."""

from __future__ import annotations

from reports.models import WordTemplate


def word_template_current(*, group_id: int) -> WordTemplate | None:
    """The group's Word template in use: its newest version not retired; None for the default
    layout. One query."""
    return (
        WordTemplate.objects.filter(group_id=group_id, retired_at__isnull=True)
        .order_by("-version")
        .first()
    )


def word_template_versions(*, group_id: int) -> list[WordTemplate]:
    """Every version the group uploaded, newest first, with who uploaded it. One query."""
    return list(
        WordTemplate.objects.filter(group_id=group_id)
        .select_related("created_by")
        .order_by("-version")
    )


def word_template_content(template: WordTemplate) -> bytes:
    """The template file's bytes from storage (OSError when storage has lost it)."""
    with template.file.open("rb") as handle:
        return handle.read()
