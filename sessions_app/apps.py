from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = _("Study records")

    def ready(self) -> None:
        from sessions_app import lookups  # noqa: F401  (registers __in_array, __in_list)
