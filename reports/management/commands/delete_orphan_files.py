"""Delete the stored report files and Word templates no row points to any more, once (the
periodic task reports.delete_orphan_files does the same)."""

from django.core.management.base import BaseCommand

from reports.services.report_files import ORPHAN_GRACE, report_files_orphans_delete


class Command(BaseCommand):
    help = (
        "Delete stored report files (reports/) and Word templates (word-templates/) that no "
        f"database row points to and that are older than {ORPHAN_GRACE}."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the files without deleting them."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        names = report_files_orphans_delete(dry_run=dry_run)
        for name in names:
            self.stdout.write(name)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(names)} file(s)."))
