"""`manage.py seed_demo`: load the demo study group (idempotent; a second run changes nothing)."""

from django.core.management.base import BaseCommand

from demo.county import county_seed
from demo.narratives import report_demo_seed
from demo.notices import demo_seed_notice
from demo.records import demo_seed


class Command(BaseCommand):
    help = "Create the demo study group with its 2020 records; does nothing if it exists."

    def handle(self, *args, **options):
        result = demo_seed()
        report_demo_seed()  # approves the H2 plan, writes the H1 summary's narrative
        county_seed()  # the county above it, a second group, `county` and `inspector`
        demo_seed_notice()  # a session a week ahead with its 学习通知, some 已阅, an outline
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo group '{result.group.name}' (/g/{result.group.slug}/) created: "
                    f"{result.sessions} sessions, {result.attendances} attendance records, "
                    f"{result.essays} essays."
                )
            )
        else:
            self.stdout.write(f"Demo group '{result.group.name}' already exists; nothing changed.")
        self.stdout.write(
            "Log in as leader, secretary or member01…member12, county (the county's table) or "
            "inspector (and admin for /admin/) "
            f"with the password {result.password}; users that existed before keep theirs."
        )
