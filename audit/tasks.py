"""Background jobs of the audit app: thin, they take ids and call one service."""

from celery import shared_task

from audit.originality.services import essay_originality_check


@shared_task(name="audit.essay_originality_check", ignore_result=True)
def essay_originality_check_task(essay_id: int) -> None:
    """Check a submitted or revised essay's originality (audit.originality.services).

    Queued after the essay's transaction commits, so the submission never waits on the check or
    fails with it on a worker; with no broker it runs eagerly right after the commit.
    """
    essay_originality_check(essay_id=essay_id)
