"""The secretary imports a member list from Excel: the first file has a bad row, the preview
shows the error at its row and imports nothing; the corrected file is imported and the new
members are on the members page. Every page is checked at 375 px too."""

import datetime as dt

import pytest

from sessions_app.models import Member
from tests.browser.conftest import log_in
from tests.browser.test_web_csp import REPORT_VIOLATIONS, violations  # noqa: F401 (fixture)
from tests.sessions_app.test_imports_services import MEMBER_HEADER, xlsx

pytestmark = pytest.mark.browser


def member_list(role_of_chen: str) -> bytes:
    return xlsx(("成员", [
        MEMBER_HEADER,
        ("刘新", "县委常委", "成员", "13800138000", "", "2020-03-01"),
        ("陈明", "宣传部长", role_of_chen, "13900000001", "", "2020-03-01"),
    ]))


def test_secretary_imports_members_after_fixing_the_bad_row_the_preview_showed(
    page, live_server, secretary, leader, term, page_checks, tmp_path,
    violations,  # noqa: F811 (fixture)
):
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda m: "CSP violation" in m.text and violations.append(m.text))
    log_in(page, live_server, secretary)
    page.goto(f"{live_server.url}/g/sample/members/")
    page.locator("main a[href$='/import/members/']").click()
    page_checks(label="import members", actions=[page.locator("main button[type=submit]")])

    with page.expect_download() as template:
        page.locator("main a[href$='/import/members/template.xlsx']").click()
    assert template.value.suggested_filename == "成员导入模板.xlsx"

    bad = tmp_path / "名单.xlsx"
    bad.write_bytes(member_list("组员"))
    page.locator("#id_file").set_input_files(str(bad))
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()

    error_row = page.locator("main tr[data-import-row='3']")
    assert "未知的角色“组员”" in error_row.inner_text()
    assert "角色" in error_row.locator("[data-import-error]").inner_text()
    assert page.get_by_role("button", name="导入这些行").count() == 0
    page_checks(label="preview with an error", actions=[page.locator("#id_file")])
    assert not Member.objects.filter(display_name__in=["刘新", "陈明"]).exists()

    good = tmp_path / "名单（改）.xlsx"
    good.write_bytes(member_list("副组长"))
    page.locator("#id_file").set_input_files(str(good))
    with page.expect_navigation():
        page.locator("main form[enctype] button[type=submit]").click()
    counts = page.locator("main [data-import-counts]").inner_text()
    assert "2 新增，0 修改，0 未变，0 有错误" in counts
    page_checks(label="preview", actions=[page.get_by_role("button", name="导入这些行")])
    with page.expect_navigation():
        page.get_by_role("button", name="导入这些行").click()

    assert page.url.endswith("/g/sample/members/")
    assert "已导入" in page.locator("main .alert-success, .alert-success").first.inner_text()
    names = page.locator("main tr[data-member-row]").all_inner_texts()
    assert any("刘新" in row and "13800138000" in row for row in names)
    assert any("陈明" in row and "副组长" in row for row in names)
    chen = Member.objects.get(display_name="陈明")
    assert (chen.role, chen.joined_on) == ("deputy", dt.date(2020, 3, 1))
    page_checks.assert_clean()
    assert page.js_errors == [] and violations == []
