"""Report PDFs made by the background task (eager here): stored once, served again, retried."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage

from reports import pdf as pdf_module
from reports.models import ReportFile
from reports.pdf import ReportRenderError
from reports.services import report_files
from reports.services.report_files import report_file_render, report_file_request
from tests.reports.pdf_helpers import make_narrative, make_term_records, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(group, term, secretary, leader, member):
    make_term_records(group=group, term=term, members=[secretary, leader, member])
    return make_narrative(group=group, term=term, approved=True, approver=leader)


@pytest.fixture
def render_calls(monkeypatch):
    """Count the renders, still rendering for real."""
    calls = []

    def counting(html, **kwargs):
        calls.append(html)
        return pdf_module.render_pdf(html, **kwargs)

    monkeypatch.setattr(report_files, "render_pdf", counting)
    return calls


def _request(capture, **kwargs) -> ReportFile:
    with capture(execute=True):
        report_file = report_file_request(**kwargs)
    report_file.refresh_from_db()
    return report_file


def test_the_task_renders_and_stores_the_pdf(
    django_capture_on_commit_callbacks, records, term, leader, render_calls
):
    report_file = _request(
        django_capture_on_commit_callbacks, member=leader, term=term, kind="summary"
    )
    assert report_file.status == ReportFile.Status.DONE
    assert report_file.approved
    assert default_storage.exists(report_file.file.name)
    with report_file.file.open("rb") as handle:
        pdf = handle.read()
    assert "共开展中心组集中学习3次" in pdf_text(pdf).replace("\n", "")
    assert len(render_calls) == 1


def test_asking_again_for_unchanged_data_serves_the_stored_file_without_rendering(
    django_capture_on_commit_callbacks, records, term, leader, member, render_calls
):
    first = _request(django_capture_on_commit_callbacks, member=leader, term=term, kind="summary")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = report_file_request(member=member, term=term, kind="summary")
    assert again.pk == first.pk
    assert callbacks == []  # nothing queued
    assert len(render_calls) == 1
    assert ReportFile.objects.count() == 1


def test_changed_narrative_makes_a_new_pdf(
    django_capture_on_commit_callbacks, records, term, leader, render_calls
):
    first = _request(django_capture_on_commit_callbacks, member=leader, term=term, kind="summary")
    records.problems = "学习的针对性还不够强。"
    records.save()
    second = _request(django_capture_on_commit_callbacks, member=leader, term=term, kind="summary")
    assert second.pk != first.pk
    assert second.content_hash != first.content_hash
    assert second.status == ReportFile.Status.DONE
    assert len(render_calls) == 2


def test_a_failed_render_is_recorded_with_its_reason_and_stores_nothing(
    monkeypatch, django_capture_on_commit_callbacks, records, term, leader
):
    def broken(html, **kwargs):
        raise ReportRenderError("字体缺失，无法生成。")

    monkeypatch.setattr(report_files, "render_pdf", broken)
    report_file = _request(
        django_capture_on_commit_callbacks, member=leader, term=term, kind="summary"
    )
    assert report_file.status == ReportFile.Status.FAILED
    assert report_file.error == "字体缺失，无法生成。"
    assert not report_file.file
    assert not default_storage.exists("reports")


def test_an_unexpected_error_fails_the_row_instead_of_the_request(
    monkeypatch, django_capture_on_commit_callbacks, records, term, leader
):
    def crash(html, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(report_files, "render_pdf", crash)
    report_file = _request(
        django_capture_on_commit_callbacks, member=leader, term=term, kind="summary"
    )
    assert report_file.status == ReportFile.Status.FAILED
    assert "boom" not in report_file.error
    assert report_file.error


def test_a_storage_failure_never_marks_the_file_done(
    monkeypatch, django_capture_on_commit_callbacks, records, term, leader
):
    def full_disk(self, name, content, save=True):
        raise OSError("No space left on device")

    monkeypatch.setattr("django.db.models.fields.files.FieldFile.save", full_disk)
    report_file = _request(
        django_capture_on_commit_callbacks, member=leader, term=term, kind="summary"
    )
    assert report_file.status == ReportFile.Status.FAILED
    assert not report_file.file


def test_asking_again_after_a_failure_retries(
    monkeypatch, django_capture_on_commit_callbacks, records, term, leader, render_calls
):
    monkeypatch.setattr(
        report_files, "render_pdf", lambda html, **kw: (_ for _ in ()).throw(ReportRenderError("x"))
    )
    failed = _request(django_capture_on_commit_callbacks, member=leader, term=term, kind="summary")
    assert failed.status == ReportFile.Status.FAILED
    monkeypatch.setattr(report_files, "render_pdf", pdf_module.render_pdf)
    retried = _request(django_capture_on_commit_callbacks, member=leader, term=term, kind="summary")
    assert retried.pk == failed.pk
    assert retried.status == ReportFile.Status.DONE
    assert retried.error == ""


def test_a_deleted_file_is_rendered_again(
    django_capture_on_commit_callbacks, records, term, leader, render_calls
):
    first = _request(django_capture_on_commit_callbacks, member=leader, term=term, kind="summary")
    default_storage.delete(first.file.name)
    again = _request(django_capture_on_commit_callbacks, member=leader, term=term, kind="summary")
    assert again.pk == first.pk
    assert again.status == ReportFile.Status.DONE
    assert default_storage.exists(again.file.name)
    assert len(render_calls) == 2


def test_the_pdf_is_queued_only_after_commit(
    django_capture_on_commit_callbacks, records, term, leader
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report_file = report_file_request(member=leader, term=term, kind="summary")
    assert len(callbacks) == 1
    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.PENDING


def test_a_report_changed_while_waiting_fails_and_asks_to_start_again(
    django_capture_on_commit_callbacks, records, term, leader
):
    with django_capture_on_commit_callbacks(execute=False):
        report_file = report_file_request(member=leader, term=term, kind="summary")
    records.preamble = "新的导语。"
    records.save()
    report_file = report_file_render(report_file_id=report_file.pk)
    assert report_file.status == ReportFile.Status.FAILED
    assert report_file.error


def test_a_task_delivered_twice_renders_once(
    django_capture_on_commit_callbacks, records, term, leader, render_calls
):
    report_file = _request(
        django_capture_on_commit_callbacks, member=leader, term=term, kind="summary"
    )
    report_file_render(report_file_id=report_file.pk)
    assert len(render_calls) == 1


def test_an_unreachable_broker_fails_the_row_with_a_clear_error(
    monkeypatch, django_capture_on_commit_callbacks, records, term, leader
):
    from reports import tasks

    def no_broker(*args, **kwargs):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(tasks.report_file_render_task, "delay", no_broker)
    report_file = _request(
        django_capture_on_commit_callbacks, member=leader, term=term, kind="summary"
    )
    assert report_file.status == ReportFile.Status.FAILED
    assert report_file.error


def test_members_may_not_ask_for_a_summary_that_is_not_approved(group, term, leader, member):
    make_term_records(group=group, term=term, members=[leader, member])
    make_narrative(group=group, term=term, approved=False)
    with pytest.raises(PermissionDenied):
        report_file_request(member=member, term=term, kind="summary")


def test_secretary_gets_the_draft_and_members_the_approved_version(
    django_capture_on_commit_callbacks, records, group, term, secretary, member
):
    make_narrative(group=group, term=term, approved=False, version=2, preamble="草稿导语。")
    for_secretary = _request(
        django_capture_on_commit_callbacks, member=secretary, term=term, kind="summary"
    )
    for_member = _request(
        django_capture_on_commit_callbacks, member=member, term=term, kind="summary"
    )
    assert not for_secretary.approved
    assert for_member.approved
    assert for_secretary.content_hash != for_member.content_hash
    with for_secretary.file.open("rb") as handle:
        assert "草稿导语" in pdf_text(handle.read())
    with for_member.file.open("rb") as handle:
        assert "草稿导语" not in pdf_text(handle.read())


def test_another_groups_term_is_refused(records, term, outsider):
    with pytest.raises(PermissionDenied):
        report_file_request(member=outsider, term=term, kind="summary")
