"""The calendar feed (no login: its token is the secret) and the page where a user finds and
renews their feed's address."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from notices.calendar import sessions_calendar
from notices.selectors.calendar import (
    calendar_feed_for_user,
    calendar_feed_get,
    calendar_sessions_for_user,
)
from notices.services.calendar import calendar_feed_renew


@require_GET
def calendar_feed(request, token: str):
    """The user's sessions as text/calendar, to anyone with the address (404 for a bad token)."""
    feed = calendar_feed_get(token=token)
    sessions = calendar_sessions_for_user(user=feed.user, today=timezone.localdate())

    def url_for(session):
        return request.build_absolute_uri(
            reverse("sessions_app:session_detail", args=[session.group.slug, session.pk])
        )

    body = sessions_calendar(sessions, name=_("Study sessions"), url_for=url_for)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="study-sessions.ics"'
    # The address is a secret: shared caches must not keep what it answers.
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calendar_page(request):
    """Show the user's calendar address (GET); make it or make a new one (POST)."""
    if request.method == "POST":
        had_feed = calendar_feed_for_user(user=request.user) is not None
        calendar_feed_renew(user=request.user)
        if had_feed:
            messages.success(
                request,
                _(
                    "Your calendar has a new address; the old one no longer works. Subscribe "
                    "again with the new address on your phone or in Outlook."
                ),
            )
        else:
            messages.success(
                request,
                _("Your calendar address is ready: subscribe to it on your phone or in Outlook."),
            )
        return redirect("calendar")
    feed = calendar_feed_for_user(user=request.user)
    feed_url = (
        request.build_absolute_uri(reverse("calendar_feed", args=[feed.token])) if feed else ""
    )
    return render(request, "notices/calendar.html", {"feed": feed, "feed_url": feed_url})
