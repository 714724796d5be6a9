"""Imports (sessions_app.services.imports) and the spreadsheets they read (intake.spreadsheets),
directly against the database."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook

from audit.models import AuditEvent
from intake.spreadsheets import Sheet, spreadsheet_read
from sessions_app.models import Attendance, Member, StudySession
from sessions_app.services.imports import (
    CHANGED,
    ERROR,
    NEW,
    UNCHANGED,
    members_import_apply,
    members_import_preview,
    records_import_apply,
    records_import_preview,
)
from sessions_app.sheets import members_template_xlsx, members_xlsx
from tests.factories import AttendanceFactory, MemberFactory, StudySessionFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
MEMBER_HEADER = ("姓名", "职务", "角色", "手机号", "邮箱", "加入日期")
SESSION_HEADER = ("日期", "开始时间", "地点", "形式", "专题", "主持人")


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(dt.datetime(2020, 5, 20, 10, 0), tick=False)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def xlsx(*sheets: tuple[str, list[tuple]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets:
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def members_sheet(*rows) -> list[Sheet]:
    return [Sheet(name="成员", rows=(MEMBER_HEADER, *rows))]


def snapshot():
    return (
        User.objects.count(),
        list(Member.objects.values_list("display_name", "role", "position", "joined_on")),
        StudySession.objects.count(),
        Attendance.objects.count(),
        AuditEvent.objects.count(),
    )


def test_new_members_are_previewed_then_added_with_accounts_and_one_audited_import(
    group, secretary, leader
):
    sheets = members_sheet(
        ("刘新", "县委常委", "成员", "13800138000", "liu@example.org", "2020-03-01"),
        ("陈  明", "", "副组长", "139 0000 0001", "", ""),
    )
    preview = members_import_preview(group=group, sheets=sheets)
    assert [(r.label, r.status) for r in preview.rows] == [("刘新", NEW), ("陈 明", NEW)]
    assert Member.objects.count() == 2  # the preview wrote nothing

    members_import_apply(group=group, sheets=sheets, file_name="名单.xlsx", sha256="ab",
                         actor=secretary.user)

    liu = Member.objects.get(display_name="刘新")
    assert liu.user.username == "13800138000"
    assert not liu.user.has_usable_password()
    assert (liu.role, liu.position, liu.joined_on) == ("member", "县委常委", dt.date(2020, 3, 1))
    chen = Member.objects.get(display_name="陈 明")
    assert chen.role == "deputy" and chen.joined_on == dt.date(2020, 5, 20)
    assert leader.sort_order < liu.sort_order < chen.sort_order  # the file's order, at the end
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORTED)
    assert event.details["file_name"] == "名单.xlsx"
    assert event.details["rows"] == {"new": 2, "changed": 0, "unchanged": 0, "error": 0}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).count() == 2


def test_a_file_with_one_bad_row_writes_nothing_and_says_which_row_and_column(group, secretary):
    sheets = members_sheet(
        ("刘新", "", "成员", "13800138000", "", ""),
        ("陈明", "", "组员", "13900000001", "", ""),
    )
    preview = members_import_preview(group=group, sheets=sheets)
    bad = preview.rows[1]
    assert (bad.number, bad.status) == (3, ERROR)
    assert bad.errors == [("role", "Unknown role “组员”: write 组长, 副组长, 学习秘书 or 成员.")]
    before = snapshot()

    with pytest.raises(ValidationError):
        members_import_apply(group=group, sheets=sheets, file_name="x.xlsx", sha256="",
                             actor=secretary.user)

    assert snapshot() == before


def test_importing_the_same_file_twice_changes_nothing_the_second_time(group, secretary):
    content = xlsx(("成员", [MEMBER_HEADER,
                             ("刘新", "县委常委", "组长", "13800138000", "", "2020-03-01"),
                             ("陈明", "", "成员", "13900000001", "", "")]))
    sheets = spreadsheet_read(content, filename="m.xlsx")
    members_import_apply(group=group, sheets=sheets, file_name="m.xlsx", sha256="",
                         actor=secretary.user)
    before = snapshot()

    preview = members_import_preview(group=group, sheets=spreadsheet_read(content,
                                                                          filename="m.xlsx"))

    assert {r.status for r in preview.rows} == {UNCHANGED}
    members_import_apply(group=group, sheets=sheets, file_name="m.xlsx", sha256="",
                         actor=secretary.user)
    assert snapshot()[:4] == before[:4]


def test_a_changed_member_shows_old_and_new_and_blank_cells_keep_values(group, secretary, member):
    member.position = "副县长"
    member.save()
    sheets = members_sheet(("张成员", "", "副组长", "", "", "2019-06-01"))

    preview = members_import_preview(group=group, sheets=sheets)

    row = preview.rows[0]
    assert row.status == CHANGED
    assert row.changes == [("role", "member", "deputy leader"),
                           ("joined on", "2019-01-01", "2019-06-01")]
    members_import_apply(group=group, sheets=sheets, file_name="m.csv", sha256="",
                         actor=secretary.user)
    member.refresh_from_db()
    assert (member.role, member.position) == ("deputy", "副县长")


def test_a_name_matching_two_members_is_an_error(group, secretary):
    MemberFactory(group=group, display_name="王伟")
    MemberFactory(group=group, display_name="王 伟")

    preview = members_import_preview(group=group, sheets=members_sheet(("王伟", "", "成员")))

    assert preview.rows[0].status == ERROR
    assert "Two members of the group are called 王伟" in preview.rows[0].errors[0][1]


def test_a_name_or_position_too_long_is_an_error_at_its_cell(group, secretary):
    """The preview, not the confirm, tells the member list's limits (100 and 200 characters)."""
    preview = members_import_preview(
        group=group,
        sheets=members_sheet(("长" * 101, "职" * 201, "成员", "13800138000"), ("刘新", "", "成员",
                                                                             "13800138001")),
    )
    assert preview.rows[0].status == ERROR
    assert [column for column, _message in preview.rows[0].errors] == ["name", "position"]
    assert "at most 100 characters" in preview.rows[0].errors[0][1]
    assert preview.rows[1].status == NEW
    assert not preview.ok


def test_taking_the_last_secretarys_role_is_refused(group, secretary, leader):
    preview = members_import_preview(group=group, sheets=members_sheet(("王秘书", "", "成员")))

    assert not preview.ok
    assert "secretary (学习秘书)" in preview.file_errors[0]


def test_a_new_member_needs_a_phone_and_a_taken_user_name_is_an_error(group, secretary):
    User.objects.create_user("13800138000")
    preview = members_import_preview(
        group=group, sheets=members_sheet(("刘新", "", "", "13800138000"), ("陈明", "", ""))
    )
    assert [r.errors[0][0] for r in preview.rows] == ["phone", "phone"]
    assert "already taken" in preview.rows[0].errors[0][1]


def test_a_gbk_csv_is_read_and_a_utf8_one_with_bom_too(group, secretary):
    text = "姓名,职务,角色,手机号,邮箱,加入日期\r\n刘新,县委常委,成员,13800138000,,2020-03-01\r\n"
    for content in (text.encode("gbk"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        sheets = spreadsheet_read(content, filename="名单.csv")
        preview = members_import_preview(group=group, sheets=sheets)
        assert [(r.label, r.status) for r in preview.rows] == [("刘新", NEW)]
        assert preview.rows[0].cells[1] == ("position", "县委常委")


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00", "list.xlsx", "not_spreadsheet"),
        (b"<html><body>hi</body></html>", "list.xlsx", "not_spreadsheet"),
        (b"name,role\n", "list.txt", "not_spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "list.xls", "old_office"),
        (b"   ", "list.csv", "empty"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_gets_a_clear_message(content, name, code):
    with pytest.raises(ValidationError) as caught:
        spreadsheet_read(content, filename=name)
    assert caught.value.code == code


def test_a_file_over_the_import_limit_is_refused(settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError) as caught:
        spreadsheet_read(b"a" * 1001, filename="m.csv")
    assert caught.value.code == "too_large"
    assert "than the 1 KB limit" in caught.value.message


def test_an_xlsx_with_a_doctype_is_refused_before_openpyxl_parses_it():
    import zipfile

    content = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx(("s", [("a",)])))) as source, \
            zipfile.ZipFile(content, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b"<!DOCTYPE" not in data
                data = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + data
            target.writestr(info, data)
    with pytest.raises(ValidationError) as caught:
        spreadsheet_read(content.getvalue(), filename="m.xlsx")
    assert caught.value.code == "damaged"


def test_the_template_and_an_export_read_back_as_the_import_expects(group, secretary):
    preview = members_import_preview(
        group=group, sheets=spreadsheet_read(members_template_xlsx(), filename="t.xlsx"))
    assert [(r.label, r.status) for r in preview.rows] == [("张三", NEW)]
    exported = members_xlsx(group=group, members=[secretary])
    preview = members_import_preview(group=group,
                                     sheets=spreadsheet_read(exported, filename="e.xlsx"))
    assert [(r.label, r.status) for r in preview.rows] == [("王秘书", UNCHANGED)]


# --- The records so far ---------------------------------------------------------------------


def records(sessions, attendance=None) -> list[Sheet]:
    sheets = [Sheet(name="学习记录", rows=(SESSION_HEADER, *sessions))]
    if attendance is not None:
        sheets.append(Sheet(name="考勤", rows=tuple(attendance)))
    return sheets


def test_sessions_and_paper_marks_are_imported_through_the_session_service(
    group, secretary, member, leader
):
    sheets = records(
        [("2020-03-05", "09:30", "会议室", "专题研讨", "专题一", "李书记"),
         ("2020/4/2", "", "", "", "专题二", "")],
        [("姓名", "2020-03-05", "2020-04-02 专题二"),
         ("王秘书", "√", "迟"), ("张成员", "假", "×"), ("李书记", "出席", "请假（出差）")],
    )
    preview = records_import_preview(group=group, sheets=sheets)
    assert preview.ok, preview.rows
    assert preview.counts == {"new": 5, "changed": 0, "unchanged": 0, "error": 0}

    records_import_apply(group=group, sheets=sheets, file_name="签到.xlsx", sha256="",
                         actor=secretary.user)

    first = StudySession.objects.get(topic="专题一")
    assert (first.format, first.host, first.start_time) == ("seminar", leader, dt.time(9, 30))
    got = {(a.session.topic, a.member.display_name): (a.status, a.leave_reason)
           for a in Attendance.objects.select_related("session", "member")}
    assert got[("专题一", "王秘书")] == ("present", "")
    assert got[("专题二", "王秘书")] == ("late", "")
    assert got[("专题一", "张成员")][0] == "leave"
    assert got[("专题二", "张成员")] == ("absent", "")
    assert got[("专题二", "李书记")] == ("leave", "出差")
    assert AuditEvent.objects.get(action=AuditEvent.Action.IMPORTED).details["kind"] == "records"

    again = records_import_preview(group=group, sheets=sheets)
    assert {r.status for r in again.rows} == {UNCHANGED}


def test_records_errors_are_shown_at_their_cell_and_nothing_is_written(group, secretary, member):
    MemberFactory(group=group, display_name="张成员")  # a second 张成员
    sheets = records(
        [("2019-12-01", "", "", "", "去年的", ""),
         ("2020-03-05", "25:00", "", "讲座", "专题一", "")],
        [("姓名", "2020-03-05"), ("王秘书", "到了"), ("张成员", "√"), ("无名氏", "√")],
    )
    preview = records_import_preview(group=group, sheets=sheets)
    errors = {(r.number, column): message for r in preview.rows for column, message in r.errors}
    assert "outside the current term" in errors[(2, "date")]
    assert "not a time" in errors[(3, "start time")]
    assert "Unknown format" in errors[(3, "format")]
    assert "not an attendance" in errors[(2, "2020-03-05")]
    assert "Two members of the group are called 张成员" in errors[(3, "name")]
    assert "No member of the group is called 无名氏" in errors[(4, "name")]
    before = snapshot()
    with pytest.raises(ValidationError):
        records_import_apply(group=group, sheets=sheets, file_name="x", sha256="",
                             actor=secretary.user)
    assert snapshot() == before


def test_a_changed_attendance_of_a_recorded_session_shows_old_and_new(group, secretary, term):
    session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 5),
                                  topic="专题一", start_time=dt.time(9), place="会议室",
                                  host=secretary)
    AttendanceFactory(session=session, member=secretary, status="absent")
    sheets = records([("2020-03-05", "", "", "", "专题一", "")],
                     [("姓名", "2020-03-05"), ("王秘书", "√")])

    preview = records_import_preview(group=group, sheets=sheets)

    assert [r.status for r in preview.rows] == [CHANGED, CHANGED]
    assert preview.rows[0].changes == []  # the blank cells keep what is recorded
    assert preview.rows[1].changes == [("2020-03-05", "absent", "present")]
    records_import_apply(group=group, sheets=sheets, file_name="x", sha256="",
                         actor=secretary.user)
    assert Attendance.objects.get().status == "present"
    session.refresh_from_db()
    assert (session.start_time, session.place, session.host) == (dt.time(9), "会议室", secretary)


def _records_file(members, sessions=3):
    dates = [dt.date(2020, 1, 6) + dt.timedelta(days=7 * i) for i in range(sessions)]
    return records(
        [(d.isoformat(), "09:00", "会议室", "专题学习", f"专题{i}", "") for i, d in
         enumerate(dates)],
        [("姓名", *[d.isoformat() for d in dates])]
        + [(m.display_name, *["√"] * sessions) for m in members],
    )


@pytest.mark.parametrize("size", [5, 40])
def test_imports_run_the_same_queries_for_few_or_many_rows(group, secretary, leader, size):
    """The query counts are pinned at two sizes: rows add none (the benchmark times 500)."""
    people = members_sheet(
        *[(f"新成员{i}", "", "成员", f"1380000{i:04d}", "", "2020-01-01") for i in range(size)])
    with CaptureQueriesContext(connection) as members_queries:
        members_import_apply(group=group, sheets=people, file_name="m", sha256="",
                             actor=secretary.user)
    everyone = list(Member.objects.filter(group=group))
    with CaptureQueriesContext(connection) as records_queries:
        records_import_apply(group=group, sheets=_records_file(everyone), file_name="r",
                             sha256="", actor=secretary.user)
    assert Attendance.objects.count() == 3 * (size + 2)
    # members: savepoint, lock, members, taken names, users, members, role events, import,
    # release; records: per session (3) the term, the session, its attendance, the history rows
    # of the session and of its attendance (and savepoints)
    assert len(members_queries) == EXPECTED_QUERIES["members"]
    assert len(records_queries) == EXPECTED_QUERIES["records"]


EXPECTED_QUERIES = {"members": 9, "records": 48}
