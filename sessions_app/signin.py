"""One-time sign-in links: how a member without e-mail gets into their new account.

A link is /signin/<uidb64>/<token>/ with a token from SigninLinkTokenGenerator, Django's
password-reset token (django.contrib.auth.tokens) with two changes:
- it lasts settings.SIGNIN_LINK_VALID_DAYS days (7), not PASSWORD_RESET_TIMEOUT;
- its hash includes the account's count of links issued (Member.signin_links_issued, summed over
  the account's memberships), so issuing a new link makes every older one stop working.
It is single use as Django's is: the hash includes the password, which setting one changes, and
the time of the last login.
"""

import datetime as dt

import segno
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db.models import Sum
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode


def links_issued(user: AbstractBaseUser) -> int:
    """How many sign-in links were issued to the account, over all its memberships; a selector
    that lists many accounts sets user.signin_links_issued to save a query for each."""
    known = getattr(user, "signin_links_issued", None)
    if known is not None:
        return known
    return user.memberships.aggregate(n=Sum("signin_links_issued"))["n"] or 0


class SigninLinkTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "sessions_app.signin.SigninLinkTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}|{links_issued(user)}"

    def check_token(self, user, token) -> bool:
        """Whether token is this account's current link and at most SIGNIN_LINK_VALID_DAYS old
        (Django's check, with the sign-in link's own lifetime)."""
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        lifetime = dt.timedelta(days=settings.SIGNIN_LINK_VALID_DAYS).total_seconds()
        return self._num_seconds(self._now()) - ts <= lifetime


signin_token_generator = SigninLinkTokenGenerator()


def signin_link_path(user: AbstractBaseUser) -> str:
    """The path of a fresh sign-in link for the account (valid while no newer link is issued,
    the password is not set and SIGNIN_LINK_VALID_DAYS have not passed)."""
    return reverse(
        "signin",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": signin_token_generator.make_token(user),
        },
    )


def signin_link_qr_svg(link: str) -> str:
    """The link as a QR code: an inline <svg> element (segno; error correction M, 4 px modules,
    a quiet zone of 4 modules), to print beside the link for a phone's camera."""
    return segno.make(link, error="m").svg_inline(scale=4, title=link)
