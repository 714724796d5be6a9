"""Rebuild the essays' originality index (audit.originality) from their current texts."""

from django.core.management.base import BaseCommand

from audit.originality.services import originality_reindex


class Command(BaseCommand):
    help = (
        "Rebuild the index of the essays' originality check from every essay's text; with "
        "--check, check every essay again afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="check every essay again once the index is rebuilt (slower)",
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, check: bool, batch_size: int, verbosity: int, **options):
        def progress(done: int) -> None:
            if verbosity > 1:
                self.stdout.write(f"{done} essays indexed")

        count = originality_reindex(batch_size=batch_size, recheck=check, progress=progress)
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Indexed {count} essays."))
