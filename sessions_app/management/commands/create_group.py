"""manage.py create_group: a new study group and its first secretary, for the site administrator."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sessions_app.services.groups import group_create
from sessions_app.services.members import signin_link_issue


class Command(BaseCommand):
    help = (
        "Create a study group and its first secretary, and print the secretary's one-time "
        "sign-in link (valid SIGNIN_LINK_VALID_DAYS days) to hand over."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--name", required=True, help="the group's name, e.g. 某某县委理论学习中心组"
        )
        parser.add_argument("--slug", required=True, help="the short name in its URLs: /g/<slug>/")
        parser.add_argument("--organisation", default="", help="the organisation it belongs to")
        parser.add_argument("--secretary-username", required=True,
                            help="the secretary's user name (e.g. their phone number)")
        parser.add_argument("--secretary-name", default="",
                            help="the secretary's name as lists show it (default: the user name)")
        parser.add_argument("--base-url", default="",
                            help="the site's address for the link (default: the SITE_URL setting)")

    def handle(self, *args, **options):
        base_url = (options["base_url"] or settings.SITE_URL).rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise CommandError(
                "Give the site's address with --base-url https://… or set SITE_URL: the sign-in "
                "link must be a full URL."
            )
        try:
            group, secretary = group_create(
                name=options["name"],
                slug=options["slug"],
                organisation=options["organisation"],
                secretary_username=options["secretary_username"],
                secretary_name=options["secretary_name"],
            )
            link = signin_link_issue(member=secretary, actor=None, base_url=base_url)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Created {group.name} (/g/{group.slug}/) with its secretary "
                          f"{secretary.display_name} ({secretary.user.get_username()}).")
        self.stdout.write(
            f"Sign-in link for the secretary, valid {settings.SIGNIN_LINK_VALID_DAYS} days, "
            "once:"
        )
        self.stdout.write(link)
