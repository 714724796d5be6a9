"""The secretary finds the group's Word template page from the reports, uploads a letterhead
template, sees it in the history, and the page works on a phone."""

import io

import pytest
from docx import Document

from reports.models import WordTemplate
from tests.browser.conftest import check_page, log_in, url, zh

pytestmark = pytest.mark.browser


def _letterhead(path) -> None:
    document = Document()
    document.add_paragraph("中共示例县委理论学习中心组办公室")
    document.add_paragraph("{{ body }}")
    out = io.BytesIO()
    document.save(out)
    path.write_bytes(out.getvalue())


def test_secretary_uploads_a_word_template_and_it_fits_a_phone(
    page, live_server, secretary, group, term, tmp_path
):
    log_in(page, live_server, secretary)
    page.goto(url(live_server, "reports:index", group.slug))
    with page.expect_navigation():
        page.get_by_role("link", name=zh("Word template")).click()
    assert page.url == url(live_server, "reports:word_template", group.slug)
    check_page(page, label="Word template, none uploaded",
               actions=[page.get_by_role("button", name=zh("Upload the template"))])

    template = tmp_path / "版头模板.docx"
    _letterhead(template)
    page.locator("input[type=file]").set_input_files(str(template))
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Upload the template")).click()

    assert WordTemplate.objects.filter(group=group, version=1).exists()
    assert "版头模板.docx" in page.locator("main table").inner_text()
    assert page.locator(".alert-success, [role=alert]").count() >= 1
    check_page(page, label="Word template, one version",
               actions=[page.get_by_role("button", name=zh("Use the default layout again"))])
