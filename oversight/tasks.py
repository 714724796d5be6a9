"""Background jobs of the oversight app: thin, they take ids and call one service.

The summaries .zip is a chord (oversight.services.summary_bundles): the group tasks keep their
results (a chord counts them in the result backend), the rest ignore theirs.
"""

from celery import shared_task


@shared_task(name="oversight.summary_bundle_group")
def summary_bundle_group_task(outcome_id: int) -> None:
    """One group's summary and plan for a summaries .zip; its faults are recorded, not raised,
    so one group never fails the chord."""
    from oversight.services.summary_bundles import summary_bundle_group_run

    summary_bundle_group_run(outcome_id=outcome_id)


@shared_task(name="oversight.summary_bundle_zip", ignore_result=True)
def summary_bundle_zip_task(bundle_id: int) -> None:
    """The chord's body: write the .zip once every group's task has finished."""
    from oversight.services.summary_bundles import summary_bundle_zip_write

    summary_bundle_zip_write(bundle_id=bundle_id)


@shared_task(name="oversight.summary_bundle_failed", ignore_result=True)
def summary_bundle_failed_task(bundle_id: int) -> None:
    """The chord's error callback (a group's task died: worker killed at the hard time limit):
    fail the bundle. One argument, so Celery calls it as a task; its signature is immutable,
    so the failed task's id Celery passes is dropped."""
    from oversight.services.summary_bundles import summary_bundle_failed

    summary_bundle_failed(bundle_id=bundle_id)
