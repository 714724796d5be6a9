"""QR check-in (签到): the projector page the secretary opens, its code refreshed by
static/js/checkin.js, and the URL a member's phone opens (rules: sessions_app.checkin)."""

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sessions_app.checkin import (
    CheckinRefused,
    checkin_grant_remember,
    checkin_grant_time,
    checkin_path,
    checkin_qr_svg,
    checkin_window_check,
    seconds_to_next_code,
)
from sessions_app.selectors.sessions import session_checkin_count, session_get
from sessions_app.services.checkin import attendance_check_in
from sessions_app.views.common import group_view


def _code(request, session) -> dict:
    """What the projector shows now: the code (as SVG and URL) while check-in is open, else
    why not; how many have checked in; when to ask again."""
    now = timezone.now()
    count = session_checkin_count(session=session)
    state = {
        "checked_in": count,
        "checked_in_text": ngettext(
            "%(n)d member has checked in.", "%(n)d members have checked in.", count
        ) % {"n": count},
    }
    try:
        checkin_window_check(session, at=now)
    except CheckinRefused as refused:
        return {**state, "open": False, "message": refused.message,
                "refresh_ms": 30_000 if refused.reason == CheckinRefused.NOT_YET_OPEN else 0}
    url = request.build_absolute_uri(checkin_path(session, at=now))
    return {**state, "open": True, "message": "", "url": url, "svg": checkin_qr_svg(url),
            # A little after the next step begins, so that the new code is there.
            "refresh_ms": int(seconds_to_next_code(now) * 1000) + 200}


@require_GET
@never_cache
@group_view(managers_only=True)
def checkin_open(request, pk):
    """The projector page: the session's current QR code, replaced every 30 s by the page's
    script (static/js/checkin.js, which asks checkin_code); without the script the page
    reloads itself (meta refresh). Outside the check-in window it says when check-in opens or
    that it has closed; a session without times says to set them first."""
    session = session_get(group_id=request.member.group_id, pk=pk)
    return render(
        request,
        "sessions_app/sessions/checkin_open.html",
        {"session": session, "code": _code(request, session)},
    )


@require_GET
@never_cache
@group_view(managers_only=True)
def checkin_code(request, pk):
    """The projector's current code as JSON: open, message, url, svg, checked_in, refresh_ms."""
    session = session_get(group_id=request.member.group_id, pk=pk)
    return JsonResponse(_code(request, session))


@require_GET
@never_cache
def checkin(request, group_slug, pk, token):
    """The URL in the QR code. A visitor who is not signed in goes to the login page and comes
    back here; a code accepted now is remembered for them meanwhile (checkin_grant_remember).
    A signed-in member of the group is checked in (attendance_check_in) or told why not."""
    if not request.user.is_authenticated:
        checkin_grant_remember(request.session, session_id=pk, token=token, at=timezone.now())
        return redirect_to_login(request.get_full_path())
    return _member_checkin(request, group_slug, pk=pk, token=token)


@group_view()
def _member_checkin(request, pk, token):
    member = request.member
    session = session_get(group_id=member.group_id, pk=pk)
    now = timezone.now()
    scanned_at = checkin_grant_time(request.session, session_id=pk, token=token, now=now)
    try:
        done = attendance_check_in(session=session, member=member, token=token,
                                   at=scanned_at or now)
    except CheckinRefused as refused:
        return render(
            request,
            "sessions_app/sessions/checkin_result.html",
            {"session": session, "refused": refused.message},
            status=400,
        )
    attendance = done.attendance
    if done.recorded:
        message = _("You checked in at %(time)s: %(status)s.")
    else:
        message = _("You had already checked in at %(time)s (%(status)s); nothing was changed.")
    message %= {
        "time": timezone.localtime(attendance.checked_in_at).strftime("%H:%M"),
        "status": attendance.get_status_display(),
    }
    return render(
        request,
        "sessions_app/sessions/checkin_result.html",
        {"session": session, "attendance": attendance, "message": message},
    )
