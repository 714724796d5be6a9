"""The page django-axes shows instead of logging in while an account+address is locked out."""

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
