import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AttendanceFactory,
    MemberFactory,
    ReflectionEssayFactory,
    StudySessionFactory,
    TermFactory,
)


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

    client = client_for(secretary)
    url = reverse("sessions_app:dashboard", args=[group.slug])
    grow(3, 2)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(20, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


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
    # 20 May 2020: the first quarter is over and met, the second still running.
    assert [(q.quarter, q.held, q.met, q.is_over) for q in d.quarters] == [
        (1, 2, True, True),
        (2, 1, False, False),
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
    assert {m.display_name for m in d.essay_rule.behind} == {"李书记", "张成员"}


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
