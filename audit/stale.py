"""No lost edits: a save refused when someone else saved the record after the form was opened.

Optimistic concurrency. A form carries the record's version as it was shown (version_of: its
updated_at, to the microsecond) in a hidden field; the service locks the record
(select_for_update) inside its transaction and calls check_fresh, which raises StaleEdit
naming who saved it and when. The view then shows the message, the form with what was typed,
and the differences (field_differences).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sessions_app.models import Member

# The hidden field's name in every form that carries a version.
VERSION_FIELD = "record_version"


def version_of(obj) -> str:
    """The version a form carries: the record's updated_at as ISO text ("" for a new record)."""
    stamp = getattr(obj, "updated_at", None)
    return stamp.isoformat() if stamp else ""


class StaleEdit(Exception):
    """The record was saved by someone else (who: their member display name) at when, after
    the version the form was opened at. current_version is the version to carry on, so that a
    second save, after reading the differences, is deliberate."""

    def __init__(self, *, who: str, when: dt.datetime, current_version: str):
        self.who = who
        self.when = when
        self.current_version = current_version
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _(
            "%(who)s saved this record at %(when)s, after you opened it. Your changes were not "
            "saved: compare them with the saved record below, then save again to keep yours."
        ) % {
            "who": self.who or _("someone"),
            "when": date_format(timezone.localtime(self.when), "DATETIME_FORMAT"),
        }


def _name(user: AbstractBaseUser | None, group_id: int) -> str:
    if user is None:
        return ""
    name = (
        Member.objects.filter(group_id=group_id, user=user)
        .values_list("display_name", flat=True)
        .first()
    )
    return name or user.get_full_name() or user.get_username()


def check_fresh(*, locked, seen: str | None, group_id: int) -> None:
    """Raise StaleEdit when locked (the record as stored, read with select_for_update in the
    caller's transaction) has a version other than seen. seen None means the caller carries no
    version (a script, a test): nothing is checked. One query (the name) only when stale."""
    if seen is None:
        return
    current = version_of(locked)
    if seen == current:
        return
    raise StaleEdit(
        who=_name(locked.updated_by, group_id),
        when=locked.updated_at,
        current_version=current,
    )


@dataclass(frozen=True)
class Difference:
    """A field whose stored value differs from what was typed: label, stored, typed."""

    label: str
    stored: str
    typed: str


def field_differences(pairs: list[tuple[str, object, object]]) -> list[Difference]:
    """The (label, stored, typed) pairs whose values differ, shown as text (None as "")."""

    def show(value) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
        if isinstance(value, dt.date):
            return date_format(value)
        return str(value).strip()

    return [
        Difference(label=str(label), stored=show(stored), typed=show(typed))
        for label, stored, typed in pairs
        if show(stored) != show(typed)
    ]


def model_differences(instance, typed: dict, names) -> list[Difference]:
    """The differences between instance as stored and typed (a form's cleaned_data) over names:
    labels are the fields' verbose names, choices shown as their labels, related rows by name."""
    pairs = []
    for name in names:
        if name not in typed:
            continue
        model_field = instance._meta.get_field(name)
        stored, new = getattr(instance, name), typed[name]
        if model_field.choices:
            labels = dict(model_field.flatchoices)
            stored, new = labels.get(stored, stored), labels.get(new, new)
        pairs.append((model_field.verbose_name, stored, new))
    return field_differences(pairs)
