"""Reading a record's history (django-simple-history rows): who changed what, when, old → new.

The rows are written by simple_history's HistoricalRecords on the records' models (the
request's user by its middleware; services name the actor with _history_user or
default_user). This module only reads them, for the "修改记录" pages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from sessions_app.models import Member

# Kept on every row, but not a change anyone makes: the stamps say what the history says anyway.
_SKIPPED = {
    "id",
    "group",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "approved_figures_hash",
}


@dataclass(frozen=True)
class FieldChange:
    """One field of one change: its verbose name and the old and new values as shown."""

    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    """One saved change of one row: when, by whom (member display name), what kind of change
    (created, changed, deleted), which record, and the fields that changed."""

    when: dt.datetime
    who: str
    action: str
    record: str
    changes: list[FieldChange] = field(default_factory=list)


def _tracked_fields(model: type[models.Model], history_model) -> list[models.Field]:
    names = {f.name for f in history_model._meta.get_fields()}
    return [f for f in model._meta.concrete_fields if f.name not in _SKIPPED and f.name in names]


def _show(field: models.Field, value, related: dict) -> str:
    """A stored value as a reader sees it: choices as their label, dates localised, a related
    row by its name, nothing as an empty string."""
    if value is None or value == "":
        return ""
    if isinstance(field, models.ForeignKey):
        return related.get((field.related_model, value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return date_format(value)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, list):  # the narrative's good practices
        return "\n".join(
            f"{p.get('heading', '')} {p.get('body', '')}".strip() if isinstance(p, dict) else str(p)
            for p in value
        )
    return str(value)


def _resolve_related(rows_by_model, group_id: int) -> dict:
    """{(model, pk): name} for every key the rows hold: one query per related model, members
    by their display name in the group. The number of queries depends on the schema only."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for model, rows in rows_by_model:
        fks = [f for f in _tracked_fields(model, rows.model) if isinstance(f, models.ForeignKey)]
        for row in rows:
            for f in fks:
                value = getattr(row, f.attname)
                if value is not None:
                    wanted[f.related_model].add(value)
    names: dict = {}
    for model, pks in wanted.items():
        if model is Member:
            for pk, name in Member.objects.filter(pk__in=pks).values_list("pk", "display_name"):
                names[(Member, pk)] = name
        else:
            for obj in model._default_manager.filter(pk__in=pks):
                names[(model, obj.pk)] = str(obj)
    return names


_ACTIONS = {
    "+": pgettext_lazy("change history", "created"),
    "~": pgettext_lazy("change history", "changed"),
    "-": pgettext_lazy("change history", "deleted"),
}


def record_history(
    *, group_id: int, parts: list[tuple[type[models.Model], models.QuerySet, str]]
) -> list[HistoryEntry]:
    """Every change of the given records, newest first.

    parts: (model, its history queryset, how to name a row: a field name whose shown value
    labels the row, or "" for the model's verbose name alone), e.g. a session and its
    attendance rows. Each entry lists the fields that changed from the row's previous version
    (all filled fields for a creation). Who is the member display name of the history row's user
    in the group (else the user name). Queries: one per part, one for the users' names, one per
    related model named: fixed as the rows grow.
    """
    loaded = [
        (model, _Rows(qs.order_by("history_date", "history_id"), qs.model), label)
        for model, qs, label in parts
    ]
    related = _resolve_related([(model, rows) for model, rows, _label in loaded], group_id)
    user_ids = {r.history_user_id for _m, rows, _l in loaded for r in rows if r.history_user_id}
    who = dict(
        Member.objects.filter(group_id=group_id, user_id__in=user_ids).values_list(
            "user_id", "display_name"
        )
    )
    missing = user_ids - who.keys()
    if missing:
        for user in get_user_model().objects.filter(pk__in=missing):
            who[user.pk] = user.get_full_name() or user.get_username()
    entries: list[HistoryEntry] = []
    parents = {model for model, _qs, _label in parts}
    for model, rows, label_field in loaded:
        by_name = {f.name: f for f in _tracked_fields(model, rows.model)}
        # The row's name and its key to the record above it (a session's attendance) are in
        # the entry's heading, not among its changes.
        fields = [
            f
            for f in by_name.values()
            if f.name != label_field
            and not (isinstance(f, models.ForeignKey) and f.related_model in parents)
        ]
        previous: dict = {}
        for row in rows:
            before = previous.get(row.id)
            changes = []
            for f in fields:
                new = getattr(row, f.attname)
                old = getattr(before, f.attname) if before is not None else None
                if row.history_type == "-" or (before is not None and old == new):
                    continue
                if before is None and new in (None, "", []):
                    continue
                changes.append(
                    FieldChange(
                        label=str(f.verbose_name),
                        old=_show(f, old, related),
                        new=_show(f, new, related),
                    )
                )
            previous[row.id] = row
            if row.history_type == "~" and not changes:
                continue  # a save that changed nothing visible
            name = str(model._meta.verbose_name)
            if label_field:
                label = by_name[label_field]
                shown = _show(label, getattr(row, label.attname), related)
                name = f"{name} · {shown}" if shown else name
            entries.append(
                HistoryEntry(
                    when=row.history_date,
                    who=who.get(row.history_user_id, ""),
                    action=str(_ACTIONS[row.history_type]),
                    record=name,
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


class _Rows(list):
    """Loaded history rows with their history model (for the fields to resolve)."""

    def __init__(self, rows, model):
        super().__init__(rows)
        self.model = model
