"""Forms for essays: submit or revise (file or typed text), review, and filter the list."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from intake.essays import ALLOWED_EXTENSIONS, EssayFile, essay_file_read
from intake.limits import max_upload_megabytes
from sessions_app.forms.sessions import NO_PLANNED_TOPIC
from sessions_app.forms.text import SingleLineTextField
from sessions_app.models import Member, PlannedTopic, ReflectionEssay, StudySession, Term
from sessions_app.selectors.essays import (
    sessions_for_essays,
    sessions_for_outlines,
    topics_for_essays,
)

# A typed essay longer than this is not an essay; the limit keeps requests and rows reasonable.
# (settings.DATA_UPLOAD_MAX_MEMORY_SIZE leaves room for 1,000,000 Chinese characters, so a
# longer paste still reaches the form and gets this message rather than a bare 400.)
ESSAY_BODY_MAX_CHARACTERS = 50_000


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StudySession) -> str:
        return f"{date_format(obj.date)} {obj.topic}"


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PlannedTopic) -> str:
        return f"{obj.plan.term.label} · {obj.get_kind_display()} · {obj.title}"


class EssayForm(forms.Form):
    """A title, what the essay is for (a session or a topic), and a file or typed text.

    A valid form holds the checked file in `essay_file` (an EssayFile with its text), or None.
    """

    title = SingleLineTextField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ReflectionEssay.Kind.choices,
        initial=ReflectionEssay.Kind.REFLECTION,
        widget=forms.RadioSelect,
    )
    session = SessionChoiceField(
        label=_("Session"),
        queryset=StudySession.objects.none(),
        required=False,
        empty_label=_("(not for a session)"),
        help_text=_("The session the essay is about, or choose a topic below."),
    )
    planned_topic = TopicChoiceField(
        label=_("Topic"),
        queryset=PlannedTopic.objects.none(),
        required=False,
        empty_label=NO_PLANNED_TOPIC,
        help_text=_(
            "A topic or research topic of a study plan, if the essay is not for a session."
        ),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
    )
    body = forms.CharField(
        label=_("Or type the text here"),
        required=False,
        max_length=ESSAY_BODY_MAX_CHARACTERS,
        error_messages={
            "max_length": _(
                "The text is %(show_value)s characters long; the limit is %(limit_value)s. "
                "Shorten it, or upload it as a file."
            )
        },
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "The word count (字数) is counted as Word counts it: each Chinese character and each "
            "full-width punctuation mark is one, and each run of Latin letters or digits, such as "
            "GDP or 5.2%, is one. Characters without spaces are counted too. Invisible characters "
            "(zero-width spaces, soft hyphens and the like) are removed and not counted."
        ),
    )

    def __init__(self, *args, member: Member, essay: ReflectionEssay | None = None, **kwargs):
        self.member = member
        self.essay = essay
        self.essay_file: EssayFile | None = None
        if essay is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": essay.title,
                    "kind": essay.kind,
                    "session": essay.session_id,
                    "planned_topic": essay.planned_topic_id,
                    # With a file, the text came from the file: typing text here replaces it.
                    "body": "" if essay.file else essay.body,
                },
            )
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        # Essays are for sessions held; a key speaker's outline also for the session ahead.
        self.fields["session"].queryset = sessions_for_essays(
            group_id=member.group_id, until=self.today, speaker=member
        )
        is_outline = essay is not None and essay.kind == ReflectionEssay.Kind.OUTLINE
        if not is_outline and not sessions_for_outlines(member=member).exists():
            # Only a key speaker named in a notice hands in a speaking outline.
            self.fields["kind"].choices = [
                c for c in ReflectionEssay.Kind.choices if c[0] != ReflectionEssay.Kind.OUTLINE
            ]
        self.fields["planned_topic"].queryset = topics_for_essays(group_id=member.group_id)
        # Browsers cut a longer paste silently at maxlength; the error above says what happened.
        self.fields["body"].widget.attrs.pop("maxlength", None)
        limit = max_upload_megabytes()
        if self.has_current_file:
            self.fields["file"].label = _("Replace the file")
            self.fields["file"].help_text = _(
                "Current file: %(name)s. Leave this and the text empty to keep it. "
                "A .docx, .doc, .wps, .pdf or .txt file of at most %(limit)s MB."
            ) % {"name": essay.original_filename, "limit": limit}
        else:
            self.fields["file"].help_text = _(
                "A .docx, .doc, .wps, .pdf or .txt file of at most %(limit)s MB. "
                "Its text is read from it."
            ) % {"limit": limit}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "title",
            Field("kind"),
            Div(
                Div("session", css_class="col-md-6"),
                Div("planned_topic", css_class="col-md-6"),
                css_class="row",
            ),
            "file",
            "body",
        )

    @property
    def has_subjects(self) -> bool:
        """Whether there is any session or planned topic an essay could be for (two queries)."""
        return (
            self.fields["session"].queryset.exists()
            or self.fields["planned_topic"].queryset.exists()
        )

    @property
    def has_current_file(self) -> bool:
        return self.essay is not None and bool(self.essay.file)

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded:
            self.essay_file = essay_file_read(uploaded)
        return uploaded

    def clean(self):
        cleaned = super().clean()
        session, topic = cleaned.get("session"), cleaned.get("planned_topic")
        if session is None and topic is None and "session" not in self.errors:
            self.add_error("session", _("Choose the session or the topic the essay is for."))
        elif session is not None and topic is not None:
            self.add_error("planned_topic", _("Choose a session or a topic, not both."))
        elif cleaned.get("kind") == ReflectionEssay.Kind.OUTLINE and topic is not None:
            self.add_error("session", _("A speaking outline is for a session: choose it."))
        elif (
            session is not None
            and cleaned.get("kind") != ReflectionEssay.Kind.OUTLINE
            and session.date > self.today
        ):
            self.add_error(
                "session",
                _(
                    "This session has not been held yet: essays are written after it. A key "
                    "speaker's outline is handed in as a speaking outline."
                ),
            )
        if "file" in self.errors:
            return cleaned
        has_text = bool(cleaned.get("body", "").strip())
        if self.essay_file is not None and has_text:
            self.add_error(
                "body",
                _("You uploaded a file and typed text. Keep one: clear the text or the file."),
            )
        elif self.essay_file is None and not has_text and not self.has_current_file:
            self.add_error(
                "file", _("Upload a .docx, .doc, .wps, .pdf or .txt file, or type the text.")
            )
        return cleaned

    @property
    def keep_file(self) -> bool:
        """On revising: no new file and no typed text keep the current file."""
        return (
            self.has_current_file
            and self.essay_file is None
            and not self.cleaned_data.get("body", "").strip()
        )


class EssayReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ReflectionEssay.Status.ACCEPTED, _("Accept")),
            (ReflectionEssay.Status.RETURNED, _("Return to the author")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you return the essay: say what to improve."),
    )

    def __init__(self, *args, essay: ReflectionEssay, **kwargs):
        if essay.status != ReflectionEssay.Status.SUBMITTED:
            kwargs.setdefault("initial", {"status": essay.status, "comment": essay.review_comment})
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") == ReflectionEssay.Status.RETURNED
            and not cleaned.get("comment", "").strip()
        ):
            self.add_error("comment", _("Say why the essay is returned."))
        return cleaned


class EssayFilterForm(forms.Form):
    """The list's filters; an unknown value is ignored rather than shown as an error."""

    term = forms.ChoiceField(label=_("Term"), required=False)
    session = SessionChoiceField(
        label=_("Session"),
        queryset=StudySession.objects.none(),
        required=False,
        empty_label=_("All sessions"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *ReflectionEssay.Status.choices],
    )

    def __init__(self, *args, terms: list[Term], group_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.terms = {t.code: t for t in terms}
        self.fields["term"].choices = [("", _("All terms"))] + [(t.code, t.label) for t in terms]
        self.fields["session"].queryset = sessions_for_essays(group_id=group_id)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Div("term", css_class="col-12 col-md-3"),
            Div("session", css_class="col-12 col-md-4"),
            Div("status", css_class="col-12 col-md-3"),
        )

    def filters(self) -> dict:
        """The valid filters as selector arguments (term, session, status).

        A value the list cannot use (an old link's term, another group's session, a typed-in
        status) is dropped on its own, without an error on the page: the other filters still
        apply, and the form shows that filter as "all".
        """
        if not self.is_bound:
            return {}
        if self.errors:
            data = self.data.copy()
            for name in self.errors:
                data.pop(name, None)
            self.data = data
            self.full_clean()
        return {
            "term": self.terms.get(self.cleaned_data.get("term") or ""),
            "session": self.cleaned_data.get("session"),
            "status": self.cleaned_data.get("status") or "",
        }
