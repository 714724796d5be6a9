"""System check: the report PDFs need the CJK fonts their stylesheet names.

Without them WeasyPrint still writes a PDF, of empty boxes, and says so only in a log line that
is silent by default; so `manage.py check` (and runserver, migrate) fail loudly instead.
"""

from __future__ import annotations

import subprocess

from django.core import checks

#: The fonts static/reports/pdf.css names.
CJK_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")

INSTALL_HINT = (
    "Install Debian's fonts-noto-cjk (and libharfbuzz-subset0 for fast font subsetting), "
    "as README describes, then run fc-cache."
)


def installed_cjk_families() -> set[str] | None:
    """The font families fontconfig has for Chinese; None when fc-list cannot be run."""
    try:
        result = subprocess.run(
            ["fc-list", ":lang=zh", "family"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    families: set[str] = set()
    for line in result.stdout.splitlines():
        families.update(name.strip() for name in line.split(",") if name.strip())
    return families


def check_cjk_fonts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    families = installed_cjk_families()
    if families is None:
        return [
            checks.Error(
                f"fc-list (fontconfig) could not be run, so the CJK fonts {', '.join(CJK_FONTS)} "
                "for the report PDFs cannot be found.",
                hint=INSTALL_HINT,
                id="reports.E001",
            )
        ]
    missing = [name for name in CJK_FONTS if name not in families]
    if missing:
        return [
            checks.Error(
                f"The CJK font(s) {', '.join(missing)} used by the report PDFs are not "
                "installed (`fc-list :lang=zh` does not list them); the PDFs would show empty "
                "boxes.",
                hint=INSTALL_HINT,
                id="reports.E002",
            )
        ]
    return []
