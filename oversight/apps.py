from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Oversight")

    def ready(self) -> None:
        from notices.dispatch.sources import SOURCES
        from oversight.reminders import submission_deadlines

        # 报送 deadlines are reminded of through the notices' channels.
        if submission_deadlines not in SOURCES:
            SOURCES.append(submission_deadlines)
