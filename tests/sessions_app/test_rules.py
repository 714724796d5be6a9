"""How a rule stands over its period (sessions_app.selectors.rules.rule_state): met, in progress,
behind schedule, not met; the period's last day is still running, the day after it is over, and
a count exactly at the pace is not behind."""

import datetime as dt

import pytest

from sessions_app.selectors.rules import RuleState, rule_pace, rule_state

YEAR_2021 = {"period_start": dt.date(2021, 1, 1), "period_end": dt.date(2021, 12, 31)}
Q2_2020 = {"period_start": dt.date(2020, 4, 1), "period_end": dt.date(2020, 6, 30)}


@pytest.mark.parametrize(
    ("done", "required", "today", "state"),
    [
        # A quarter asking for one session: running until its last day, over the day after.
        (0, 1, dt.date(2020, 6, 30), RuleState.IN_PROGRESS),
        (0, 1, dt.date(2020, 7, 1), RuleState.NOT_MET),
        (1, 1, dt.date(2020, 6, 30), RuleState.MET),
        (1, 1, dt.date(2020, 7, 1), RuleState.MET),
        (2, 1, dt.date(2020, 4, 1), RuleState.MET),
        # Before the quarter begins nothing is due yet.
        (0, 1, dt.date(2020, 3, 31), RuleState.IN_PROGRESS),
        # Two a quarter (91 days): the first is due once 46 days have ended (2 × 46 ≥ 91),
        # i.e. from 17 May; on 16 May only 45 have ended.
        (0, 2, dt.date(2020, 5, 16), RuleState.IN_PROGRESS),
        (0, 2, dt.date(2020, 5, 17), RuleState.BEHIND),
        (1, 2, dt.date(2020, 5, 17), RuleState.IN_PROGRESS),
        (1, 2, dt.date(2020, 6, 30), RuleState.IN_PROGRESS),
        (1, 2, dt.date(2020, 7, 1), RuleState.NOT_MET),
    ],
)
def test_a_quarters_sessions(done, required, today, state):
    assert rule_state(done=done, required=required, today=today, **Q2_2020) == state


def test_a_yearly_rule_is_not_met_the_day_after_its_year_ends():
    """The rule that said 进行中 forever: one essay a year, none written."""
    assert rule_state(done=0, required=1, today=dt.date(2021, 12, 31), **YEAR_2021) == (
        RuleState.IN_PROGRESS
    )
    assert rule_state(done=0, required=1, today=dt.date(2022, 1, 1), **YEAR_2021) == (
        RuleState.NOT_MET
    )
    assert rule_state(done=0, required=1, today=dt.date(2023, 6, 1), **YEAR_2021) == (
        RuleState.NOT_MET
    )


@pytest.mark.parametrize(
    ("today", "pace"),
    [
        (dt.date(2021, 1, 1), 0),  # nothing has ended on the first day
        (dt.date(2021, 4, 2), 0),  # 91 of 365 days ended: 4 × 91 / 365 < 1
        (dt.date(2021, 4, 3), 1),  # 92 ended: the first of four is due
        (dt.date(2021, 12, 31), 3),  # 364 ended: the last is due only at the year's end
        (dt.date(2022, 1, 1), 4),
        (dt.date(2020, 12, 31), 0),
    ],
)
def test_the_pace_of_four_a_year(today, pace):
    assert rule_pace(required=4, today=today, **YEAR_2021) == pace


@pytest.mark.parametrize(
    ("done", "today", "state"),
    [
        # On the last day three of four are due: three is exactly the pace, two is behind.
        (3, dt.date(2021, 12, 31), RuleState.IN_PROGRESS),
        (2, dt.date(2021, 12, 31), RuleState.BEHIND),
        (3, dt.date(2022, 1, 1), RuleState.NOT_MET),
        (4, dt.date(2022, 1, 1), RuleState.MET),
        # Two are due once 365 / 2 = 182.5 days have ended (183, on 3 July): two written is in
        # progress, one is behind; the day before, one is enough.
        (2, dt.date(2021, 7, 3), RuleState.IN_PROGRESS),
        (1, dt.date(2021, 7, 3), RuleState.BEHIND),
        (1, dt.date(2021, 7, 2), RuleState.IN_PROGRESS),
    ],
)
def test_four_essays_a_year(done, today, state):
    assert rule_state(done=done, required=4, today=today, **YEAR_2021) == state


@pytest.mark.parametrize(
    ("done", "today", "state"),
    [
        # 2020 has 366 days: on 2 July 183 have ended, and 2 × 183 / 366 is exactly 1.
        (1, dt.date(2020, 7, 2), RuleState.IN_PROGRESS),
        (0, dt.date(2020, 7, 2), RuleState.BEHIND),
        (0, dt.date(2020, 7, 1), RuleState.IN_PROGRESS),
    ],
)
def test_exactly_at_the_pace_is_not_behind(done, today, state):
    year_2020 = {"period_start": dt.date(2020, 1, 1), "period_end": dt.date(2020, 12, 31)}
    assert rule_pace(required=2, today=dt.date(2020, 7, 2), **year_2020) == 1
    assert rule_state(done=done, required=2, today=today, **year_2020) == state


@pytest.mark.parametrize(
    ("kept", "today", "state"),
    [
        (True, dt.date(2020, 5, 20), RuleState.MET),
        (False, dt.date(2020, 5, 20), RuleState.BEHIND),
        (False, dt.date(2020, 6, 30), RuleState.BEHIND),
        (False, dt.date(2020, 7, 1), RuleState.NOT_MET),
        (True, dt.date(2020, 7, 1), RuleState.MET),
    ],
)
def test_a_rate_kept_throughout_is_behind_whenever_it_is_below_while_the_period_runs(
    kept, today, state
):
    term = {"period_start": dt.date(2020, 1, 1), "period_end": dt.date(2020, 6, 30)}
    assert rule_state(
        done=int(kept), required=1, today=today, kept_throughout=True, **term
    ) == state


def test_a_rule_asking_for_nothing_is_met():
    assert rule_state(done=0, required=0, today=dt.date(2021, 1, 1), **YEAR_2021) == (
        RuleState.MET
    )


def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        rule_state(
            done=0,
            required=1,
            period_start=dt.date(2021, 2, 1),
            period_end=dt.date(2021, 1, 31),
            today=dt.date(2021, 1, 15),
        )
