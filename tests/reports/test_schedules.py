"""The documents' periodic tasks are in beat's schedule after migrating, under task names the
Celery app knows, so a beat started on a fresh database runs them."""

import pytest
from django_celery_beat.models import PeriodicTask

from studygroup.celery import app


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("task", "every"),
    [("reports.refresh_documents", "interval"), ("reports.delete_orphan_files", "crontab")],
)
def test_each_document_task_is_scheduled_and_registered(task, every):
    import reports.tasks  # noqa: F401  (registers the tasks, as the worker's autodiscovery does)

    row = PeriodicTask.objects.get(task=task)
    assert row.enabled and getattr(row, every) is not None
    assert task in app.tasks
