"""The study archive's pages through the client: who sees what, the build and its downloads,
the members' archives, and the pages' query counts at two sizes."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import unquote

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reports.models import ArchiveBuild
from tests.factories import MemberFactory
from tests.reports._archive_data import archive_year, more_records


@pytest.fixture
def year(group, term, secretary, leader, member):
    return archive_year(group=group, term=term, secretary=secretary, leader=leader, member=member)


def url(name, *args):
    return reverse(f"reports:{name}", args=["sample", *args])


def download_name(response) -> str:
    return unquote(response["Content-Disposition"].split("filename*=utf-8''")[1])


def test_year_page_lists_the_missing_items_with_where_to_fix_them(year, client_for, secretary):
    response = client_for(secretary).get(url("archive_year", 2020))
    assert response.status_code == 200
    page = response.content.decode()
    assert "缺少4项" in page
    assert "2020年4月15日的集中学习（研讨/二：专题*）没有学习记录。" in page
    session = year.h1_sessions[1]
    assert reverse("sessions_app:session_edit", args=["sample", session.pk]) in page
    assert "李书记2020年度心得体会或调研报告0篇，本组规定每人1篇。" in page
    assert "尚未生成" in page  # no build yet: says what to do


def test_member_is_refused_the_year_page_and_builds(year, client_for, member):
    client = client_for(member)
    assert client.get(url("archive_year", 2020)).status_code == 403
    assert client.post(url("archive_build_start", 2020, "year")).status_code == 403
    assert not ArchiveBuild.objects.exists()


def test_a_year_without_terms_is_404(year, client_for, secretary):
    client = client_for(secretary)
    assert client.get(url("archive_year", 2019)).status_code == 404
    assert client.post(url("archive_build_start", 2019, "year")).status_code == 404
    assert client.post(url("archive_build_start", 2020, "everything")).status_code == 404


def test_secretary_builds_the_archive_and_downloads_it(
    year, client_for, secretary, django_capture_on_commit_callbacks
):
    client = client_for(secretary)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("archive_build_start", 2020, "year"))
    build = ArchiveBuild.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("archive_build", build.pk)
    page = client.get(response["Location"]).content.decode()
    assert "学习档案已生成。" in page
    assert "末页列出缺项4项。" in page
    status = client.get(url("archive_build_status", build.pk), HTTP_ACCEPT="application/json")
    assert status.json()["status"] == "done" and status.json()["progress"] == 100
    pdf = client.get(status.json()["pdf_url"])
    assert pdf["Content-Type"] == "application/pdf"
    assert download_name(pdf) == "示例县党委理论学习中心组2020年学习档案专卷.pdf"
    assert len(PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).outline) > 5
    archive = client.get(status.json()["zip_url"])
    assert download_name(archive) == "示例县党委理论学习中心组2020年学习档案专卷.zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as z:
        assert any(n.endswith("/集中学习/01 2020-03-10 学习一/学习记录.docx") for n in z.namelist())


def test_build_page_follows_a_waiting_build(year, client_for, leader, group):
    build = ArchiveBuild.objects.create(group=group, year=2020, progress=40, step="正在排版 PDF",
                                        status=ArchiveBuild.Status.RUNNING)
    client = client_for(leader)
    page = client.get(url("archive_build", build.pk)).content.decode()
    assert "reports/archive-progress.js" in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert "正在排版 PDF（40%）" in page
    # Not ready: the download goes back to the progress page.
    response = client.get(url("archive_download", build.pk, "pdf"))
    assert response.status_code == 302 and response["Location"] == url("archive_build", build.pk)
    assert client.get(url("archive_download", build.pk, "exe")).status_code == 404


def test_a_failed_build_shows_its_error_and_a_retry(year, client_for, secretary, group):
    build = ArchiveBuild.objects.create(group=group, year=2020, error="字体缺失",
                                        status=ArchiveBuild.Status.FAILED)
    page = client_for(secretary).get(url("archive_build", build.pk)).content.decode()
    assert "学习档案未能生成。" in page and "字体缺失" in page
    assert url("archive_build_start", 2020, "year") in page


def test_members_zip_build(year, client_for, leader, django_capture_on_commit_callbacks):
    client = client_for(leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("archive_build_start", 2020, "members"))
    build = ArchiveBuild.objects.get(kind=ArchiveBuild.Kind.MEMBERS)
    assert build.is_done and not build.pdf
    response = client.get(url("archive_download", build.pk, "zip"))
    assert download_name(response) == (
        "示例县党委理论学习中心组2020年学习档案专卷（成员学习档案）.zip"
    )
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as z:
        assert [n.rsplit("/", 1)[-1] for n in z.namelist()] == [
            "01 王秘书.pdf", "02 李书记.pdf", "03 张成员.pdf"
        ]


# --- Members' archives -----------------------------------------------------------------------


def test_member_reads_and_downloads_their_own_archive(year, client_for, member):
    client = client_for(member)
    page = client.get(url("member_archive", 2020, member.pk)).content.decode()
    assert "张成员2020年学习档案" in page
    assert "2020年4月20日补学2020年4月15日的集中学习（研讨/二：专题*）。" in page
    assert "学习心得甲" in page
    response = client.get(url("member_archive_pdf", 2020, member.pk))
    assert response["Content-Type"] == "application/pdf"
    assert download_name(response) == "张成员2020年学习档案.pdf"
    text = "".join(p.extract_text() for p in PdfReader(
        io.BytesIO(b"".join(response.streaming_content))).pages)
    assert "张成员2020年学习档案" in text and "第一段心得。" in text


def test_member_asking_for_another_members_archive_gets_404(year, client_for, member, leader):
    client = client_for(member)
    assert client.get(url("member_archive", 2020, leader.pk)).status_code == 404
    assert client.get(url("member_archive_pdf", 2020, leader.pk)).status_code == 404


def test_managers_read_anyones_archive_in_their_group_only(year, client_for, secretary, member,
                                                          outsider):
    client = client_for(secretary)
    assert client.get(url("member_archive", 2020, member.pk)).status_code == 200
    assert client.get(url("member_archive_pdf", 2020, member.pk)).status_code == 200
    assert client.get(url("member_archive", 2020, outsider.pk)).status_code == 404
    # The other group's secretary: not a member of this group at all.
    assert client_for(outsider).get(url("member_archive", 2020, member.pk)).status_code == 404


def test_archive_index_offers_what_each_role_may_open(year, client_for, member, secretary):
    page = client_for(member).get(url("archive_index")).content.decode()
    assert url("member_archive", 2020, member.pk) in page
    assert f'href="{url("archive_year", 2020)}"' not in page
    page = client_for(secretary).get(url("archive_index")).content.decode()
    assert url("archive_year", 2020) in page


# --- Query counts ----------------------------------------------------------------------------


def _count(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("page", ["year", "member", "build"])
def test_archive_pages_query_counts_do_not_grow(page, year, group, term, client_for, secretary,
                                                member, django_assert_num_queries):
    build = ArchiveBuild.objects.create(group=group, year=2020, status=ArchiveBuild.Status.DONE)
    path = {
        "year": url("archive_year", 2020),
        "member": url("member_archive", 2020, member.pk),
        "build": url("archive_build", build.pk),
    }[page]
    client = client_for(secretary)
    small = _count(client, path)
    more_records(group, term, members=12, sessions=9)
    for _ in range(3):
        ArchiveBuild.objects.create(group=group, year=2020)
    MemberFactory(group=group)
    with django_assert_num_queries(small):
        client.get(path)


def test_pinned_query_counts(year, group, client_for, secretary, member,
                             django_assert_num_queries):
    client = client_for(secretary)
    with django_assert_num_queries(14):
        client.get(url("archive_year", 2020))
    with django_assert_num_queries(12):
        client.get(url("member_archive", 2020, member.pk))
