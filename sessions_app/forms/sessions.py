"""The one page where the secretary logs a session: its fields and a row per member."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.limits import max_upload_megabytes
from intake.materials import (
    MATERIAL_EXTENSIONS,
    MaterialFile,
    material_accepted_types,
    material_file_read,
)
from sessions_app.forms.text import SingleLineTextField
from sessions_app.forms.widgets import LabelSelect
from sessions_app.models import (
    Attendance,
    PlannedTopic,
    StudyGroup,
    StudySession,
)
from sessions_app.selectors.sessions import SheetLine, session_host_choices
from sessions_app.services.sessions import SESSION_FIELDS, AttendanceEntry


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


#: The empty choice of every planned-topic field (sessions and essays).
NO_PLANNED_TOPIC = _("(no planned topic)")


def planned_topic_option_data(topic: PlannedTopic) -> dict[str, str]:
    """What the session form's script (static/js/session-form.js) fills in from a planned topic,
    as data- attributes of its <option> (HTML-escaped like any attribute; no inline script):
    title, format (a SessionFormat value or ""), lead speaker, and the plan's term (start and
    end as ISO dates, and a warning naming it). topic needs plan__term loaded."""
    term = topic.plan.term
    return {
        "data-title": topic.title,
        "data-format": topic.format,
        "data-lead-speaker": topic.lead_speaker,
        "data-term-start": term.start_date.isoformat(),
        "data-term-end": term.end_date.isoformat(),
        "data-other-term": str(
            _("This topic is in the plan for %(term)s; the session's date is not in that term.")
            % {"term": term.label}
        ),
    }


class PlannedTopicSelect(forms.Select):
    """The planned-topic select: each topic's option carries planned_topic_option_data."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        topic = getattr(value, "instance", None)
        if topic is not None:
            option["attrs"].update(planned_topic_option_data(topic))
        return option


class StudySessionForm(forms.ModelForm):
    class Meta:
        model = StudySession
        fields = list(SESSION_FIELDS)  # what the secretary records, as the service writes it
        widgets = {
            "date": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "essay_due_on": DateInput(),
            "notified_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "minutes": forms.Textarea(attrs={"rows": 5}),
            "format": LabelSelect,
            "planned_topic": PlannedTopicSelect(),
        }
        field_classes = {
            "topic": SingleLineTextField,
            "place": SingleLineTextField,
            "speakers": SingleLineTextField,
        }
        help_texts = {
            "speakers": _("Lead speaker and those who spoke, separated by commas."),
            "minutes": _("The study record: what was studied and what members said."),
            "essay_due_on": _("Leave empty if no essay is asked for."),
        }

    def __init__(self, *args, group: StudyGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = session_host_choices(
            group=group,
            day=self.instance.date if self.instance.pk else timezone.localdate(),
            named=self.instance.host_id if self.instance.pk else None,
        )
        self.fields["host"].empty_label = _("(no host recorded)")
        topic_field = self.fields["planned_topic"]
        topic_field.queryset = (
            PlannedTopic.objects.filter(plan__group=group, kind=PlannedTopic.Kind.STUDY)
            .select_related("plan__term")
            .order_by("-plan__term__start_date", "planned_month", "sort_order")
        )
        topic_field.label_from_instance = lambda t: f"{t.plan.term.label} · {t.title}"
        topic_field.empty_label = NO_PLANNED_TOPIC
        topic_field.help_text = _(
            "Choosing a topic fills in the topic, format and lead speaker from the plan; "
            "change them as the session was held."
        )
        self.fields["notified_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        # One rule for when members were notified: a session with a notice (notices app) was
        # notified when the notice reached them, and the notice keeps notified_at so. Typed by
        # hand only for a session announced outside the app.
        if self.instance.pk and getattr(self.instance, "notice", None) is not None:
            self.fields["notified_at"].disabled = True
            self.fields["notified_at"].help_text = _(
                "Set by the session's notice: members were notified when it reached them."
            )


class AttendanceRowForm(forms.Form):
    status = forms.ChoiceField(
        label=_("attendance"), choices=Attendance.Status.choices, initial=Attendance.Status.PRESENT
    )
    leave_reason = SingleLineTextField(label=_("reason for leave"), max_length=300, required=False)
    makeup_on = forms.DateField(label=_("make-up study on"), required=False, widget=DateInput())
    makeup_note = SingleLineTextField(label=_("make-up study note"), max_length=300, required=False)

    def __init__(self, *args, line: SheetLine, session_date=None, **kwargs):
        self.line = line
        self.session_date = session_date
        initial = {}
        if line.attendance is not None:
            a = line.attendance
            initial = {
                "status": a.status,
                "leave_reason": a.leave_reason,
                "makeup_on": a.makeup_on,
                "makeup_note": a.makeup_note,
            }
        super().__init__(*args, prefix=f"m{line.member.pk}", initial=initial, **kwargs)

    def clean(self):
        cleaned = super().clean()
        # The rules for one attendance row live on the model; ask it.
        row = Attendance(
            session=StudySession(date=self.session_date),
            status=cleaned.get("status") or Attendance.Status.PRESENT,
            leave_reason=cleaned.get("leave_reason") or "",
            makeup_on=cleaned.get("makeup_on"),
        )
        try:
            row.clean()
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    self.add_error(field, error)
        return cleaned

    def entry(self) -> AttendanceEntry:
        c = self.cleaned_data
        return AttendanceEntry(
            member=self.line.member,
            status=c["status"],
            leave_reason=c["leave_reason"],
            makeup_on=c["makeup_on"],
            makeup_note=c["makeup_note"],
        )


class AttendanceSheetForm:
    """One AttendanceRowForm per member, keyed by the member's id (never by posted ids)."""

    def __init__(self, data=None, *, lines: list[SheetLine], session_date=None):
        self.rows = [
            AttendanceRowForm(data, line=line, session_date=session_date) for line in lines
        ]

    def is_valid(self) -> bool:
        return all([row.is_valid() for row in self.rows])

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    def entries(self) -> list[AttendanceEntry]:
        return [row.entry() for row in self.rows]

    def __iter__(self):
        return iter(self.rows)


class SessionMaterialForm(forms.Form):
    """A title and a file; a valid form holds the checked file in `material_file`."""

    title = SingleLineTextField(label=_("title"), max_length=300)
    file = forms.FileField(
        label=_("file"),
        widget=forms.FileInput(attrs={"accept": ",".join(MATERIAL_EXTENSIONS)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.material_file: MaterialFile | None = None
        self.fields["file"].help_text = _("A %(types)s file of at most %(limit)s MB.") % {
            "types": material_accepted_types(),
            "limit": max_upload_megabytes(),
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.material_file = material_file_read(upload)
        return upload
