"""The members services (sessions_app.services.members), directly against the database."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation

from audit.models import AuditEvent
from sessions_app.models import Attendance, Member, ReflectionEssay
from sessions_app.services.groups import group_create
from sessions_app.services.members import (
    member_add,
    member_leave,
    member_rejoin,
    member_reorder,
    member_update,
)
from tests.factories import AttendanceFactory, MemberFactory, ReflectionEssayFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
TODAY = dt.date(2020, 5, 20)


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(dt.datetime(2020, 5, 20, 10, 0), tick=False)


@pytest.fixture(autouse=True)
def english():
    """The messages are matched in English here; the pages' tests read them in Chinese."""
    with translation.override("en"):
        yield


def add(group, actor, **kwargs):
    values = {"display_name": "刘新成员", "position": "县委常委", "phone": "138 0013-8000"}
    return member_add(group=group, actor=actor, **{**values, **kwargs})


def test_a_new_member_gets_an_account_named_by_their_phone_with_no_usable_password(
    group, secretary
):
    member = add(group, secretary.user)

    assert member.user.username == "13800138000"
    assert not member.user.has_usable_password()
    assert member.joined_on == TODAY
    assert member.sort_order > secretary.sort_order  # at the end of the list
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED)
    assert event.details == {"role_from": None, "role_to": "member"}
    assert event.group == group


def test_a_typed_user_name_wins_over_the_phone(group, secretary):
    assert add(group, secretary.user, username="liuxin").user.username == "liuxin"


def test_a_user_name_taken_anywhere_on_the_site_is_refused_and_nothing_is_saved(
    group, secretary
):
    UserFactory(username="LiuXin")
    before = (User.objects.count(), Member.objects.count(), AuditEvent.objects.count())

    with pytest.raises(ValidationError) as caught:
        add(group, secretary.user, username="liuxin")

    assert "liuxin" in caught.value.message_dict["username"][0]
    assert "already taken" in caught.value.message_dict["username"][0]
    assert (User.objects.count(), Member.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"phone": ""}, "username"),
        ({"phone": "call me"}, "phone"),
        ({"display_name": " "}, "display_name"),
        # Dates a record may have (models.record_date_error): none before 2000, none over a
        # year ahead, as every other record's.
        ({"joined_on": dt.date(1, 1, 1)}, "joined_on"),
        ({"joined_on": dt.date(2099, 1, 1)}, "joined_on"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_saved(group, secretary, fields, key):
    users = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        add(group, secretary.user, **fields)
    assert key in caught.value.message_dict
    assert User.objects.count() == users


def test_the_last_leader_cannot_be_demoted(group, leader, secretary, deputy):
    # The deputy (副组长) is not a 组长: the group would be left without one.
    with pytest.raises(ValidationError, match="at least one leader"):
        member_update(member=leader, display_name=leader.display_name, role="member",
                      joined_on=leader.joined_on, actor=secretary.user)
    leader.refresh_from_db()
    assert leader.role == Member.Role.LEADER
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).exists()


def test_a_leader_may_step_down_once_another_is_leader(group, leader, secretary, deputy):
    member_update(member=deputy, display_name=deputy.display_name, role="leader",
                  joined_on=deputy.joined_on, actor=secretary.user)
    member_update(member=leader, display_name=leader.display_name, role="deputy",
                  joined_on=leader.joined_on, actor=secretary.user)

    changes = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).order_by("id")
    assert [e.details for e in changes] == [
        {"role_from": "deputy", "role_to": "leader"},
        {"role_from": "leader", "role_to": "deputy"},
    ]


def test_the_last_leader_cannot_leave(group, leader, secretary):
    with pytest.raises(ValidationError, match="at least one leader"):
        member_leave(member=leader, on=TODAY, actor=secretary.user)
    leader.refresh_from_db()
    assert leader.left_on is None


@pytest.mark.parametrize("on", [TODAY, TODAY + dt.timedelta(days=30), TODAY - dt.timedelta(days=3)])
def test_the_last_secretary_cannot_leave_today_later_or_backdated(group, leader, secretary, on):
    with pytest.raises(ValidationError, match="at least one secretary"):
        member_leave(member=secretary, on=on, actor=leader.user)
    secretary.refresh_from_db()
    assert secretary.left_on is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.MEMBER_LEFT).exists()


def test_a_secretary_may_leave_when_another_stays(group, leader, secretary):
    MemberFactory(group=group, role=Member.Role.SECRETARY)
    member_leave(member=secretary, on=TODAY, actor=leader.user)
    assert not Member.objects.in_group_on(TODAY).filter(pk=secretary.pk).exists()


def test_a_new_group_without_a_leader_can_still_be_set_up(db):
    group, secretary = group_create(name="新中心组", slug="new", secretary_username="new-sec")
    someone = member_add(group=group, display_name="某成员", username="m1", actor=secretary.user)

    member_update(member=someone, display_name="某成员", role="deputy", joined_on=TODAY,
                  actor=secretary.user)
    assert Member.objects.get(pk=someone.pk).role == Member.Role.DEPUTY


def test_leaving_and_rejoining_keep_the_past_records(group, leader, secretary, member):
    attendance = AttendanceFactory(member=member, session__group=group,
                                   session__date=dt.date(2020, 3, 10), status="present")
    essay = ReflectionEssayFactory(group=group, author=member)

    member_leave(member=member, on=dt.date(2020, 4, 1), actor=secretary.user)

    member.refresh_from_db()
    assert member.is_in_group_on(dt.date(2020, 3, 31))
    assert not member.is_in_group_on(dt.date(2020, 4, 1))  # out from the leaving day
    assert Attendance.objects.filter(pk=attendance.pk, member=member, status="present").exists()
    assert ReflectionEssay.objects.filter(pk=essay.pk, author=member).exists()
    left = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_LEFT)
    assert left.details == {"left_on": "2020-04-01"}

    with pytest.raises(ValidationError, match="already left"):
        member_leave(member=member, on=TODAY, actor=secretary.user)

    member_rejoin(member=member, actor=secretary.user)

    member.refresh_from_db()
    assert member.left_on is None and member.is_in_group_on(TODAY)
    assert Attendance.objects.filter(pk=attendance.pk, member=member).exists()
    rejoined = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_REJOINED)
    assert rejoined.details == {"left_on": "2020-04-01"}
    with pytest.raises(ValidationError, match="nothing to rejoin"):
        member_rejoin(member=member, actor=secretary.user)


def test_reorder_sets_the_rank_every_list_goes_by(group, leader, secretary, member):
    member_reorder(group=group, sort_orders={member.pk: 1, leader.pk: 2, secretary.pk: 3},
                   actor=secretary.user)
    ranked = list(Member.objects.filter(group=group).in_rank_order())
    assert ranked == [member, leader, secretary]


def test_reorder_refuses_another_groups_member_and_changes_nothing(group, secretary, outsider):
    with pytest.raises(ValidationError):
        member_reorder(group=group, sort_orders={secretary.pk: 7, outsider.pk: 1},
                       actor=secretary.user)
    assert Member.objects.get(pk=secretary.pk).sort_order == secretary.sort_order
    assert Member.objects.get(pk=outsider.pk).sort_order == outsider.sort_order


def test_the_email_of_an_account_shared_with_another_group_is_not_the_groups_to_change(
    group, secretary, other_group
):
    both = MemberFactory(group=group)
    MemberFactory(group=other_group, user=both.user)
    with pytest.raises(ValidationError) as caught:
        member_update(member=both, display_name="改名", role="member", joined_on=both.joined_on,
                      email="taken-over@example.org", actor=secretary.user)
    assert "email" in caught.value.message_dict
    both.refresh_from_db()
    assert both.user.email != "taken-over@example.org" and both.display_name != "改名"
