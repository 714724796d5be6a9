"""The narrative drafting form: the sections, and the headed paragraphs of good practice."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.services.narrative import NarrativeText

# Blank paragraph forms offered after the existing ones, so more can be added without JS.
EXTRA_PRACTICES = 2


class NarrativeForm(forms.Form):
    preamble = forms.CharField(
        label=_("Preamble"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The opening paragraph: what the group set out to do this half-year."),
    )
    problems = forms.CharField(
        label=_("Problems"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One problem per paragraph. The hints show what the records name."),
    )
    causes = forms.CharField(
        label=_("Causes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One cause per paragraph."),
    )
    measures = forms.CharField(
        label=_("Measures for next term"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the group will do next term; printed after next term's plan."),
    )


class PracticeForm(forms.Form):
    heading = forms.CharField(
        label=_("Heading"),
        required=False,
        max_length=200,
        help_text=_("A short headline, e.g. a four-character phrase and what was done."),
    )
    body = forms.CharField(
        label=_("Paragraph"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self):
        data = super().clean()
        if data.get("body", "").strip() and not data.get("heading", "").strip():
            self.add_error("heading", _("Give the paragraph a heading."))
        return data


PracticeFormSet = forms.formset_factory(PracticeForm, extra=EXTRA_PRACTICES, max_num=12)


def narrative_forms(*, data=None, initial: NarrativeText | None = None):
    """The main form and the practices formset, bound to POST data or filled from a version."""
    initial = initial or NarrativeText()
    form = NarrativeForm(
        data=data,
        prefix="narrative",
        initial={
            "preamble": initial.preamble,
            "problems": initial.problems,
            "causes": initial.causes,
            "measures": initial.measures,
        },
    )
    formset = PracticeFormSet(data=data, prefix="practices", initial=initial.practices)
    return form, formset


def narrative_text_from(form: NarrativeForm, formset) -> NarrativeText:
    """The cleaned text; empty paragraph forms are dropped. Both must be valid."""
    practices = [
        {"heading": f.cleaned_data["heading"].strip(), "body": f.cleaned_data["body"].strip()}
        for f in formset.forms
        if f.cleaned_data.get("heading", "").strip() or f.cleaned_data.get("body", "").strip()
    ]
    return NarrativeText(
        preamble=form.cleaned_data["preamble"].strip(),
        practices=practices,
        problems=form.cleaned_data["problems"].strip(),
        causes=form.cleaned_data["causes"].strip(),
        measures=form.cleaned_data["measures"].strip(),
    )


class WordTemplateForm(forms.Form):
    """The group's Word template upload: the file only; reports.services.word_templates checks
    that it is a Word template."""

    file = forms.FileField(
        label=_("Word template (.docx)"),
        help_text=_(
            "A .docx with your letterhead and styles, and {{ body }} on a line of its own where "
            "the document goes."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".docx,application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document"
            }
        ),
    )
