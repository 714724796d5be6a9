from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from django.core import checks

        from reports.checks import check_cjk_fonts

        checks.register(check_cjk_fonts)

        from reports import receivers  # noqa: F401  (approved documents follow the records)
        from reports.selectors import archive_sections  # noqa: F401  (the archive's sections)
