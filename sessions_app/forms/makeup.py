"""Forms for 补学 (make-up study): the member's notes, the secretary's review."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.essays import ALLOWED_EXTENSIONS, EssayFile, essay_file_read
from intake.limits import max_upload_megabytes
from sessions_app.forms.essays import ESSAY_BODY_MAX_CHARACTERS
from sessions_app.models import MakeupDuty


class MakeupNotesForm(forms.Form):
    """Make-up notes, typed or as a file read like an essay (intake.essays.essay_file_read).

    A valid form holds the checked file in `notes_file` (an EssayFile with its text), or None.
    """

    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
    )
    body = forms.CharField(
        label=_("Or type your notes here"),
        required=False,
        max_length=ESSAY_BODY_MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What you studied (the materials, the recording) and what you took from it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.notes_file: EssayFile | None = None
        self.fields["body"].widget.attrs.pop("maxlength", None)
        self.fields["file"].help_text = _(
            "A .docx, .doc, .wps, .pdf or .txt file of at most %(limit)s MB. "
            "Its text is read from it."
        ) % {"limit": max_upload_megabytes()}

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded:
            self.notes_file = essay_file_read(uploaded)
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if "file" in self.errors:
            return cleaned
        has_text = bool(cleaned.get("body", "").strip())
        if self.notes_file is not None and has_text:
            self.add_error(
                "body",
                _("You uploaded a file and typed text. Keep one: clear the text or the file."),
            )
        elif self.notes_file is None and not has_text:
            self.add_error("body", _("Type your make-up notes or upload a file."))
        return cleaned


class MakeupReviewForm(forms.Form):
    """Accept the notes or return them, with a comment (required to return)."""

    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (MakeupDuty.Status.ACCEPTED, _("Accept: the session is made up")),
            (MakeupDuty.Status.RETURNED, _("Return to the member")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you return the notes: say what is missing."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") == MakeupDuty.Status.RETURNED
            and not cleaned.get("comment", "").strip()
        ):
            self.add_error("comment", _("Say why the notes are returned."))
        return cleaned
