"""manage.py backup: the whole database and every stored file in one archive (backups.archive)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backups.archive import default_archive_name, write_archive


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) with the whole database and every stored file (uploads and "
        "generated PDFs), with a manifest of their sha256 hashes. Restore it with "
        "`manage.py restore ARCHIVE`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output",
            help="The archive to write (default: BACKUP_DIR/studygroup-backup-<UTC time>.tar.gz).",
        )
        parser.add_argument("--database", default="default", help="The database alias.")

    def handle(self, *args, output, database, **options):
        path = Path(output) if output else Path(settings.BACKUP_DIR) / default_archive_name()
        if path.exists():
            raise CommandError(f"{path} exists already; name another file.")
        try:
            summary = write_archive(path, using=database)
        except Exception as error:  # pg_dump's failure, disk full: say so, leave no archive.
            raise CommandError(f"No backup was written: {error}") from error
        self.stdout.write(
            f"Wrote {summary.path} ({summary.size:,} bytes): the database "
            f"({summary.database_bytes:,} bytes) and {summary.files} stored files."
        )
