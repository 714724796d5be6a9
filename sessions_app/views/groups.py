from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sessions_app.forms.groups import GroupRulesForm
from sessions_app.services.groups import group_rules_update
from sessions_app.views.common import group_view


@group_view(managers_only=True)
def group_rules(request):
    group = request.member.group
    form = GroupRulesForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        group_rules_update(
            group=group,
            actor=request.user,
            sessions_per_quarter=form.cleaned_data["rule_sessions_per_quarter"],
            attendance_rate=form.cleaned_data["rule_attendance_rate"],
            essays_per_member_year=form.cleaned_data["rule_essays_per_member_year"],
            makeup_due_days=form.cleaned_data["makeup_due_days"],
            leave_approver=form.cleaned_data["leave_approver"],
            checkin_grace_minutes=form.cleaned_data["checkin_grace_minutes"],
            notice_days_ahead=form.cleaned_data["notice_days_ahead"],
            originality_threshold=form.cleaned_data["originality_threshold"],
        )
        messages.success(
            request,
            _(
                "The group's rules were saved; the dashboard now measures against them, new "
                "notices follow the days ahead set here, and essays are flagged from an overlap "
                "of %(threshold)s%%."
            )
            % {"threshold": group.originality_threshold},
        )
        return redirect("sessions_app:dashboard", group.slug)
    return render(request, "sessions_app/group_rules.html", {"form": form})
