"""The county table as an .xlsx workbook (openpyxl), the same columns as the page."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from oversight.selectors.table import CountyTable


def county_table_xlsx(table: CountyTable) -> bytes:
    """One sheet: a title row, a header row, one row per group. Rates are numbers in percent
    (93.5), empty where there is nothing to count; rule states in words."""
    book = Workbook()
    sheet = book.active
    sheet.title = table.code
    sheet.append(
        [
            _("%(organisation)s · study groups, %(term)s")
            % {"organisation": table.organisation.name, "term": table.code}
        ]
    )
    sheet["A1"].font = Font(bold=True)
    header = [
        _("Study group"),
        _("Sessions held"),
        _("Topics planned"),
        _("Attendance rate (%)"),
        _("Essays"),
        _("Essays per member"),
        _("On leave or absent (person-times)"),
        _("Made up"),
        _("Recorded within 7 days (%)"),
        _("Rules"),
        _("Sessions sat in"),
        _("Evaluations filed"),
        _("Half-year summary"),
    ]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(
            [
                row.group.name,
                row.sessions_held if row.term else None,
                row.sessions_planned if row.term else None,
                float(row.attendance_rate) if row.attendance_rate is not None else None,
                row.essays if row.term else None,
                float(row.essays_per_member) if row.essays_per_member is not None else None,
                row.leave_or_absent if row.term else None,
                row.made_up if row.term else None,
                float(row.prompt_rate) if row.prompt_rate is not None else None,
                str(row.state.label) if row.state else "",
                row.sat_in if row.term else None,
                row.evaluations if row.term else None,
                row.summary_status_label if row.term else "",
            ]
        )
    sheet.column_dimensions["A"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
