"""Forms for leave (请假): the member's request, the leader's decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sessions_app.forms.text import SingleLineTextField


class LeaveRequestForm(forms.Form):
    """The member's reason for leave (one line, at most 300 characters)."""

    reason = SingleLineTextField(
        label=_("Reason for leave"),
        max_length=300,
        help_text=_("For example: 出差 (on a business trip), 病假 (ill). The leader reads it."),
    )


class LeaveDecisionForm(forms.Form):
    """Approve or refuse, with a comment (required to refuse). Prefixed by the request's id on
    the list, where each waiting request has its own form."""

    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (APPROVE, pgettext_lazy("leave request", "Approve")),
            (REFUSE, pgettext_lazy("leave request", "Refuse")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you refuse: the member reads it."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REFUSE and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say why the leave is refused: the member reads it."))
        return cleaned

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == self.APPROVE
