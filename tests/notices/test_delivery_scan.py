"""The due-notice scan runs a fixed number of queries whatever the number of groups, sessions
and members (the benchmark times it over 500 groups: benchmarks/run.py item 10)."""

from __future__ import annotations

import datetime as dt
import gc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from notices.delivery_models import Delivery, DeliveryKind
from notices.dispatch.sources import paths_to
from notices.services import delivery
from notices.services.delivery import deliveries_decide_due, deliveries_scan, group_robots_update
from sessions_app.models import Attendance, MakeupDuty, Member
from tests.factories import (
    AttendanceFactory,
    MemberFactory,
    StudyGroupFactory,
    StudySessionFactory,
    TermFactory,
)
from tests.notices.helpers import SESSION_DAY, at, session_with_notice

pytestmark = pytest.mark.django_db

#: The scan's queries other than its insert: the robots (1), the session notices (4), the essay
#: deadlines (4), the attendance warnings (5), the make-up duties (2), the 报送 deadlines (1:
#: none is near), the members told (1: on PostgreSQL which languages each group reads, since the
#: insert finds the rest; on SQLite their recipient_rows), and the savepoint around it inside a
#: test's transaction (2); on SQLite also the rows it made, read back (PostgreSQL's insert
#: returns them).
DECIDE_QUERIES = 20 if connection.vendor == "postgresql" else 21
#: deliveries_scan adds the interrupted sends (1) and the lost tasks (1).
SCAN_QUERIES = DECIDE_QUERIES + 2
#: A scan with everything decided: no members to tell (the attendance warnings' terms and
#: members, and the members told) and no insert (nor its read-back on SQLite).
SCAN_QUERIES_DECIDED = 19


def make_groups(n: int, *, members: int = 4) -> None:
    """n groups, each with members (with e-mail), a robot, a notice of a session the day after
    SESSION_DAY - 1 with an essay due, and a member whose attendance is below the rule."""
    for i in range(n):
        group = StudyGroupFactory()
        term = TermFactory(group=group, year=2020, half=1)
        people = [
            MemberFactory(group=group, role=Member.Role.SECRETARY if k == 0 else Member.Role.MEMBER,
                          user__email=f"m{i}-{k}@example.org")
            for k in range(members)
        ]
        group_robots_update(
            group=group, actor=None, dingtalk_webhook="",
            wecom_webhook="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
            dingtalk_secret=None,
        )
        session, _notice = session_with_notice(group=group, term=term)
        session.essay_due_on = SESSION_DAY + dt.timedelta(days=1)
        session.save()
        held = StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 1))
        for k, person in enumerate(people):
            status = Attendance.Status.ABSENT if k == 1 else Attendance.Status.PRESENT
            row = AttendanceFactory(session=held, member=person, status=status)
            if status == Attendance.Status.ABSENT:  # owes 补学, due on the session day
                MakeupDuty.objects.create(attendance=row, member=person, due_on=SESSION_DAY)


def captured(fn):
    with CaptureQueriesContext(connection) as context:
        fn()
    statements = [q["sql"] for q in context.captured_queries]
    # SQLite's INSERT OR IGNORE; PostgreSQL's WITH ... made AS (INSERT INTO ...).
    inserts = [s for s in statements
               if s.startswith("INSERT") or (s.startswith("WITH") and "INSERT INTO" in s)]
    return len(statements) - len(inserts), len(inserts)


@pytest.mark.parametrize("groups", [2, 6])
def test_the_scan_runs_the_same_queries_for_few_or_many_groups(groups):
    make_groups(groups)
    now = at(SESSION_DAY - dt.timedelta(days=1), 9)

    others, inserts = captured(lambda: deliveries_decide_due(now=now))

    assert others == DECIDE_QUERIES
    # One statement on PostgreSQL; SQLite splits it by its limit on parameters.
    if connection.vendor == "postgresql":
        assert inserts == 1
    # Every kind was decided: the scan had work of each source to do.
    kinds = set(Delivery.objects.values_list("kind", flat=True))
    assert kinds == {DeliveryKind.NOTICE, DeliveryKind.NOTICE_UNREAD, DeliveryKind.ESSAY_DUE,
                     DeliveryKind.ATTENDANCE_LOW, DeliveryKind.ATTENDANCE_LOW_SECRETARY,
                     DeliveryKind.MAKEUP}
    assert Delivery.objects.filter(member__isnull=True).count() == groups * 3


@pytest.mark.parametrize("groups", [2, 6])
def test_a_scan_with_everything_decided_runs_the_same_queries_and_inserts_nothing(groups):
    make_groups(groups)
    now = at(SESSION_DAY - dt.timedelta(days=1), 9)
    deliveries_decide_due(now=now)
    before = Delivery.objects.count()

    others, inserts = captured(lambda: deliveries_scan(now=now))

    assert (others, inserts) == (SCAN_QUERIES_DECIDED, 0)
    assert Delivery.objects.count() == before


def test_a_make_up_duty_still_owed_is_reminded_once_and_an_accepted_one_never():
    make_groups(1)
    owed = MakeupDuty.objects.get()
    row = AttendanceFactory(
        session=owed.attendance.session, status=Attendance.Status.LEAVE, leave_reason="出差",
        makeup_on=dt.date(2020, 3, 5),
    )
    MakeupDuty.objects.create(
        attendance=row, member=row.member, due_on=SESSION_DAY, status=MakeupDuty.Status.ACCEPTED
    )
    now = at(SESSION_DAY - dt.timedelta(days=1), 9)
    deliveries_decide_due(now=now)
    reminded = Delivery.objects.filter(kind=DeliveryKind.MAKEUP)
    assert {d.object_id for d in reminded} == {owed.pk}
    assert {d.member_id for d in reminded} == {owed.member_id}
    deliveries_decide_due(now=now)
    assert Delivery.objects.filter(kind=DeliveryKind.MAKEUP).count() == reminded.count()


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("notices:notice_detail", ["demo-group_1", 42]),
        # A slug of digits like the markers paths_to reverses with is filled in once, not twice.
        ("notices:notice_detail", ["9000000002", 9000000001]),
        ("sessions_app:member_list", ["bulk-0001"]),
    ],
)
def test_the_scans_links_are_what_reverse_gives(name, args):
    assert paths_to(name)(*args) == reverse(name, args=args)


def test_a_link_with_the_wrong_number_of_arguments_is_refused():
    with pytest.raises(NoReverseMatch):
        paths_to("notices:notice_detail")("only-the-slug")


def test_the_scan_pauses_the_garbage_collector_and_gives_it_back(monkeypatch):
    seen = []

    def source(scan):
        seen.append(gc.isenabled())
        return []

    monkeypatch.setattr(delivery, "SOURCES", [source])
    deliveries_decide_due(now=at(SESSION_DAY, 9))
    assert seen == [False] and gc.isenabled()

    def failing(scan):
        raise RuntimeError("a source failed")

    monkeypatch.setattr(delivery, "SOURCES", [failing])
    with pytest.raises(RuntimeError):
        deliveries_decide_due(now=at(SESSION_DAY, 9))
    assert gc.isenabled()
