"""The summaries .zip's chord on a real Celery worker with Redis as broker and result store,
as production runs it: the request only sends the chord; the worker runs one task per group,
then the .zip's task once the result store has counted them all (which needs the group tasks'
results kept). The worker runs in a thread against the test database, hence the transactional
test (see tests/reports/test_tasks_celery_worker.py)."""

import time
import uuid
import zipfile

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun

import oversight.tasks  # noqa: F401  (registers the tasks with every app)
from oversight.models import SummaryBundle
from oversight.selectors.access import organisation_get_for_user
from oversight.services.summary_bundles import summary_bundle_request
from reports.services import report_files
from studygroup.celery import app as project_app
from tests.oversight.test_summary_bundles import approve_plan
from tests.reports.pdf_helpers import make_narrative, make_term_records
from tests.reports.test_tasks_celery_worker import _close_worker_connections


@pytest.fixture
def chord_app(redis_url):
    app = Celery("studygroup-test-chord", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=redis_url,
        result_backend=redis_url,
        task_always_eager=False,
        task_default_queue=f"test-summaries-{uuid.uuid4().hex}",
        broker_connection_retry_on_startup=False,
    )
    try:
        yield app
    finally:
        project_app.set_current()
        project_app.set_default()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_chord_runs_on_a_real_worker(
    chord_app, placed, second_group, term, secretary, leader, member, county_admin, monkeypatch
):
    make_term_records(group=placed, term=term, members=[secretary, leader, member])
    make_narrative(group=placed, term=term, approved=True, approver=leader)
    approve_plan(placed, term, leader)
    monkeypatch.setattr(report_files, "render_pdf", lambda html, **kw: b"%PDF-1.7 stand-in")
    runs = []

    def record_run(task=None, **kwargs):
        runs.append((task.name, task.request.is_eager))

    task_prerun.connect(record_run, weak=False)
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(chord_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            access = organisation_get_for_user(user=county_admin, slug="county")
            bundle, created = summary_bundle_request(
                access=access, user=county_admin, year=2020, half=1
            )
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                bundle.refresh_from_db()
                if not bundle.is_waiting:
                    break
                time.sleep(0.05)
    finally:
        task_prerun.disconnect(record_run)
        task_postrun.disconnect(_close_worker_connections)

    assert created
    assert bundle.status == SummaryBundle.Status.DONE, bundle.error
    assert sorted(runs) == [
        ("oversight.summary_bundle_group", False),
        ("oversight.summary_bundle_group", False),
        ("oversight.summary_bundle_zip", False),
    ]
    assert runs[-1][0] == "oversight.summary_bundle_zip"
    with zipfile.ZipFile(bundle.zip.open("rb")) as z:
        assert sum(n.endswith((".pdf", ".docx")) for n in z.namelist()) == 4
