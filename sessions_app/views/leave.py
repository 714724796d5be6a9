"""Leave (请假): a member asks from the session page; the leader decides from the list."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sessions_app.forms.leave import LeaveDecisionForm, LeaveRequestForm
from sessions_app.models import LeaveRequest
from sessions_app.selectors.leave import (
    leave_request_get,
    leave_request_live,
    leave_requests_for_group,
    leave_requests_to_decide,
)
from sessions_app.selectors.sessions import session_get
from sessions_app.services.leave import leave_decide, leave_request
from sessions_app.text import book_title
from sessions_app.views.common import group_view

# How many decided requests the leaders' list shows below the waiting ones.
RECENT_DECISIONS = 20


@group_view()
@require_http_methods(["GET", "POST"])
def leave_request_view(request, pk: int):
    """The request form for one session: a notice links here (sessions/<pk>/leave/)."""
    member = request.member
    session = session_get(group_id=member.group_id, pk=pk)
    form = LeaveRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            leave_request(session=session, member=member, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Your leave request for %(topic)s on %(date)s has been sent; your record "
                    "page shows the decision."
                )
                % {"topic": book_title(session.topic), "date": date_format(session.date)},
            )
            return redirect("sessions_app:my_record", member.group.slug)
    context = {
        "session": session,
        "form": form,
        "live": leave_request_live(session=session, member=member),
        "is_over": timezone.now() >= session.ends_at,
    }
    return render(request, "sessions_app/leave/request.html", context)


def _list_page(request, *, bound: tuple[int, LeaveDecisionForm] | None = None, status=200):
    member = request.member
    waiting = leave_requests_to_decide(member=member)
    forms = {leave.pk: LeaveDecisionForm(prefix=f"l{leave.pk}") for leave in waiting}
    if bound is not None and bound[0] in forms:
        forms[bound[0]] = bound[1]
    decided = list(
        leave_requests_for_group(group_id=member.group_id)
        .exclude(status=LeaveRequest.Status.REQUESTED)
        .order_by("-decided_at", "-id")[:RECENT_DECISIONS]
    )
    rows = [(leave, forms[leave.pk]) for leave in waiting]
    return render(
        request,
        "sessions_app/leave/list.html",
        {"rows": rows, "decided": decided},
        status=status,
    )


@group_view(leaders_only=True)
def leave_list(request):
    """The requests waiting for this leader's decision, and the group's recent decisions."""
    return _list_page(request)


@require_POST
@group_view(leaders_only=True)
def leave_decide_view(request, pk: int):
    """Approve or refuse one waiting request (POST from the list); a refusal without a comment
    shows the list again with the error (400) and changes nothing."""
    member = request.member
    leave = leave_request_get(group_id=member.group_id, pk=pk)
    form = LeaveDecisionForm(request.POST, prefix=f"l{leave.pk}")
    if not form.is_valid():
        return _list_page(request, bound=(leave.pk, form), status=400)
    try:
        leave = leave_decide(
            leave=leave,
            decider=member,
            approve=form.approve,
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("sessions_app:leave_list", member.group.slug)
    values = {
        "name": leave.member.display_name,
        "topic": book_title(leave.session.topic),
        "date": date_format(leave.session.date),
    }
    if leave.status == LeaveRequest.Status.APPROVED:
        text = _(
            "Leave approved: %(name)s is recorded as on leave from %(topic)s on %(date)s, "
            "with make-up study to do."
        )
    else:
        text = _("Leave refused: %(name)s sees your comment on their record page.")
    messages.success(request, text % values)
    return redirect("sessions_app:leave_list", member.group.slug)
