from django.shortcuts import render
from django.utils import timezone

from audit.promptness import unrecorded_sessions
from notices.dispatch.selectors import inbox_unread_count
from notices.selectors.notice import notices_for_dashboard
from reports.selectors.index import narratives_awaiting_approval
from sessions_app.selectors.access import term_current, term_get
from sessions_app.selectors.dashboard import dashboard_for_member, group_first_steps
from sessions_app.selectors.essays import essays_returned_to
from sessions_app.selectors.leave import leave_requests_recent, leave_requests_to_decide
from sessions_app.selectors.makeup import makeup_counts, makeup_duties_owed_by
from sessions_app.selectors.plans import plans_awaiting_approval
from sessions_app.views.common import group_view


@group_view()
def dashboard(request):
    member = request.member
    today = timezone.localdate()
    code = request.GET.get("term")
    term = (
        term_get(group_id=member.group_id, code=code)
        if code
        else term_current(group_id=member.group_id, today=today)
    )
    data = dashboard_for_member(member=member, term=term, today=today)
    context = {
        "dashboard": data,
        "today": today,
        "returned_essays": essays_returned_to(member=member),
        "leave_to_decide": leave_requests_to_decide(member=member, today=today),
        "my_leave": leave_requests_recent(member=member, today=today),
        "my_makeup": makeup_duties_owed_by(member=member),
        # Reminders in the app not yet opened (notices.dispatch): the dashboard points to them.
        "inbox_unread": inbox_unread_count(member=member),
        # 学习通知 of the sessions ahead, with this member's 已阅 (one query).
        "notices": notices_for_dashboard(member=member, today=today, now=timezone.now()),
    }
    if member.can_manage_records:
        context["plans_awaiting"] = plans_awaiting_approval(group_id=member.group_id)
        context["summaries_awaiting"] = narratives_awaiting_approval(group_id=member.group_id)
        context["first_steps"] = group_first_steps(group_id=member.group_id)
        # Held, attendance not entered (audit.promptness: what "recorded" means), any term.
        context["unrecorded"] = unrecorded_sessions(group_id=member.group_id, today=today)
        if term is not None:
            context["makeup"] = makeup_counts(group=member.group, term=term, today=today).total
    return render(request, "sessions_app/dashboard.html", context)
