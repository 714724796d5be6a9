"""Benchmark: the half-year summary's queries, time and PDF at two group sizes.

Run: DEBUG=1 .venv/bin/python benchmarks/bench_reports.py
Builds a throwaway SQLite database in a temporary folder; prints figures, asserts nothing.
"""

import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
workdir = tempfile.mkdtemp(prefix="bench-reports-")
os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
os.environ["MEDIA_ROOT"] = f"{workdir}/media"
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studygroup.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from reports.pdf import render_document_html, render_pdf  # noqa: E402
from reports.selectors.summary import half_year_summary  # noqa: E402
from tests.factories import StudyGroupFactory, TermFactory  # noqa: E402
from tests.reports._data import bulk_records  # noqa: E402


def measure(members: int, sessions: int) -> None:
    group = StudyGroupFactory()
    term = TermFactory(group=group, year=2020, half=1)
    bulk_records(group, term, members=members, sessions=sessions)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        summary = half_year_summary(group=group, term=term)
        selector_s = time.perf_counter() - start
    start = time.perf_counter()
    html = render_document_html(group=group, term=term, kind="summary", data=summary)
    pdf = render_pdf(html)
    pdf_s = time.perf_counter() - start
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"{members:3d} members x {sessions:2d} sessions: "
        f"{len(queries.captured_queries):2d} queries, selector {selector_s * 1000:6.1f} ms, "
        f"HTML+PDF {pdf_s:5.2f} s, {len(pdf) / 1024:6.0f} KiB, {pages} pages"
    )


if __name__ == "__main__":
    call_command("migrate", verbosity=0)
    measure(5, 6)
    measure(60, 40)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory {peak:.0f} MiB")
