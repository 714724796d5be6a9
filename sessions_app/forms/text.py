"""Normalising what people type into single-line fields (titles, topics)."""

from __future__ import annotations

import re

from django import forms

# Explicit embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069) can make a
# title display reversed or hide part of it ("Trojan Source"); nobody types them on purpose.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def strip_bidi_controls(value: str) -> str:
    """value without Unicode bidirectional embedding, override and isolate characters."""
    return _BIDI_CONTROLS.sub("", value)


class SingleLineTextField(forms.CharField):
    """A CharField for titles and topics: bidi control characters removed, then stripped.

    A value of only such characters is empty, so a required field reports it as missing.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return strip_bidi_controls(value).strip() if self.strip else strip_bidi_controls(value)
