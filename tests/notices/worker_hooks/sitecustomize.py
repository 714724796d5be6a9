"""Loaded by a test's worker process only (its PYTHONPATH starts with this folder): when
NOTICES_PAUSE_AFTER_SEND names a file, each notices.send task, once it has returned (the row
recorded as sent) and before the worker acknowledges it, writes that file and waits, so that the
test can kill the worker in exactly that gap. Nothing of the app is changed."""

import os

if os.environ.get("NOTICES_PAUSE_AFTER_SEND"):
    import time

    from celery.signals import task_postrun

    def _pause(sender=None, **kwargs):
        if getattr(sender, "name", "") == "notices.send":
            with open(os.environ["NOTICES_PAUSE_AFTER_SEND"], "w") as marker:
                marker.write("sent, not yet acknowledged")
            time.sleep(60)

    task_postrun.connect(_pause, weak=False)
