"""The reports app's models: one module per area (narrative, generated files, Word templates)."""

from reports.models.archive import ArchiveBuild
from reports.models.files import ReadyDocument, ReportFile
from reports.models.narrative import ReportNarrative
from reports.models.word_template import WordTemplate

__all__ = ["ArchiveBuild", "ReadyDocument", "ReportFile", "ReportNarrative", "WordTemplate"]
