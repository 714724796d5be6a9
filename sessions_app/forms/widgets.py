"""Widgets shared by the forms."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst


class LabelSelect(forms.Select):
    """A select whose option labels start with a capital, as a label does ("Seminar").

    The choices' names stay lower case where a sentence uses them ("all seminar"); Chinese
    labels are unchanged. The label is capitalised when the page renders, in its language.
    """

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["label"] = capfirst(option["label"])
        return option
