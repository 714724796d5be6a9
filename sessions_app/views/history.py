"""修改记录: a record's history (audit.history), read from its page.

Secretaries and leaders read the history of sessions (with their attendance), plans (with
their topics) and memberships (the summary's narrative: reports.views.history); a member
reads their own essay's. Other
groups' records are 404, as everywhere.
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.history import record_history
from notices.models import Notice
from sessions_app.models import (
    Attendance,
    Member,
    PlannedTopic,
    ReflectionEssay,
    StudyPlan,
    StudySession,
)
from sessions_app.selectors.access import term_get
from sessions_app.selectors.essays import essay_get_for_member
from sessions_app.selectors.plans import plan_get
from sessions_app.selectors.sessions import session_get
from sessions_app.views.common import group_view


def history_page(request, *, title: str, back_url: str, parts):
    """The history page: title, a link back to the record, its changes (parts as
    audit.history.record_history takes them)."""
    entries = record_history(group_id=request.member.group_id, parts=parts)
    return render(
        request,
        "audit/history.html",
        {"title": title, "back_url": back_url, "entries": entries},
    )


@group_view(managers_only=True)
def session_history(request, pk: int):
    session = session_get(group_id=request.member.group_id, pk=pk)
    return history_page(
        request,
        title=str(session),
        back_url=reverse("sessions_app:session_detail", args=[session.group.slug, session.pk]),
        parts=[
            (StudySession, StudySession.history.filter(id=session.pk), ""),
            (Attendance, Attendance.history.filter(session_id=session.pk), "member"),
            # Its 学习通知: every version of the questions and when members saw it.
            (Notice, Notice.history.filter(session_id=session.pk), ""),
        ],
    )


@group_view()
def essay_history(request, pk: int):
    """Managers read any essay's history of their group; a member only their own (404)."""
    member = request.member
    essay = essay_get_for_member(member=member, pk=pk)
    if not member.can_manage_records and essay.author_id != member.pk:
        raise Http404("No such essay")
    return history_page(
        request,
        title=essay.title,
        back_url=reverse("sessions_app:essay_detail", args=[member.group.slug, essay.pk]),
        parts=[(ReflectionEssay, ReflectionEssay.history.filter(id=essay.pk), "")],
    )


@group_view(managers_only=True)
def plan_history(request, term_code: str):
    member = request.member
    term = term_get(group_id=member.group_id, code=term_code)
    plan = plan_get(group_id=member.group_id, term=term)
    return history_page(
        request,
        title=str(plan),
        back_url=reverse("sessions_app:plan_detail", args=[member.group.slug, term.code]),
        parts=[
            (StudyPlan, StudyPlan.history.filter(id=plan.pk), ""),
            (PlannedTopic, PlannedTopic.history.filter(plan_id=plan.pk), "title"),
        ],
    )


@group_view(managers_only=True)
def member_history(request):
    """Every change of the group's memberships (joined, left, role, position)."""
    member = request.member
    return history_page(
        request,
        title=_("Members"),
        back_url=reverse("sessions_app:dashboard", args=[member.group.slug]),
        parts=[(Member, Member.history.filter(group_id=member.group_id), "display_name")],
    )
