"""The reports app's models: one module per area (narrative here; generated files beside it)."""

from reports.models.archive import ArchiveBuild
from reports.models.files import ReportFile
from reports.models.narrative import ReportNarrative

__all__ = ["ArchiveBuild", "ReportFile", "ReportNarrative"]
