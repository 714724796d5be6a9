"""Items 17 and 18: a task delivered twice gives one result; transient failures are retried a
bounded number of times with backoff, then the row shows the error; the time limits sit inside
Redis's visibility timeout."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from celery.signals import task_prerun, task_retry
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from reports.models import ReportFile
from reports.services import report_files
from reports.services.report_files import report_file_request
from reports.tasks import report_file_render_task
from tests.faults.conftest import ROOT, wait_for


@pytest.mark.django_db
def test_a_task_delivered_twice_gives_one_identical_file(
    django_capture_on_commit_callbacks, records, term, leader, media_root, render_calls
):
    with django_capture_on_commit_callbacks(execute=False):
        report_file = report_file_request(member=leader, term=term, kind="summary")

    report_file_render_task.delay(report_file.pk)
    report_file.refresh_from_db()
    first_name = report_file.file.name
    with report_file.file.open("rb") as handle:
        first = handle.read()
    report_file_render_task.delay(report_file.pk)

    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.DONE
    assert report_file.file.name == first_name
    with report_file.file.open("rb") as handle:
        assert handle.read() == first
    assert len(render_calls) == 1
    assert ReportFile.objects.count() == 1
    assert [p.name for p in media_root.rglob("*.pdf")] == [first_name.rsplit("/", 1)[-1]]


@pytest.mark.django_db
def test_a_second_delivery_while_the_first_runs_leaves_it_alone(
    django_capture_on_commit_callbacks, records, term, leader, render_calls
):
    with django_capture_on_commit_callbacks(execute=False):
        report_file = report_file_request(member=leader, term=term, kind="summary")
    # The first delivery has just started rendering.
    ReportFile.objects.filter(pk=report_file.pk).update(
        status=ReportFile.Status.RUNNING, started_at=timezone.now()
    )
    report_file_render_task.delay(report_file.pk)

    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.RUNNING
    assert render_calls == []


def test_hard_time_limit_is_shorter_than_the_visibility_timeout():
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert (
        0
        < settings.CELERY_TASK_SOFT_TIME_LIMIT
        < settings.CELERY_TASK_TIME_LIMIT
        < options["visibility_timeout"]
    )


def _settings_in_a_fresh_process(**env) -> subprocess.CompletedProcess:
    code = (
        "from studygroup import settings as s; "
        "print(s.CELERY_TASK_SOFT_TIME_LIMIT, s.CELERY_TASK_TIME_LIMIT, "
        "s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_visibility_timeout_follows_a_longer_time_limit():
    result = _settings_in_a_fresh_process(CELERY_TASK_TIME_LIMIT="5000")
    assert result.returncode == 0, result.stderr
    soft, hard, visibility = map(int, result.stdout.split())
    assert soft < hard == 5000 < visibility


def test_a_visibility_timeout_inside_the_time_limit_stops_start_up():
    result = _settings_in_a_fresh_process(
        CELERY_TASK_TIME_LIMIT="600", CELERY_VISIBILITY_TIMEOUT="600"
    )
    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT" in result.stderr


@pytest.fixture
def full_storage(monkeypatch):
    def full_disk(self, name, content, save=True):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("django.db.models.fields.files.FieldFile.save", full_disk)


@pytest.fixture
def retries():
    """The countdown of each retry the task schedules, and how many times it ran."""
    seen = {"countdowns": [], "runs": 0}

    def on_retry(request=None, reason=None, **kwargs):
        seen["countdowns"].append(reason.when)

    def on_run(**kwargs):
        seen["runs"] += 1

    task_retry.connect(on_retry, weak=False)
    task_prerun.connect(on_run, weak=False)
    yield seen
    task_retry.disconnect(on_retry)
    task_prerun.disconnect(on_run)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_storage_that_always_fails_is_retried_with_backoff_then_the_row_fails(
    settings, records, term, leader, full_storage, retries, use_broker, redis_url, thread_worker
):
    settings.REPORT_PDF_MAX_RETRIES = 3
    settings.REPORT_PDF_RETRY_BACKOFF = 0.1
    app = use_broker(redis_url)
    with thread_worker(app):
        report_file = report_file_request(member=leader, term=term, kind="summary")
        report_file = wait_for(report_file, lambda row: row.is_failed, timeout=30)

    assert retries["runs"] == 4, report_file.error
    assert retries["countdowns"] == [0.1, 0.2, 0.4]
    assert report_file.status == ReportFile.Status.FAILED
    assert report_file.error.startswith("无法保存PDF")
    assert "No space left on device" in report_file.error
    assert not report_file.file
    assert not default_storage.exists("reports")


@pytest.mark.django_db
def test_a_render_error_is_not_retried(
    monkeypatch, django_capture_on_commit_callbacks, records, term, leader, retries
):
    def broken(html, **kwargs):
        raise ValueError("a bug, not a passing fault")

    monkeypatch.setattr(report_files, "render_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        report_file = report_file_request(member=leader, term=term, kind="summary")

    report_file.refresh_from_db()
    assert retries["runs"] == 1
    assert retries["countdowns"] == []
    assert report_file.status == ReportFile.Status.FAILED


@pytest.mark.django_db
def test_a_retry_after_a_run_died_between_file_and_row_leaves_one_pdf(
    django_capture_on_commit_callbacks, settings, records, term, leader, media_root
):
    with django_capture_on_commit_callbacks(execute=False):
        report_file = report_file_request(member=leader, term=term, kind="summary")
    # The dead run wrote its file at the row's path, then its process was killed.
    name = report_file.file.field.generate_filename(report_file, "summary.pdf")
    default_storage.save(name, ContentFile(b"%PDF-1.7 half"))
    long_ago = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    ReportFile.objects.filter(pk=report_file.pk).update(
        status=ReportFile.Status.RUNNING, started_at=long_ago, attempts=1
    )

    report_file_render_task.delay(report_file.pk)

    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.DONE, report_file.error
    assert report_file.file.name == name
    assert [p.relative_to(media_root).as_posix() for p in media_root.rglob("*.pdf")] == [name]
    assert default_storage.open(name).read() != b"%PDF-1.7 half"


@pytest.mark.django_db
def test_a_new_request_takes_over_a_row_whose_run_is_lost(
    django_capture_on_commit_callbacks, settings, records, term, leader, render_calls
):
    with django_capture_on_commit_callbacks(execute=False):
        lost = report_file_request(member=leader, term=term, kind="summary")
    long_ago = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    ReportFile.objects.filter(pk=lost.pk).update(
        status=ReportFile.Status.RUNNING, started_at=long_ago, attempts=1
    )

    with django_capture_on_commit_callbacks(execute=True):
        again = report_file_request(member=leader, term=term, kind="summary")

    again.refresh_from_db()
    assert again.pk == lost.pk
    assert again.status == ReportFile.Status.DONE, again.error
    assert ReportFile.objects.count() == 1
    assert len(render_calls) == 1


@pytest.mark.django_db
def test_a_new_request_leaves_a_live_run_alone(
    django_capture_on_commit_callbacks, records, term, leader, render_calls
):
    with django_capture_on_commit_callbacks(execute=False):
        running = report_file_request(member=leader, term=term, kind="summary")
    ReportFile.objects.filter(pk=running.pk).update(
        status=ReportFile.Status.RUNNING, started_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report_file_request(member=leader, term=term, kind="summary")

    assert callbacks == []
    assert render_calls == []
