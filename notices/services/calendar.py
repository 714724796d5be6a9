"""Writes of calendar feeds: a user's private iCalendar URL, made or renewed."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from notices.models import CalendarFeed, new_calendar_token


@transaction.atomic
def calendar_feed_renew(*, user: AbstractBaseUser) -> CalendarFeed:
    """Give user a calendar feed with a new token, made now; the old token, if any, stops
    working at once (its URL answers 404). Also makes the user's first feed."""
    feed, _created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    if not _created:
        feed.token = new_calendar_token()
        feed.created_at = timezone.now()
        feed.full_clean()
        feed.save(update_fields=["token", "created_at"])
    return feed
