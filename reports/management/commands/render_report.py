"""Write a report (half-year summary or study plan) as PDF or HTML from the command line, with the
same renderer and templates as the download page."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from reports.pdf import (
    PLAN,
    SUMMARY,
    ReportRenderError,
    render_document_html,
    render_pdf,
    report_document_build,
)
from sessions_app.models import StudyGroup
from sessions_app.selectors.access import term_get, terms_for_group


class Command(BaseCommand):
    help = (
        "Write a group's half-year summary or study plan for a term as PDF or HTML, e.g. "
        "render_report --group demo --term 2020H1 --kind summary --format pdf -o out.pdf"
    )

    def add_arguments(self, parser):
        parser.add_argument("--group", required=True, help="The group's short name (slug).")
        parser.add_argument("--term", required=True, help="The term's code, e.g. 2020H1.")
        parser.add_argument("--kind", choices=[SUMMARY, PLAN], default=SUMMARY)
        parser.add_argument("--format", choices=["pdf", "html"], default="pdf", dest="fmt")
        parser.add_argument(
            "-o", "--output", default="-", help="The file to write; - (the default) for stdout."
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Use the summary's draft narrative if there is one (default: latest approved).",
        )

    def handle(self, *args, group, term, kind, fmt, output, draft, **options):
        study_group = StudyGroup.objects.filter(slug=group).first()
        if study_group is None:
            known = ", ".join(StudyGroup.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No study group {group!r}. Known groups: {known or 'none'}.")
        try:
            the_term = term_get(group_id=study_group.pk, code=term)
        except Http404:
            known = ", ".join(t.code for t in terms_for_group(group_id=study_group.pk))
            raise CommandError(
                f"Group {group!r} has no term {term!r}. Its terms: {known or 'none'}."
            ) from None

        if fmt == "html":
            content = render_document_html(
                group=study_group, term=the_term, kind=kind, include_draft=draft, inline_css=True
            ).encode("utf-8")
        else:
            document = report_document_build(
                group=study_group, term=the_term, kind=kind, include_draft=draft
            )
            try:
                content = render_pdf(document.html)
            except ReportRenderError as exc:
                raise CommandError(str(exc)) from exc

        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
            return
        path = Path(output)
        path.write_bytes(content)
        self.stderr.write(f"Wrote {path} ({len(content):,} bytes).")
