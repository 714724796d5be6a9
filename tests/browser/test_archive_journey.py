"""Journey: a secretary builds the year's study archive (学习档案专卷) in one action, sees what is
missing before building, and downloads the PDF and the .zip; the build page follows a build
made by a worker; a member reads their own 学习档案. Celery runs eagerly in tests (no broker),
so the archive is built inside the request."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from reports.models import ArchiveBuild
from tests.browser.conftest import log_in
from tests.reports._archive_data import ESSAY_FILE, archive_year

pytestmark = pytest.mark.browser


@pytest.fixture
def eager_celery():
    from studygroup.celery import app

    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was


@pytest.fixture
def year(group, term, secretary, leader, member):
    return archive_year(group=group, term=term, secretary=secretary, leader=leader, member=member)


def test_secretary_builds_the_year_archive_and_downloads_it(
    page, page_checks, live_server, year, secretary, eager_celery
):
    log_in(page, live_server, secretary)
    page.goto(live_server.url + reverse("reports:index", args=["sample"]))
    page.get_by_role("link", name="学习档案：每年的学习档案专卷和成员学习档案").click()
    page.get_by_role("link", name="学习档案专卷").first.click()
    page.wait_for_url("**/archive/2020/")

    # Before building: what is missing, with where to fix it.
    missing = page.locator("ol.archive-missing li")
    expect(missing).to_have_count(4)
    expect(missing.first).to_contain_text("2020年4月15日的集中学习（研讨/二：专题*）没有学习记录。")
    build = page.get_by_role("button", name="生成本年度学习档案专卷")
    page_checks(label="year archive page", actions=[build])

    # One action: the archive is built (inline here) and its page offers both files.
    with page.expect_navigation(timeout=120_000):
        build.click()
    expect(page.locator("main")).to_contain_text("学习档案已生成。")
    expect(page.locator("main")).to_contain_text("末页列出缺项4项。")
    pdf_link = page.get_by_role("link", name="下载PDF")
    zip_link = page.get_by_role("link", name="下载压缩包")
    page_checks(label="archive build page", actions=[pdf_link, zip_link])

    with page.expect_download() as pdf_download:
        pdf_link.click()
    assert pdf_download.value.suggested_filename == "示例县党委理论学习中心组2020年学习档案专卷.pdf"
    reader = PdfReader(io.BytesIO(Path(pdf_download.value.path()).read_bytes()))
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[0] == "示例县党委理论学习中心组2020年学习档案专卷"
    assert titles[-1] == "六、缺项清单"
    assert "缺项清单" in reader.pages[-1].extract_text()

    with page.expect_download() as zip_download:
        zip_link.click()
    assert zip_download.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(zip_download.value.path()) as z:
        essay = next(n for n in z.namelist() if n.endswith("/张成员-我的心得.docx"))
        assert "/集中学习/01 2020-03-10 学习一/" in essay
        assert z.read(essay) == ESSAY_FILE
    page_checks.assert_clean()


def test_build_page_follows_a_worker_and_offers_the_downloads(
    page, live_server, year, group, leader
):
    build = ArchiveBuild.objects.create(group=group, year=2020, progress=20,
                                        status=ArchiveBuild.Status.RUNNING,
                                        step="正在排版 PDF")
    log_in(page, live_server, leader)
    page.goto(live_server.url + reverse("reports:archive_build", args=["sample", build.pk]))
    expect(page.locator("[data-archive-text]")).to_have_text("正在排版 PDF（20%）")

    # The worker moves on: the page shows it without reloading.
    step = "正在打包 Word 文件和上传的文件"
    ArchiveBuild.objects.filter(pk=build.pk).update(progress=75, step=step)
    expect(page.locator("[data-archive-text]")).to_have_text(f"{step}（75%）")
    expect(page.locator("[data-archive-progress]")).to_have_attribute("value", "75")

    # Done: the page reloads itself and offers the files.
    build.pdf.save("archive.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    build.zip.save("archive.zip", ContentFile(b"PK\x05\x06" + bytes(18)), save=False)
    build.status, build.progress = ArchiveBuild.Status.DONE, 100
    build.save()
    expect(page.get_by_role("link", name="下载PDF")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("link", name="下载压缩包")).to_be_visible()
    assert page.js_errors == []


def test_member_reads_their_own_study_archive_on_a_phone(page, page_checks, live_server, year,
                                                         member):
    log_in(page, live_server, member)
    page.goto(live_server.url + reverse("reports:archive_index", args=["sample"]))
    page.get_by_role("link", name="我的年度学习档案").first.click()
    expect(page.locator("main")).to_contain_text("张成员2020年学习档案")
    expect(page.locator("main")).to_contain_text("2020年4月20日补学")
    pdf = page.get_by_role("link", name="下载PDF")
    page_checks(label="member's study archive", actions=[pdf])
    with page.expect_download() as download:
        pdf.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    page_checks.assert_clean()
