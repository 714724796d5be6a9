from django import forms
from django.core.validators import MaxValueValidator

from sessions_app.models import StudyGroup


class GroupRulesForm(forms.ModelForm):
    class Meta:
        model = StudyGroup
        fields = [
            "rule_sessions_per_quarter",
            "rule_attendance_rate",
            "rule_essays_per_member_year",
            "originality_threshold",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A quarter has 13 weeks; a weekly session is the most any group asks.
        self.fields["rule_sessions_per_quarter"].max_value = 13
        self.fields["rule_sessions_per_quarter"].validators.append(MaxValueValidator(13))
        self.fields["rule_essays_per_member_year"].max_value = 12
        self.fields["rule_essays_per_member_year"].validators.append(MaxValueValidator(12))
