from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions_app.models import Member, StudyGroup


class GroupRulesForm(forms.ModelForm):
    class Meta:
        model = StudyGroup
        fields = [
            "rule_sessions_per_quarter",
            "rule_attendance_rate",
            "rule_essays_per_member_year",
            "makeup_due_days",
            "leave_approver",
            "checkin_grace_minutes",
            "notice_days_ahead",
            "originality_threshold",
        ]
        help_texts = {
            "makeup_due_days": _(
                "A member on leave or absent makes up the session within this many days of it "
                "(1 to 90)."
            ),
            "leave_approver": _(
                "Leave requests go to the leader unless you choose a deputy leader here; the "
                "leader's own requests go to this deputy (or to any deputy)."
            ),
            "checkin_grace_minutes": _(
                "A member who checks in by the QR code later than this after the session's "
                "start is marked late (0 to 60)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A quarter has 13 weeks; a weekly session is the most any group asks.
        self.fields["rule_sessions_per_quarter"].max_value = 13
        self.fields["rule_sessions_per_quarter"].validators.append(MaxValueValidator(13))
        self.fields["rule_essays_per_member_year"].max_value = 12
        self.fields["rule_essays_per_member_year"].validators.append(MaxValueValidator(12))
        approver = self.fields["leave_approver"]
        approver.queryset = (
            Member.objects.filter(group=self.instance, role=Member.Role.DEPUTY)
            .in_group_on(timezone.localdate())
            .in_rank_order()
        )
        approver.empty_label = _("The leader")
        # Left empty, the grace stays as it was (older forms post only the three rules).
        self.fields["checkin_grace_minutes"].required = False

    def clean_checkin_grace_minutes(self):
        value = self.cleaned_data.get("checkin_grace_minutes")
        return self.instance.checkin_grace_minutes if value is None else value
        self.fields["notice_days_ahead"].max_value = 30
