"""The reports app's models: one module per area (narrative, generated files, Word templates)."""

from reports.models.files import ReadyDocument, ReportFile
from reports.models.narrative import ReportNarrative
from reports.models.word_template import WordTemplate

__all__ = ["ReadyDocument", "ReportFile", "ReportNarrative", "WordTemplate"]
