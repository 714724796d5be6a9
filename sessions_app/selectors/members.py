"""Reading a group's members for the members page and the sign-in links page."""

import datetime as dt

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Exists, OuterRef, Subquery, Sum
from django.http import Http404

from sessions_app.models import Member


def members_for_group(*, group_id: int) -> list[Member]:
    """Every member the group ever had, with their accounts, in rank order (in_rank_order);
    those who left are included (their left_on is set). Two queries at any size: none."""
    return list(Member.objects.filter(group_id=group_id).select_related("user").in_rank_order())


def member_get(*, group_id: int, pk: int) -> Member:
    """One of the group's members, present or past, with their account; 404 for another
    group's member or a missing id (the same answer)."""
    member = Member.objects.filter(group_id=group_id, pk=pk).select_related("user", "group").first()
    if member is None:
        raise Http404("No such member")
    return member


def members_awaiting_first_signin(*, group_id: int, day: dt.date) -> list[Member]:
    """The group's members on day whose accounts have never been used (no usable password,
    never logged in: new accounts from member_add) and may be given a link by the group
    (active, not an administrator's, in no other group: services.members.signin_link_refusal),
    in rank order, with their accounts. Each account carries its count of links issued, so
    making their links takes no further query: one query at any size."""
    other_groups = Member.objects.filter(user=OuterRef("user")).exclude(group_id=group_id)
    issued = (
        Member.objects.filter(user=OuterRef("user"))
        .values("user")
        .annotate(n=Sum("signin_links_issued"))
        .values("n")
    )
    members = list(
        Member.objects.filter(
            group_id=group_id,
            user__password__startswith=UNUSABLE_PASSWORD_PREFIX,
            user__last_login__isnull=True,
            user__is_active=True,
            user__is_staff=False,
            user__is_superuser=False,
        )
        .exclude(Exists(other_groups))
        .in_group_on(day)
        .annotate(user_links_issued=Subquery(issued))
        .select_related("user")
        .in_rank_order()
    )
    for m in members:
        m.user.signin_links_issued = m.user_links_issued
    return members
