"""Spreadsheets the app hands out: the import templates and the exports (.xlsx and CSV).

Every sheet has the same shape: a title (the group's name, and the term where there is one) in
row 1, the header in row 2, frozen, and column widths set for Chinese text. The import reads
such a sheet back (it looks for the header in the first rows), so an exported member list can
be edited and imported again. CSV is UTF-8 with a BOM, which Excel on Chinese Windows opens
as UTF-8 rather than as GBK.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from sessions_app.models import Attendance, Member, StudyGroup
from sessions_app.selectors.ledger import Ledger
from sessions_app.services.imports import MEMBER_COLUMNS, SESSION_COLUMNS, records_term_dates

# The marks a paper sign-in sheet uses, which the ledger shows as well.
STATUS_MARKS = {
    Attendance.Status.PRESENT: "√",
    Attendance.Status.LATE: "迟",
    Attendance.Status.LEAVE: "假",
    Attendance.Status.ABSENT: "×",
}


def _width(values) -> float:
    """A column width in Excel's units: a CJK character is about two."""
    longest = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(v)) for v in values),
                  default=4)
    return min(max(longest + 2, 6), 60)


def _workbook(sheets: list[tuple[str, str | None, list, list[list]]]) -> bytes:
    """An .xlsx of sheets, each (sheet name, title or None, header, rows)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, title, header, rows in sheets:
        sheet = workbook.create_sheet(name[:31])
        if title:
            sheet.append([title])
            sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
        sheet.append(header)
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2 if title else 1)
        for index, column in enumerate(zip(header, *rows, strict=False), start=1):
            letter = sheet.cell(row=header_row, column=index).column_letter
            sheet.column_dimensions[letter].width = _width(column)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv(title: str | None, header: list, rows: list[list]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    if title:
        writer.writerow([title])
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def members_template_xlsx() -> bytes:
    """The members import template: the header (姓名, 职务, 角色, 手机号, 邮箱, 加入日期) and one
    example row."""
    header = [names[0] for names in MEMBER_COLUMNS.values()]
    example = ["张三", "县委办公室主任", "成员", "13800138000", "",
               timezone.localdate().isoformat()]
    return _workbook([(_("members"), None, header, [example])])


def records_template_xlsx(*, group: StudyGroup) -> bytes:
    """The records import template: a sheet of sessions (日期, 开始时间, 地点, 形式, 专题,
    主持人) with one example in the current term, and an attendance sheet (姓名, then one
    column per session headed by its date) with the group's members in order, ready to tick."""
    start, _end = records_term_dates(timezone.localdate())
    day = start + dt.timedelta(days=14)
    header = [names[0] for names in SESSION_COLUMNS.values()]
    example = [day.isoformat(), "09:00", "县委常委会议室", "专题学习", "学习贯彻党的二十大精神", ""]
    names = list(
        Member.objects.filter(group=group).in_group_on(timezone.localdate()).in_rank_order()
        .values_list("display_name", flat=True)
    ) or ["张三"]
    attendance = [[name, "√" if i == 0 else ""] for i, name in enumerate(names)]
    return _workbook([
        (_("sessions"), None, header, [example]),
        (_("attendance"), None, ["姓名", day.isoformat()], attendance),
    ])


def _members_table(group: StudyGroup, members: list[Member]):
    header = [names[0] for names in MEMBER_COLUMNS.values()] + ["离开日期"]
    rows = [
        [m.display_name, m.position, str(m.get_role_display()), "", m.user.email,
         m.joined_on.isoformat(), m.left_on.isoformat() if m.left_on else ""]
        for m in members
    ]
    title = _("%(group)s: members") % {"group": group.name}
    return title, header, rows


def members_xlsx(*, group: StudyGroup, members: list[Member]) -> bytes:
    """The group's members as an .xlsx (in rank order; the phone column is left blank: the
    app keeps no phone numbers, only user names)."""
    title, header, rows = _members_table(group, members)
    return _workbook([(_("members"), title, header, rows)])


def members_csv(*, group: StudyGroup, members: list[Member]) -> bytes:
    """The same as members_xlsx, as CSV (UTF-8 with BOM)."""
    return _csv(*_members_table(group, members))


def _ledger_table(group: StudyGroup, ledger: Ledger):
    header = [_("No."), _("name")]
    header += [f"{s.date.isoformat()} {s.topic}" for s in ledger.sessions]
    header += [_("attended"), _("recorded"), _("attendance rate (%)")]
    rows = []
    for number, line in enumerate(ledger.lines, start=1):
        rows.append(
            [number, line.member.display_name]
            + [STATUS_MARKS.get(status, "") for status in line.statuses]
            + [line.attended, line.recorded, "" if line.rate is None else float(line.rate)]
        )
    totals = [_("total"), ""]
    totals += [f"{attended}/{recorded}" for attended, recorded in ledger.session_totals]
    totals += [ledger.attended, ledger.recorded,
               "" if ledger.rate is None else float(ledger.rate)]
    rows.append(totals)
    title = _("%(group)s: attendance ledger, %(term)s (√ present, 迟 late, 假 on leave, "
              "× absent)") % {"group": group.name, "term": ledger.term.label}
    return title, header, rows


def ledger_xlsx(*, group: StudyGroup, ledger: Ledger) -> bytes:
    """The term's attendance ledger (考勤台账) as an .xlsx: a line per member, a column per
    session (√ 迟 假 ×), each member's rate and the totals."""
    title, header, rows = _ledger_table(group, ledger)
    return _workbook([(_("attendance ledger"), title, header, rows)])


def ledger_csv(*, group: StudyGroup, ledger: Ledger) -> bytes:
    """The same as ledger_xlsx, as CSV (UTF-8 with BOM)."""
    return _csv(*_ledger_table(group, ledger))
