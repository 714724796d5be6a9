"""`manage.py seed_bulk`: fill the database with bulk study groups for benchmarks at scale."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo.bulk import (
    BULK_PASSWORD,
    DEFAULT_SEED,
    BulkSize,
    bulk_reset,
    bulk_seed,
    bulk_slug,
    bulk_username,
)
from demo.bulk_narratives import report_bulk_seed


class Command(BaseCommand):
    help = (
        "Create bulk study groups (slugs bulk-0001, …) with their users (b0001-01, …; 01 leader, "
        "02 deputy, 03 secretary), terms, plans, sessions, attendance and essays. Does nothing "
        "if bulk groups or users exist, unless --reset is given."
    )

    def add_arguments(self, parser):
        defaults = BulkSize()
        parser.add_argument(
            "--groups",
            type=int,
            default=defaults.groups,
            help="number of study groups (default %(default)s)",
        )
        parser.add_argument(
            "--members",
            type=int,
            default=defaults.members,
            help="members per group, each with a user (default %(default)s)",
        )
        parser.add_argument(
            "--terms",
            type=int,
            default=defaults.terms,
            help="half-year terms per group, ending 2020H2 (default %(default)s)",
        )
        parser.add_argument(
            "--sessions",
            type=int,
            default=defaults.sessions,
            help="study sessions per term (default %(default)s)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="random seed: the same seed makes the same data (default %(default)s)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="first delete the bulk groups (bulk-*) and bulk users, and nothing else",
        )

    def handle(self, *args, **options):
        size = BulkSize(
            groups=options["groups"],
            members=options["members"],
            terms=options["terms"],
            sessions=options["sessions"],
        )
        if problems := size.errors():
            raise CommandError(" ".join(problems))
        started = time.monotonic()
        if options["reset"]:
            self.stdout.write("Deleting the bulk groups and users…")
            bulk_reset(progress=self.stdout.write)
        self.stdout.write(
            f"Creating {size.groups} groups × {size.members} members, {size.terms} terms × "
            f"{size.sessions} sessions (seed {options['seed']})…"
        )
        result = bulk_seed(size=size, seed=options["seed"], progress=self.stdout.write)
        if not result.created:
            self.stdout.write(
                f"{result.existing_groups} bulk groups and {result.existing_users} bulk users "
                "already exist; nothing changed. Use --reset to delete and recreate them."
            )
            return
        report_bulk_seed(seed=options["seed"], progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Bulk data created in {time.monotonic() - started:.1f} s: "
                f"groups {bulk_slug(1)} … {bulk_slug(size.groups)}, users "
                f"{bulk_username(1, 1)} … {bulk_username(size.groups, size.members)} "
                "(01 leader, 02 deputy, 03 secretary)."
            )
        )
        self.stdout.write(f"Every bulk user's password is {BULK_PASSWORD}.")
