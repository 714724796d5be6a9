"""报送 and 签收: only approved documents go up, once per approval; the organisation's
administrators receive or return them; inspectors only read; the county table follows."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from oversight.models import ReportingDeadline, Submission
from oversight.selectors.table import county_table
from oversight.services.submissions import (
    submission_receive,
    submission_return,
    submission_submit,
)
from reports.services.narrative import NarrativeText, narrative_approve, narrative_save_draft
from tests.oversight.test_table import TODAY, _records

TEXT = NarrativeText(
    preamble="上半年，中心组坚持集中学习。",
    practices=[{"heading": "突出重点", "body": "坚持经常学、带头学。"}],
    problems="一是学用结合不够紧。",
    causes="一是思想认识不到位。",
    measures="下半年坚持每月集中学习一次。",
)


@pytest.fixture
def approved_term(placed, secretary, leader):
    term, _people = _records(placed)
    draft = narrative_save_draft(
        group=placed, term=term, text=TEXT, member=secretary, user=secretary.user
    )
    narrative_approve(narrative=draft, member=leader, user=leader.user)
    return term


def test_the_secretary_submits_the_approved_summary_once(approved_term, secretary, county):
    sent = submission_submit(term=approved_term, kind="summary", member=secretary)
    assert (sent.organisation, sent.status, sent.version) == (county, "submitted", 1)
    with pytest.raises(ValidationError):
        submission_submit(term=approved_term, kind="summary", member=secretary)
    assert Submission.objects.count() == 1


def test_a_draft_or_an_unplaced_group_cannot_submit(term, secretary, placed):
    with pytest.raises(ValidationError):
        submission_submit(term=term, kind="summary", member=secretary)
    with pytest.raises(ValidationError):
        submission_submit(term=term, kind="plan", member=secretary)
    assert not Submission.objects.exists()


def test_a_member_cannot_submit(approved_term, member):
    with pytest.raises(PermissionDenied):
        submission_submit(term=approved_term, kind="summary", member=member)


def test_the_county_receives_and_the_inspector_cannot(
    approved_term, secretary, county_admin, inspector
):
    sent = submission_submit(term=approved_term, kind="summary", member=secretary)
    with pytest.raises(PermissionDenied):
        submission_receive(submission=sent, user=inspector)
    received = submission_receive(submission=sent, user=county_admin)
    assert (received.status, received.decided_by) == ("received", county_admin)
    with pytest.raises(ValidationError):
        submission_return(submission=received, user=county_admin, comment="晚了")


def test_another_county_cannot_decide(approved_term, secretary, neighbour_admin):
    sent = submission_submit(term=approved_term, kind="summary", member=secretary)
    with pytest.raises(Http404):
        submission_receive(submission=sent, user=neighbour_admin)
    assert Submission.objects.get().status == "submitted"


def test_a_returned_summary_is_submitted_again_and_the_first_is_kept(
    approved_term, secretary, county_admin
):
    first = submission_submit(term=approved_term, kind="summary", member=secretary)
    with pytest.raises(ValidationError):
        submission_return(submission=first, user=county_admin, comment="  ")
    submission_return(submission=first, user=county_admin, comment="请补充存在问题的原因分析。")
    second = submission_submit(term=approved_term, kind="summary", member=secretary)
    assert second.pk != first.pk
    first.refresh_from_db()
    assert (first.status, first.comment) == ("returned", "请补充存在问题的原因分析。")


def test_the_table_shows_the_state_and_lateness(
    approved_term, secretary, county_admin, county, placed
):
    ReportingDeadline.objects.create(
        organisation=county, year=2020, half=1, kind="summary", due_on=dt.date(2020, 7, 15)
    )
    row = county_table(organisation=county, year=2020, half=1, today=TODAY).rows[0]
    assert (row.summary_status, row.summary_late) == ("approved", True)  # 7月20日, none sent
    with time_machine.travel(dt.datetime(2020, 7, 14, 10, 0), tick=False):
        sent = submission_submit(term=approved_term, kind="summary", member=secretary)
    submission_receive(submission=sent, user=county_admin)
    row = county_table(organisation=county, year=2020, half=1, today=TODAY).rows[0]
    assert (row.summary_status, row.summary_late) == ("received", False)


def test_a_deadline_set_above_applies_below(city, county, placed, approved_term):
    ReportingDeadline.objects.create(
        organisation=city, year=2020, half=1, kind="summary", due_on=dt.date(2020, 7, 31)
    )
    table = county_table(organisation=county, year=2020, half=1, today=TODAY)
    assert table.summary_due_on == dt.date(2020, 7, 31) and not table.rows[0].summary_late


def test_the_pages_submit_and_receive(client, approved_term, secretary, county_admin, placed):
    client.force_login(secretary.user)
    response = client.post(
        reverse("submissions:submit", args=[placed.slug]),
        {"term": approved_term.code, "kind": "summary"},
        follow=True,
    )
    assert Submission.objects.get().status == "submitted"
    assert "中共示例县委宣传部" in response.content.decode()  # the message names where it went

    client.force_login(county_admin)
    inbox = reverse("oversight:inbox", args=["county"])
    assert placed.name in client.get(inbox, {"term": "2020H1"}).content.decode()
    pk = Submission.objects.get().pk
    client.post(reverse("oversight:receive", args=["county", pk]))
    assert Submission.objects.get().status == "received"


def test_an_inspector_sees_the_inbox_without_buttons(client, approved_term, secretary, inspector):
    submission_submit(term=approved_term, kind="summary", member=secretary)
    client.force_login(inspector)
    html = client.get(reverse("oversight:inbox", args=["county"]), {"term": "2020H1"})
    assert 'data-status="submitted"' in html.content.decode()
    assert "/receive/" not in html.content.decode()
    pk = Submission.objects.get().pk
    assert client.post(reverse("oversight:receive", args=["county", pk])).status_code == 403
    assert Submission.objects.get().status == "submitted"


def test_a_member_of_the_group_gets_403_on_its_submissions_page(client_for, member, placed):
    url = reverse("submissions:list", args=[placed.slug])
    assert client_for(member).get(url).status_code == 403

