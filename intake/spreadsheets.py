"""Spreadsheets a secretary imports (.xlsx, .csv): their cells as text, read safely.

Nothing here knows what the columns mean (sessions_app.services.imports does): a file becomes a
list of sheets, each a list of rows of stripped text. An .xlsx is opened by openpyxl only after
intake.office.zip_package_check has inflated every part within bounds and refused any XML part
with a document type declaration (zip bombs, XXE); openpyxl then streams it (read_only). A .csv
is decoded by intake.text.decode_text (UTF-8 with or without BOM, else GB18030, which reads GBK).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from intake.names import file_extension, filename_check
from intake.office import ZipProblem, zip_package_check
from intake.sniff import OLD_OFFICE, sniff_file
from intake.text import decode_text

# Bounds on what a spreadsheet may unpack to and hold: far above a group's members and a
# term's sessions, far below what would hurt the server.
XLSX_MAX_ENTRIES = 500
XLSX_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 200

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name ("" for a CSV file) and its rows, each a tuple of cell texts with
    blanks at the end of a row dropped and fully blank rows kept as () so that row numbers
    stay those the secretary sees (row 1 is rows[0])."""

    name: str
    rows: tuple[tuple[str, ...], ...]


def import_limit_text() -> str:
    """The import limit as people write it: '5 MB', '2.5 MB', or '900 KB' below a megabyte
    (1 MB = 1024 × 1024 bytes; 1 KB = 1024 bytes, rounded up)."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if limit < 1024 * 1024:
        return f"{-(-limit // 1024)} KB"
    return f"{limit / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def cell_text(value) -> str:
    """A cell's value as the secretary sees it: dates as 2020-03-05, times as 09:30, whole
    numbers without ".0" (a phone number typed as a number), text stripped; None is ""."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _trimmed(cells) -> tuple[str, ...]:
    texts = [cell_text(value) for value in cells]
    while texts and not texts[-1]:
        texts.pop()
    return tuple(texts)


def _too_many() -> ValidationError:
    return ValidationError(
        _("The file has more than %(rows)s rows or %(columns)s columns: split it and import "
          "each part.") % {"rows": MAX_ROWS, "columns": MAX_COLUMNS},
        code="too_many_rows",
    )


def _rows_checked(rows) -> tuple[tuple[str, ...], ...]:
    kept = []
    for number, cells in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise _too_many()
        row = _trimmed(cells)
        if len(row) > MAX_COLUMNS:
            raise _too_many()
        kept.append(row)
    while kept and not kept[-1]:
        kept.pop()
    return tuple(kept)


def _xlsx_sheets(content: bytes) -> list[Sheet]:
    import openpyxl  # imported when needed: most requests never read a workbook

    try:
        zip_package_check(
            content, max_entries=XLSX_MAX_ENTRIES, max_bytes=XLSX_MAX_UNCOMPRESSED_BYTES
        )
    except ZipProblem as problem:
        if problem.kind == "too_large":
            raise ValidationError(
                _("The workbook unpacks to far more than its size: it cannot be read safely. "
                  "Save it again in Excel and upload it."),
                code="zip_too_large",
            ) from problem
        raise _damaged() from problem
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise _damaged() from exc
    try:
        sheets = []
        for worksheet in workbook.worksheets:
            rows = worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
            sheets.append(Sheet(name=str(worksheet.title), rows=_rows_checked(rows)))
        return sheets
    except ValidationError:
        raise
    except Exception as exc:
        raise _damaged() from exc
    finally:
        workbook.close()


def _damaged() -> ValidationError:
    return ValidationError(
        _("The workbook is damaged and cannot be read. Save it again in Excel (.xlsx) and "
          "upload it."),
        code="damaged",
    )


def _csv_sheet(content: bytes) -> Sheet:
    text = decode_text(content)
    if text is None:
        raise ValidationError(
            _("The CSV file is not text in UTF-8 or GBK. Save it again from Excel as "
              "“CSV UTF-8” or “CSV (comma delimited)” and upload it."),
            code="bad_csv",
        )
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        return Sheet(name="", rows=_rows_checked(rows))
    except csv.Error as exc:
        raise ValidationError(
            _("The CSV file cannot be read: %(error)s. Save it again from Excel and upload it.")
            % {"error": exc},
            code="bad_csv",
        ) from exc


def _too_large() -> ValidationError:
    return ValidationError(
        _("The file is larger than the %(limit)s limit for imports. Split it, or remove "
          "pictures and unused sheets, and upload it again.")
        % {"limit": import_limit_text()},
        code="too_large",
    )


def import_upload_read(uploaded: UploadedFile) -> bytes:
    """The bytes of an uploaded spreadsheet, at most settings.IMPORT_MAX_UPLOAD_BYTES (never
    reading more than one byte past it). Raises ValidationError: "bad_name" for a name with a
    path or control characters (intake.names.filename_check), "too_large"."""
    filename_check(uploaded.name)
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if uploaded.size is not None and uploaded.size > limit:
        raise _too_large()
    uploaded.seek(0)
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise _too_large()
    return content


def not_spreadsheet_error() -> ValidationError:
    """The one message for a file that is neither an Excel workbook (.xlsx) nor a CSV file."""
    return ValidationError(
        _("This is not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file (.csv); "
          "start from the template if in doubt."),
        code="not_spreadsheet",
    )


def spreadsheet_read(content: bytes, *, filename: str, csv_allowed: bool = True) -> list[Sheet]:
    """The sheets of an uploaded spreadsheet, judged by its content (intake.sniff), not its name.

    An .xlsx workbook gives each of its sheets in order; a CSV file (a text file named .csv,
    only when csv_allowed) gives one sheet named "". At most settings.IMPORT_MAX_UPLOAD_BYTES,
    MAX_ROWS rows and MAX_COLUMNS columns a sheet. Raises ValidationError, with its code:
    "too_large", "empty", "old_office" (.xls), "not_spreadsheet" (anything else, a .csv when
    not csv_allowed included), "zip_too_large", "damaged", "bad_csv", "too_many_rows".
    Writes nothing.
    """
    if len(content) > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise _too_large()
    if not content.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    kind = sniff_file(content)
    if kind == ".xlsx":
        return _xlsx_sheets(content)
    if kind == OLD_OFFICE:
        raise ValidationError(
            _("This is an old Excel file (.xls). Open it in Excel, save it as .xlsx and upload "
              "that."),
            code="old_office",
        )
    if kind == ".txt" and csv_allowed and file_extension(filename) == ".csv":
        return [_csv_sheet(content)]
    raise not_spreadsheet_error()
