"""manage.py send_due_notices: one scan for due reminders, and their sending, in this process.

What Celery beat's periodic task does every few minutes, without a broker or a worker (cron, or
by hand). A failed send waits for its retry time: the next run tries it again.
"""

from django.core.management.base import BaseCommand

from notices.services.delivery import deliveries_scan, delivery_send


class Command(BaseCommand):
    help = "Decide which notices and reminders are due, and send them once, here and now."

    def handle(self, *args, **options):
        ids = deliveries_scan()
        sent = sum(delivery_send(delivery_id=pk).sent for pk in ids)
        self.stdout.write(f"{len(ids)} to send, {sent} sent, {len(ids) - sent} to retry or failed.")
