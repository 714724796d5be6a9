"""django-axes' hooks: the address it counts login failures for, and the page it shows while an
account+address is locked out."""

from django.conf import settings
from django.shortcuts import render

#: What axes answers by default: Too Many Requests.
LOCKED_OUT_STATUS = 429


def locked_out(request, original_response=None, credentials=None):
    """The lockout page, in the site's layout and language; says how long to wait."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=LOCKED_OUT_STATUS,
    )


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the
    outermost of them put in X-Forwarded-For (entries left of it are the client's to forge)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
