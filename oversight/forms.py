"""The inspector's evaluation form (旁听评价): three short parts, at most 500 characters in all."""

from django import forms
from django.utils.translation import gettext_lazy as _

from oversight.models import EVALUATION_MAX_CHARS


class EvaluationForm(forms.Form):
    evaluation = forms.CharField(
        label=_("Evaluation"),
        required=False,
        max_length=EVALUATION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    highlights = forms.CharField(
        label=_("Highlights"),
        required=False,
        max_length=EVALUATION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    problems = forms.CharField(
        label=_("Problems"),
        required=False,
        max_length=EVALUATION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BulletinForm(forms.Form):
    preamble = forms.CharField(
        label=_("Preamble"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    findings = forms.CharField(
        label=_("Further problems found"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    requirements = forms.CharField(
        label=_("Requirements"), required=False, max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
