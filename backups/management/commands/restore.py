"""manage.py restore ARCHIVE: an archive of `manage.py backup` back into an empty site."""

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.archive import ArchiveError, read_archive, restore_archive


class Command(BaseCommand):
    help = (
        "Restore an archive made by `manage.py backup` into an empty database and storage. Every "
        "file is checked against the archive's manifest first; a truncated or changed archive "
        "is refused and nothing is restored. A site that has data is refused unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar.gz written by `manage.py backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace what the database and storage hold now (it is listed first).",
        )
        parser.add_argument("--database", default="default", help="The database alias.")

    def handle(self, *args, archive, force, database, **options):
        # Unpacked under TMPDIR (the archive's size again), removed at the end.
        with tempfile.TemporaryDirectory(prefix="studygroup-restore-") as workdir:
            try:
                verified = read_archive(Path(archive), Path(workdir))
            except ArchiveError as error:
                raise CommandError(f"{error} Nothing was restored.") from None
            try:
                restore_archive(verified, using=database, force=force,
                                before_replacing=self.say_replacing)
            except ArchiveError as error:
                raise CommandError(f"{error} Nothing was restored.") from None
            except Exception as error:  # pg_restore's failure: its own message.
                raise CommandError(f"The restore failed: {error}") from error
        self.stdout.write(
            f"Restored the database and {len(verified.files)} stored files from {archive} "
            f"(made {verified.manifest['created']}). If this code is newer than the archive, "
            "run `manage.py migrate`."
        )

    def say_replacing(self, present):
        self.stdout.write(f"--force: replacing {present.describe()}.")
        self.stdout.flush()
