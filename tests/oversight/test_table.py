"""The county table: each group's figures agree with its own dashboard, in a fixed number of
queries; sorting, the state filter and the Excel file."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from oversight.selectors.table import county_table, rows_arranged
from oversight.services.organisations import group_place
from reports.models import ReportNarrative
from reports.selectors.summary import half_year_summary
from sessions_app.models import Attendance
from sessions_app.selectors.dashboard import dashboard_for_member
from tests.factories import (
    AttendanceFactory,
    MemberFactory,
    PlannedTopicFactory,
    ReflectionEssayFactory,
    StudyGroupFactory,
    StudyPlanFactory,
    StudySessionFactory,
    TermFactory,
)

TODAY = dt.date(2020, 7, 20)  # the term 2020 H1 is over: rules are met or not met


def _records(group, *, members=3, sessions=2, away_first=True):
    """A term of records: `sessions` sessions (one a month from March), `members` members; the
    first member is on leave at the first session (made up) and absent at the second."""
    term = TermFactory(group=group, year=2020, half=1)
    people = [MemberFactory(group=group) for _ in range(members)]
    for index in range(sessions):
        session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 3 + index, 10))
        for position, person in enumerate(people):
            status = Attendance.Status.PRESENT
            extra = {}
            if away_first and position == 0 and index == 0:
                status = Attendance.Status.LEAVE
                extra = {"leave_reason": "外出", "makeup_on": dt.date(2020, 3 + index, 15)}
            elif away_first and position == 0 and index == 1:
                status = Attendance.Status.ABSENT
            AttendanceFactory(session=session, member=person, status=status, **extra)
    ReflectionEssayFactory(group=group, author=people[0], session=term.sessions.first())
    return term, people


def test_a_groups_row_agrees_with_its_dashboard(county, placed, secretary):
    term, people = _records(placed)
    plan = StudyPlanFactory(group=placed, term=term)
    PlannedTopicFactory(plan=plan)
    PlannedTopicFactory(plan=plan)
    PlannedTopicFactory(plan=plan)

    row = county_table(organisation=county, year=2020, half=1, today=TODAY).rows[0]
    board = dashboard_for_member(member=secretary, term=term, today=TODAY)

    assert row.group == placed
    assert row.sessions_held == board.sessions_held == 2
    assert row.sessions_planned == 3
    assert row.attendance_rate == board.attendance_rate == Decimal("66.7")  # 4 of 6
    assert row.essays == board.essays_submitted == 1
    assert row.members == 4  # the three and the secretary
    assert row.essays_per_member == Decimal("0.3")  # 1 / 4, half up
    assert (row.leave_or_absent, row.made_up) == (2, 1)
    assert row.rule_states["attendance"] == board.attendance_rule_state
    assert row.state == "not_met"


def test_sessions_recorded_within_7_days_count_as_prompt_as_in_the_summary(county, placed, member):
    """The table's promptness (audit.promptness, the recorded days computed by the database)
    agrees with the summary's (the same rule computed in Python), at the edges: recorded 7 and
    8 days after, just after local midnight; unrecorded 7 and 8 days after."""
    term = TermFactory(group=placed, year=2020, half=1)
    shanghai = dt.timezone(dt.timedelta(hours=8))
    with time_machine.travel(dt.datetime(2020, 5, 1, 9, tzinfo=shanghai), tick=False):
        sessions = [
            StudySessionFactory(group=placed, term=term, date=day)
            for day in (
                dt.date(2020, 6, 1),
                dt.date(2020, 6, 2),
                dt.date(2020, 6, 23),  # today is 7 days after: not due yet
                dt.date(2020, 6, 22),  # 8 days after: due
            )
        ]
    for session, entered in zip(
        sessions[:2], [dt.datetime(2020, 6, 8, 0, 30), dt.datetime(2020, 6, 10, 0, 30)], strict=True
    ):
        with time_machine.travel(entered.replace(tzinfo=shanghai), tick=False):
            AttendanceFactory(session=session, member=member)
    today = dt.date(2020, 6, 30)

    row = county_table(organisation=county, year=2020, half=1, today=today).rows[0]
    assert (row.sessions_due, row.sessions_prompt) == (3, 1)
    with time_machine.travel(dt.datetime(2020, 6, 30, 12, tzinfo=shanghai), tick=False):
        summary = half_year_summary(group=placed, term=term)
    assert (summary.promptness.due, summary.promptness.prompt) == (3, 1)


def test_a_group_without_the_term_is_listed_empty(county, placed, second_group):
    _records(placed)
    rows = {r.group: r for r in county_table(organisation=county, year=2020, half=1,
                                             today=TODAY).rows}
    assert rows[second_group].term is None and rows[second_group].state is None
    assert rows[placed].term is not None


def test_summary_status_follows_the_narratives(county, placed):
    term, _people = _records(placed)
    table = county_table(organisation=county, year=2020, half=1, today=TODAY)
    assert table.rows[0].summary_status == "none"
    ReportNarrative.objects.create(group=placed, term=term, kind="summary", status="draft")
    table = county_table(organisation=county, year=2020, half=1, today=TODAY)
    assert table.rows[0].summary_status == "draft"
    ReportNarrative.objects.create(
        group=placed, term=term, kind="summary", status="approved", version=2
    )
    table = county_table(organisation=county, year=2020, half=1, today=TODAY)
    assert table.rows[0].summary_status == "approved"


def _county_of(county, size):
    for index in range(size):
        group = StudyGroupFactory()
        group_place(group=group, organisation=county)
        _records(group, members=2 + index % 3, sessions=1 + index % 2)


@pytest.mark.parametrize("size", [2, 8])
def test_the_table_runs_a_fixed_number_of_queries(county, size, django_assert_num_queries):
    _county_of(county, size)
    with django_assert_num_queries(14):
        table = county_table(organisation=county, year=2020, half=1, today=TODAY)
    assert len(table.rows) == size


def test_sorting_puts_missing_figures_last_and_filters_by_state(county, placed, second_group):
    _records(placed)
    good = StudyGroupFactory(name="甲组")
    group_place(group=good, organisation=county)
    _records(good, away_first=False)
    rows = county_table(organisation=county, year=2020, half=1, today=TODAY).rows
    by_rate = rows_arranged(rows, sort="attendance")
    assert [r.group for r in by_rate] == [good, placed, second_group]
    assert [r.group for r in rows_arranged(rows, sort="bogus")][0] == good  # by name: 甲 first
    not_met = rows_arranged(rows, sort="name", state="not_met")
    assert placed in [r.group for r in not_met] and second_group not in [r.group for r in not_met]


def test_the_page_and_the_excel_file_show_the_same_figures(client, inspector, county, placed):
    _records(placed)
    client.force_login(inspector)
    page = client.get(reverse("oversight:table", args=["county"]), {"term": "2020H1"})
    html = page.content.decode()
    assert placed.name in html and "66.7%" in html and "<svg" in html

    response = client.get(reverse("oversight:table_xlsx", args=["county"]), {"term": "2020H1"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][0] == placed.name
    assert rows[2][3] == pytest.approx(66.7)


def test_a_bad_term_code_is_404(client, inspector, county):
    client.force_login(inspector)
    url = reverse("oversight:table", args=["county"])
    assert client.get(url, {"term": "2020H3"}).status_code == 404
    assert client.get(url, {"term": "soon"}).status_code == 404


def test_an_empty_county_says_what_to_do(client, county_admin, county):
    client.force_login(county_admin)
    html = client.get(reverse("oversight:table", args=["county"])).content.decode()
    assert "所属关系" in html  # where the site administrator places groups
