"""Reads for calendar feeds: whose feed a token is, and the sessions it shows."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404

from notices.models import CalendarFeed
from sessions_app.models import Member, StudySession


def calendar_feed_get(*, token: str) -> CalendarFeed:
    """The feed whose token this is, with its user; 404 for an unknown or renewed-away token
    and for a deactivated account (its feed stops with its sign-in)."""
    feed = (
        CalendarFeed.objects.filter(token=token, user__is_active=True)
        .select_related("user")
        .first()
    )
    if feed is None:
        raise Http404("No such calendar")
    return feed


def calendar_feed_for_user(*, user: AbstractBaseUser) -> CalendarFeed | None:
    """The user's feed, or None before they first ask for one."""
    return CalendarFeed.objects.filter(user=user).first()


def calendar_sessions_for_user(*, user: AbstractBaseUser, today: dt.date) -> list[StudySession]:
    """Every session, held or planned, of the groups the user is a member of today
    (Member.objects.in_group_on, as for access), oldest first, each with its group and host
    loaded: one query however many groups and sessions."""
    groups = Member.objects.filter(user=user).in_group_on(today).values("group_id")
    return list(
        StudySession.objects.filter(group_id__in=groups)
        .select_related("group", "host")
        .order_by("date", "start_time", "id")
    )
