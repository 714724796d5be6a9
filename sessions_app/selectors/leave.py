"""Who decides a leave request (请假申请), and the requests a page lists.

The rule (one home: leave_deciders): a request goes to the group's leader (组长), or, when the
group names one (StudyGroup.leave_approver), to that deputy leader (副组长). The leader's own
leave goes to the named deputy, else to any deputy; the named deputy's own leave goes to the
leader. Nobody decides their own request. When nobody of the chosen role is in the group, any
other leader or deputy may decide.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from sessions_app.models import LeaveRequest, Member, StudySession


def leave_askable(*, session: StudySession, member: Member, now: dt.datetime | None = None) -> bool:
    """Whether member may still ask for leave from session: the session (of member's group) has
    not ended (StudySession.ends_at) and member was in the group on its day. The pages that offer
    the request (the session page, its notice) ask this; leave_request refuses the same cases."""
    return (
        session.group_id == member.group_id
        and (now or timezone.now()) < session.ends_at
        and member.is_in_group_on(session.date)
    )


def group_leaders(*, group_id: int, day: dt.date) -> list[Member]:
    """The group's leaders and deputies in the group on day (one query)."""
    return list(
        Member.objects.filter(group_id=group_id, role__in=(Member.Role.LEADER, Member.Role.DEPUTY))
        .in_group_on(day)
        .in_rank_order()
    )


def leave_deciders(*, requester: Member, leaders: list[Member]) -> list[Member]:
    """Who may decide requester's leave, among leaders (group_leaders of today): see the
    module's rule. requester.group must be loaded. Empty when the group has no other leader
    or deputy."""
    others = [m for m in leaders if m.pk != requester.pk]
    named = next((m for m in others if m.pk == requester.group.leave_approver_id), None)
    if requester.role == Member.Role.LEADER:
        chosen = (
            [named] if named is not None else [m for m in others if m.role == Member.Role.DEPUTY]
        )
    elif named is not None:
        chosen = [named]
    else:
        chosen = [m for m in others if m.role == Member.Role.LEADER]
    return chosen or others


def may_decide_leave(*, member: Member, leave: LeaveRequest, leaders: list[Member]) -> bool:
    """Whether member decides leave (leave.member and its group loaded)."""
    return any(m.pk == member.pk for m in leave_deciders(requester=leave.member, leaders=leaders))


def leave_requests_for_group(*, group_id: int) -> QuerySet[LeaveRequest]:
    """The group's leave requests with what a list shows (member, session, decider) loaded."""
    return LeaveRequest.objects.filter(member__group_id=group_id).select_related(
        "member", "member__group", "session", "decided_by"
    )


def leave_requests_to_decide(*, member: Member, today: dt.date | None = None) -> list[LeaveRequest]:
    """The waiting requests member decides (two queries), oldest first."""
    if not member.is_leader:
        return []
    today = today or timezone.localdate()
    leaders = group_leaders(group_id=member.group_id, day=today)
    waiting = (
        leave_requests_for_group(group_id=member.group_id)
        .filter(status=LeaveRequest.Status.REQUESTED)
        .order_by("requested_at", "id")
    )
    return [r for r in waiting if may_decide_leave(member=member, leave=r, leaders=leaders)]


def leave_request_get(*, group_id: int, pk: int) -> LeaveRequest:
    """A leave request of the group; 404 for another group's or a missing one."""
    leave = leave_requests_for_group(group_id=group_id).filter(pk=pk).first()
    if leave is None:
        raise Http404("No such leave request")
    return leave


def leave_requests_of(*, member: Member) -> list[LeaveRequest]:
    """The member's own requests, newest first (their page tells them each decision)."""
    return list(
        LeaveRequest.objects.filter(member=member)
        .select_related("session", "decided_by")
        .order_by("-requested_at", "-id")
    )


def leave_requests_recent(*, member: Member, today: dt.date, days: int = 14) -> list[LeaveRequest]:
    """The member's requests for sessions from days ago on (the dashboard tells them each
    decision while it matters), session first; one query."""
    return list(
        LeaveRequest.objects.filter(
            member=member, session__date__gte=today - dt.timedelta(days=days)
        )
        .select_related("session", "decided_by")
        .order_by("session__date", "-requested_at")
    )


def leave_request_live(*, session: StudySession, member: Member) -> LeaveRequest | None:
    """The member's waiting or approved request for session, if any."""
    return (
        LeaveRequest.objects.filter(session=session, member=member)
        .exclude(status=LeaveRequest.Status.REFUSED)
        .first()
    )
