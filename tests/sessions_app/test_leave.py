"""Leave (请假): asking, who decides, what an approval records (services, then pages)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from sessions_app.models import Attendance, LeaveRequest, MakeupDuty, Member
from sessions_app.services.leave import leave_decide, leave_request
from tests.factories import AttendanceFactory, MemberFactory, StudySessionFactory

# The session is on 2020-03-15 from 09:00 to 11:00 (Asia/Shanghai); "now" is days before it.
BEFORE = dt.datetime(2020, 3, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def now():
    with time_machine.travel(BEFORE, tick=False) as traveller:
        yield traveller


@pytest.fixture
def session(group, term):
    return StudySessionFactory(
        group=group, term=term, date=dt.date(2020, 3, 15), start_time=dt.time(9, 0),
        end_time=dt.time(11, 0), topic="学习党的二十大精神",
    )


def test_approved_leave_records_the_member_on_leave_with_the_reason_and_opens_makeup(
    now, session, leader, member
):
    leave = leave_request(session=session, member=member, reason="出差")
    assert leave.status == LeaveRequest.Status.REQUESTED
    assert not Attendance.objects.filter(session=session, member=member).exists()

    leave_decide(leave=leave, decider=leader, approve=True)

    row = Attendance.objects.get(session=session, member=member)
    assert (row.status, row.leave_reason) == (Attendance.Status.LEAVE, "出差")
    duty = MakeupDuty.objects.get(attendance=row)
    assert duty.status == MakeupDuty.Status.OPEN
    assert duty.due_on == dt.date(2020, 3, 29)  # the group's default 14 days
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by) == (LeaveRequest.Status.APPROVED, leader)
    # Audited: the request's history names who decided, and the audit log has the decision.
    assert leave.history.first().history_user == leader.user
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.APPROVED, object_id=str(leave.pk), actor=leader.user
    ).exists()


def test_approval_overwrites_an_attendance_row_already_recorded(now, session, leader, member):
    AttendanceFactory(session=session, member=member, status=Attendance.Status.PRESENT)
    leave = leave_request(session=session, member=member, reason="病假")
    leave_decide(leave=leave, decider=leader, approve=True)
    row = Attendance.objects.get(session=session, member=member)
    assert (row.status, row.leave_reason) == (Attendance.Status.LEAVE, "病假")
    assert row.history.count() == 2  # the earlier value is kept


def test_refusal_needs_a_comment_and_records_no_leave(now, session, leader, member):
    leave = leave_request(session=session, member=member, reason="家中有事")
    with pytest.raises(ValidationError):
        leave_decide(leave=leave, decider=leader, approve=False, comment=" ")
    leave_decide(leave=leave, decider=leader, approve=False, comment="本次会议不得请假")
    leave.refresh_from_db()
    assert (leave.status, leave.decision_comment) == (
        LeaveRequest.Status.REFUSED, "本次会议不得请假"
    )
    assert not Attendance.objects.filter(session=session, member=member).exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.RETURNED, object_id=str(leave.pk)
    ).exists()


def test_a_second_request_is_refused_while_one_waits_but_allowed_after_a_refusal(
    now, session, leader, member
):
    first = leave_request(session=session, member=member, reason="出差")
    with pytest.raises(ValidationError, match="提交过"):
        leave_request(session=session, member=member, reason="出差两天")
    leave_decide(leave=first, decider=leader, approve=False, comment="请调整行程")
    second = leave_request(session=session, member=member, reason="行程无法调整")
    assert second.pk != first.pk
    assert LeaveRequest.objects.filter(session=session, member=member).count() == 2
    first.refresh_from_db()
    assert first.status == LeaveRequest.Status.REFUSED  # the refused one keeps its past


def test_after_approval_no_new_request(now, session, leader, member):
    leave_decide(leave=leave_request(session=session, member=member, reason="出差"),
                 decider=leader, approve=True)
    with pytest.raises(ValidationError):
        leave_request(session=session, member=member, reason="再请一次")


def test_leave_cannot_be_asked_once_the_session_has_ended(session, leader, member):
    ends = timezone.make_aware(dt.datetime(2020, 3, 15, 11, 0))
    with time_machine.travel(ends - dt.timedelta(minutes=1), tick=False):
        assert leave_request(session=session, member=member, reason="临时有事")
    other = MemberFactory(group=session.group)
    with time_machine.travel(ends, tick=False), pytest.raises(ValidationError):
        leave_request(session=session, member=other, reason="临时有事")
    assert not LeaveRequest.objects.filter(member=other).exists()


def test_a_session_without_end_time_takes_leave_until_the_end_of_its_day(group, term, member,
                                                                          leader):
    session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 15),
                                  start_time=None, end_time=None)
    with time_machine.travel(timezone.make_aware(dt.datetime(2020, 3, 15, 23, 59)), tick=False):
        leave_request(session=session, member=member, reason="出差")
    midnight = timezone.make_aware(dt.datetime(2020, 3, 16, 0, 0))
    with time_machine.travel(midnight, tick=False), pytest.raises(ValidationError):
        leave_request(session=session, member=leader, reason="出差")


def test_only_members_in_the_group_on_the_session_day_may_ask(now, session, leader, group):
    joined_after = MemberFactory(group=group, joined_on=dt.date(2020, 3, 16))
    left_that_day = MemberFactory(group=group, left_on=dt.date(2020, 3, 15))
    for m in (joined_after, left_that_day):
        with pytest.raises(ValidationError):
            leave_request(session=session, member=m, reason="出差")
    left_the_day_after = MemberFactory(group=group, left_on=dt.date(2020, 3, 16))
    assert leave_request(session=session, member=left_the_day_after, reason="出差")


def test_another_groups_session_is_refused(now, session, outsider):
    with pytest.raises(ValidationError):
        leave_request(session=session, member=outsider, reason="出差")


def test_leaders_own_leave_goes_to_a_deputy_not_to_himself(now, session, leader, deputy):
    leave = leave_request(session=session, member=leader, reason="到省里开会")
    with pytest.raises(PermissionDenied):
        leave_decide(leave=leave, decider=leader, approve=True)
    leave_decide(leave=leave, decider=deputy, approve=True)
    assert Attendance.objects.get(session=session, member=leader).status == Attendance.Status.LEAVE


def test_leaders_leave_goes_to_the_named_deputy_only(now, session, group, leader, deputy):
    named = MemberFactory(group=group, role=Member.Role.DEPUTY, display_name="钱副书记")
    group.leave_approver = named
    group.save()
    leave = leave_request(session=session, member=leader, reason="到省里开会")
    with pytest.raises(PermissionDenied):
        leave_decide(leave=leave, decider=deputy, approve=True)
    leave_decide(leave=leave, decider=named, approve=True)


def test_a_named_deputy_decides_members_leave_instead_of_the_leader(
    now, session, group, leader, deputy, member
):
    group.leave_approver = deputy
    group.save()
    leave = leave_request(session=session, member=member, reason="出差")
    with pytest.raises(PermissionDenied):
        leave_decide(leave=leave, decider=leader, approve=True)
    leave_decide(leave=leave, decider=deputy, approve=True)
    # The named deputy's own leave goes to the leader.
    own = leave_request(session=session, member=deputy, reason="培训")
    with pytest.raises(PermissionDenied):
        leave_decide(leave=own, decider=deputy, approve=True)
    leave_decide(leave=own, decider=leader, approve=True)


def test_a_leader_without_any_deputy_cannot_ask(now, session, leader):
    with pytest.raises(ValidationError, match="副组长|deputy"):
        leave_request(session=session, member=leader, reason="出差")


def test_members_and_the_secretary_cannot_decide(now, session, leader, secretary, member):
    asker = MemberFactory(group=session.group)
    leave = leave_request(session=session, member=asker, reason="出差")
    for who in (member, secretary):
        with pytest.raises(PermissionDenied):
            leave_decide(leave=leave, decider=who, approve=True)
    leave.refresh_from_db()
    assert leave.status == LeaveRequest.Status.REQUESTED


def test_a_decided_request_cannot_be_decided_again(now, session, leader, member):
    leave = leave_request(session=session, member=member, reason="出差")
    leave_decide(leave=leave, decider=leader, approve=True)
    with pytest.raises(ValidationError):
        leave_decide(leave=leave, decider=leader, approve=False, comment="改变主意")


# --- Pages -------------------------------------------------------------------------------------


def test_member_asks_from_the_session_page_and_the_leader_decides_from_the_dashboard(
    now, client_for, session, leader, member
):
    client = client_for(member)
    page = client.get(reverse("sessions_app:session_detail", args=["sample", session.pk]))
    ask = reverse("sessions_app:leave_request", args=["sample", session.pk])
    assert ask in page.content.decode()
    response = client.post(ask, {"reason": "出差"}, follow=True)
    assert "已提交" in response.content.decode() or "sent" in response.content.decode()
    leave = LeaveRequest.objects.get(member=member)

    client = client_for(leader)
    dashboard = client.get(reverse("sessions_app:dashboard", args=["sample"])).content.decode()
    assert "张成员" in dashboard
    assert reverse("sessions_app:leave_list", args=["sample"]) in dashboard
    listing = client.get(reverse("sessions_app:leave_list", args=["sample"])).content.decode()
    assert "出差" in listing
    response = client.post(
        reverse("sessions_app:leave_decide", args=["sample", leave.pk]),
        {f"l{leave.pk}-decision": "approve", f"l{leave.pk}-comment": ""},
    )
    assert response.status_code == 302
    row = Attendance.objects.get(session=session, member=member)
    assert row.status == Attendance.Status.LEAVE
    # The attendance form shows 请假 with the reason.
    form = client.get(reverse("sessions_app:session_edit", args=["sample", session.pk]))
    sheet_row = next(r for r in form.context["sheet"].rows if r.line.member == member)
    assert sheet_row["status"].value() == Attendance.Status.LEAVE
    assert sheet_row["leave_reason"].value() == "出差"


def test_refusal_without_a_comment_shows_the_error_and_changes_nothing(
    now, client_for, session, leader, member
):
    leave = leave_request(session=session, member=member, reason="出差")
    response = client_for(leader).post(
        reverse("sessions_app:leave_decide", args=["sample", leave.pk]),
        {f"l{leave.pk}-decision": "refuse", f"l{leave.pk}-comment": ""},
    )
    assert response.status_code == 400
    assert "说明" in response.content.decode() or "Say why" in response.content.decode()
    leave.refresh_from_db()
    assert leave.status == LeaveRequest.Status.REQUESTED


def test_refused_leave_is_told_to_the_member_on_their_pages(now, client_for, session, leader,
                                                             member):
    leave = leave_request(session=session, member=member, reason="出差")
    leave_decide(leave=leave, decider=leader, approve=False, comment="会议重要，请安排好工作")
    client = client_for(member)
    for name in ("sessions_app:dashboard", "sessions_app:my_record"):
        text = client.get(reverse(name, args=["sample"])).content.decode()
        assert "会议重要，请安排好工作" in text, name


def test_request_page_for_a_past_session_says_it_is_over(client_for, session, member):
    with time_machine.travel(dt.datetime(2020, 4, 1, 10, 0, tzinfo=BEFORE.tzinfo), tick=False):
        response = client_for(member).get(
            reverse("sessions_app:leave_request", args=["sample", session.pk])
        )
    assert response.status_code == 200
    assert response.context["is_over"] is True
    assert b'name="reason"' not in response.content


# The leaders' list: the membership, the leaders, the waiting and the decided requests, and the
# page's own (session, messages): the same at 2 and at 12 waiting requests.
LEAVE_LIST_QUERIES = 9


@pytest.mark.parametrize("waiting", [2, 12])
def test_leave_list_query_count_does_not_grow(now, client_for, session, group, leader, waiting,
                                              django_assert_num_queries):
    for _ in range(waiting):
        leave_request(session=session, member=MemberFactory(group=group), reason="出差")
    client = client_for(leader)
    url = reverse("sessions_app:leave_list", args=["sample"])
    with django_assert_num_queries(LEAVE_LIST_QUERIES):
        response = client.get(url)
    assert len(response.context["rows"]) == waiting
