"""All summaries at once (issue 17): every overseen group's approved summary and plan of a term
as one .zip, through a chord of per-group tasks (run eagerly here, as without a broker; the
real worker in test_summary_bundles_worker.py), with a progress page."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from oversight.models import SummaryBundle, SummaryBundleGroup
from oversight.selectors.access import organisation_get_for_user
from oversight.services import summary_bundles
from oversight.services.summary_bundles import summary_bundle_request
from reports.models import ReportFile
from reports.pdf import ReportRenderError
from reports.services import report_files
from sessions_app.models import StudyPlan
from tests.factories import PlannedTopicFactory, StudyGroupFactory, StudyPlanFactory, TermFactory
from tests.reports.pdf_helpers import make_narrative, make_term_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_pdf(monkeypatch):
    """WeasyPrint replaced by a stand-in that counts its calls (the real one in one test)."""
    calls = []

    def render(html, **kwargs):
        calls.append(html)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(report_files, "render_pdf", render)
    return calls


def approve_plan(group, term, leader):
    plan = StudyPlanFactory(group=group, term=term)
    PlannedTopicFactory(plan=plan, title="学习贯彻专题", planned_month=3)
    StudyPlan.objects.filter(pk=plan.pk).update(
        status=StudyPlan.Status.APPROVED, approved_at=timezone.now(), approved_by=leader
    )
    return plan


@pytest.fixture
def approved(placed, term, secretary, leader, member):
    """The sample group: its 2020 H1 summary and plan approved."""
    make_term_records(group=placed, term=term, members=[secretary, leader, member])
    make_narrative(group=placed, term=term, approved=True, approver=leader)
    approve_plan(placed, term, leader)
    return placed


@pytest.fixture
def drafts(second_group):
    """The second group: a 2020 H1 term with a draft summary and no approved plan."""
    term = TermFactory(group=second_group, year=2020, half=1)
    make_narrative(group=second_group, term=term, approved=False)
    return second_group


@pytest.fixture
def pack(django_capture_on_commit_callbacks):
    """Request the 2020 H1 .zip as user and run its chord (eagerly, at commit, as without a
    broker); with send=False the chord is not sent and the .zip stays waiting."""

    def request(user, slug="county", *, send=True, **kwargs):
        access = organisation_get_for_user(user=user, slug=slug)
        with django_capture_on_commit_callbacks(execute=send):
            bundle, _created = summary_bundle_request(
                access=access, user=user, year=2020, half=1, **kwargs
            )
        bundle.refresh_from_db()
        return bundle

    return request


def zip_of(bundle) -> zipfile.ZipFile:
    with bundle.zip.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def index_of(archive: zipfile.ZipFile) -> str:
    [name] = [n for n in archive.namelist() if n.endswith("/目录.html")]
    return archive.read(name).decode()


def test_the_chord_packs_every_groups_approved_documents(pack, approved, drafts, county_admin):
    """The real renderer: the sample group's summary and plan as PDF and .docx; the second
    group's draft is listed as not approved, not packed."""
    bundle = pack(county_admin)

    assert bundle.status == SummaryBundle.Status.DONE, bundle.error
    assert (bundle.group_count, bundle.files_rendered, bundle.files_reused) == (2, 4, 0)
    archive = zip_of(bundle)
    names = archive.namelist()
    top = names[0].split("/")[0]
    assert top == "中共示例县委宣传部 2020年上半年 半年总结和学习计划"
    files = sorted(n.split("/", 1)[1] for n in names)
    sample = [f for f in files if f.startswith("002 示例县党委理论学习中心组/")]
    assert sorted(f.rsplit(".", 1)[1] for f in sample) == ["docx", "docx", "pdf", "pdf"]
    assert archive.read(next(n for n in names if n.endswith(".pdf"))).startswith(b"%PDF")
    assert not any(f.startswith("001 ") for f in files)  # the second group has nothing approved
    index = index_of(archive)
    assert "示例县人大常委会党组理论学习中心组" in index and "未审定，未收入" in index
    assert "本次生成" in index
    assert 'href="002%20' in index
    assert re.search(r"打包于\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", index)  # a Chinese date


def test_unchanged_documents_are_reused_not_rendered_again(pack, approved, county_admin, fake_pdf):
    first = pack(county_admin)
    assert len(fake_pdf) == 2  # the summary's and the plan's PDF
    files = set(ReportFile.objects.values_list("pk", "status"))

    second = pack(county_admin)

    assert len(fake_pdf) == 2, "a second .zip rendered an unchanged document"
    assert set(ReportFile.objects.values_list("pk", "status")) == files
    assert (second.files_reused, second.files_rendered) == (4, 0)
    assert "沿用" in index_of(zip_of(second))
    # The newer .zip holds everything: the older one's file is gone.
    first.refresh_from_db()
    assert not first.zip


def test_files_made_at_approval_are_reused(
    django_capture_on_commit_callbacks,
    placed,
    term,
    secretary,
    leader,
    member,
    county_admin,
    pack,
    fake_pdf,
):
    """Approving makes the files ahead (reports.services.report_files): the .zip uses them."""
    from reports.services.narrative import narrative_approve

    make_term_records(group=placed, term=term, members=[secretary, leader, member])
    draft = make_narrative(group=placed, term=term, approved=False)
    with django_capture_on_commit_callbacks(execute=True):
        narrative_approve(narrative=draft, member=leader, user=leader.user)
    assert len(fake_pdf) == 1

    bundle = pack(county_admin)

    assert len(fake_pdf) == 1
    assert (bundle.files_reused, bundle.files_rendered) == (2, 0)


def test_a_group_that_fails_is_listed_with_its_error_and_the_others_are_packed(
    pack, approved, drafts, county_admin, fake_pdf, monkeypatch
):
    real = summary_bundles.report_document_files_make

    def failing(*, group, term, kind):
        if group.pk == drafts.pk:
            raise RuntimeError("the database went away")
        return real(group=group, term=term, kind=kind)

    monkeypatch.setattr(summary_bundles, "report_document_files_make", failing)
    bundle = pack(county_admin)

    assert bundle.status == SummaryBundle.Status.DONE
    assert (bundle.groups_failed, bundle.files_rendered) == (1, 4)
    archive = zip_of(bundle)
    assert (
        sum(n.startswith(archive.namelist()[0].split("/")[0] + "/002 ") for n in archive.namelist())
        == 4
    )
    index = index_of(archive)
    assert "无法生成该中心组的文件，错误已记录。" in index
    assert SummaryBundleGroup.objects.get(group=drafts).failed


def test_a_render_that_fails_is_listed_with_its_message(
    pack, approved, county_admin, monkeypatch, client
):
    calls = []

    def render(html, **kwargs):
        calls.append(html)
        if len(calls) == 2:  # the plan's PDF: the summary's comes first
            raise ReportRenderError("字体缺失")
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(report_files, "render_pdf", render)
    bundle = pack(county_admin)

    assert bundle.groups_failed == 1
    names = zip_of(bundle).namelist()
    assert sum(n.endswith(".pdf") for n in names) == 1  # the summary's; the plan's failed
    assert "字体缺失" in index_of(zip_of(bundle))
    client.force_login(county_admin)
    page = client.get(reverse("oversight:summary_bundle", args=["county", bundle.pk]))
    assert "字体缺失" in page.content.decode()


def test_a_second_request_while_one_runs_joins_it(pack, approved, county_admin, inspector):
    """The chord is not sent (no commit callbacks run): the first .zip stays waiting."""
    first = pack(county_admin, send=False)
    again = pack(inspector, send=False)
    assert again.pk == first.pk and again.is_waiting
    assert SummaryBundle.objects.count() == 1
    assert SummaryBundleGroup.objects.count() == 1


def test_a_build_lost_long_ago_is_started_again(pack, approved, county_admin, time_machine):
    time_machine.move_to(dt.datetime(2020, 7, 10, 9, 0, tzinfo=dt.UTC))
    first = pack(county_admin, send=False)
    time_machine.move_to(dt.datetime(2020, 7, 10, 12, 0, tzinfo=dt.UTC))
    second = pack(county_admin, send=False)
    first.refresh_from_db()
    assert second.pk != first.pk
    assert first.is_failed and "重新开始" in first.error


def test_only_the_groups_asked_for_and_overseen_are_packed(pack, approved, drafts, county_admin):
    stranger = StudyGroupFactory(slug="stranger")
    bundle = pack(county_admin, send=False, group_ids=[drafts.pk, stranger.pk])
    assert list(bundle.outcomes.values_list("group", flat=True)) == [drafts.pk]


def test_nothing_to_pack_says_so(county, county_admin, client):
    client.force_login(county_admin)
    response = client.post(
        reverse("oversight:summary_bundle_start", args=["county"]),
        {"term": "2020H1"},
        follow=True,
    )
    assert "没有中心组" in response.content.decode()
    assert not SummaryBundle.objects.exists()


# --- pages ------------------------------------------------------------------------------------


def test_starting_says_how_many_groups_are_packed(approved, drafts, inspector, client, monkeypatch):
    """With a broker the chord runs later: the page says it has begun, and shows 0%."""
    monkeypatch.setattr(summary_bundles, "_send", lambda bundle_id: None)
    client.force_login(inspector)
    response = client.post(
        reverse("oversight:summary_bundle_start", args=["county"]),
        {"term": "2020H1"},
        follow=True,
    )
    text = response.content.decode()
    assert "已开始打包2个中心组…" in text
    assert 'value="0"' in text and "0%" in text


def test_the_progress_page_shows_the_percentage(pack, approved, drafts, county_admin, client):
    bundle = pack(county_admin, send=False)  # not sent: both groups waiting
    SummaryBundleGroup.objects.filter(group=drafts).update(finished_at=timezone.now())
    client.force_login(county_admin)
    page = client.get(reverse("oversight:summary_bundle", args=["county", bundle.pk]))
    text = page.content.decode()
    assert "50%" in text and "已完成1/2个中心组" in text
    status = client.get(reverse("oversight:summary_bundle_status", args=["county", bundle.pk]))
    assert status.json()["progress"] == 50 and status.json()["zip_url"] is None
    download = client.get(reverse("oversight:summary_bundle_download", args=["county", bundle.pk]))
    assert download.status_code == 302


def test_the_finished_zip_downloads(
    django_capture_on_commit_callbacks, approved, county_admin, client, fake_pdf
):
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("oversight:summary_bundle_start", args=["county"]), {"term": "2020H1"})
    bundle = SummaryBundle.objects.get()
    page = client.get(reverse("oversight:summary_bundle", args=["county", bundle.pk]))
    assert "压缩包已生成" in page.content.decode()
    status = client.get(reverse("oversight:summary_bundle_status", args=["county", bundle.pk]))
    assert status.json()["progress"] == 100
    download = client.get(reverse("oversight:summary_bundle_download", args=["county", bundle.pk]))
    assert download["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()


def test_the_table_offers_the_zip_to_administrators_and_inspectors(
    approved, county_admin, inspector, client
):
    for user in (county_admin, inspector):
        client.force_login(user)
        page = client.get(reverse("oversight:table", args=["county"]) + "?term=2020H1")
        assert "data-summary-bundle" in page.content.decode()


@pytest.mark.parametrize("who", ["member", "secretary", "leader", "outsider", "neighbour_admin"])
def test_people_outside_the_county_get_404(
    who, request, pack, approved, county_admin, client_for, neighbour
):
    bundle = pack(county_admin, send=False)
    person = request.getfixturevalue(who)
    if who == "neighbour_admin":
        client = Client()
        client.force_login(person)
    else:
        client = client_for(person)
    for name in ("summary_bundle", "summary_bundle_status", "summary_bundle_download"):
        assert (
            client.get(reverse(f"oversight:{name}", args=["county", bundle.pk])).status_code == 404
        )
    start = client.post(
        reverse("oversight:summary_bundle_start", args=["county"]), {"term": "2020H1"}
    )
    assert start.status_code == 404
    assert SummaryBundle.objects.count() == 1


def test_a_city_inspector_packs_the_whole_city(pack, approved, city_inspector, neighbour):
    neighbour_group = StudyGroupFactory(slug="next-door")
    from oversight.services.organisations import group_place

    group_place(group=neighbour_group, organisation=neighbour)
    bundle = pack(city_inspector, slug="city", send=False)
    assert bundle.group_count == 2
    # The county's own address does not show the city's .zip.
    access = organisation_get_for_user(user=city_inspector, slug="county")
    from django.http import Http404

    from oversight.selectors.summary_bundles import summary_bundle_get

    with pytest.raises(Http404):
        summary_bundle_get(access=access, pk=bundle.pk)


def _failed_groups(bundle, n):
    groups = [StudyGroupFactory() for _ in range(n)]
    SummaryBundleGroup.objects.bulk_create(
        SummaryBundleGroup(
            bundle=bundle, group=g, failed=True, error="出错了", finished_at=timezone.now()
        )
        for g in groups
    )


def test_the_page_asks_the_same_queries_for_one_or_many_failures(county, county_admin, client):
    client.force_login(county_admin)
    counts = []
    for n in (1, 6):
        bundle = SummaryBundle.objects.create(
            organisation=county,
            year=2020,
            half=1,
            status=SummaryBundle.Status.DONE,
            group_count=n,
            groups_failed=n,
        )
        _failed_groups(bundle, n)
        url = reverse("oversight:summary_bundle", args=["county", bundle.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.content.decode().count("出错了") == n
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
