"""The load benchmark's parts (benchmarks/load.py): its figures and whom it logs in as.

No load is run here; the benchmark itself is run by hand or by benchmarks/run.py.
"""

import pytest

from benchmarks.load import (
    login_candidates,
    percentile,
    pick_logins,
    summarise,
    with_random_page_cost,
)
from reports.models import ReportNarrative
from sessions_app.models import Member
from tests.factories import MemberFactory, StudyGroupFactory, TermFactory


def test_percentile_interpolates_between_ranks_like_numpy():
    values = [40.0, 10.0, 30.0, 20.0]  # unsorted on purpose

    assert percentile(values, 0) == 10.0
    assert percentile(values, 50) == 25.0
    assert percentile(values, 95) == pytest.approx(38.5)
    assert percentile(values, 100) == 40.0
    assert percentile([7.0], 99) == 7.0


def test_summary_counts_pages_from_the_last_login_for_the_window_only():
    rows = [
        [100.0, "login", 500.0, True],
        [101.0, "login", 1000.0, True],  # last login ends at 102.0: the window starts there
        [101.5, "dashboard", 999.0, False],  # before the window: neither timed nor an error
        [102.0, "dashboard", 10.0, True],
        [103.0, "session list", 20.0, True],
        [104.0, "summary", 30.0, False],
        [105.0, "dashboard", 40.0, True],
        [112.0, "summary", 50.0, True],  # at the window's end (102 + 10): outside
        [113.0, "summary", 60.0, True],
    ]

    figures = summarise(rows, seconds=10)

    assert figures["window_s"] == 10.0
    assert figures["requests"] == 4
    assert figures["errors"] == 1
    assert figures["errors_outside_window"] == 1
    assert figures["requests_per_s"] == 0.4
    assert figures["p50_ms"] == 25.0
    assert figures["max_ms"] == 40.0
    assert figures["pages"]["dashboard"]["requests"] == 2
    assert figures["pages"]["summary"]["errors"] == 1
    assert figures["login"]["requests"] == 2
    assert figures["login"]["p50_ms"] == 750.0


def test_summary_window_is_cut_short_when_the_run_ends_sooner():
    rows = [
        [0.0, "login", 1000.0, True],
        [1.0, "dashboard", 5.0, True],
        [4.0, "summary", 5.0, True],
    ]

    figures = summarise(rows, seconds=60)

    assert figures["window_s"] == 3.0
    assert figures["requests"] == 1  # the last request marks the end and is not inside it


def _candidates(groups: int, members: int) -> list[dict]:
    return [
        {"group": f"bulk-{g:04d}", "username": f"b{g:04d}-{m:02d}", "term": "2020H1"}
        for g in range(1, groups + 1)
        for m in range(1, members + 1)
    ]


def test_logins_are_different_users_of_different_groups_in_varied_positions():
    logins = pick_logins(_candidates(groups=60, members=30), 50)

    assert len(logins) == 50
    assert len({login["group"] for login in logins}) == 50
    assert len({login["username"] for login in logins}) == 50
    positions = [login["username"].rsplit("-", 1)[1] for login in logins]
    assert positions[:4] == ["01", "02", "03", "04"]  # leader, deputy, secretary, a member
    assert all(login["username"][1:5] == login["group"][-4:] for login in logins)


def test_more_users_than_groups_is_refused():
    with pytest.raises(ValueError, match="50 users need 50 groups; only 3 found"):
        pick_logins(_candidates(groups=3, members=30), 50)


def _summary(group, term, status=ReportNarrative.Status.APPROVED):
    return ReportNarrative.objects.create(group=group, term=term, version=1, status=status)


def test_candidates_read_each_groups_latest_approved_summary_and_skip_others(db):
    read = StudyGroupFactory(slug="bulk-0001")
    older = TermFactory(group=read, year=2019, half=2)
    _summary(read, older)
    newer = TermFactory(group=read, year=2020, half=1)
    _summary(read, newer, status=ReportNarrative.Status.DRAFT)  # ordinary members may not read
    reader = MemberFactory(group=read, user__username="b0001-01")
    MemberFactory(group=read, user__username="b0001-02", left_on=reader.joined_on)
    unapproved = StudyGroupFactory(slug="bulk-0002")
    MemberFactory(group=unapproved, user__username="b0002-01")
    TermFactory(group=unapproved, year=2020, half=1)
    demo = StudyGroupFactory(slug="demo")
    _summary(demo, TermFactory(group=demo, year=2020, half=1))
    MemberFactory(group=demo, role=Member.Role.LEADER)

    candidates = login_candidates(group_prefix="bulk-")

    assert candidates == [{"group": "bulk-0001", "username": "b0001-01", "term": "2019H2"}]


def test_random_page_cost_is_added_to_the_connection_options():
    url = "postgres://postgres@127.0.0.1:5432/bench?sslmode=disable"

    assert with_random_page_cost(url, 1.1) == (
        "postgres://postgres@127.0.0.1:5432/bench?sslmode=disable"
        "&options=-c+random_page_cost%3D1.1"
    )
    assert with_random_page_cost(url, None) == url
