"""Forms of the study plan page: the plan's notes and two inline formsets of its topics.

Rows are added and removed without JavaScript: each formset shows two empty rows, "Save and
add more" saves and comes back with two new ones, and a "Remove" box removes a row.
"""

from django import forms
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from sessions_app.forms.text import SingleLineTextField
from sessions_app.forms.widgets import LabelSelect
from sessions_app.models import Member, PlannedTopic, StudyPlan, Term
from sessions_app.selectors.plans import month_label, plan_assignable_members
from sessions_app.services.plans import TopicInput, planned_topic_errors, term_months

EXTRA_ROWS = 2


class PlanNotesForm(forms.ModelForm):
    class Meta:
        model = StudyPlan
        fields = ["notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"notes": _("Optional: the plan's aims or arrangements, in a few lines.")}


class _TopicForm(forms.ModelForm):
    kind: str = PlannedTopic.Kind.STUDY

    def __init__(self, *args, term: Term, group_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.term = term
        self.group_id = group_id

    def clean(self):
        cleaned = super().clean()
        errors = planned_topic_errors(
            term=self.term,
            group_id=self.group_id,
            kind=self.kind,
            planned_month=cleaned.get("planned_month"),
            due_date=cleaned.get("due_date"),
            assignees=list(cleaned.get("assignees") or []),
        )
        for name, message in errors.items():
            self.add_error(name, message)
        return cleaned

    def topic_input(self) -> TopicInput:
        data = self.cleaned_data
        return TopicInput(
            kind=self.kind,
            id=self.instance.pk,
            title=data["title"],
            planned_month=data.get("planned_month"),
            format=data.get("format", ""),
            lead_speaker=data.get("lead_speaker", ""),
            readings=data.get("readings", ""),
            due_date=data.get("due_date"),
            assignees=list(data.get("assignees") or []),
        )


class StudyTopicForm(_TopicForm):
    kind = PlannedTopic.Kind.STUDY

    planned_month = forms.TypedChoiceField(
        label=_("Planned month"), coerce=int, empty_value=None, required=False
    )

    class Meta:
        model = PlannedTopic
        fields = ["title", "planned_month", "format", "lead_speaker", "readings"]
        field_classes = {"title": SingleLineTextField, "lead_speaker": SingleLineTextField}
        labels = {"title": _("Topic"), "lead_speaker": _("Lead speaker")}
        widgets = {"readings": forms.Textarea(attrs={"rows": 2}), "format": LabelSelect}
        help_texts = {"readings": _("Documents or books to read, one per line.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["planned_month"].choices = [("", "---------")] + [
            (m, month_label(m)) for m in term_months(self.term)
        ]


class ResearchTopicForm(_TopicForm):
    kind = PlannedTopic.Kind.RESEARCH

    assignees = forms.ModelMultipleChoiceField(
        label=_("Assignees"),
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = PlannedTopic
        fields = ["title", "assignees", "due_date"]
        field_classes = {"title": SingleLineTextField}
        labels = {"title": _("Research topic"), "due_date": _("Due date")}
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, member_queryset, member_choices, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignees"]
        field.queryset = member_queryset  # validation: the group's members only
        field.choices = member_choices  # rendering: loaded once for every row


class _TopicFormSet(BaseInlineFormSet):
    kind: str
    ordering: tuple[str, ...] = ("sort_order", "id")

    def __init__(self, *args, **kwargs):
        queryset = PlannedTopic.objects.filter(kind=self.kind).order_by(*self.ordering)
        if self.kind == PlannedTopic.Kind.RESEARCH:
            queryset = queryset.prefetch_related("assignees")
        kwargs.setdefault("queryset", queryset)
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.kind = self.kind
        return form

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Django accepts any topic's id here and, for one outside this plan, quietly saves the
        # row as a new topic; another plan's id must be an error, like a missing one.
        form.fields["id"].queryset = PlannedTopic.objects.filter(plan=self.instance, kind=self.kind)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this topic")

    def kept_forms(self) -> list[_TopicForm]:
        """Forms to save, in order: not marked for removal, and not an untouched empty row."""
        deleted = set(map(id, self.deleted_forms))
        return [
            f
            for f in self.forms
            if id(f) not in deleted and (f.instance.pk is not None or f.has_changed())
        ]

    def removed_topics(self) -> list[PlannedTopic]:
        return [f.instance for f in self.deleted_forms if f.instance.pk is not None]


class StudyTopicFormSet(_TopicFormSet):
    kind = PlannedTopic.Kind.STUDY
    ordering = ("planned_month", "sort_order", "id")


class ResearchTopicFormSet(_TopicFormSet):
    kind = PlannedTopic.Kind.RESEARCH


StudyTopicFormSetFactory = inlineformset_factory(
    StudyPlan,
    PlannedTopic,
    form=StudyTopicForm,
    formset=StudyTopicFormSet,
    extra=EXTRA_ROWS,
    can_delete=True,
    can_delete_extra=False,
)
ResearchTopicFormSetFactory = inlineformset_factory(
    StudyPlan,
    PlannedTopic,
    form=ResearchTopicForm,
    formset=ResearchTopicFormSet,
    extra=EXTRA_ROWS,
    can_delete=True,
    can_delete_extra=False,
)


class PlanEditForms:
    """The plan page's three forms, validated and read together."""

    def __init__(self, *, plan: StudyPlan, data=None):
        members = plan_assignable_members(plan=plan)
        choices = [(m.pk, m.display_name) for m in members]
        common = {"term": plan.term, "group_id": plan.group_id}
        self.notes = PlanNotesForm(data, instance=plan, prefix="plan")
        self.study = StudyTopicFormSetFactory(
            data, instance=plan, prefix="study", form_kwargs=common
        )
        self.research = ResearchTopicFormSetFactory(
            data,
            instance=plan,
            prefix="research",
            form_kwargs={**common, "member_queryset": members, "member_choices": choices},
        )

    def is_valid(self) -> bool:
        # Validate all three so every error shows at once.
        results = [self.notes.is_valid(), self.study.is_valid(), self.research.is_valid()]
        return all(results)

    def has_changed(self) -> bool:
        return self.notes.has_changed() or self.study.has_changed() or self.research.has_changed()

    def removed_topics(self) -> list[PlannedTopic]:
        return self.study.removed_topics() + self.research.removed_topics()

    def topic_inputs(self) -> list[TopicInput]:
        return [f.topic_input() for fs in (self.study, self.research) for f in fs.kept_forms()]

    @property
    def notes_text(self) -> str:
        return self.notes.cleaned_data["notes"]


class TopicDoneForm(forms.Form):
    """Mark a research topic done on a day; no day means not done."""

    completed_on = forms.DateField(
        label=_("Completed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
