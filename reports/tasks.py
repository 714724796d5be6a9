"""Background jobs of the reports app: thin, they take ids and call one service."""

from celery import shared_task

from reports.services.report_files import report_file_render


@shared_task(name="reports.render_report_file", ignore_result=True)
def report_file_render_task(report_file_id: int) -> None:
    """Render and store a queued report PDF. Failures are recorded on the row, not raised."""
    report_file_render(report_file_id=report_file_id)
