"""System check: the report PDFs need the fonts their stylesheet names.

Without them WeasyPrint still writes a PDF, of empty boxes or in whatever face fontconfig falls
back to, and says so only in a log line that is silent by default; so `manage.py check` (and
runserver, migrate) fail loudly instead, naming each missing font and its Debian package.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from django.core import checks


@dataclass(frozen=True)
class ReportFont:
    """A face static/reports/pdf.css names: fontconfig's family and style, what it sets, and the
    Debian package that installs it."""

    family: str
    style: str
    role: str
    package: str


#: The faces static/reports/pdf.css names (GB/T 9704-2012 7.2, 7.3.3 styles, in free fonts).
REPORT_FONTS = (
    ReportFont("Noto Serif CJK SC", "Regular", "body (serif)", "fonts-noto-cjk"),
    ReportFont("Noto Serif CJK SC", "Bold", "title (小标宋 style)", "fonts-noto-cjk"),
    ReportFont("Noto Sans CJK SC", "Regular", "一、 headings (黑体 style)", "fonts-noto-cjk"),
    ReportFont(
        "AR PL KaitiM GB", "Regular", "（一） headings (楷体 style)", "fonts-arphic-gkai00mp"
    ),
)

#: The fonts whose characters every report character must be among (reports.pdf replaces any
#: other by 〓): the faces everything falls back to.
CJK_FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")

INSTALL_HINT = (
    "Install the Debian packages {packages} (and libharfbuzz-subset0 for fast font "
    "subsetting), as README describes (./scripts/setup installs them), then run fc-cache."
)


def _hint(fonts) -> str:
    packages = " ".join(sorted({font.package for font in fonts}))
    return INSTALL_HINT.format(packages=packages)


def installed_cjk_faces() -> set[tuple[str, str]] | None:
    """(family, style) of every face fontconfig has for Chinese, under each of its names;
    None when fc-list cannot be run."""
    try:
        result = subprocess.run(
            ["fc-list", ":lang=zh", "family", "style"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    faces: set[tuple[str, str]] = set()
    for line in result.stdout.splitlines():
        families, _, styles = line.partition(":style=")
        for family in (name.strip() for name in families.split(",")):
            for style in (name.strip() for name in (styles or "Regular").split(",")):
                if family:
                    faces.add((family, style))
    return faces


def missing_report_fonts() -> list[ReportFont] | None:
    """The REPORT_FONTS fontconfig does not have; None when fc-list cannot be run."""
    faces = installed_cjk_faces()
    if faces is None:
        return None
    return [font for font in REPORT_FONTS if (font.family, font.style) not in faces]


def _describe(font: ReportFont) -> str:
    return f"{font.family} {font.style} for the {font.role} (Debian: {font.package})"


def check_cjk_fonts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """reports.E001 when fc-list cannot be run, reports.E002 naming each missing font."""
    missing = missing_report_fonts()
    if missing is None:
        return [
            checks.Error(
                "fc-list (fontconfig) could not be run, so the fonts of the report PDFs ("
                + "; ".join(_describe(font) for font in REPORT_FONTS)
                + ") cannot be found.",
                hint=_hint(REPORT_FONTS),
                id="reports.E001",
            )
        ]
    if missing:
        return [
            checks.Error(
                "Font(s) used by the report PDFs are not installed (`fc-list :lang=zh` does "
                "not list them): "
                + "; ".join(_describe(font) for font in missing)
                + ". The PDFs would show empty boxes or fall back to another face.",
                hint=_hint(missing),
                id="reports.E002",
            )
        ]
    return []
