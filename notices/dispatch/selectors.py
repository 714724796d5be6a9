"""Reads of the reminders, scoped to who asks: a member's inbox (their in-app messages), and
a group's sending record for its secretary. Each loads fully in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from notices.delivery_models import Channel, Delivery, GroupRobots
from sessions_app.models import Member, StudyGroup

#: Messages on one page of the inbox.
INBOX_PER_PAGE = 20
#: The secretary's page lists this many of the latest sent messages.
RECENT_SENT = 30


def inbox_page(*, member: Member, page_number: int | str | None = 1) -> Page:
    """One page of the member's in-app messages, newest first (two queries)."""
    messages = Delivery.objects.inbox_of(member).defer("body").order_by("-created_at", "-id")
    page = Paginator(messages, INBOX_PER_PAGE).get_page(page_number)
    page.object_list = list(page.object_list)
    return page


def inbox_unread_count(*, member: Member) -> int:
    """How many of the member's in-app messages they have not opened (one query)."""
    return Delivery.objects.inbox_of(member).unread().count()


@dataclass(frozen=True)
class GroupDeliveries:
    """The secretary's view of the group's reminders: those that failed (with the error), how
    many wait to be sent, the latest sent outside the app, and the group's robots (or None)."""

    failed: list[Delivery]
    waiting: int
    recent: list[Delivery]
    robots: GroupRobots | None


def group_deliveries(*, group: StudyGroup) -> GroupDeliveries:
    """The group's reminders for its secretary's page. Four queries whatever their number."""
    outside = Delivery.objects.filter(group=group).exclude(channel=Channel.IN_APP)
    failed = list(
        outside.filter(status=Delivery.Status.FAILED)
        .select_related("member")
        .defer("body")
        .order_by("-created_at", "-id")
    )
    waiting = outside.aggregate(
        n=Count("id", filter=Q(status__in=(Delivery.Status.PENDING, Delivery.Status.SENDING)))
    )["n"]
    recent = list(
        outside.filter(status=Delivery.Status.SENT)
        .select_related("member")
        .defer("body")
        .order_by("-sent_at", "-id")[:RECENT_SENT]
    )
    robots = GroupRobots.objects.filter(group=group).first()
    return GroupDeliveries(failed=failed, waiting=waiting, recent=recent, robots=robots)
