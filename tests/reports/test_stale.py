"""What makes a stored document stale: each input of the PDF's hash makes a new file when it
changes, and any row the summary shows, changed after approval, shows the records-changed notice,
even when every total stays the same."""

import copy
import shutil

import pytest
import weasyprint
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from reports import pdf as pdf_module
from reports.models import ReportFile
from reports.selectors.summary import half_year_summary
from reports.services import report_files
from reports.services.narrative import NarrativeText, narrative_approve, narrative_save_draft
from reports.services.report_files import report_file_request
from sessions_app.models import PlannedTopic
from tests.reports._data import approved_next_plan, make_records
from tests.reports.pdf_helpers import make_narrative, make_term_records

pytestmark = pytest.mark.django_db

NOTICE = "The records have changed since approval"


# The stored PDF: a new file when an input of the PDF changes.


@pytest.fixture
def rendered(monkeypatch):
    """The HTML each render was given; the PDF is a stand-in (the hash is what is tested)."""
    calls = []

    def fake_render(html, **kwargs):
        calls.append(html)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(report_files, "render_pdf", fake_render)
    return calls


@pytest.fixture
def ask(group, term, secretary, leader, member, django_capture_on_commit_callbacks, rendered):
    """Ask for the approved summary's PDF as the leader; the (eager) task runs at once."""
    make_term_records(group=group, term=term, members=[secretary, leader, member])
    make_narrative(group=group, term=term, approved=True, approver=leader)

    def request() -> ReportFile:
        with django_capture_on_commit_callbacks(execute=True):
            report_file = report_file_request(member=leader, term=term, kind="summary")
        report_file.refresh_from_db()
        assert report_file.status == ReportFile.Status.DONE
        return report_file

    return request


@pytest.fixture
def fresh_stylesheet():
    """The stylesheet is read once per process: read it again before and after the test."""
    pdf_module._stylesheet_bytes.cache_clear()
    yield
    pdf_module._stylesheet_bytes.cache_clear()


def test_unchanged_inputs_serve_the_same_file(ask, rendered):
    first = ask()
    assert ask().pk == first.pk
    assert len(rendered) == 1


def test_a_changed_stylesheet_makes_a_new_file(ask, rendered, settings, tmp_path, fresh_stylesheet):
    first = ask()
    static = tmp_path / "static"
    (static / "reports").mkdir(parents=True)
    original = finders.find(pdf_module.STYLESHEET)
    changed = static / pdf_module.STYLESHEET
    shutil.copyfile(original, changed)
    with open(changed, "a") as handle:
        handle.write("\nh1 { letter-spacing: 0.1em; }\n")
    settings.STATICFILES_DIRS = [static, *settings.STATICFILES_DIRS]
    pdf_module._stylesheet_bytes.cache_clear()
    assert finders.find(pdf_module.STYLESHEET) == str(changed)

    second = ask()
    assert second.pk != first.pk
    assert second.content_hash != first.content_hash
    # The HTML is the same document: only the stylesheet tells the two files apart.
    assert rendered[0] == rendered[1]


def test_a_new_weasyprint_makes_a_new_file(ask, rendered, monkeypatch):
    first = ask()
    monkeypatch.setattr(weasyprint, "__version__", weasyprint.__version__ + ".post1")
    second = ask()
    assert second.pk != first.pk
    assert rendered[0] == rendered[1]


def test_a_new_renderer_version_makes_a_new_file(ask, rendered, monkeypatch):
    first = ask()
    monkeypatch.setattr(pdf_module, "RENDERER_VERSION", pdf_module.RENDERER_VERSION + "-next")
    second = ask()
    assert second.pk != first.pk
    assert rendered[0] == rendered[1]


@pytest.mark.parametrize("template", ["reports/pdf/document.html", "reports/_summary_body.html"])
def test_a_changed_document_template_makes_a_new_file(ask, rendered, settings, tmp_path, template):
    first = ask()
    # A comment only: the rendered HTML stays the same, so only the template's source can tell.
    original = django_settings.BASE_DIR / "templates" / template
    changed = tmp_path / "templates" / template
    changed.parent.mkdir(parents=True)
    changed.write_text(original.read_text() + "{# A fix that changes nothing visible here. #}")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path / "templates", *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    assert any(
        source.endswith("changes nothing visible here. #}")
        for _name, source in pdf_module.document_template_sources("summary")
    )

    second = ask()
    assert second.pk != first.pk
    assert rendered[0] == rendered[1]


def test_the_document_templates_are_the_kinds_and_what_they_include():
    names = [name for name, _source in pdf_module.document_template_sources("summary")]
    assert names == sorted(names)
    assert {
        "reports/pdf/summary.html",
        "reports/pdf/document.html",
        "reports/_summary_document.html",
        "reports/_summary_body.html",
        "reports/_plan_body.html",
        "reports/_attendance_chart.html",
    } <= set(names)
    plan = {name for name, _source in pdf_module.document_template_sources("plan")}
    assert "reports/pdf/plan.html" in plan and "reports/_summary_body.html" not in plan


# The approved summary: a notice when a row it shows has changed since approval.


@pytest.fixture
def records(group, term, secretary, leader, member):
    records = make_records(
        group=group, term=term, secretary=secretary, leader=leader, member=member
    )
    approved_next_plan(group=group, leader=leader)
    text = NarrativeText(
        preamble="上半年，中心组坚持集中学习。",
        practices=[{"heading": "突出重点", "body": "坚持经常学。"}],
        problems="一是学用结合不够紧。",
        causes="一是思想认识不到位。",
        measures="下半年坚持每月集中学习一次。",
    )
    draft = narrative_save_draft(
        group=group, term=term, text=text, member=secretary, user=secretary.user
    )
    narrative_approve(narrative=draft, member=leader, user=leader.user)
    summary = half_year_summary(group=group, term=term)
    assert not summary.records_changed_since_approval
    return records


def _totals(summary):
    return (
        summary.sessions_count,
        summary.attendance,
        summary.reflections,
        summary.research_reports,
        summary.topics_planned,
        len(summary.topics_covered),
        len(summary.research_done),
        summary.sentences,
    )


def _changed(group, term, before) -> bool:
    after = half_year_summary(group=group, term=term)
    assert _totals(after) == before, "the change was meant to leave every total as it was"
    return after.records_changed_since_approval


def test_two_sessions_swapping_topics_shows_the_notice(
    records, group, term, secretary, client_for, settings
):
    before = _totals(half_year_summary(group=group, term=term))
    s1, s2, _s3 = records.sessions
    s1.topic, s2.topic = s2.topic, s1.topic
    s1.save()
    s2.save()
    assert _changed(group, term, before)
    client = client_for(secretary)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("reports:summary", args=["sample", "2020H1"]))
    assert NOTICE in response.content.decode()


def _host_changed(records):
    s2 = records.sessions[1]
    s2.host = records.members[3]
    s2.save()


def _member_renamed(records):
    # 赵成员 hosts nothing and is assigned nothing: the name shows only in the members table.
    zhao = records.members[3]
    zhao.display_name = "赵新名"
    zhao.save()


def _position_changed(records):
    zhao = records.members[3]
    zhao.position = "县长"
    zhao.save()


def _topic_renamed(records):
    t1 = records.topics["t1"]
    t1.title = "专题一（修订）"
    t1.save()


def _research_topic_renamed(records):
    r1 = records.topics["r1"]
    r1.title = "课题一（修订）"
    r1.save()


def _next_plans_speaker_changed(records):
    PlannedTopic.objects.filter(title="七月专题").update(lead_speaker="王秘书")


def _attendance_rule_changed(records):
    # The chart's dashed line and its legend print the rule.
    group = records.members[0].group
    group.rule_attendance_rate = 85
    group.save()


@pytest.mark.parametrize(
    "change",
    [
        _host_changed,
        _member_renamed,
        _position_changed,
        _topic_renamed,
        _research_topic_renamed,
        _next_plans_speaker_changed,
        _attendance_rule_changed,
    ],
)
def test_a_row_the_document_shows_changed_with_equal_totals_shows_the_notice(
    records, group, term, change
):
    before = _totals(half_year_summary(group=group, term=term))
    change(records)
    group.refresh_from_db()
    assert _changed(group, term, before)
