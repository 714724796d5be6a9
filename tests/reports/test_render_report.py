"""render_report writes the same documents as the download page, from the command line."""

import pytest
from django.core.management import CommandError, call_command

from reports.pdf import report_document_build
from tests.factories import PlannedTopicFactory, StudyPlanFactory
from tests.reports.pdf_helpers import make_narrative, make_term_records, pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(group, term, secretary, leader, member):
    make_term_records(group=group, term=term, members=[secretary, leader, member])
    make_narrative(group=group, term=term, approved=True, approver=leader)


def test_writes_the_summary_pdf(tmp_path, records):
    out = tmp_path / "out.pdf"
    call_command(
        "render_report", "--group", "sample", "--term", "2020H1", "--kind", "summary",
        "--format", "pdf", "-o", str(out),
    )  # fmt: skip
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert "共开展中心组集中学习3次" in pdf_text(pdf).replace("\n", "")
    assert any("Noto-Serif-CJK-SC" in f["name"] for f in pdf_fonts(pdf))


def test_writes_the_summary_as_the_same_html_document(tmp_path, group, term, records):
    out = tmp_path / "out.html"
    call_command(
        "render_report", "--group", "sample", "--term", "2020H1", "--format", "html",
        "-o", str(out),
    )  # fmt: skip
    html = out.read_text(encoding="utf-8")
    document = report_document_build(group=group, term=term, kind="summary")
    # The same document, with the stylesheet inside it instead of linked.
    assert html.split("</head>", 1)[1] == document.html.split("</head>", 1)[1]
    assert "@page" in html
    # A phone shows it at its width, in a readable column (screen-only rules).
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media screen" in html


def test_writes_the_plan(tmp_path, group):
    plan = StudyPlanFactory(group=group, status="approved")
    PlannedTopicFactory(plan=plan, title="学习贯彻全会精神")
    out = tmp_path / "plan.pdf"
    call_command(
        "render_report", "--group", "sample", "--term", "2020H2", "--kind", "plan",
        "-o", str(out),
    )  # fmt: skip
    assert "学习贯彻全会精神" in pdf_text(out.read_bytes())


def test_unknown_group_is_a_clear_error(group):
    with pytest.raises(CommandError, match="No study group 'nope'. Known groups: sample"):
        call_command("render_report", "--group", "nope", "--term", "2020H1", "-o", "x.pdf")


def test_unknown_term_is_a_clear_error(term):
    with pytest.raises(CommandError, match="has no term '2031H1'. Its terms: 2020H1"):
        call_command("render_report", "--group", "sample", "--term", "2031H1", "-o", "x.pdf")
    with pytest.raises(CommandError, match="has no term 'spring'"):
        call_command("render_report", "--group", "sample", "--term", "spring", "-o", "x.pdf")
