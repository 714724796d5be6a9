"""Background jobs of the reminders: thin, they take ids and call one service.

notices.scan is what Celery beat runs every few minutes (the PeriodicTask "Send due notices",
made by migration and editable in the admin); it queues one notices.send per message to send.
"""

from celery import shared_task
from django.db import transaction

from notices.services.delivery import deliveries_scan, delivery_send

#: The task beat's PeriodicTask row names (made by migration notices 0002_reminders).
SCAN_TASK_NAME = "notices.scan"


@shared_task(name=SCAN_TASK_NAME, ignore_result=True)
def notices_scan_task() -> int:
    """Decide what is due (deliveries_scan) and queue each message's send; returns how many."""
    ids = deliveries_scan()
    transaction.on_commit(lambda: [delivery_send_task.delay(pk) for pk in ids])
    return len(ids)


@shared_task(bind=True, name="notices.send", ignore_result=True)
def delivery_send_task(self, delivery_id: int) -> None:
    """Send one message (delivery_send: once, whatever the deliveries). A failed attempt that
    may be tried again is queued again for then on a worker; run eagerly, the next scan or
    send_due_notices tries it."""
    outcome = delivery_send(delivery_id=delivery_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        delivery_send_task.apply_async((delivery_id,), countdown=outcome.retry_in)
