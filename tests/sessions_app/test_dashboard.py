import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notices.services.notice import notice_publish, notice_read_confirm
from sessions_app.selectors.rules import RuleState
from tests.factories import (
    AttendanceFactory,
    MemberFactory,
    ReflectionEssayFactory,
    StudySessionFactory,
    TermFactory,
)
from tests.notices.conftest import upcoming_session


@pytest.fixture(autouse=True)
def in_may_2020():
    with time_machine.travel(dt.datetime(2020, 5, 20, 12, 0), tick=False):
        yield


def test_dashboard_shows_held_and_upcoming_sessions_and_attendance(
    client_for, group, term, secretary, member
):
    held = StudySessionFactory(
        group=group, term=term, date=dt.date(2020, 4, 10), format="seminar", topic="总体国家安全观"
    )
    AttendanceFactory(session=held, member=member, status="present")
    AttendanceFactory(session=held, member=secretary, status="absent")
    StudySessionFactory(group=group, term=term, date=dt.date(2020, 6, 10), topic="民法典专题辅导")

    response = client_for(member).get(reverse("sessions_app:dashboard", args=[group.slug]))
    d = response.context["dashboard"]
    assert d.sessions_held == 1
    assert d.attendance_rate == 50
    assert d.my_attendance_rate == 100
    assert [s.topic for s in d.upcoming] == ["民法典专题辅导"]
    page = response.content.decode()
    assert "民法典专题辅导" in page
    assert "50.0%" in page


def test_dashboard_lists_members_who_owe_an_essay(client_for, group, term, secretary, member):
    session = StudySessionFactory(
        group=group,
        term=term,
        date=dt.date(2020, 4, 10),
        essay_due_on=dt.date(2020, 4, 30),
        topic="脱贫攻坚专题",
    )
    ReflectionEssayFactory(group=group, author=secretary, session=session)

    d = (
        client_for(secretary)
        .get(reverse("sessions_app:dashboard", args=[group.slug]))
        .context["dashboard"]
    )
    assert [
        (due.session.topic, [m.display_name for m in due.missing], due.is_overdue)
        for due in d.essays_due
    ] == [("脱贫攻坚专题", ["张成员"], True)]
    # A member sees only whether they themself owe one.
    d = (
        client_for(member)
        .get(reverse("sessions_app:dashboard", args=[group.slug]))
        .context["dashboard"]
    )
    assert [m.display_name for m in d.essays_due[0].missing] == ["张成员"]


def test_dashboard_with_no_term_says_what_to_do(client_for, group, secretary):
    response = client_for(secretary).get(reverse("sessions_app:dashboard", args=[group.slug]))
    assert response.status_code == 200
    assert response.context["dashboard"].term is None


def test_dashboard_query_count_does_not_grow(
    client_for, group, term, secretary, django_assert_max_num_queries
):
    def grow(n_members, n_sessions):
        members = MemberFactory.create_batch(n_members, group=group)
        for i in range(n_sessions):
            s = StudySessionFactory(
                group=group,
                term=term,
                date=dt.date(2020, 3, 1 + i),
                essay_due_on=dt.date(2020, 4, 1),
            )
            for m in members:
                AttendanceFactory(session=s, member=m)
            ReflectionEssayFactory(group=group, author=members[0], session=s)
            # A published notice of a session ahead, read by some (the notices section).
            ahead = upcoming_session(group, days=3 + len(members) + i)
            notice = notice_publish(
                session=ahead, actor=secretary, discussion_questions="思考题",
                key_speakers=members[:2], at_once=True,
            )
            for m in members[: len(members) // 2]:
                notice_read_confirm(notice=notice, member=m)

    client = client_for(secretary)
    url = reverse("sessions_app:dashboard", args=[group.slug])
    grow(3, 2)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(20, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["notices"]) == 12


def test_dashboard_shows_sessions_per_quarter_against_the_groups_rule(
    client_for, group, term, secretary
):
    group.rule_sessions_per_quarter = 2
    group.save()
    StudySessionFactory(group=group, term=term, date=dt.date(2020, 2, 10))
    StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 10))
    StudySessionFactory(group=group, term=term, date=dt.date(2020, 4, 10))

    d = (
        client_for(secretary)
        .get(reverse("sessions_app:dashboard", args=[group.slug]))
        .context["dashboard"]
    )
    # 20 May 2020: the first quarter is over and met; the second is running, and 49 of its 91
    # days have ended, so the pace of two is one (rule_pace): one held keeps it.
    assert [(q.quarter, q.held, q.state) for q in d.quarters] == [
        (1, 2, RuleState.MET),
        (2, 1, RuleState.IN_PROGRESS),
    ]


def test_dashboard_names_members_who_owe_the_years_essay(
    client_for, group, term, secretary, member, leader
):
    session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 10))
    ReflectionEssayFactory(group=group, author=secretary, session=session)
    ReflectionEssayFactory(
        group=group, author=leader, session=session, status="returned", review_comment="请修改"
    )

    d = (
        client_for(secretary)
        .get(reverse("sessions_app:dashboard", args=[group.slug]))
        .context["dashboard"]
    )
    assert d.essay_rule.required == 1
    assert {m.display_name for m in d.essay_rule.owing} == {"李书记", "张成员"}
    assert d.essay_rule.state == RuleState.IN_PROGRESS


def test_leader_sees_what_waits_for_approval_with_a_link_to_approve(client_for, group, leader):
    from tests.factories import PlannedTopicFactory, StudyPlanFactory

    plan = StudyPlanFactory(group=group)
    PlannedTopicFactory(plan=plan, title="学习党的十九届五中全会精神")

    response = client_for(leader).get(reverse("sessions_app:dashboard", args=[group.slug]))
    assert [p.term.code for p in response.context["plans_awaiting"]] == ["2020H2"]
    approve = reverse("sessions_app:plan_approve", args=[group.slug, "2020H2"])
    assert f'href="{approve}"' in response.content.decode()


def test_members_are_not_shown_approvals(client_for, group, member):
    from tests.factories import PlannedTopicFactory, StudyPlanFactory

    PlannedTopicFactory(plan=StudyPlanFactory(group=group))
    response = client_for(member).get(reverse("sessions_app:dashboard", args=[group.slug]))
    assert "plans_awaiting" not in response.context


# --- each rule's state --------------------------------------------------------------------------


def dashboard_page(client, group, **query):
    return client.get(reverse("sessions_app:dashboard", args=[group.slug]), query)


def badges(response) -> list[str]:
    """The rule states shown, in order, as the page names them."""
    import re

    return re.findall(r'data-rule-state="([a-z_]+)">([^<]+)<', response.content.decode())


def test_a_past_years_rules_read_not_met_not_in_progress(client_for, group, secretary, member):
    """Viewed on 20 May 2020, 2019's second half is over: its quarters held no session and
    nobody wrote the year's essay."""
    TermFactory(group=group, year=2019, half=2)
    response = dashboard_page(client_for(secretary), group, term="2019H2")
    d = response.context["dashboard"]
    assert [q.state for q in d.quarters] == [RuleState.NOT_MET, RuleState.NOT_MET]
    assert (d.essay_rule.year, d.essay_rule.state) == (2019, RuleState.NOT_MET)
    assert badges(response) == [("not_met", "未达到")] * 3
    assert "进行中" not in response.content.decode()


def test_the_years_essay_rule_runs_to_the_last_day_of_the_year(group, secretary):
    from sessions_app.selectors.dashboard import dashboard_for_member

    term = TermFactory(group=group, year=2019, half=2)
    on = {
        day: dashboard_for_member(member=secretary, term=term, today=day).essay_rule.state
        for day in (dt.date(2019, 12, 31), dt.date(2020, 1, 1))
    }
    assert on == {
        dt.date(2019, 12, 31): RuleState.IN_PROGRESS,
        dt.date(2020, 1, 1): RuleState.NOT_MET,
    }


def test_the_states_read_met_in_progress_and_behind_schedule(
    client_for, group, term, secretary, member
):
    group.rule_sessions_per_quarter = 3
    group.save()
    first = StudySessionFactory(group=group, term=term, date=dt.date(2020, 1, 10))
    for day in (dt.date(2020, 2, 10), dt.date(2020, 3, 10)):
        StudySessionFactory(group=group, term=term, date=day)
    AttendanceFactory(session=first, member=member, status="absent")
    ReflectionEssayFactory(group=group, author=secretary, session=first)
    ReflectionEssayFactory(group=group, author=member, session=first)

    response = dashboard_page(client_for(secretary), group)
    # Q1 held 3 of 3; Q2 held none of 3 with 49 of 91 days ended (pace 1); attendance 0% is below
    # the rule while the term runs; each member wrote the year's one essay.
    assert badges(response) == [
        ("met", "达到"),
        ("behind", "落后于进度"),
        ("behind", "落后于进度"),
        ("met", "达到"),
    ]


# --- essays returned to their author ----------------------------------------------------------


def test_a_returned_essay_is_told_to_its_author_one_click_from_revising(
    client_for, group, term, secretary, member
):
    session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 4, 10))
    returned = ReflectionEssayFactory(
        group=group, author=member, session=session, title="学习总体国家安全观的体会",
        status="returned", review_comment="请结合本职工作谈体会", reviewed_by=secretary,
    )
    ReflectionEssayFactory(group=group, author=member, session=session, title="已通过的心得",
                           status="accepted", reviewed_by=secretary)
    ReflectionEssayFactory(group=group, author=member, session=session, title="待审阅的心得")
    ReflectionEssayFactory(group=group, author=secretary, session=session, title="别人被退回的",
                           status="returned", review_comment="另一条意见", reviewed_by=secretary)

    response = dashboard_page(client_for(member), group)
    assert [e.title for e in response.context["returned_essays"]] == ["学习总体国家安全观的体会"]
    page = response.content.decode()
    assert "您有1篇心得体会退回待修改" in page
    assert "请结合本职工作谈体会" in page
    assert "已退回" in page  # the essay's status, as the model labels it
    edit_url = reverse("sessions_app:essay_edit", args=[group.slug, returned.pk])
    assert f'href="{edit_url}"' in page
    for other in ("已通过的心得", "待审阅的心得", "别人被退回的", "另一条意见"):
        assert other not in page

    # Revised and submitted again, it leaves the list.
    client = client_for(member)
    response = client.post(
        edit_url,
        {"title": "修改稿", "kind": "reflection", "session": session.pk, "body": "结合本职谈。"},
    )
    assert response.status_code == 302
    page = dashboard_page(client, group).content.decode()
    assert "退回待修改" not in page and edit_url not in page


def test_returned_essays_cost_the_same_queries_however_many(
    client_for, group, term, secretary, member
):
    session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 4, 10))
    client = client_for(member)

    def return_essays(n):
        ReflectionEssayFactory.create_batch(
            n, group=group, author=member, session=session, status="returned",
            review_comment="请修改", reviewed_by=secretary,
        )

    return_essays(1)
    with CaptureQueriesContext(connection) as one:
        dashboard_page(client, group)
    return_essays(9)
    with CaptureQueriesContext(connection) as ten:
        response = dashboard_page(client, group)
    assert len(response.context["returned_essays"]) == 10
    assert len(ten.captured_queries) == len(one.captured_queries)


# --- the member's own attendance against the group's rule ------------------------------------


@pytest.mark.parametrize(("rule", "flagged"), [("66.7", False), ("66.8", True)])
def test_my_attendance_below_the_groups_rule_is_flagged(
    client_for, group, term, member, rule, flagged
):
    """2 of 3 sessions attended is 66.7%: equal to a rule of 66.7% is not flagged."""
    group.rule_attendance_rate = Decimal(rule)
    group.save()
    for day, status in ((10, "present"), (11, "late"), (12, "absent")):
        session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 4, day))
        AttendanceFactory(session=session, member=member, status=status)

    response = dashboard_page(client_for(member), group)
    assert response.context["dashboard"].my_attendance_rate == Decimal("66.7")
    page = response.content.decode()
    assert ('data-flag="my-attendance-below-rule"' in page) is flagged
    assert (f"低于本组要求（不低于{rule}%）" in page) is flagged


def _link_to(html: str, text: str) -> str:
    """The href of the page's one link whose text is text."""
    (href,) = re.findall(rf'<a [^>]*href="([^"]*)"[^>]*>{text}</a>', html)
    return href


def test_leaders_quick_links_go_straight_to_the_terms_summary_and_the_essays_to_review(
    client_for, group, term, leader
):
    TermFactory(group=group, year=2019, half=2)
    client = client_for(leader)
    html = client.get(reverse("sessions_app:dashboard", args=[group.slug])).content.decode()
    # The term the dashboard shows (2020 H1, holding today), not the list of every term's reports.
    assert _link_to(html, "半年总结") == reverse("reports:summary", args=[group.slug, "2020H1"])
    essays = reverse("sessions_app:essay_list", args=[group.slug])
    assert _link_to(html, "审阅心得体会") == f"{essays}?status=submitted"
    # Another term chosen on the dashboard: its summary.
    html = client.get(
        reverse("sessions_app:dashboard", args=[group.slug]), {"term": "2019H2"}
    ).content.decode()
    assert _link_to(html, "半年总结") == reverse("reports:summary", args=[group.slug, "2019H2"])


def test_with_no_term_the_summary_link_opens_the_reports_index(client_for, group, leader):
    html = client_for(leader).get(
        reverse("sessions_app:dashboard", args=[group.slug])
    ).content.decode()
    assert _link_to(html, "半年总结") == reverse("reports:index", args=[group.slug])
