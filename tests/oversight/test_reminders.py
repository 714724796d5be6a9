"""Reminders of 报送 deadlines (oversight.reminders) reach the secretaries of the groups that
have not submitted, through the notices' channels, once before the day and once after it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notices.delivery_models import Channel, Delivery, DeliveryKind
from notices.services.delivery import deliveries_decide_due, group_robots_update
from oversight.models import ReportingDeadline, Submission
from oversight.services.organisations import group_place
from sessions_app.models import Member
from tests.factories import MemberFactory, StudyGroupFactory, TermFactory

DUE = dt.date(2020, 7, 15)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def _robots(group) -> None:
    group_robots_update(
        group=group, actor=None, dingtalk_webhook="", dingtalk_secret=None,
        wecom_webhook="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
    )


def _group(county, n: int):
    group = StudyGroupFactory(name=f"示例县第{n}中心组", slug=f"g{n}")
    group_place(group=group, organisation=county)
    term = TermFactory(group=group, year=2020, half=1)
    secretary = MemberFactory(group=group, role=Member.Role.SECRETARY,
                              user__email=f"s{n}@example.org")
    MemberFactory(group=group, role=Member.Role.MEMBER, user__email=f"m{n}@example.org")
    _robots(group)
    return group, term, secretary


def _submit(term, county, status=Submission.Status.SUBMITTED, **fields):
    return Submission.objects.create(
        group=term.group, term=term, kind="summary", organisation=county, status=status,
        approved_at=at(DUE - dt.timedelta(days=10)), submitted_at=at(DUE - dt.timedelta(days=5)),
        submitted_by=MemberFactory(group=term.group).user, **fields,
    )


def _deadline(organisation, due_on=DUE, kind="summary"):
    return ReportingDeadline.objects.create(
        organisation=organisation, year=2020, half=1, kind=kind, due_on=due_on
    )


def _told(kind=None):
    rows = Delivery.objects.filter(
        kind__in=[kind] if kind else [DeliveryKind.SUBMISSION_DUE, DeliveryKind.SUBMISSION_OVERDUE]
    )
    return sorted(
        (r.group.slug, r.member.user.email if r.member else "", r.channel) for r in rows
    )


@pytest.mark.django_db
def test_secretaries_of_groups_not_submitted_are_told_three_days_ahead(county):
    first, first_term, _s1 = _group(county, 1)
    _second, second_term, _s2 = _group(county, 2)
    _submit(second_term, county)
    _deadline(county)

    deliveries_decide_due(now=at(DUE - dt.timedelta(days=4)))
    assert _told() == []

    deliveries_decide_due(now=at(DUE - dt.timedelta(days=3)))
    # The secretary of the group that has not submitted, in the app and by e-mail, and its
    # chat; not its ordinary member, nor the group that submitted.
    assert _told() == [
        ("g1", "", Channel.WECOM),
        ("g1", "s1@example.org", Channel.EMAIL),
        ("g1", "s1@example.org", Channel.IN_APP),
    ]
    message = Delivery.objects.get(member__isnull=False, channel=Channel.IN_APP)
    assert message.kind == DeliveryKind.SUBMISSION_DUE
    assert message.title == "半年总结须于2020年7月15日前报送中共示例县委宣传部"
    assert "2020年上半年" in message.body and "尚未报送" in message.body
    assert message.link == f"/g/{first.slug}/submissions/"

    deliveries_decide_due(now=at(DUE))
    assert len(_told()) == 3  # told once while it is due


@pytest.mark.django_db
def test_after_the_day_the_late_group_is_told_once_more(county):
    _group(county, 1)
    _deadline(county)
    deliveries_decide_due(now=at(DUE - dt.timedelta(days=1)))
    deliveries_decide_due(now=at(DUE + dt.timedelta(days=1)))
    deliveries_decide_due(now=at(DUE + dt.timedelta(days=2)))
    assert len(_told(DeliveryKind.SUBMISSION_OVERDUE)) == 3
    overdue = Delivery.objects.get(kind=DeliveryKind.SUBMISSION_OVERDUE, channel=Channel.IN_APP)
    assert overdue.title == "半年总结逾期未报送中共示例县委宣传部"
    # Past the overdue window, a forgotten deadline is not raised again.
    Delivery.objects.all().delete()
    deliveries_decide_due(now=at(DUE + dt.timedelta(days=8)))
    assert _told() == []


@pytest.mark.django_db
def test_a_returned_summary_is_still_owed(county):
    _group_, term, _s = _group(county, 1)
    _submit(term, county, status=Submission.Status.RETURNED, comment="数据有误")
    _deadline(county)
    deliveries_decide_due(now=at(DUE))
    assert len(_told()) == 3


@pytest.mark.django_db
def test_every_late_groups_chat_hears_of_one_deadline(county):
    for n in (1, 2, 3):
        _group(county, n)
    _deadline(county)
    deliveries_decide_due(now=at(DUE))
    robots = [row for row in _told() if row[1] == ""]
    assert robots == [("g1", "", "wecom"), ("g2", "", "wecom"), ("g3", "", "wecom")]


@pytest.mark.django_db
def test_the_nearest_organisations_deadline_applies(city, county, neighbour):
    _group(county, 1)
    _group(neighbour, 2)
    _deadline(city, due_on=dt.date(2020, 7, 31))
    _deadline(county, due_on=DUE)

    deliveries_decide_due(now=at(DUE))
    assert {row[0] for row in _told(DeliveryKind.SUBMISSION_DUE)} == {"g1"}

    deliveries_decide_due(now=at(dt.date(2020, 7, 30)))
    # The neighbour county's group answers to the city's day; the county's was told of its own.
    assert {row[0] for row in _told(DeliveryKind.SUBMISSION_DUE)} == {"g1", "g2"}
    due = Delivery.objects.filter(kind=DeliveryKind.SUBMISSION_DUE, group__slug="g2").first()
    assert "2020年7月31日" in due.title


@pytest.mark.django_db
def test_a_group_without_the_term_or_a_secretary_is_not_told(county):
    nameless = StudyGroupFactory(slug="noterm")
    group_place(group=nameless, organisation=county)
    MemberFactory(group=nameless, role=Member.Role.SECRETARY)
    alone = StudyGroupFactory(slug="nosecretary")
    group_place(group=alone, organisation=county)
    TermFactory(group=alone, year=2020, half=1)
    _deadline(county)
    deliveries_decide_due(now=at(DUE))
    assert _told() == []


@pytest.mark.django_db
def test_the_plan_and_the_summary_are_reminded_apart(county):
    _group(county, 1)
    _deadline(county, kind="summary")
    _deadline(county, kind="plan")
    deliveries_decide_due(now=at(DUE))
    titles = set(
        Delivery.objects.filter(channel=Channel.IN_APP).values_list("title", flat=True)
    )
    assert titles == {
        "半年总结须于2020年7月15日前报送中共示例县委宣传部",
        "学习计划须于2020年7月15日前报送中共示例县委宣传部",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("groups", [2, 5])
def test_the_source_runs_the_same_queries_for_few_or_many_groups(county, groups):
    from notices.dispatch.sources import Scan
    from oversight.reminders import submission_deadlines

    for n in range(groups):
        _group(county, n)
    _deadline(county)
    scan = Scan(now=at(DUE), today=DUE)
    with CaptureQueriesContext(connection) as queries:
        dues = submission_deadlines(scan)
    assert len(dues) == groups * 1  # the secretaries (robots: none in this scan's map)
    assert len(queries.captured_queries) == 8
