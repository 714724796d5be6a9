"""The performance benchmark (issue 5): measures where users wait, prints a table and writes it,
with the machine, the versions and the command, to docs/PERFORMANCE.md.

Run: ./scripts/bench  (or .venv/bin/python benchmarks/run.py --help)

It works on PostgreSQL (DATABASE_URL; created and migrated if missing, filled by `manage.py
seed_bulk` when it has no bulk groups) and a Celery broker on Redis (BENCH_REDIS_URL, database
13 by default). It adds to that database only its own two groups (bench-small, bench-large), the
demo group (seed_demo, for the demo summary's PDF) and report files; its Celery runs use their
own Redis database. Timings stay here, never in tests; the tests keep the query counts fixed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import math
import os
import platform
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/studygroup_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
OUTPUT = ROOT / "docs" / "PERFORMANCE.md"
SMALL_SLUG, LARGE_SLUG = "bench-small", "bench-large"
#: Members and sessions of the runner's own groups (item 1).
SMALL_SIZE, LARGE_SIZE = (6, 6), (60, 40)
BULK_SLUG_PREFIX = "bulk-"
BULK_ARGS = ["--groups", "500", "--members", "30", "--terms", "10", "--sessions", "12"]
#: Item 13's first scan is timed this many times, each in its own transaction rolled back.
FIRST_SCANS = 5
TERM_YEAR, TERM_HALF = 2020, 1


# --- Figures and the table: plain Python, tested in tests/benchmarks/test_run.py -------------


def percentile(values: Iterable[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation between the closest ranks, as
    numpy's default does."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is not between 0 and 100")
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Iterable[float]) -> float:
    return percentile(values, 50)


def seed_as_server(command: str, *args: str) -> None:
    """Run a seed command (seed_bulk, seed_demo) with the password hasher of the server that
    item 8 measures (benchmarks/load.py's SERVER_SETTINGS), not this process's test settings:
    a password hashed with their MD5 hasher cannot be verified by the server, and every
    simulated login would fail. The seeds hash their one password once, so this costs one
    slow hash per seed."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    from benchmarks.load import server_password_hashers

    with override_settings(PASSWORD_HASHERS=server_password_hashers()):
        call_command(command, *args)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


@dataclass
class Row:
    """One line of the table: what was measured, the figure, the goal and whether it was met
    (None: no goal, or not measured)."""

    item: str
    what: str
    figure: str
    goal: str = ""
    met: bool | None = None

    @property
    def verdict(self) -> str:
        return {True: "met", False: "missed", None: "–"}[self.met]


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: list[Row]) -> str:
    lines = ["| # | measured | figure | goal | result |", "|---|---|---|---|---|"]
    lines += [
        "| " + " | ".join(_cell(c) for c in (r.item, r.what, r.figure, r.goal, r.verdict)) + " |"
        for r in rows
    ]
    return "\n".join(lines)


def text_table(rows: list[Row]) -> str:
    header = ("#", "measured", "figure", "goal", "result")
    cells = [header] + [(r.item, r.what, r.figure, r.goal, r.verdict) for r in rows]
    widths = [max(len(str(c[i])) for c in cells) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in cells
    )


#: docs/PERFORMANCE.md below this line is written by hand (the profiles, where the time goes)
#: and kept as it is when the runner writes the file again.
ANALYSIS_MARKER = "<!-- Written by hand below this line; benchmarks/run.py keeps it. -->"


def kept_analysis(previous: str | None) -> str:
    """The hand-written part of the previous file, from the marker on; the marker alone if
    there is none."""
    if previous and ANALYSIS_MARKER in previous:
        return previous[previous.index(ANALYSIS_MARKER) :].rstrip() + "\n"
    return ANALYSIS_MARKER + "\n"


def performance_markdown(
    *,
    rows: list[Row],
    machine: dict[str, str],
    versions: dict[str, str],
    command: str,
    notes: list[str],
    method: str,
    previous: str | None = None,
) -> str:
    """docs/PERFORMANCE.md: the table first, then how it was measured and on what, then the
    previous file's hand-written analysis (kept_analysis)."""
    parts = [
        "# Performance",
        "",
        "Written by `benchmarks/run.py`; rerun it with the command below to replace this file.",
        "",
        "## Results",
        "",
        markdown_table(rows),
        "",
    ]
    if notes:
        parts += ["## Notes on this run", ""] + [f"- {n}" for n in notes] + [""]
    parts += ["## Command", "", "```", command, "```", "", "## Machine", ""]
    parts += [f"- {k}: {v}" for k, v in machine.items()] + ["", "## Versions", ""]
    parts += [f"- {k}: {v}" for k, v in versions.items()] + ["", "## How each figure is measured"]
    parts += ["", method.strip(), "", kept_analysis(previous)]
    return "\n".join(parts)


def machine_info(load_start: tuple[float, float, float]) -> dict[str, str]:
    """CPU model, cores, RAM and the load average at the start and now (Linux /proc)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": f"{platform.system()} {platform.release()}",
        "load average at start (1, 5, 15 min)": ", ".join(f"{x:.2f}" for x in load_start),
        "load average at end (1, 5, 15 min)": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _busy_cpu_seconds(times) -> float:
    """CPU seconds the machine spent busy, from psutil.cpu_times() (Linux: guest time is
    already in user)."""
    names = ("user", "nice", "system", "irq", "softirq", "steal")
    return sum(getattr(times, name, 0.0) for name in names)


def timed(fn: Callable[[], object], n: int) -> list[float]:
    """n wall-clock durations of fn(), in seconds."""
    durations = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        durations.append(time.perf_counter() - start)
    return durations


# --- The measurements: need Django, set up by main() -----------------------------------------

METHOD = """
1. `reports.selectors.summary.half_year_summary` for 2020 H1 of the runner's own groups,
   bench-small (6 members, 6 sessions) and bench-large (60 members, 40 sessions), among the bulk
   groups' rows: median of 30 calls after 3 unmeasured ones; queries counted once with
   `CaptureQueriesContext`. The query counts are pinned by
   `tests/reports/test_selectors.py::test_summary_query_count_does_not_grow_with_the_group`.
2. GET of the summary page (view, template, middleware) through Django's test `Client` in this
   process, logged in as bench-large's secretary: 50 requests after 3 unmeasured ones.
3. The same document three ways, in this process, in turn, 10 rounds after one unmeasured
   round: ours is `report_document_build` (figures, template, hash) plus `render_pdf`
   (StaticFilesFetcher, missing-glyph check); bare WeasyPrint is
   `HTML(string=html, base_url=..., url_fetcher=...).write_pdf()` on the very same HTML, its
   fetcher answering the one stylesheet link from bytes read beforehand (the cheapest way
   WeasyPrint can get it, so the ratio can only flatter bare WeasyPrint); Chromium is Debian's
   `/usr/bin/chromium` through Playwright, launched once, with the stylesheet served from the
   same bytes by `page.route`, timed over `page.set_content(html)` plus `page.pdf(format="A4")`.
   The ratio is of medians. The fresh-worker figure is from a real `celery worker` (prefork,
   concurrency 1, started three times): the task's own time (the row's `started_at` to
   `finished_at`) for each worker's first job against the median of its next three of the
   same document (a bulk group's summary); the median of the three workers' ratios.
4. `report_file_request` for a summary whose PDF is stored, then GET of the download view, read
   to the end: median of 20; `render_pdf` calls counted across them.
5. The demo group's (seed_demo) 2020 H1 summary rendered with `render_pdf`: bytes and pages.
6. `session_record` (as the session form's view calls it) with attendance for 50 of
   bench-large's members, median of 10, queries against a save for bench-small's 6; the runner
   deletes its sessions after. Pinned by
   `tests/sessions_app/test_sessions.py::test_saving_a_session_takes_the_same_queries_for_5_and_50_members`
   and, for an edit, `test_editing_a_session_takes_the_same_queries_for_5_and_50_members`.
7. 40 summaries (bulk-0001 … bulk-0040, 2020 H1; without bulk data the runner's own groups
   repeated) queued to a real `celery worker` subprocess on Redis, prefork concurrency 1, then
   2: time from the first queued to the last finished. Peak RSS of the pool processes sampled
   every 20 ms with psutil while they render, and their unique memory (USS) at that peak: RSS
   also counts pages shared with the worker's main process and the mapped font files.
8. Load (gunicorn + locust): `benchmarks/load.py`'s `measure_load`, run unless `--skip-load`.
   The bulk and demo data are seeded with the server's password hasher; when the users cannot
   log in the item has no figures, the run fails with the reason and writes nothing.
9. Imports (`sessions_app.services.imports`) into two groups the runner makes and removes: a
   members .xlsx of 50 and of 500 rows, then a records .xlsx of 12 sessions of the current term
   with every member's attendance (√ 迟 假 × in turn). Preview: `spreadsheet_read` plus
   `*_import_preview` for the 500-member group, median of 5; writing: one `*_import_apply`
   (which reads and checks again), its queries counted at 50 and 500 members. Pinned by
   `tests/sessions_app/test_imports_services.py::test_imports_run_the_same_queries_for_few_or_many_rows`.
10. The county table (`oversight.selectors.table.county_table`): every bulk group placed in
   two counties of a city (50 and 450 groups), the latest half-year; median of 10, queries
   counted for the 50 and for the 500. Pinned by
   `tests/oversight/test_table.py::test_the_table_runs_a_fixed_number_of_queries`.
11. QR check-in (`benchmarks/checkin.py`'s `measure_checkin`): gunicorn as in item 8, the
   runner's own group of 50 members (bench-checkin) with a session whose check-in is open now;
   the secretary's projector asks for the code as its script does, and each member opens the
   current code's URL with their own signed-in session at a random moment within one minute,
   then all 50 at once. Client-side times on loopback; a request counts as an error unless it
   answers 200 with the success message. Needs no bulk data: `--only 11` seeds nothing else.
   Query counts pinned by
   `tests/sessions_app/test_checkin.py::test_a_check_in_asks_the_same_queries_for_few_or_many`.
12. The year's study archive (学习档案专卷) of the runner's own group bench-archive, made once:
   60 members, 2020 H1 and H2 with approved plans and an approved H1 summary, 24 sessions with
   minutes, every member's attendance and a material each, 300 essays (5 a member, about 1,200
   characters, each with its uploaded file). `archive_build_request` queued to a real
   `celery worker` subprocess (prefork, concurrency 1, warmed up as it starts): time from the
   request to the build's row saying done, with the PDF's pages and the .zip's size. Its
   queries are pinned by `tests/reports/test_archive.py::test_year_archive_queries_do_not_grow`.
   Run alone (`--only 12`), the runner seeds no bulk data: the item needs only its own group.
13. The due-notice scan (`notices.services.delivery`) over the bulk groups, inside a transaction
   rolled back at the end (the database keeps nothing of it). The moment is 09:00 two days
   before the middle essay deadline of the bulk data's last term; every bulk group gets a WeCom
   robot and a published notice of its first session from the next day on, so every source has
   work: the notices, the day-before reminders, the essay deadlines, the attendance warnings.
   First scan (`deliveries_decide_due`: deciding and writing every message, and the checks its
   commit would make, run at once by SET CONSTRAINTS ALL IMMEDIATE): median of 5, each in its own
   transaction rolled back, the sent-log vacuumed before each (a rolled-back run leaves dead rows
   behind); then a sixth with its queries and rows counted, followed by the scan as beat runs it
   every five minutes with everything decided (`deliveries_scan`): median of 10 after one
   unmeasured, its queries. Pinned by
   `tests/notices/test_delivery_scan.py`.
14. The essays' originality check (`audit.originality.services.essay_originality_check`) against
   100,000 indexed essays of the group bench-originality, made once by
   `benchmarks/originality_data.py` (realistic Chinese drawn from the demo's vocabulary; band keys
   bulk-inserted; kept for the next runs). After one unmeasured check, 40 checks of new essays,
   20 copies of indexed essays (a tenth of their clauses changed) and 20 new texts, each in a
   transaction rolled back after: p50 and p95, whether every copy was flagged and no new text
   was, queries of one check. Then 40 essays submitted one after another through `essay_submit`
   (its check queued on commit, run eagerly): submissions per second, the submissions deleted
   after. The query count is pinned by
   `tests/audit/test_originality.py::test_a_check_takes_the_same_queries_however_many_essays_are_indexed`.
15. Every summary at once (`oversight.services.summary_bundles`): the first 100 groups (by id) of
   bench-county whose 2020 H1 summary and plan are both approved (item 10's placements, left as
   they are), each with its two documents as PDF and .docx: 400 files. `summary_bundle_request`
   sends the chord (one task per group, then the task that writes the .zip) to a real
   `celery worker` (prefork, Redis as broker and result store), concurrency 1, then 2, each run
   from no rendered files (the groups' 2020 H1 report files deleted before it): time from the
   request to the bundle's row saying done. Peak RSS of the pool processes sampled as in item 7;
   the CPU the pool and the rest of the machine used. The runner deletes its report files and
   .zips after. `BENCH_ZIP_GROUPS` times fewer groups.
"""


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rows: list[Row] = []
        self.notes: list[str] = []
        # Items that could not be measured, and why: the run fails and writes nothing.
        self.failures: list[str] = []
        # The PDFs the runner stores: kept between runs (their rows stay in the database), out
        # of the checkout.
        self.media = str(Path(tempfile.gettempdir()) / "studygroup-bench-media")

    # ---- set-up ----

    def setup_data(self) -> None:
        self.seed_missing()
        self.small = self._bench_group(SMALL_SLUG, *SMALL_SIZE)
        self.large = self._bench_group(LARGE_SLUG, *LARGE_SIZE)

    def seed_missing(self, bulk_args: list[str] = BULK_ARGS) -> None:
        """Migrate, then seed what the database lacks: the bulk groups (seed_bulk bulk_args) and
        the demo group, both with the measured server's password hasher (seed_as_server)."""
        from django.core.management import call_command
        from django.core.management.base import CommandError

        from sessions_app.models import StudyGroup

        call_command("migrate", verbosity=0)
        if not StudyGroup.objects.filter(slug__startswith=BULK_SLUG_PREFIX).exists():
            try:
                print("No bulk groups: running seed_bulk " + " ".join(bulk_args), flush=True)
                seed_as_server("seed_bulk", *bulk_args)
            except CommandError as exc:
                self.notes.append(
                    f"No bulk data: `seed_bulk` could not run ({exc}). Figures are for a "
                    "database without other groups' rows, so item 1's goal is not judged."
                )
        self.bulk = StudyGroup.objects.filter(slug__startswith=BULK_SLUG_PREFIX).count()
        if self.bulk:
            self.notes.append(f"Database holds {self.bulk} bulk groups.")
        from demo.records import DEMO_SLUG

        if not StudyGroup.objects.filter(slug=DEMO_SLUG).exists():
            seed_as_server("seed_demo", "--verbosity", "0")

    def _bench_group(self, slug: str, members: int, sessions: int):
        """The runner's own group with a secretary and members x sessions of 2020 H1 records
        (tests/reports/_data.bulk_records), made once."""
        from django.contrib.auth import get_user_model
        from django.db import transaction
        from django.db.models import Max

        from sessions_app.models import Member, StudyGroup, Term
        from tests.factories import MemberFactory, StudyGroupFactory, TermFactory, UserFactory
        from tests.reports._data import bulk_records

        group = StudyGroup.objects.filter(slug=slug).first()
        if group is None:
            with transaction.atomic():
                # Usernames user<n> past every user id: unique among the bulk data's users.
                top = get_user_model().objects.aggregate(top=Max("id"))["top"] or 0
                UserFactory.reset_sequence(top + 1000)
                group = StudyGroupFactory(slug=slug, name=f"基准测试{slug}理论学习中心组")
                term = TermFactory(group=group, year=TERM_YEAR, half=TERM_HALF)
                MemberFactory(group=group, role=Member.Role.SECRETARY)
                bulk_records(group, term, members=members - 1, sessions=sessions)
        group.bench_term = Term.objects.get(group=group, year=TERM_YEAR, half=TERM_HALF)
        group.bench_secretary = Member.objects.select_related("user", "group").get(
            group=group, role=Member.Role.SECRETARY
        )
        return group

    def add(self, *args, **kwargs) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        print(f"  {row.item:<3} {row.what}: {row.figure}  [{row.goal} → {row.verdict}]", flush=True)
        return row

    # ---- 1 ----

    def summary_figures(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from reports.selectors.summary import half_year_summary

        results = {}
        for group in (self.small, self.large):
            call = lambda g=group: half_year_summary(group=g, term=g.bench_term)  # noqa: E731
            timed(call, 3)
            with CaptureQueriesContext(connection) as queries:
                call()
            results[group.slug] = (median(timed(call, 30)), len(queries.captured_queries))
        (small_t, small_q), (large_t, large_q) = results[SMALL_SLUG], results[LARGE_SLUG]
        self.add("1", "summary figures, 6 members: median", ms(small_t))
        self.add(
            "1",
            "summary figures, 60 members × 40 sessions: median",
            ms(large_t),
            "< 100 ms with bulk data",
            large_t < 0.1 if self.bulk else None,
        )
        self.add(
            "1",
            "summary figures: queries, 6 / 60 members",
            f"{small_q} / {large_q}",
            "the same",
            small_q == large_q,
        )

    # ---- 2 ----

    def summary_page(self) -> None:
        from django.test import Client
        from django.urls import reverse

        group = self.large
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(group.bench_secretary.user)
        url = reverse("reports:summary", args=[group.slug, group.bench_term.code])

        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        timed(get, 3)
        durations = timed(get, 50)
        self.add(
            "2",
            "summary page (60 members), 50 requests: median / p95",
            f"{ms(median(durations))} / {ms(percentile(durations, 95))}",
            "median < 150 ms",
            median(durations) < 0.15,
        )

    # ---- 3 ----

    def pdf_against_peers(self) -> None:
        import weasyprint
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        from reports.fetcher import DOCUMENT_BASE_URL
        from reports.pdf import (
            SUMMARY,
            _stylesheet_bytes,
            render_pdf,
            renderer_warm_up,
            report_document_build,
        )
        from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

        group = self.large
        renderer_warm_up()
        css = _stylesheet_bytes()

        class StylesheetOnly(URLFetcher):
            def fetch(self, url, headers=None):
                return URLFetcherResponse(url, css, {"Content-Type": "text/css"})

        def ours():
            document = report_document_build(
                group=group, term=group.bench_term, kind=SUMMARY, include_draft=True
            )
            render_pdf(document.html)

        html = report_document_build(
            group=group, term=group.bench_term, kind=SUMMARY, include_draft=True
        ).html

        def bare():
            weasyprint.HTML(
                string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=StylesheetOnly()
            ).write_pdf()

        runners = {"ours": ours, "bare": bare}
        browser = playwright = None
        if CHROMIUM.exists():
            from playwright.sync_api import sync_playwright

            # Sync Playwright runs an event loop in this thread; Django would then refuse the
            # database ("You cannot call this from an async context"), as in tests/browser.
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            playwright = sync_playwright().start()
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.route(
                "**/reports/pdf.css",
                lambda route: route.fulfill(body=css, content_type="text/css"),
            )

            def chromium():
                page.set_content(html, wait_until="load")
                page.pdf(format="A4", prefer_css_page_size=True)

            runners["chromium"] = chromium
        else:
            self.notes.append(f"{CHROMIUM} is missing: no Chromium comparison.")
        durations: dict[str, list[float]] = {name: [] for name in runners}
        try:
            for round_ in range(11):
                for name, fn in runners.items():
                    taken = timed(fn, 1)[0]
                    if round_:
                        durations[name].append(taken)
        finally:
            if browser is not None:
                browser.close()
                playwright.stop()
        ours_m, bare_m = median(durations["ours"]), median(durations["bare"])
        self.add(
            "3",
            "summary PDF (60 members), warm: ours / bare WeasyPrint (medians)",
            f"{ms(ours_m)} / {ms(bare_m)} = {ours_m / bare_m:.2f}×",
            "≤ 1.10×",
            ours_m / bare_m <= 1.10,
        )
        if "chromium" in durations:
            chrome_m = median(durations["chromium"])
            self.add(
                "3",
                "summary PDF: ours / headless Chromium (medians)",
                f"{ms(ours_m)} / {ms(chrome_m)} = {ours_m / chrome_m:.2f}×",
                "reported",
            )

    # ---- 4 ----

    def stored_pdf(self) -> None:
        from unittest import mock

        from django.test import Client
        from django.urls import reverse

        from reports.models import ReportFile
        from reports.services import report_files

        group, member = self.large, self.large.bench_secretary
        term = group.bench_term
        first = report_files.report_file_request(member=member, term=term, kind="summary")
        first.refresh_from_db()
        assert first.status == ReportFile.Status.DONE, (first.status, first.error)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(member.user)

        def serve():
            report_file = report_files.report_file_request(member=member, term=term, kind="summary")
            url = reverse(
                "reports:pdf_download", args=[group.slug, term.code, "summary", report_file.pk]
            )
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            b"".join(response.streaming_content if response.streaming else [response.content])

        with mock.patch.object(
            report_files, "render_pdf", wraps=report_files.render_pdf
        ) as renders:
            timed(serve, 2)
            durations = timed(serve, 20)
        self.add(
            "4",
            "stored PDF served again (request + download): median",
            f"{ms(median(durations))}, {renders.call_count} renders",
            "< 50 ms, 0 renders",
            median(durations) < 0.05 and renders.call_count == 0,
        )
        self._approved_pdf_click()

    def _approved_approval(self):
        """The large group's leader and its summary approved (once per database): approving
        makes the PDF and the .docx ahead (eagerly here, inline)."""
        from reports.models import ReadyDocument, ReportNarrative
        from reports.services.narrative import narrative_approve
        from sessions_app.models import Member
        from tests.factories import MemberFactory
        from tests.reports.pdf_helpers import make_narrative

        group, term = self.large, self.large.bench_term
        leader = (
            Member.objects.select_related("user", "group")
            .filter(group=group, role=Member.Role.LEADER)
            .first()
        ) or MemberFactory(
            group=group,
            role=Member.Role.LEADER,
            display_name="基准组长",
            user__username=f"bench-leader-{group.pk}",
        )
        narratives = ReportNarrative.objects.filter(group=group, term=term, kind="summary")
        if not narratives.filter(status=ReportNarrative.Status.APPROVED).exists():
            draft = narratives.filter(status=ReportNarrative.Status.DRAFT).first()
            draft = draft or make_narrative(group=group, term=term, approved=False)
            narrative_approve(narrative=draft, member=leader, user=leader.user)
        ready = ReadyDocument.objects.select_related("pdf").get(
            group=group, term=term, kind="summary"
        )
        assert ready.pdf is not None and ready.pdf.is_done, ready.pdf
        return leader, ready

    def _approved_pdf_click(self) -> None:
        """A leader's click on the approved summary's PDF, from the POST of the button (as its
        script sends it) to the first byte of the download: the file made at approval against
        the on-request path (the document built to find its hash, then the same stored file),
        and the first click when nothing is stored (a render, as before approval made one)."""
        from unittest import mock

        from django.test import Client
        from django.urls import reverse

        from reports.models import ReadyDocument, ReportFile
        from reports.services import report_files

        group, term = self.large, self.large.bench_term
        leader, ready = self._approved_approval()
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(leader.user)
        start_url = reverse("reports:pdf_start", args=[group.slug, term.code, "summary"])

        def click():
            response = client.post(start_url, headers={"accept": "application/json"})
            payload = response.json()
            assert payload["status"] == "done", payload
            download = client.get(payload["download_url"])
            assert download.status_code == 200, download.status_code
            next(iter(download.streaming_content))  # the first byte
            download.close()

        def both_clocks() -> tuple[float, float]:
            wall, cpu = time.perf_counter(), time.process_time()
            click()
            return time.perf_counter() - wall, time.process_time() - cpu

        def trust_ready(yes: bool) -> None:
            ReadyDocument.objects.filter(pk=ready.pk).update(
                changed_at=None if yes else ready.prepared_at
            )

        builds = mock.patch.object(
            report_files, "report_document_build", wraps=report_files.report_document_build
        )
        renders = mock.patch.object(report_files, "render_pdf", wraps=report_files.render_pdf)
        stored, on_request = [], []
        with builds as built, renders as rendered:
            for path in (True, False):  # warm both paths
                trust_ready(path)
                timed(click, 2)
            built.reset_mock()
            # Interleaved, so that both paths see the same load on a shared machine: the file
            # made ahead, then the on-request path (the ready file not trusted: the document
            # is built to find its hash, then the same stored file is served).
            stored_builds = 0
            for _ in range(30):
                trust_ready(True)
                before = built.call_count
                stored.append(both_clocks())
                stored_builds += built.call_count - before
                trust_ready(False)
                on_request.append(both_clocks())
            stored_renders = rendered.call_count
            # The first click with nothing stored: the render the approval now does ahead.
            ReportFile.objects.filter(pk=ready.pdf_id).update(status=ReportFile.Status.FAILED)
            first_click = both_clocks()
            trust_ready(True)
        wall = [w for w, _ in stored]
        p50 = median(wall)
        self.add(
            "4",
            "approved summary PDF, leader's click to first byte, made ahead: p50, p90 (CPU p50)",
            f"{ms(p50)}, {ms(percentile(wall, 90))} ({ms(median(c for _, c in stored))}); "
            f"{stored_builds} builds, {stored_renders} renders",
            "p50 < 100 ms, 0 renders",
            p50 < 0.1 and stored_renders == 0 and stored_builds == 0,
        )
        self.add(
            "4",
            "the same click on the on-request path (stored file, document built): p50 (CPU p50)",
            f"{ms(median(w for w, _ in on_request))} ({ms(median(c for _, c in on_request))})",
            "reported",
        )
        self.add(
            "4",
            "first click with nothing stored (the render approval now does ahead): wall (CPU)",
            f"{ms(first_click[0])} ({ms(first_click[1])})",
            "reported",
        )

    # ---- 5 ----

    def demo_pdf(self) -> None:
        import io

        from pypdf import PdfReader

        from demo.records import DEMO_SLUG
        from reports.pdf import SUMMARY, render_pdf, report_document_build
        from sessions_app.models import StudyGroup, Term

        group = StudyGroup.objects.get(slug=DEMO_SLUG)
        term = Term.objects.get(group=group, year=TERM_YEAR, half=TERM_HALF)
        pdf = render_pdf(report_document_build(group=group, term=term, kind=SUMMARY).html)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        self.add(
            "5",
            "demo summary PDF: size, pages",
            f"{len(pdf) / 1024:.0f} KB, {pages} pages",
            "< 600 KB",
            len(pdf) < 600 * 1024,
        )

    # ---- 6 ----

    def session_save(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from sessions_app.models import Attendance, Member, StudySession
        from sessions_app.services.sessions import (
            AttendanceEntry,
            session_record,
            session_update,
        )

        made: list[int] = []
        counter = iter(range(1000))

        def save(group, members):
            n = next(counter)
            session = session_record(
                group=group,
                actor=group.bench_secretary.user,
                fields={
                    "date": dt.date(2021, 1 + n % 6, 1 + n % 28),
                    "format": "seminar",
                    "topic": f"基准测试保存{n}",
                },
                attendance=[
                    AttendanceEntry(member=m, status=Attendance.Status.PRESENT) for m in members
                ],
            )
            made.append(session.pk)

        def members_of(group, n):
            return list(Member.objects.filter(group=group).order_by("pk")[:n])

        small_members, large_members = members_of(self.small, 6), members_of(self.large, 50)
        try:
            # The first save in 2021 makes the group's 2021 H1 term: not counted.
            save(self.small, small_members)
            save(self.large, large_members)
            with CaptureQueriesContext(connection) as small_q:
                save(self.small, small_members)
            with CaptureQueriesContext(connection) as large_q:
                save(self.large, large_members)
            durations = timed(lambda: save(self.large, large_members), 10)
            edit_queries = []
            for group, members in ((self.small, small_members), (self.large, large_members)):
                session = StudySession.objects.filter(group=group, pk__in=made).last()
                with CaptureQueriesContext(connection) as edit_q:
                    session_update(
                        session=session,
                        actor=group.bench_secretary.user,
                        fields={"topic": session.topic},
                        attendance=[
                            AttendanceEntry(member=m, status=Attendance.Status.LATE)
                            for m in members
                        ],
                    )
                edit_queries.append(len(edit_q.captured_queries))
        finally:
            StudySession.objects.filter(pk__in=made).delete()
        small_n, large_n = len(small_q.captured_queries), len(large_q.captured_queries)
        self.add("6", "session saved with 50 members' attendance: median", ms(median(durations)))
        self.add(
            "6",
            "session saved: queries, 6 / 50 members",
            f"{small_n} / {large_n}",
            "the same",
            small_n == large_n,
        )
        self.add(
            "6",
            "session edited (every attendance changed): queries, 6 / 50 members",
            " / ".join(map(str, edit_queries)),
            "the same",
            edit_queries[0] == edit_queries[1],
        )

    # ---- 10 ----

    def county_table(self) -> None:
        """The county table (oversight.selectors.table) over every bulk group, placed once in a
        bench county of a bench city; queries pinned against a county of 50 of them."""
        import datetime as dt

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from oversight.models import GroupPlacement, Organisation
        from oversight.selectors.table import county_table
        from oversight.services.organisations import organisation_create
        from sessions_app.models import StudyGroup, Term

        city = Organisation.objects.filter(slug="bench-city").first()
        if city is None:
            city = organisation_create(name="基准测试市委宣传部", slug="bench-city")
            whole = organisation_create(name="基准测试县委宣传部", slug="bench-county", parent=city)
            part = organisation_create(name="基准测试区委宣传部", slug="bench-part", parent=city)
            groups = list(
                StudyGroup.objects.filter(slug__startswith=BULK_SLUG_PREFIX).order_by("pk")
            )
            GroupPlacement.objects.bulk_create(
                GroupPlacement(group=g, organisation=part if i < 50 else whole)
                for i, g in enumerate(groups)
            )
        latest = (
            Term.objects.filter(group__slug__startswith=BULK_SLUG_PREFIX)
            .order_by("-year", "-half")
            .values_list("year", "half")
            .first()
        )
        if latest is None:
            self.failures.append("item 10: no bulk groups to put in a county")
            return
        year, half = latest
        today = dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)
        results = {}
        for slug in ("bench-part", "bench-city"):
            org = Organisation.objects.get(slug=slug)
            call = lambda o=org: county_table(  # noqa: E731
                organisation=o, year=year, half=half, today=today
            )
            timed(call, 2)
            with CaptureQueriesContext(connection) as queries:
                rows = len(call().rows)
            results[slug] = (median(timed(call, 10)), len(queries.captured_queries), rows)
        part_t, part_q, part_n = results["bench-part"]
        all_t, all_q, all_n = results["bench-city"]
        self.add("10", f"county table, {part_n} groups: median", ms(part_t))
        self.add(
            "10",
            f"county table, {all_n} groups (a city over two counties): median",
            ms(all_t),
            "< 300 ms at 500 groups",
            all_t < 0.3 if all_n >= 500 else None,
        )
        self.add(
            "10",
            f"county table: queries, {part_n} / {all_n} groups",
            f"{part_q} / {all_q}",
            "the same",
            part_q == all_q,
        )

    # ---- 13 ----

    def notice_scan(self) -> None:
        """Item 13: the due-notice scan over the bulk groups, first with everything to decide,
        then as beat repeats it; rolled back after."""
        from django.db import connection, transaction
        from django.db.models import Min
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse
        from django.utils import timezone

        from notices.delivery_models import Delivery, GroupRobots
        from notices.models import Notice
        from notices.services.delivery import deliveries_decide_due, deliveries_scan
        from sessions_app.models import StudyGroup, StudySession

        groups = StudyGroup.objects.filter(slug__startswith=BULK_SLUG_PREFIX)
        sessions = StudySession.objects.filter(group__in=groups)
        last = sessions.order_by("-date").values_list("term__year", "term__half").first()
        if last is None:
            self.failures.append("item 10: no bulk sessions to scan")
            return
        dues = sorted(sessions.filter(term__year=last[0], term__half=last[1],
                                      essay_due_on__isnull=False)
                      .values_list("essay_due_on", flat=True).distinct())
        # Two days before the middle essay deadline: essays are due soon for some groups.
        moment = timezone.make_aware(
            dt.datetime.combine(dues[len(dues) // 2] - dt.timedelta(days=2), dt.time(9))
        )
        day = moment.date() + dt.timedelta(days=1)
        # A worker imports the URL configuration once, at its first reverse(); a scan repeats.
        reverse("notices:notice_detail", args=["bench", 1])
        firsts = (sessions.filter(date__gte=day).values("group_id")
                  .annotate(first=Min("date")).values_list("group_id", "first"))
        wanted = {(g, d) for g, d in firsts}
        first_times, rows = [], 0
        for run in range(FIRST_SCANS + 1):
            # Earlier runs' rows, rolled back, are dead rows the scan's index lookups would wade
            # through; a real sent-log is vacuumed by autovacuum.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE) notices_delivery")
            with transaction.atomic():
                GroupRobots.objects.bulk_create(
                    GroupRobots(
                        group_id=pk,
                        wecom_webhook="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=b",
                    )
                    for pk in groups.values_list("pk", flat=True)
                )
                Notice.objects.bulk_create(
                    Notice(session_id=pk, publish_at=moment - dt.timedelta(hours=1))
                    for pk, g, d in sessions.filter(date__gte=day)
                    .values_list("pk", "group_id", "date")
                    if (g, d) in wanted
                )
                # The last run counts the queries (Django's query log costs time of its own).
                counting = run == FIRST_SCANS
                log = CaptureQueriesContext(connection) if counting else contextlib.nullcontext()
                with log as first:
                    start = time.perf_counter()
                    deliveries_decide_due(now=moment)
                    with connection.cursor() as cursor:  # what its commit would check
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    elapsed = time.perf_counter() - start
                if not counting:
                    first_times.append(elapsed)
                    transaction.set_rollback(True)
                    continue
                first_queries = first.captured_queries
                rows = Delivery.objects.count()
                call = lambda: deliveries_scan(now=moment)  # noqa: E731
                timed(call, 1)
                with CaptureQueriesContext(connection) as repeat_queries:
                    call()
                repeat = median(timed(call, 10))
                transaction.set_rollback(True)
        first_time = median(first_times)
        self.add("13", f"due-notice scan, first (decides {rows} messages for {groups.count()} "
                 f"groups): median of {FIRST_SCANS}", ms(first_time), "< 1 s",
                 first_time < 1 if self.bulk else None)
        self.add("13", "due-notice scan, repeated with everything decided: median", ms(repeat),
                 "< 1 s", repeat < 1 if self.bulk else None)
        others = [q for q in first_queries
                  if "INSERT INTO" not in q["sql"] and not q["sql"].startswith("SET CONSTRAINTS")]
        self.add("13", "due-notice scan: queries, first / repeated",
                 f"{len(others)} + insert / {len(repeat_queries.captured_queries)}",
                 "fixed (tests pin 20 + insert / 19)", None)

    def originality(self) -> None:
        """Item 14: an essay checked against 100,000 indexed essays, and submissions indexed."""
        from django.db import connection, transaction
        from django.test.utils import CaptureQueriesContext

        from audit.models import OriginalityCheck, passes_threshold
        from audit.originality.services import essay_originality_check
        from benchmarks import originality_data as data
        from sessions_app.models import ReflectionEssay
        from sessions_app.services.essays import essay_submit

        group, session, authors = data.ensure()
        pks = list(
            ReflectionEssay.objects.filter(group=group).order_by("pk").values_list("pk", flat=True)
        )
        indexed = len(pks)
        chosen = pks[:: max(1, len(pks) // 20)][:20]
        sources = list(
            ReflectionEssay.objects.filter(pk__in=chosen)
            .order_by("pk")
            .values_list("body", flat=True)
        )
        probes = [(data.copy_of(body, i), True) for i, body in enumerate(sources)]
        probes += [(data.essay_text(10_000_000 + i), False) for i in range(20)]

        class Rollback(Exception):
            pass

        durations, wrong, queries = [], 0, None
        # One unmeasured check first: datasketch chooses the LSH bands once per process.
        probes.insert(0, (data.essay_text(30_000_000), False))
        for n, (body, is_copy) in enumerate(probes):
            try:
                with transaction.atomic():
                    essay = ReflectionEssay.objects.create(
                        group=group,
                        author=authors[n % len(authors)],
                        session=session,
                        title=f"基准测试{n}",
                        body=body,
                        submitted_at=dt.datetime.now(dt.UTC),
                    )
                    start = time.perf_counter()
                    if queries is None:
                        with CaptureQueriesContext(connection) as captured:
                            essay_originality_check(essay_id=essay.pk)
                        queries = len(captured.captured_queries)
                    else:
                        essay_originality_check(essay_id=essay.pk)
                    if n:
                        durations.append(time.perf_counter() - start)
                    check = OriginalityCheck.objects.get(essay=essay)
                    flagged = passes_threshold(
                        shared=check.top_shared,
                        own=check.own_count,
                        threshold=group.originality_threshold,
                    )
                    wrong += bool(n) and flagged != is_copy
                    raise Rollback
            except Rollback:
                pass
        p95 = percentile(durations, 95)
        self.add("14", f"originality check among {indexed:,} essays: median", ms(median(durations)))
        self.add(
            "14",
            f"originality check among {indexed:,} essays: p95",
            ms(p95),
            "under 200 ms",
            p95 < 0.2,
        )
        self.add(
            "14",
            "copies flagged / new texts not flagged: wrong verdicts",
            f"{wrong} of {len(durations)}",
            "0",
            wrong == 0,
        )
        self.add("14", "originality check: queries", str(queries))

        made: list[int] = []
        try:
            start = time.perf_counter()
            for n in range(40):
                essay = essay_submit(
                    author=authors[n % len(authors)],
                    title=f"基准测试提交{n}",
                    kind=ReflectionEssay.Kind.REFLECTION,
                    session=session,
                    body=data.essay_text(20_000_000 + n),
                )
                made.append(essay.pk)
            rate = len(made) / (time.perf_counter() - start)
            checked = OriginalityCheck.objects.filter(essay_id__in=made).count()
        finally:
            # By title too: a run stopped between a commit and its append leaves its essay.
            ReflectionEssay.objects.filter(group=group, title__startswith="基准测试提交").delete()
        self.add(
            "14",
            "essays submitted and indexed, one after another",
            f"{rate:.1f}/s",
            "at least 10/s",
            rate >= 10 and checked == len(made),
        )

    # ---- 9 ----

    def imports(self) -> None:
        """Item 9: a members list of 500 and 12 sessions x 500 attendance cells, imported into a
        group of the runner's own, made afresh and removed after."""
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from intake.spreadsheets import spreadsheet_read
        from sessions_app.models import Member, StudyGroup, StudySession
        from sessions_app.services.imports import (
            members_import_apply,
            members_import_preview,
            records_import_apply,
            records_import_preview,
            records_term_dates,
        )
        from tests.factories import MemberFactory, StudyGroupFactory

        start, _end = records_term_dates(timezone.localdate())
        dates = [start + dt.timedelta(days=7 * i) for i in range(12)]
        run = f"{int(time.time()) % 100000:05d}"
        made_groups: list[int] = []
        made_users: list[str] = []

        def workbook(*sheets) -> bytes:
            import io

            from openpyxl import Workbook

            book = Workbook()
            book.remove(book.active)
            for name, rows in sheets:
                sheet = book.create_sheet(name)
                for row in rows:
                    sheet.append(list(row))
            out = io.BytesIO()
            book.save(out)
            return out.getvalue()

        def members_file(size: int, tag: str) -> bytes:
            phones = [f"19{run}{tag}{i:03d}" for i in range(size)]
            made_users.extend(phones)
            return workbook(
                (
                    "成员",
                    [("姓名", "职务", "角色", "手机号", "邮箱", "加入日期")]
                    + [
                        (f"导入成员{tag}{i:03d}", "干部", "成员", phone, "", start.isoformat())
                        for i, phone in enumerate(phones)
                    ],
                )
            )

        def records_file(group) -> bytes:
            names = list(
                Member.objects.filter(group=group)
                .in_rank_order()
                .values_list("display_name", flat=True)
            )
            return workbook(
                (
                    "学习记录",
                    [("日期", "开始时间", "地点", "形式", "专题", "主持人")]
                    + [
                        (d.isoformat(), "09:00", "会议室", "专题学习", f"基准导入专题{i}", "")
                        for i, d in enumerate(dates)
                    ],
                ),
                (
                    "考勤",
                    [("姓名", *[d.isoformat() for d in dates])]
                    + [
                        (name, *["√迟假×"[(i + j) % 4] for j in range(12)])
                        for i, name in enumerate(names)
                    ],
                ),
            )

        def new_group(size: int, tag: str):
            group = StudyGroupFactory(
                slug=f"bench-import-{run}-{tag}", name=f"基准测试导入{tag}理论学习中心组"
            )
            made_groups.append(group.pk)
            secretary = MemberFactory(
                group=group,
                role=Member.Role.SECRETARY,
                display_name=f"导入秘书{tag}",
                joined_on=start,
                user__username=f"bench-import-{run}-{tag}",
            )
            made_users.append(secretary.user.username)
            return group, secretary.user, members_file(size, tag)

        def preview_time(preview, group, content) -> list[float]:
            return timed(
                lambda: preview(
                    group=group, sheets=spreadsheet_read(content, filename="bench.xlsx")
                ),
                5,
            )

        try:
            queries = {}
            for size, tag in ((50, "1"), (500, "2")):
                group, actor, content = new_group(size, tag)
                if size == 500:
                    member_times = preview_time(members_import_preview, group, content)
                with CaptureQueriesContext(connection) as members_q:
                    members_import_apply(
                        group=group,
                        sheets=spreadsheet_read(content, filename="m.xlsx"),
                        file_name="m.xlsx",
                        sha256="",
                        actor=actor,
                    )
                content = records_file(group)
                if size == 500:
                    record_times = preview_time(records_import_preview, group, content)
                    write_start = time.perf_counter()
                with CaptureQueriesContext(connection) as records_q:
                    records_import_apply(
                        group=group,
                        sheets=spreadsheet_read(content, filename="r.xlsx"),
                        file_name="r.xlsx",
                        sha256="",
                        actor=actor,
                    )
                if size == 500:
                    write_time = time.perf_counter() - write_start
                queries[size] = (len(members_q.captured_queries), len(records_q.captured_queries))
        finally:
            StudySession.objects.filter(group_id__in=made_groups).delete()
            StudyGroup.objects.filter(pk__in=made_groups).delete()
            get_user_model().objects.filter(username__in=made_users).delete()
        self.add(
            "9",
            "members import of 500 rows (.xlsx read + preview): median",
            ms(median(member_times)),
            "< 2 s",
            median(member_times) < 2,
        )
        self.add(
            "9",
            "records import of 12 sessions x 500 members (.xlsx read + preview): median",
            ms(median(record_times)),
            "< 2 s",
            median(record_times) < 2,
        )
        self.add(
            "9", "records import of 12 x 500 written (read, check again, write)", ms(write_time)
        )
        self.add(
            "9",
            "import written: queries, members 50 / 500",
            f"{queries[50][0]} / {queries[500][0]}",
            "the same",
            queries[50][0] == queries[500][0],
        )
        self.add(
            "9",
            "import written: queries, 12 sessions for 50 / 500 members",
            f"{queries[50][1]} / {queries[500][1]}",
            "the same",
            queries[50][1] == queries[500][1],
        )

    # ---- 3 (fresh worker) and 7 ----

    def throughput(self) -> None:
        from reports.models import ReportFile
        from reports.services.report_files import report_file_request
        from sessions_app.models import Member, StudyGroup, Term
        from studygroup.celery import app

        groups = list(
            StudyGroup.objects.filter(slug__startswith=BULK_SLUG_PREFIX).order_by("slug")[:40]
        ) or [self.small, self.large]
        if len(groups) < 40:
            self.notes.append(
                f"Item 7 renders {len(groups)} summaries, each {40 // len(groups)} times in turn "
                "(no bulk groups to give 40 different ones)."
            )
        rows = []
        app.conf.task_always_eager = True
        for group in groups:
            term = Term.objects.get(group=group, year=TERM_YEAR, half=TERM_HALF)
            secretary = (
                Member.objects.select_related("user", "group")
                .filter(group=group, role=Member.Role.SECRETARY)
                .first()
            )
            rows.append(report_file_request(member=secretary, term=term, kind="summary").pk)
        app.conf.task_always_eager = False
        app.control.purge()
        rounds = max(1, 40 // len(rows))

        from reports.tasks import report_file_render_task

        def run_batch(worker: CeleryWorker) -> float:
            """Seconds for the batch; notes the CPU the pool and the rest of the machine used."""
            import psutil

            pool = psutil.Process(worker.process.pid).children()
            pool_cpu = sum(sum(p.cpu_times()[:2]) for p in pool)
            machine, runner = psutil.cpu_times(), sum(psutil.Process().cpu_times()[:2])
            start = time.perf_counter()
            for _ in range(rounds):
                self._reset(rows)
                for pk in rows:
                    report_file_render_task.delay(pk)
                worker.wait_done(rows, sample=True)
            wall = time.perf_counter() - start
            pool_cpu = sum(sum(p.cpu_times()[:2]) for p in pool) - pool_cpu
            busy = _busy_cpu_seconds(psutil.cpu_times()) - _busy_cpu_seconds(machine)
            runner = sum(psutil.Process().cpu_times()[:2]) - runner
            self.notes.append(
                f"Item 7, {worker.concurrency} process(es): the pool used {pool_cpu / wall:.2f} "
                f"cores' worth of CPU over the batch, this runner {runner / wall:.2f}, everything "
                f"else on the machine {(busy - pool_cpu - runner) / wall:.2f} (of "
                f"{os.cpu_count()})."
            )
            return wall

        timings = {}
        for concurrency in (1, 2):
            if concurrency == 1:
                self._first_jobs(rows)
            with CeleryWorker(concurrency, self.env) as worker:
                timings[concurrency] = run_batch(worker)
                peak, peak_uss = worker.peak_rss, worker.peak_uss
            failed = ReportFile.objects.filter(pk__in=rows).exclude(status=ReportFile.Status.DONE)
            if failed.exists():
                self.notes.append(f"Item 7: {failed.count()} renders did not finish: {failed[0]}")
            self.add(
                "7",
                f"40 summary PDFs through Celery, {concurrency} worker process(es)",
                f"{timings[concurrency]:.1f} s ({40 / timings[concurrency]:.1f} PDFs/s)",
            )
            self.add(
                "7",
                f"peak RSS of a pool process while rendering (concurrency {concurrency})",
                f"{peak / 1024 / 1024:.0f} MB (unique {peak_uss / 1024 / 1024:.0f} MB)",
                "< 400 MB",
                peak < 400 * 1024 * 1024,
            )
        speedup = timings[1] / timings[2]
        # Rounds of fewer than 40 documents wait for their slowest: not a fair speed-up.
        self.add(
            "7",
            "2 processes against 1: speed-up",
            f"{speedup:.2f}×",
            "≥ 1.7×",
            speedup >= 1.7 if rounds == 1 else None,
        )
        if (os.cpu_count() or 1) < 3:
            self.notes.append(
                f"Item 7 ran on {os.cpu_count()} cores, which this process, PostgreSQL and the "
                "worker's main process share with the two pool processes."
            )

    def _reset(self, rows: list[int]) -> None:
        from reports.models import ReportFile

        ReportFile.objects.filter(pk__in=rows).update(
            status=ReportFile.Status.PENDING,
            error="",
            attempts=0,
            started_at=None,
            finished_at=None,
        )

    def _first_jobs(self, rows: list[int]) -> None:
        """Fresh workers' first jobs against their next ones: the task's own time on the row.
        Three workers, one after the other, each rendering one document 4 times."""
        from reports.models import ReportFile
        from reports.tasks import report_file_render_task

        firsts, warm, ratios = [], [], []
        for start in range(3):
            pk = rows[start % len(rows)]
            taken = []
            with CeleryWorker(1, self.env) as worker:
                for _ in range(4):
                    self._reset([pk])
                    report_file_render_task.delay(pk)
                    worker.wait_done([pk], sample=False)
                    row = ReportFile.objects.get(pk=pk)
                    taken.append((row.finished_at - row.started_at).total_seconds())
            firsts.append(taken[0])
            warm.append(median(taken[1:]))
            ratios.append(taken[0] / median(taken[1:]))
        ratio = median(ratios)
        self.add(
            "3",
            "first job in a fresh worker / warm job (task time, median of 3 workers)",
            f"{ms(median(firsts))} / {ms(median(warm))}, ratio {ratio:.2f}×",
            "≤ 1.3×",
            ratio <= 1.3,
        )

    # ---- 8 ----

    def load(self) -> None:
        from benchmarks.load import LoginsFailed, format_figures, measure_load

        try:
            figures = measure_load(database_url=self.args.database_url, users=50, seconds=60)
        except LoginsFailed as exc:
            self.failures.append(f"Item 8 (load) has no figures: {exc}")
            self.add(
                "8",
                "load: 50 users of 50 groups",
                "not measured: logins failed",
                "no errors, p95 < 300 ms",
                met=False,
            )
            return
        print(format_figures(figures), flush=True)
        think_min, think_max = figures["think_time_s"]
        self.add(
            "8",
            f"load: {figures['users']} users of {figures['distinct_groups']} groups for "
            f"{figures['window_s']} s over dashboard, session list and summary (think time "
            f"{think_min:g}-{think_max:g} s), {figures['workers']} gunicorn workers",
            f"{figures['requests_per_s']} req/s, p50 {figures['p50_ms']} ms, "
            f"p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, {figures['errors']} errors",
            "no errors, p95 < 300 ms",
            met=figures["errors"] == 0 and figures["p95_ms"] < 300,
        )
        pages = "; ".join(
            f"{name} p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms"
            for name, row in figures["pages"].items()
        )
        self.notes.append(
            f"Item 8, by page: {pages}. CPU per page request: web "
            f"{figures['web_cpu_ms_per_request']} ms, PostgreSQL "
            f"{figures['db_cpu_ms_per_request']} ms (random_page_cost "
            f"{figures['random_page_cost'] or 'of the server'}); logins, before the window: "
            f"p50 {figures['login']['p50_ms']} ms."
        )

    # ---- 11 ----

    def checkin(self) -> None:
        from benchmarks.checkin import CheckinWindowMissing, measure_checkin

        try:
            figures = measure_checkin(database_url=self.args.database_url)
        except CheckinWindowMissing as exc:
            self.failures.append(f"Item 11 (check-in) has no figures: {exc}")
            return
        spread, burst = figures["spread"], figures["burst"]
        self.add(
            "11",
            f"QR check-in: {figures['members']} members within {figures['seconds']:g} s, "
            f"{figures['workers']} gunicorn workers",
            f"p50 {spread['p50_ms']} ms, p95 {spread['p95_ms']} ms, max {spread['max_ms']} ms, "
            f"{spread['errors']} errors, {figures['recorded']} recorded",
            "p95 < 100 ms, no errors",
            met=spread["p95_ms"] < 100 and spread["errors"] == 0
            and figures["recorded"] == figures["members"],
        )
        self.add(
            "11",
            f"QR check-in: all {figures['members']} at the same moment",
            f"p50 {burst['p50_ms']} ms, p95 {burst['p95_ms']} ms, max {burst['max_ms']} ms, "
            f"{burst['errors']} errors",
        )
        self.notes.append(
            f"Item 11: the projector's code endpoint answered {figures['code_requests']} times, "
            f"p95 {figures['code_p95_ms']} ms. CPU per check-in over the spread minute: web "
            f"{figures['web_cpu_ms_per_checkin']} ms, PostgreSQL "
            f"{figures['db_cpu_ms_per_checkin']} ms; the whole machine had "
            f"{figures['machine_cores_busy']} of {os.cpu_count()} cores busy, load average "
            f"{figures['load_average_before']} before, {figures['load_average_after']} after."
            + (f" Projector errors: {figures['projector_errors']}"
               if figures["projector_errors"] else "")
        )

    # ---- 12 ----

    def _archive_group(self):
        """bench-archive: a year of a 60-member group (see METHOD, item 12), made once."""
        from django.contrib.auth import get_user_model
        from django.core.files.base import ContentFile
        from django.db import transaction
        from django.db.models import Max
        from django.utils import timezone

        from reports.services.narrative import (
            NarrativeText,
            narrative_approve,
            narrative_save_draft,
        )
        from sessions_app.models import (
            Attendance,
            Member,
            ReflectionEssay,
            SessionMaterial,
            StudyGroup,
        )
        from tests.factories import (
            MemberFactory,
            PlannedTopicFactory,
            StudyGroupFactory,
            StudyPlanFactory,
            StudySessionFactory,
            TermFactory,
            UserFactory,
        )

        slug = "bench-archive"
        group = StudyGroup.objects.filter(slug=slug).first()
        if group is not None:
            return group
        paragraph = "坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻党的二十大精神，" * 5
        with transaction.atomic():
            top = get_user_model().objects.aggregate(top=Max("id"))["top"] or 0
            UserFactory.reset_sequence(top + 5000)
            group = StudyGroupFactory(slug=slug, name="基准测试档案理论学习中心组")
            secretary = MemberFactory(group=group, role=Member.Role.SECRETARY)
            leader = MemberFactory(group=group, role=Member.Role.LEADER)
            people = [secretary, leader] + [MemberFactory(group=group) for _ in range(58)]
            sessions = []
            for half in (1, 2):
                term = TermFactory(group=group, year=2020, half=half)
                plan = StudyPlanFactory(group=group, term=term, status="approved",
                                        approved_at=timezone.now(), approved_by=leader)
                for month in range(6):
                    PlannedTopicFactory(plan=plan, planned_month=month + 1 + 6 * (half - 1))
                for i in range(12):
                    sessions.append(StudySessionFactory(
                        group=group, term=term, host=leader, minutes=paragraph * 2,
                        date=term.start_date.replace(month=term.start_date.month + i // 2,
                                                     day=5 + 10 * (i % 2)),
                    ))
            Attendance.objects.bulk_create(
                Attendance(session=s, member=m, status="present") for s in sessions for m in people
            )
            for s in sessions:
                material = SessionMaterial(session=s, title="学习材料",
                                           original_filename="材料.pdf")
                material.file.save("m.pdf", ContentFile(b"%PDF-1.4 " + bytes(20_000)), save=False)
                material.save()
            for n in range(300):
                author, session = people[n % 60], sessions[n % 24]
                essay = ReflectionEssay(
                    group=group, author=author, session=session, title=f"学习心得{n}",
                    body="\n".join([paragraph] * 5), word_count=1200, char_count=1200,
                    submitted_at=timezone.now(), original_filename=f"心得{n}.docx",
                )
                essay.file.save(f"e{n}.docx", ContentFile(bytes(30_000)), save=False)
                essay.save()
            text = NarrativeText(preamble="上半年，中心组坚持集中学习。",
                                 practices=[{"heading": "突出重点", "body": "坚持经常学。"}],
                                 problems="一是学用结合不够紧。", causes="一是认识不到位。",
                                 measures="")
            h1 = group.terms.get(half=1)
            draft = narrative_save_draft(group=group, term=h1, text=text, member=secretary,
                                         user=secretary.user)
            narrative_approve(narrative=draft, member=leader, user=leader.user)
        return group

    def study_archive(self) -> None:
        from reports.services.archive import archive_build_request
        from sessions_app.models import Member
        from studygroup.celery import app

        group = self._archive_group()
        secretary = Member.objects.select_related("group", "user").get(
            group=group, role=Member.Role.SECRETARY
        )
        import psutil

        app.conf.task_always_eager = False
        app.control.purge()
        load_before = os.getloadavg()[0]
        with CeleryWorker(1, self.env) as worker:
            pool = psutil.Process(worker.process.pid).children()
            pool_cpu = sum(sum(p.cpu_times()[:2]) for p in pool)
            start = time.perf_counter()
            build = archive_build_request(member=secretary, year=2020, kind="year")
            deadline = start + 600
            while time.perf_counter() < deadline:
                build.refresh_from_db()
                if not build.is_waiting:
                    break
                time.sleep(0.1)
            wall = time.perf_counter() - start
            pool_cpu = sum(sum(p.cpu_times()[:2]) for p in pool) - pool_cpu
        if not build.is_done:
            self.failures.append(f"Item 12: the archive build ended {build.status}: {build.error}")
            return
        self.add(
            "12",
            "year archive, 60 members, 24 sessions, 300 essays (1 worker)",
            f"{wall:.1f} s ({pool_cpu:.1f} s of CPU); PDF {build.pdf_pages} pages, "
            f"{build.pdf.size / 1e6:.1f} MB; .zip {build.zip.size / 1e6:.1f} MB",
            "< 60 s",
            wall < 60,
        )
        self.notes.append(
            f"Item 12: the worker's process used {pool_cpu:.1f} s of CPU in {wall:.1f} s; the "
            f"machine's load average was {load_before:.1f} when it started (of "
            f"{os.cpu_count()} cores)."
        )

    # ---- 15 ----

    def summaries_zip(self) -> None:
        """Item 15: a county's every summary and plan as one .zip (oversight.services.
        summary_bundles), a chord of one task per group on a real worker, with 1 then 2 pool
        processes, each time from no rendered files. BENCH_ZIP_GROUPS (100) groups."""
        groups = int(os.environ.get("BENCH_ZIP_GROUPS", "100"))
        import psutil

        from oversight.models import Organisation, OrganisationRole, SummaryBundle
        from oversight.selectors.access import OrganisationAccess
        from oversight.services.summary_bundles import summary_bundle_request
        from reports.models import ReportFile, ReportNarrative
        from sessions_app.models import StudyPlan
        from studygroup.celery import app

        county = Organisation.objects.filter(slug="bench-county").first()
        if county is None:
            self.failures.append("item 15: no bench-county organisation (item 10 makes it)")
            return
        # Groups of the county whose 2020 H1 summary and plan are both approved: every one of
        # them has two documents in two formats to make. Chosen by id, so each run takes the
        # same; the county's placements are left as item 10 made them.
        with_summary = set(
            ReportNarrative.objects.filter(
                term__year=TERM_YEAR,
                term__half=TERM_HALF,
                group__placement__organisation=county,
                kind=ReportNarrative.Kind.SUMMARY,
                status=ReportNarrative.Status.APPROVED,
            ).values_list("group_id", flat=True)
        )
        with_plan = set(
            StudyPlan.objects.filter(
                term__year=TERM_YEAR,
                term__half=TERM_HALF,
                group__placement__organisation=county,
                status=StudyPlan.Status.APPROVED,
            ).values_list("group_id", flat=True)
        )
        chosen = sorted(with_summary & with_plan)[:groups]
        if len(chosen) < groups:
            self.notes.append(
                f"Item 15: only {len(chosen)} groups of bench-county have an approved 2020 H1 "
                "summary and plan."
            )
        access = OrganisationAccess(organisation=county, role=OrganisationRole.Role.ADMINISTRATOR)
        files = ReportFile.objects.filter(
            group_id__in=chosen, term__year=TERM_YEAR, term__half=TERM_HALF
        )

        def clear() -> None:
            for row in files.exclude(file=""):
                row.file.delete(save=False)
            files.delete()
            for bundle in SummaryBundle.objects.filter(organisation=county):
                if bundle.zip:
                    bundle.zip.delete(save=False)
                bundle.delete()

        timings = {}
        for concurrency in (1, 2):
            clear()
            with CeleryWorker(concurrency, self.env) as worker:
                app.conf.task_always_eager = False
                pool = psutil.Process(worker.process.pid).children()
                pool_cpu = sum(sum(p.cpu_times()[:2]) for p in pool)
                machine = psutil.cpu_times()
                load_before = os.getloadavg()[0]
                start = time.perf_counter()
                bundle, _created = summary_bundle_request(
                    access=access, user=None, year=TERM_YEAR, half=TERM_HALF, group_ids=chosen
                )
                worker.wait_for(
                    lambda b=bundle: not SummaryBundle.objects.get(pk=b.pk).is_waiting,
                    sample=True,
                    timeout=1800,
                )
                wall = time.perf_counter() - start
                pool_cpu = sum(sum(p.cpu_times()[:2]) for p in pool) - pool_cpu
                busy = _busy_cpu_seconds(psutil.cpu_times()) - _busy_cpu_seconds(machine)
                peak, peak_uss = worker.peak_rss, worker.peak_uss
                app.conf.task_always_eager = True
            bundle.refresh_from_db()
            if not bundle.is_done:
                self.failures.append(f"item 15: the .zip ended {bundle.status}: {bundle.error}")
                return
            timings[concurrency] = wall
            made = bundle.files_rendered + bundle.files_reused
            self.add(
                "15",
                f"summaries .zip, {bundle.group_count} groups × summary and plan × PDF and "
                f".docx, {concurrency} worker process(es)",
                f"{wall:.1f} s ({bundle.files_rendered} files rendered, {bundle.files_reused} "
                f"reused, {bundle.groups_failed} groups failed; .zip {bundle.zip.size / 1e6:.1f} "
                "MB)",
            )
            self.notes.append(
                f"Item 15, {concurrency} process(es): {made} files in {wall:.1f} s "
                f"({made / wall:.1f} files/s); the pool used {pool_cpu / wall:.2f} cores' worth "
                f"of CPU ({pool_cpu / max(bundle.group_count, 1):.2f} s a group), everything "
                f"else on the machine {(busy - pool_cpu) / wall:.2f}; peak RSS of a pool "
                f"process {peak / 1024 / 1024:.0f} MB (unique {peak_uss / 1024 / 1024:.0f} MB); "
                f"load average {load_before:.2f} at the start "
                f"(of {os.cpu_count()} cores)."
            )
        clear()
        speedup = timings[1] / timings[2]
        self.add(
            "15",
            "summaries .zip: 2 processes against 1, speed-up",
            f"{speedup:.2f}×",
            "≥ 1.7×",
            speedup >= 1.7 if len(chosen) >= 100 else None,
        )

    # ---- the whole run ----

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.args.database_url,
            "CELERY_BROKER_URL": self.args.redis_url,
            "MEDIA_ROOT": self.media,
        }

    def versions(self) -> dict[str, str]:
        import django
        import redis
        import weasyprint
        from django.db import connection

        from tests.browser.chromium import CHROMIUM

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = cursor.fetchone()[0]
        try:
            redis_version = redis.Redis.from_url(self.args.redis_url).info("server")[
                "redis_version"
            ]
        except redis.RedisError as exc:
            redis_version = f"unreachable ({exc})"
        try:
            chromium = subprocess.run(
                [str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=30
            ).stdout.strip()
        except OSError:
            chromium = "not installed"
        return {
            "Python": platform.python_version(),
            "Django": django.get_version(),
            "WeasyPrint": weasyprint.__version__,
            "PostgreSQL": postgres,
            "Redis": redis_version,
            "Chromium": chromium,
        }


class CeleryWorker:
    """A real `celery worker` subprocess (prefork) on the benchmark's Redis database."""

    def __init__(self, concurrency: int, env: dict[str, str]) -> None:
        self.concurrency = concurrency
        self.env = env
        self.peak_rss = self.peak_uss = 0
        self.name = f"bench{concurrency}-{os.getpid()}@{socket.gethostname()}"

    def __enter__(self) -> CeleryWorker:
        from studygroup.celery import app

        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "studygroup",
                "worker",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                self.name,
            ],
            cwd=ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("The celery worker exited at start")
            if app.control.ping(destination=[self.name], timeout=0.5):
                return self
        raise RuntimeError("The celery worker did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def wait_for(self, done: Callable[[], bool], *, sample: bool, timeout: float = 600) -> None:
        """Until done() is true (asked every 0.1 s); with sample, record the pool's peak RSS."""
        import psutil

        parent = psutil.Process(self.process.pid)
        deadline = time.monotonic() + timeout
        next_poll = 0.0
        while time.monotonic() < deadline:
            if sample:
                for child in parent.children():
                    with contextlib.suppress(psutil.Error):
                        rss = child.memory_info().rss
                        if rss > self.peak_rss:
                            # Unique memory (USS) where RSS peaks: RSS also counts the pages
                            # shared with the worker's main process and the mapped font files.
                            self.peak_rss = rss
                            self.peak_uss = max(self.peak_uss, child.memory_full_info().uss)
            if time.monotonic() >= next_poll:
                if done():
                    return
                next_poll = time.monotonic() + 0.1
            time.sleep(0.02)
        raise RuntimeError(f"The worker did not finish in {timeout:.0f} s")

    def wait_done(self, rows: list[int], *, sample: bool, timeout: float = 600) -> None:
        """Until every row is done or failed; with sample, record the pool's peak RSS."""
        from reports.models import ReportFile

        waiting = ReportFile.objects.filter(
            pk__in=rows, status__in=[ReportFile.Status.PENDING, ReportFile.Status.RUNNING]
        )
        try:
            self.wait_for(lambda: not waiting.exists(), sample=sample, timeout=timeout)
        except RuntimeError:
            raise RuntimeError(
                f"The worker did not finish {len(rows)} PDFs in {timeout:.0f} s"
            ) from None


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in url if it does not exist."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    cfg = dj_database_url.parse(url)
    params = {
        "host": cfg["HOST"] or None,
        "port": cfg["PORT"] or None,
        "user": cfg["USER"] or None,
        "password": cfg["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]
        ).fetchone()
        if not exists:
            print(f"Creating database {cfg['NAME']}", flush=True)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))


ITEMS = {
    "1": "summary_figures",
    "2": "summary_page",
    "3": "pdf_against_peers",
    "4": "stored_pdf",
    "5": "demo_pdf",
    "6": "session_save",
    "7": "throughput",
    "8": "load",
    "9": "imports",
    "10": "county_table",
    "11": "checkin",
    "12": "study_archive",
    "13": "notice_scan",
    "14": "originality",
    "15": "summaries_zip",
}
#: Items that make their own data: a run of only these seeds neither the bulk groups nor the
#: runner's bench-small and bench-large.
SELF_CONTAINED = {"11", "12"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    )
    parser.add_argument("--only", nargs="+", choices=sorted(ITEMS), help="measure only these items")
    parser.add_argument("--skip-load", action="store_true", help="leave out item 8 (load)")
    parser.add_argument(
        "--output", type=Path, default=OUTPUT, help="where to write the table (%(default)s)"
    )
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_start = os.getloadavg()
    if not args.database_url.startswith("postgres"):
        print("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["CELERY_BROKER_URL"] = args.redis_url
    # Production settings, with static files read in place (no collectstatic) as in the tests.
    os.environ["DJANGO_SETTINGS_MODULE"] = "studygroup.settings_test"
    sys.path.insert(0, str(ROOT))
    bench = Bench(args)
    os.environ["MEDIA_ROOT"] = bench.media
    import django

    django.setup()
    from studygroup.celery import app

    items = args.only or sorted(ITEMS, key=int)
    if set(items) <= SELF_CONTAINED:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    else:
        bench.setup_data()
    if args.skip_load and "8" in items:
        items.remove("8")
    for item in items:
        print(f"==> item {item}", flush=True)
        # In-process items run the PDF task inline; item 7 sends it to the worker.
        app.conf.task_always_eager = True
        getattr(bench, ITEMS[item])()
    return finish(bench, args, argv, load_start)


def finish(
    bench: Bench, args: argparse.Namespace, argv: list[str] | None, load_start: tuple
) -> int:
    """Print the table and the notes; write args.output unless --no-write. An item that could
    not be measured (bench.failures) is printed as an error, nothing is written, and the run
    returns 1: a table missing a figure must not replace the documented one."""
    # Item 3's fresh-worker row is measured with item 7's workers: the table goes by item.
    bench.rows.sort(key=lambda row: int(row.item))
    print()
    print(text_table(bench.rows))
    for note in bench.notes:
        print(f"note: {note}")
    if bench.failures:
        for failure in bench.failures:
            print(f"error: {failure}", file=sys.stderr)
        print(f"{args.output} is left as it was.", file=sys.stderr)
        return 1
    if not args.no_write:
        entry = os.environ.get("BENCH_ENTRY", ".venv/bin/python benchmarks/run.py")
        command = entry + " " + shlex.join(argv if argv is not None else sys.argv[1:])
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(
            performance_markdown(
                rows=bench.rows,
                machine=machine_info(load_start),
                versions=bench.versions(),
                command=f"DATABASE_URL={args.database_url} {command}".rstrip(),
                notes=bench.notes,
                method=METHOD,
                previous=args.output.read_text(encoding="utf-8") if args.output.exists() else None,
            ),
            encoding="utf-8",
        )
        print(f"Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
