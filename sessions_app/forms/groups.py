from django import forms

from sessions_app.models import StudyGroup


class GroupRulesForm(forms.ModelForm):
    class Meta:
        model = StudyGroup
        fields = [
            "rule_sessions_per_quarter",
            "rule_attendance_rate",
            "rule_essays_per_member_year",
        ]
