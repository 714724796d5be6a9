"""The notice form: discussion questions, key speakers, and when members see it."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notices.models import Notice
from notices.services.notice import notice_publish_at
from sessions_app.models import Member, StudySession


class KeySpeakerField(forms.ModelMultipleChoiceField):
    """Members as checkboxes, each named with their position (职务) when they have one."""

    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.display_name} · {obj.position}" if obj.position else obj.display_name


class NoticeForm(forms.Form):
    """What the secretary writes into a session's notice. The rules (two or three key speakers
    in the group on the session's day, a session still to come) are the service's: its errors
    are shown at these fields."""

    AHEAD, AT_ONCE = "ahead", "now"

    discussion_questions = forms.CharField(
        label=_("Discussion questions"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One question a line: members think them over before the session."),
    )
    key_speakers = KeySpeakerField(
        label=_("Key speakers"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Two or three members who will speak; each hands in a speaking outline."),
    )
    when = forms.ChoiceField(label=_("Members see it"), widget=forms.RadioSelect)

    def __init__(self, *args, session: StudySession, notice: Notice | None = None, **kwargs):
        now = timezone.now()
        if notice is not None:
            kwargs.setdefault(
                "initial",
                {
                    "discussion_questions": notice.discussion_questions,
                    "key_speakers": [m.pk for m in notice.key_speakers.all()],
                    "when": self.AHEAD,
                },
            )
        else:
            kwargs.setdefault("initial", {"when": self.AHEAD})
        super().__init__(*args, **kwargs)
        self.fields["key_speakers"].queryset = (
            Member.objects.filter(group_id=session.group_id)
            .in_group_on(session.date)
            .in_rank_order()
        )
        ahead = timezone.localtime(notice_publish_at(session=session, at_once=False, now=now))
        self.fields["when"].choices = [
            (
                self.AHEAD,
                ngettext(
                    "%(days)s day before the session: %(date)s at %(time)s",
                    "%(days)s days before the session: %(date)s at %(time)s",
                    session.group.notice_days_ahead,
                )
                % {
                    "days": session.group.notice_days_ahead,
                    "date": date_format(ahead.date()),
                    "time": time_format(ahead.time(), "H:i"),
                },
            ),
            (self.AT_ONCE, _("At once")),
        ]
        self.already_published = notice is not None and notice.publish_at <= now
        if self.already_published:
            # Members were told already: that time stands (notices.services.notice_update).
            del self.fields["when"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    @property
    def at_once(self) -> bool:
        """Whether the secretary chose to publish now (for a notice not yet published)."""
        return self.cleaned_data.get("when") == self.AT_ONCE
