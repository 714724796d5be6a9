"""Approval freezes the document: what a leader approved stays what members read and download,
whatever is recorded after."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import ReportFile, ReportNarrative
from reports.pdf import report_document_build
from reports.selectors.summary import half_year_summary
from reports.services.narrative import NarrativeText, narrative_approve, narrative_save_draft
from reports.services.report_files import report_file_request
from sessions_app.models import Attendance, SessionFormat, StudyPlan
from tests.factories import (
    AttendanceFactory,
    MemberFactory,
    StudyGroupFactory,
    StudySessionFactory,
    TermFactory,
)
from tests.reports._data import approved_next_plan, bulk_records, make_records
from tests.reports.pdf_helpers import make_narrative, pdf_text

TEXT = NarrativeText(
    preamble="上半年，中心组坚持集中学习与自学相结合。",
    practices=[{"heading": "突出重点，在学深悟透上下功夫", "body": "坚持经常学、带头学。"}],
    problems="一是学用结合不够紧。",
    causes="一是思想认识不到位。",
    measures="下半年坚持每月集中学习一次。",
)
THREE = "共开展中心组集中学习3次"
FOUR = "共开展中心组集中学习4次"
NOTICE = "The records have changed since approval"


@pytest.fixture(autouse=True)
def english_interface(client, settings):
    """The interface in English (the language cookie, as a user chooses it); the report itself
    stays in the group's language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def draft(group, term, secretary, text=TEXT):
    return narrative_save_draft(
        group=group, term=term, text=text, member=secretary, user=secretary.user
    )


def approve(narrative, leader):
    return narrative_approve(narrative=narrative, member=leader, user=leader.user)


def url(name, *args):
    return reverse(f"reports:{name}", args=["sample", *args])


def page(client, name="summary", *args) -> str:
    response = client.get(url(name, "2020H1", *args))
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def add_session(group, term, member):
    """A fourth session, recorded after the summary was approved."""
    session = StudySessionFactory(
        group=group, term=term, date=dt.date(2020, 6, 20), format=SessionFormat.SEMINAR
    )
    AttendanceFactory(session=session, member=member, status=Attendance.Status.PRESENT)
    return session


@pytest.fixture
def approved(group, term, secretary, leader, member):
    """The hand-made records (3 sessions), next term's approved plan, and version 1 approved."""
    make_records(group=group, term=term, secretary=secretary, leader=leader, member=member)
    approved_next_plan(group=group, leader=leader)
    return approve(draft(group, term, secretary), leader)


def test_approval_stores_the_document_and_the_figures_hash(approved, group, term):
    live = half_year_summary(group=group, term=term)
    assert THREE in approved.approved_body_html
    assert "草稿" not in approved.approved_body_html  # frozen as approved: no draft mark
    assert approved.approved_figures_hash == live.figures_hash
    assert live.narrative.is_frozen and not live.records_changed_since_approval


def test_a_session_added_after_approval_leaves_the_approved_page_as_approved(
    approved, group, term, member, secretary, client_for
):
    add_session(group, term, member)
    reader = page(client_for(member))
    assert THREE in reader and FOUR not in reader
    assert NOTICE not in reader
    # The secretary sees the same approved text, told that the records moved on.
    drafter = page(client_for(secretary))
    assert THREE in drafter and FOUR not in drafter
    assert NOTICE in drafter
    notice = drafter.split('id="records-changed"', 1)[1].split("</div>", 1)[0]
    assert url("summary_edit", "2020H1") in notice


def test_no_notice_while_the_records_match_the_approved_version(approved, secretary, client_for):
    assert NOTICE not in page(client_for(secretary))


def test_a_new_version_approved_shows_the_new_count_and_the_old_keeps_its_own(
    approved, group, term, member, secretary, leader, client_for
):
    add_session(group, term, member)
    v2 = approve(draft(group, term, secretary), leader)
    assert v2.version == 2
    client = client_for(member)
    current = page(client)
    assert FOUR in current and THREE not in current
    first = page(client, "summary_version", 1)
    assert THREE in first and FOUR not in first
    # Version 2 is frozen with the records it was approved on: no notice any more.
    assert NOTICE not in page(client_for(secretary))


def test_a_draft_after_approval_shows_the_live_figures(
    approved, group, term, member, secretary, client_for
):
    add_session(group, term, member)
    draft(group, term, secretary)
    drafter = page(client_for(secretary))
    assert FOUR in drafter and NOTICE not in drafter
    assert THREE in page(client_for(member))


def test_editing_next_terms_plan_after_approval_leaves_section_three_as_approved(
    approved, group, term, member, client_for
):
    plan = StudyPlan.objects.get(term__year=2020, term__half=2)
    plan.status = StudyPlan.Status.DRAFT  # what editing an approved plan does
    plan.save()
    assert half_year_summary(group=group, term=term, include_draft=True).next_plan is None
    section_3 = text_of(page(client_for(member))).split("三、下半年学习计划", 1)[1]
    assert "七月专题" in section_3
    assert "学习计划尚未审定" not in section_3


def test_the_approved_pdf_is_built_from_the_frozen_document(
    approved, group, term, member, django_capture_on_commit_callbacks
):
    before = report_document_build(group=group, term=term, kind="summary")
    add_session(group, term, member)
    after = report_document_build(group=group, term=term, kind="summary")
    assert after.content_hash == before.content_hash
    assert THREE in after.html and FOUR not in after.html
    with django_capture_on_commit_callbacks(execute=True):
        report_file = report_file_request(member=member, term=term, kind="summary")
    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.DONE
    with report_file.file.open("rb") as handle:
        text = pdf_text(handle.read()).replace("\n", "")
    assert THREE in text and FOUR not in text
    # Asking again serves the same file: nothing is queued.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = report_file_request(member=member, term=term, kind="summary")
    assert again.pk == report_file.pk and callbacks == []


def test_the_draft_pdf_uses_the_live_figures(approved, group, term, member, secretary):
    add_session(group, term, member)
    draft(group, term, secretary)
    document = report_document_build(group=group, term=term, kind="summary", include_draft=True)
    assert FOUR in document.html and not document.approved


@pytest.mark.parametrize(
    "blank",
    [
        {"problems": ""},
        {"problems": "  \n\u3000 "},
        {"causes": " "},
        {"preamble": ""},
        {"practices": []},
        {"practices": [{"heading": "只有标题", "body": "  "}]},
    ],
)
def test_approval_with_a_blank_required_section_is_refused(group, term, secretary, leader, blank):
    narrative = draft(group, term, secretary, NarrativeText(**{**TEXT.__dict__, **blank}))
    with pytest.raises(ValidationError) as refused:
        approve(narrative, leader)
    assert set(refused.value.message_dict) == set(blank)
    narrative.refresh_from_db()
    assert narrative.status == "draft" and narrative.approved_at is None
    assert narrative.approved_body_html == "" and narrative.approved_figures_hash == ""


def test_approve_page_names_the_blank_sections_and_changes_nothing(
    group, term, secretary, leader, client_for
):
    draft(group, term, secretary, NarrativeText(**{**TEXT.__dict__, "problems": "   "}))
    client = client_for(leader)
    confirm = client.get(url("summary_approve", "2020H1")).content.decode()
    assert "Write the problems." in confirm and "Yes, approve" not in confirm
    assert url("summary_edit", "2020H1") in confirm
    refused = client.post(url("summary_approve", "2020H1"))
    assert refused.status_code == 400
    assert "Write the problems." in refused.content.decode()
    assert ReportNarrative.objects.get().status == "draft"


def test_saving_an_incomplete_draft_says_what_approval_needs(group, term, secretary, client_for):
    response = client_for(secretary).post(
        url("summary_edit", "2020H1"),
        {
            "narrative-preamble": "导语",
            "narrative-problems": "",
            "narrative-causes": "原因",
            "narrative-measures": "",
            "practices-TOTAL_FORMS": "1",
            "practices-INITIAL_FORMS": "0",
            "practices-MIN_NUM_FORMS": "0",
            "practices-MAX_NUM_FORMS": "12",
            "practices-0-heading": "标题",
            "practices-0-body": "正文",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "The draft (version 1) is saved." in body
    assert "Before a leader can approve it: Write the problems." in body


def test_a_version_approved_before_documents_were_frozen_shows_the_live_records(
    group, term, secretary, leader, member, client_for
):
    make_records(group=group, term=term, secretary=secretary, leader=leader, member=member)
    make_narrative(group=group, term=term, approved=True, approver=leader)
    assert ReportNarrative.objects.get().approved_body_html == ""
    add_session(group, term, member)
    assert FOUR in page(client_for(member))
    assert NOTICE not in page(client_for(secretary))


def _queries(client, group_slug) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("reports:summary", args=[group_slug, "2020H1"]))
        assert response.status_code == 200
    return len(ctx.captured_queries)


def test_approved_summary_page_query_count_does_not_grow(db, client):
    counts = []
    for members, sessions in ((5, 6), (60, 40)):
        group = StudyGroupFactory()
        term = TermFactory(group=group)
        secretary = MemberFactory(group=group, role="secretary")
        leader = MemberFactory(group=group, role="leader")
        reader = MemberFactory(group=group, role="member")
        bulk_records(group, term, members=members, sessions=sessions)
        approve(draft(group, term, secretary), leader)
        # A session after approval: the secretary's page compares and shows the notice.
        add_session(group, term, reader)
        row = []
        for who in (reader, secretary):
            client.force_login(who.user)
            row.append(_queries(client, group.slug))
        counts.append(row)
    assert counts[0] == counts[1]
