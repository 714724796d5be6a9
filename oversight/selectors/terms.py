"""Which terms the county table can show: the halves any overseen group has."""

from __future__ import annotations

import datetime as dt

from django.http import Http404

from oversight.models import Organisation
from oversight.selectors.access import groups_overseen
from sessions_app.models import Term


def halves_overseen(*, organisation: Organisation) -> list[tuple[int, int]]:
    """(year, half) of every term of the organisation's groups, newest first; one query."""
    return list(
        Term.objects.filter(group__in=groups_overseen(organisation=organisation).values("pk"))
        .values_list("year", "half")
        .distinct()
        .order_by("-year", "-half")
    )


def half_chosen(*, code: str | None, today: dt.date) -> tuple[int, int]:
    """The half named by code ("2020H1"), or today's half when code is empty; Http404 for a
    code that names no half."""
    if not code:
        return today.year, 1 if today.month <= 6 else 2
    try:
        year_text, half_text = code.upper().split("H")
        year, half = int(year_text), int(half_text)
    except ValueError as exc:
        raise Http404("No such term") from exc
    if half not in (1, 2) or not 2000 <= year <= 2100:
        raise Http404("No such term")
    return year, half
