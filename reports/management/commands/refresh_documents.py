"""Check approved documents whose records changed, once (the periodic task
reports.refresh_documents does the same); with --all, make every approved document's files
ahead (after a release that changed the layout, or for documents approved before this existed)."""

from django.core.management.base import BaseCommand

from reports.models import ReportNarrative
from reports.pdf import PLAN, SUMMARY
from reports.services.report_files import report_document_prepare, report_documents_refresh
from sessions_app.models import StudyPlan


class Command(BaseCommand):
    help = (
        "Re-make the PDF and .docx of approved documents whose records changed and have been "
        "quiet for a minute; --all: of every approved summary and plan."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="Every approved document, changed or not."
        )

    def handle(self, *args, all: bool = False, **options):
        if not all:
            checked = report_documents_refresh()
            self.stdout.write(self.style.SUCCESS(f"Checked {checked} document(s)."))
            return
        documents = {
            (group, term, SUMMARY)
            for group, term in ReportNarrative.objects.filter(
                kind=ReportNarrative.Kind.SUMMARY, status=ReportNarrative.Status.APPROVED
            ).values_list("group_id", "term_id")
        } | {
            (group, term, PLAN)
            for group, term in StudyPlan.objects.filter(
                status=StudyPlan.Status.APPROVED
            ).values_list("group_id", "term_id")
        }
        for group, term, kind in sorted(documents):
            report_document_prepare(group_id=group, term_id=term, kind=kind)
        self.stdout.write(self.style.SUCCESS(f"Prepared {len(documents)} document(s)."))
