"""The import and export pages, through the test client (in Chinese, as the secretary sees them)."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from sessions_app.models import Attendance, Member, StudySession
from tests.factories import AttendanceFactory, StudySessionFactory
from tests.sessions_app.test_imports_services import MEMBER_HEADER, SESSION_HEADER, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(dt.datetime(2020, 5, 20, 10, 0), tick=False)


@pytest.fixture
def secretary_client(client_for, secretary, leader):
    return client_for(secretary)


def url(name, group, **kwargs):
    return reverse(f"sessions_app:{name}", kwargs={"group_slug": group.slug, **kwargs})


def upload(client, group, content, name="名单.xlsx", kind="members"):
    return client.post(url("import_upload", group, import_kind=kind),
                       {"file": SimpleUploadedFile(name, content)})


def token_of(response) -> str:
    return response.context["token"]


def test_upload_previews_then_confirm_imports_and_says_so(secretary_client, group):
    content = xlsx(("成员", [MEMBER_HEADER, ("刘新", "县委常委", "成员", "13800138000")]))

    preview = upload(secretary_client, group, content)

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "1 新增" in page and "刘新" in page
    assert not Member.objects.filter(display_name="刘新").exists()

    done = secretary_client.post(url("import_confirm", group, import_kind="members"),
                                 {"token": token_of(preview)}, follow=True)

    assert done.redirect_chain[-1][0] == url("member_list", group)
    assert Member.objects.filter(display_name="刘新").exists()
    assert "名单.xlsx 已导入" in done.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORTED)
    assert event.details["file_name"] == "名单.xlsx"


def test_a_file_with_an_error_shows_it_and_offers_no_confirm(secretary_client, group):
    content = xlsx(("成员", [MEMBER_HEADER, ("刘新", "", "组员", "13800138000")]))

    response = upload(secretary_client, group, content)

    page = response.content.decode()
    assert "未知的角色“组员”" in page
    assert response.context["token"] is None
    assert "import_confirm" not in page and "导入这些行" not in page


def test_confirm_uses_the_kept_file_not_anything_posted_and_works_once(
    secretary_client, group
):
    preview = upload(secretary_client, group,
                     xlsx(("成员", [MEMBER_HEADER, ("刘新", "", "", "13800138000")])))
    confirm = url("import_confirm", group, import_kind="members")

    forged = secretary_client.post(confirm, {"token": "not-the-token",
                                             "file": SimpleUploadedFile("x.csv", b"x")})
    assert forged.status_code == 302 and Member.objects.count() == 2
    secretary_client.post(confirm, {"token": token_of(preview)})
    again = secretary_client.post(confirm, {"token": token_of(preview)}, follow=True)

    assert Member.objects.filter(display_name="刘新").count() == 1
    assert "请重新上传" in again.content.decode()


def test_a_kept_file_changed_in_storage_is_refused(secretary_client, group, settings):
    from django.core.files.storage import default_storage

    preview = upload(secretary_client, group, "姓名,手机号\n刘新,13800138000\n".encode(),
                     name="名单.csv")
    path = secretary_client.session["import-members"]["path"]
    with default_storage.open(path, "wb") as handle:
        handle.write("姓名,角色,手机号\n坏人,组长,13900000000\n".encode())

    secretary_client.post(url("import_confirm", group, import_kind="members"),
                          {"token": token_of(preview)})

    assert not Member.objects.filter(display_name__in=["刘新", "坏人"]).exists()


def test_the_token_of_another_session_does_not_work(client_for, client, secretary, leader,
                                                    group, django_user_model):
    from django.test import Client

    preview = upload(client_for(secretary), group,
                     xlsx(("成员", [MEMBER_HEADER, ("刘新", "", "", "13800138000")])))
    other = Client()
    other.force_login(leader.user)

    other.post(url("import_confirm", group, import_kind="members"), {"token": token_of(preview)})

    assert not Member.objects.filter(display_name="刘新").exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<html>not a sheet</html>", "名单.xlsx", "这不是电子表格"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "名单.xls", "旧版 Excel 文件"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_gets_a_clear_message(
    secretary_client, group, content, name, message
):
    response = upload(secretary_client, group, content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_file_over_the_limit_gets_a_clear_message(secretary_client, group, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    response = upload(secretary_client, group, b"a" * (2 * 1024 * 1024 + 1), name="a.csv")
    assert response.status_code == 400
    assert "超过了导入文件 2 MB 的上限" in response.content.decode()


def test_records_import_records_sessions_and_attendance(secretary_client, group, secretary):
    content = xlsx(
        ("学习记录", [SESSION_HEADER, ("2020-03-05", "09:00", "会议室", "专题学习", "专题一", "")]),
        ("考勤", [("姓名", "2020-03-05"), ("王秘书", "√"), ("李书记", "假")]),
    )
    preview = upload(secretary_client, group, content, kind="records")
    assert preview.context["preview"].ok

    secretary_client.post(url("import_confirm", group, import_kind="records"),
                          {"token": token_of(preview)})

    session = StudySession.objects.get(topic="专题一")
    assert dict(Attendance.objects.filter(session=session)
                .values_list("member__display_name", "status")) == {"王秘书": "present",
                                                                   "李书记": "leave"}


def test_the_records_import_takes_no_csv(secretary_client, group):
    response = upload(secretary_client, group, "日期,专题\n".encode(), name="r.csv",
                      kind="records")
    assert response.status_code == 400


def test_the_templates_download_as_workbooks(secretary_client, group):
    for kind, first in (("members", "姓名"), ("records", "日期")):
        response = secretary_client.get(url("import_template", group, import_kind=kind))
        assert response["Content-Disposition"].startswith("attachment")
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert workbook.worksheets[0]["A1"].value == first


def test_the_ledger_exports_rates_and_totals(secretary_client, group, secretary, leader, term):
    session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 5), topic="专题一")
    AttendanceFactory(session=session, member=secretary, status="present")
    AttendanceFactory(session=session, member=leader, status="absent")

    response = secretary_client.get(url("ledger_export", group, fmt="csv") + "?term=2020H1")

    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert group.name in rows[0][0] and "2020年上半年" in rows[0][0]
    assert rows[1][2] == "2020-03-05 专题一"
    by_name = {row[1]: row for row in rows[2:]}
    assert by_name["王秘书"][2:] == ["√", "1", "1", "100.0"]
    assert by_name["李书记"][2:] == ["×", "0", "1", "0.0"]
    assert rows[-1][2:] == ["1/2", "1", "2", "50.0"]

    workbook = load_workbook(io.BytesIO(b"".join(
        secretary_client.get(url("ledger_export", group, fmt="xlsx")).streaming_content)))
    sheet = workbook.active
    assert sheet.freeze_panes == "B3"
    assert sheet.column_dimensions["C"].width > 10


def test_the_members_export_reads_back_as_an_unchanged_import(secretary_client, group):
    response = secretary_client.get(url("member_export", group, fmt="xlsx"))
    content = b"".join(response.streaming_content)
    assert "filename*=utf-8''sample-" in response["Content-Disposition"]

    preview = upload(secretary_client, group, content, name="export.xlsx")

    assert {row.status for row in preview.context["preview"].rows} == {"unchanged"}
    assert "没有需要导入的内容" in preview.content.decode()


def test_the_pages_link_to_the_imports(secretary_client, group):
    members_page = secretary_client.get(url("member_list", group)).content.decode()
    assert url("import_upload", group, import_kind="members") in members_page
    dashboard = secretary_client.get(url("dashboard", group)).content.decode()
    assert url("records_import", group) in dashboard
