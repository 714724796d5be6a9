"""Ready before anyone asks (issue 15, section 4): approving renders the PDF and the .docx in the
background, edits of an approved document's records re-render it once after a quiet minute, a
stored download renders nothing, and stored files no row points to are deleted."""

from __future__ import annotations

import datetime as dt
import io
import os
import time

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document

from reports import pdf as pdf_module
from reports import tasks, word
from reports.models import ReadyDocument, ReportFile
from reports.receivers import group_id_of
from reports.services import report_files
from reports.services.narrative import narrative_approve
from reports.services.report_files import (
    READY_QUIET_SECONDS,
    report_document_prepare,
    report_documents_refresh,
    report_files_orphans_delete,
)
from sessions_app.models import PlannedTopic, StudyPlan
from sessions_app.services.plans import plan_approve
from tests.factories import (
    AttendanceFactory,
    PlannedTopicFactory,
    StudyPlanFactory,
    StudySessionFactory,
)
from tests.reports.pdf_helpers import make_narrative, make_term_records, pdf_text

pytestmark = pytest.mark.django_db

START = dt.datetime(2020, 7, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def queued(monkeypatch):
    """The render tasks queued, by report file id, without rendering."""
    calls = []
    monkeypatch.setattr(tasks.report_file_render_task, "delay", lambda pk: calls.append(pk))
    return calls


@pytest.fixture
def renders(monkeypatch):
    """Count the PDF renders, the .docx builds and the document builds, still doing them."""
    counts = {"pdf": 0, "docx": 0, "build": 0}

    def counting(name, real):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(report_files, "render_pdf", counting("pdf", pdf_module.render_pdf))
    monkeypatch.setattr(report_files, "_docx_bytes", counting("docx", report_files._docx_bytes))
    monkeypatch.setattr(
        report_files,
        "report_document_build",
        counting("build", report_files.report_document_build),
    )
    monkeypatch.setattr(word, "summary_docx", counting("docx", word.summary_docx))
    monkeypatch.setattr(word, "plan_docx", counting("docx", word.plan_docx))
    return counts


@pytest.fixture
def draft(group, term, secretary, leader, member):
    make_term_records(group=group, term=term, members=[secretary, leader, member])
    return make_narrative(group=group, term=term, approved=False)


@pytest.fixture
def approved_plan(group, leader, member):
    """A 2020 H2 plan, approved, with a research topic assigned to the member: the member's
    name is in the plan's document."""
    plan = StudyPlanFactory(group=group)
    PlannedTopicFactory(plan=plan, title="学习贯彻专题", planned_month=8)
    research = PlannedTopicFactory(
        plan=plan, kind=PlannedTopic.Kind.RESEARCH, title="基层调研课题", planned_month=None,
        format="",
    )
    research.assignees.add(member)
    plan.status = StudyPlan.Status.APPROVED
    plan.approved_at = START
    plan.approved_by = leader
    plan.save()
    return plan


# --- Approval -------------------------------------------------------------------------------


def test_approving_a_summary_queues_one_render_per_format(
    django_capture_on_commit_callbacks, draft, term, leader, queued
):
    with django_capture_on_commit_callbacks(execute=True):
        narrative_approve(narrative=draft, member=leader, user=leader.user)

    files = ReportFile.objects.filter(term=term, kind="summary")
    assert sorted(files.values_list("format", flat=True)) == ["docx", "pdf"]
    assert sorted(queued) == sorted(files.values_list("pk", flat=True))
    assert all(f.prepared and f.approved and f.requested_by is None for f in files)
    ready = ReadyDocument.objects.get(term=term, kind="summary")
    assert {ready.pdf.format, ready.docx.format} == {"pdf", "docx"}
    assert ready.changed_at is None


def test_approving_a_plan_queues_one_render_per_format(
    django_capture_on_commit_callbacks, group, leader, queued
):
    plan = StudyPlanFactory(group=group)
    PlannedTopicFactory(plan=plan)
    with django_capture_on_commit_callbacks(execute=True):
        plan_approve(plan=plan, member=leader)

    files = ReportFile.objects.filter(term=plan.term, kind="plan")
    assert sorted(files.values_list("format", flat=True)) == ["docx", "pdf"]
    assert sorted(queued) == sorted(files.values_list("pk", flat=True))


def test_a_draft_is_not_made_ahead(django_capture_on_commit_callbacks, draft, term, group,
                                   queued):
    """Saving a draft prepares nothing: a draft renders only on request."""
    assert report_document_prepare(group_id=group.pk, term_id=term.pk, kind="summary") is None
    assert queued == []
    assert not ReadyDocument.objects.exists()


# --- Downloads ------------------------------------------------------------------------------


def test_approval_makes_both_files_and_a_click_downloads_them_with_nothing_rendered(
    django_capture_on_commit_callbacks, client, draft, group, term, leader, member, renders
):
    with django_capture_on_commit_callbacks(execute=True):
        narrative_approve(narrative=draft, member=leader, user=leader.user)
    ready = ReadyDocument.objects.select_related("pdf", "docx").get(term=term, kind="summary")
    assert ready.pdf.status == ready.docx.status == ReportFile.Status.DONE
    assert renders["pdf"] == 1
    made = dict(renders)

    client.force_login(member.user)
    start = client.post(
        reverse("reports:pdf_start", args=[group.slug, term.code, "summary"]),
        headers={"accept": "application/json"},
    )
    assert start.json()["status"] == "done"
    response = client.get(start.json()["download_url"])
    pdf = b"".join(response.streaming_content)
    assert "共开展中心组集中学习3次" in pdf_text(pdf).replace("\n", "")

    docx = client.get(reverse("reports:docx_download", args=[group.slug, term.code, "summary"]))
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(docx.streaming_content)))
                     .paragraphs)
    assert "二、存在的问题及原因" in text
    assert "2020年" in text
    assert renders == made  # nothing rendered, nothing built: both were stored files


def test_the_stored_word_file_keeps_the_approved_figures_after_the_records_change(
    django_capture_on_commit_callbacks, client, draft, group, term, leader, member
):
    """Before, the .docx of an approved summary whose records had changed could not be made;
    the file made at approval still has the approved figures, and is served."""
    with django_capture_on_commit_callbacks(execute=True):
        narrative_approve(narrative=draft, member=leader, user=leader.user)
    session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 6, 1))
    AttendanceFactory(session=session, member=member)
    ReadyDocument.objects.update(changed_at=None)  # the quiet minute has passed, checked

    client.force_login(member.user)
    response = client.get(reverse("reports:docx_download", args=[group.slug, term.code,
                                                                 "summary"]))
    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(response.streaming_content)))
                     .paragraphs)
    assert "共开展中心组集中学习3次" in text


def test_a_secretary_with_a_draft_gets_the_draft_not_the_stored_file(
    django_capture_on_commit_callbacks, client, draft, group, term, leader, secretary
):
    with django_capture_on_commit_callbacks(execute=True):
        narrative_approve(narrative=draft, member=leader, user=leader.user)
    make_narrative(group=group, term=term, approved=False, version=2,
                   problems="第二稿的问题。")
    ReadyDocument.objects.update(changed_at=None)
    client.force_login(secretary.user)
    response = client.get(reverse("reports:docx_download", args=[group.slug, term.code,
                                                                 "summary"]))
    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(response.streaming_content)))
                     .paragraphs)
    assert "第二稿的问题。" in text


def test_changed_records_take_the_on_request_path_until_checked(
    django_capture_on_commit_callbacks, client, draft, group, term, leader, member, renders
):
    with django_capture_on_commit_callbacks(execute=True):
        narrative_approve(narrative=draft, member=leader, user=leader.user)
    with django_capture_on_commit_callbacks(execute=True):
        member.display_name = "张成员（改）"
        member.save()
    assert ReadyDocument.objects.get(term=term, kind="summary").changed_at is not None
    builds = renders["build"]
    client.force_login(member.user)
    client.post(reverse("reports:pdf_start", args=[group.slug, term.code, "summary"]))
    assert renders["build"] == builds + 1  # built to find its hash: not served blindly


# --- Debounce -------------------------------------------------------------------------------


def test_a_burst_of_five_edits_re_renders_the_approved_plan_once(
    django_capture_on_commit_callbacks, monkeypatch, approved_plan, group, member, queued
):
    report_document_prepare(group_id=group.pk, term_id=approved_plan.term_id, kind="plan")
    ready = ReadyDocument.objects.get(term=approved_plan.term, kind="plan")
    first_pdf = ready.pdf_id
    ReportFile.objects.update(status=ReportFile.Status.DONE)
    queued.clear()
    checks = []  # (when it runs, group id)
    monkeypatch.setattr(
        tasks.report_documents_refresh_task,
        "apply_async",
        lambda args, countdown: checks.append(
            (timezone.now() + dt.timedelta(seconds=countdown), args[0])
        ),
    )

    with time_machine.travel(START, tick=False) as traveller:
        for i in range(5):  # one edit every 10 s: the member's name is in the plan
            with django_capture_on_commit_callbacks(execute=True):
                member.display_name = f"张成员{i}"
                member.save()
            traveller.shift(10)
        assert len(checks) == 5
        for when, group_id in sorted(checks):
            traveller.move_to(when)
            with django_capture_on_commit_callbacks(execute=True):
                tasks.report_documents_refresh_task(group_id)

    assert len(queued) == 2  # one PDF and one .docx, once
    ready.refresh_from_db()
    assert ready.pdf_id != first_pdf
    assert ready.changed_at is None


def test_an_edit_that_does_not_change_the_document_renders_nothing(
    django_capture_on_commit_callbacks, approved_plan, group, member, queued
):
    report_document_prepare(group_id=group.pk, term_id=approved_plan.term_id, kind="plan")
    ReportFile.objects.update(status=ReportFile.Status.DONE)
    queued.clear()
    with time_machine.travel(START, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            session = StudySessionFactory(group=group, date=dt.date(2020, 8, 1))
        assert ReadyDocument.objects.get().changed_at is not None
        traveller.shift(READY_QUIET_SECONDS)
        assert report_documents_refresh(group_id=group.pk) == 1
    assert session.pk and queued == []
    assert ReadyDocument.objects.get().changed_at is None


def test_the_check_before_a_quiet_minute_leaves_the_document_alone(
    approved_plan, group, queued
):
    report_document_prepare(group_id=group.pk, term_id=approved_plan.term_id, kind="plan")
    with time_machine.travel(START, tick=False) as traveller:
        ReadyDocument.objects.update(changed_at=timezone.now())
        traveller.shift(READY_QUIET_SECONDS - 2)
        assert report_documents_refresh() == 0
        traveller.shift(2)
        assert report_documents_refresh() == 1


def test_a_plan_edited_back_to_draft_loses_its_ready_files(approved_plan, group, queued):
    report_document_prepare(group_id=group.pk, term_id=approved_plan.term_id, kind="plan")
    StudyPlan.objects.filter(pk=approved_plan.pk).update(status=StudyPlan.Status.DRAFT)
    assert report_document_prepare(group_id=group.pk, term_id=approved_plan.term_id,
                                   kind="plan") is None
    ready = ReadyDocument.objects.get()
    assert ready.pdf is None and ready.docx is None


def test_records_name_their_group(group, term, member):
    session = StudySessionFactory(group=group, term=term)
    attendance = AttendanceFactory(session=session, member=member)
    topic = PlannedTopicFactory(plan=StudyPlanFactory(group=group))
    assert {group_id_of(x) for x in (group, member, session, attendance, topic)} == {group.pk}


# --- Orphans --------------------------------------------------------------------------------


def _old(name: str) -> None:
    path = default_storage.path(name)
    past = time.time() - 2 * 3600
    os.utime(path, (past, past))


def test_orphan_cleanup_deletes_only_files_no_row_points_to(group, term):
    kept = ReportFile.objects.create(group=group, term=term, kind="summary", content_hash="a" * 64,
                                     status=ReportFile.Status.DONE)
    kept.file.save("summary.pdf", ContentFile(b"%PDF kept"), save=True)
    orphan = default_storage.save(f"reports/{group.pk}/{term.code}/summary-old.pdf",
                                  ContentFile(b"%PDF orphan"))
    young = default_storage.save(f"reports/{group.pk}/{term.code}/summary-new.pdf",
                                 ContentFile(b"%PDF being written"))
    elsewhere = default_storage.save("essays/1/1/essay.pdf", ContentFile(b"%PDF essay"))
    for name in (kept.file.name, orphan, elsewhere):
        _old(name)

    assert report_files_orphans_delete(dry_run=True) == [orphan]
    assert default_storage.exists(orphan)
    call_command("delete_orphan_files", stdout=io.StringIO())
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept.file.name)
    assert default_storage.exists(young)  # younger than the grace period: may be mid-render
    assert default_storage.exists(elsewhere)  # not a report file


def test_many_changes_in_a_second_queue_one_check(
    django_capture_on_commit_callbacks, monkeypatch, approved_plan, group, term, member, queued
):
    from django.db import transaction

    report_document_prepare(group_id=group.pk, term_id=approved_plan.term_id, kind="plan")
    checks = []
    monkeypatch.setattr(tasks.report_documents_refresh_task, "apply_async",
                        lambda args, countdown: checks.append(args))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for day in (1, 2, 3):
            StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, day))
        member.save()
    assert checks == [(group.pk,)]


def test_a_change_that_rolls_back_marks_nothing(
    django_capture_on_commit_callbacks, approved_plan, group, term, queued
):
    from django.db import transaction

    report_document_prepare(group_id=group.pk, term_id=approved_plan.term_id, kind="plan")
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 1))
                raise RuntimeError("the save failed")
        except RuntimeError:
            pass
    assert ReadyDocument.objects.get().changed_at is None
