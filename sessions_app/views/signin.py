"""The page a one-time sign-in link opens: set a password, then the dashboard."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sessions_app.signin import signin_token_generator


class SigninView(auth_views.PasswordResetConfirmView):
    """Django's password-reset confirmation with the sign-in link's token (sessions_app.signin):
    a valid link moves its token into the session and redirects to .../set-password/ (so the
    token never leaks in a Referer), asks for a password with the site's validators, logs the
    member in and goes home (their dashboard). A link that is wrong, expired, used or replaced
    by a newer one shows a page saying so and what to do."""

    token_generator = signin_token_generator
    template_name = "registration/signin.html"
    title = gettext_lazy("Set your password")
    post_reset_login = True
    # Logged in as by the login form's second backend (axes' own backend only counts failures).
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home")

    def get_user(self, uidb64):
        """The link's account; none (an invalid link) when it has been deactivated."""
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "valid_days": settings.SIGNIN_LINK_VALID_DAYS}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password is set and you are signed in. Next time, sign in with your user "
              "name (%(username)s) and this password.") % {"username": form.user.get_username()},
        )
        return response
