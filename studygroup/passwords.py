"""Password rules with their messages in this project's catalogue.

Django 5.2's own zh_Hans catalogue lacks the error message of MinimumLengthValidator (it shows
"This password is too short…" in English on a Chinese page), so the message is given here, where
makemessages finds it and the project's catalogue translates it.
"""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule (at least min_length characters, 8 by default), its message translated."""

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
