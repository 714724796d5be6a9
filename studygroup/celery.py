import logging
import os
import resource

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studygroup.settings")

app = Celery("studygroup")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def cap_pool_process_memory(**kwargs):
    """A pool process may use CELERY_WORKER_MEMORY_LIMIT_MB of address space: past it a render
    gets MemoryError (and fails its row) instead of taking the machine's memory."""
    from django.conf import settings

    limit_mb = settings.CELERY_WORKER_MEMORY_LIMIT_MB
    if limit_mb > 0:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = limit_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


@worker_process_init.connect
def warm_up_report_renderer(**kwargs):
    """Load WeasyPrint's fonts and the stylesheet as the pool process starts, not in its first
    job (reports.pdf.renderer_warm_up). A failure here is logged; the job would then pay it."""
    from reports.pdf import renderer_warm_up

    try:
        renderer_warm_up()
    except Exception:
        logging.getLogger(__name__).exception("The report renderer's warm-up failed")
