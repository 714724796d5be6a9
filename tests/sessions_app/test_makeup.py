"""补学 (make-up study): duties follow attendance, notes are submitted and reviewed, and the
counts (made up, not made up, overdue) come from these records."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from intake.essays import essay_file_read
from reports.selectors.summary import half_year_summary
from sessions_app.models import Attendance, MakeupDuty
from sessions_app.selectors.makeup import MakeupFigures, makeup_counts
from sessions_app.services.leave import leave_request
from sessions_app.services.makeup import makeup_review, makeup_submit
from sessions_app.services.sessions import AttendanceEntry, session_record, session_update
from tests.factories import MemberFactory
from tests.uploads import docx_bytes

SESSION_DAY = dt.date(2020, 3, 15)
FIELDS = {"date": SESSION_DAY, "topic": "学习党的二十大精神", "format": "seminar"}


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))),
                               tick=False)


@pytest.fixture
def now():
    with at(dt.date(2020, 3, 20)) as traveller:
        yield traveller


def record(group, secretary, statuses: dict, **fields):
    """Record the session with statuses {member: status} (leave gets a reason)."""
    entries = [
        AttendanceEntry(member=m, status=s, leave_reason="出差" if s == "leave" else "")
        for m, s in statuses.items()
    ]
    return session_record(group=group, actor=secretary.user, fields={**FIELDS, **fields},
                          attendance=entries)


def update(session, secretary, statuses: dict, extra: dict | None = None):
    """Change the attendance to statuses; extra: {member: {"makeup_on": ..., ...}}."""
    extra = extra or {}
    entries = [
        AttendanceEntry(member=m, status=s, leave_reason="出差" if s == "leave" else "",
                        **extra.get(m, {}))
        for m, s in statuses.items()
    ]
    return session_update(session=session, actor=secretary.user, fields={}, attendance=entries)


def duty_of(member) -> MakeupDuty:
    return MakeupDuty.objects.exclude(status=MakeupDuty.Status.CANCELLED).get(member=member)


def test_leave_and_absence_open_a_duty_due_the_groups_days_after_the_session(
    now, group, term, secretary, leader, member
):
    group.makeup_due_days = 10
    group.save()
    record(group, secretary, {secretary: "present", leader: "leave", member: "absent"})
    assert {d.member: d.due_on for d in MakeupDuty.objects.all()} == {
        leader: dt.date(2020, 3, 25),
        member: dt.date(2020, 3, 25),
    }
    assert all(d.status == MakeupDuty.Status.OPEN for d in MakeupDuty.objects.all())
    assert duty_of(member).history.first().history_user == secretary.user


def test_back_to_present_cancels_the_duty_and_keeps_it_and_its_notes(
    now, group, term, secretary, member
):
    session = record(group, secretary, {member: "absent"})
    duty = duty_of(member)
    makeup_submit(duty=duty, member=member, body="观看了会议录像并学习了材料。")

    update(session, secretary, {member: "present"})
    duty.refresh_from_db()
    assert duty.status == MakeupDuty.Status.CANCELLED
    assert duty.notes == "观看了会议录像并学习了材料。"  # what was submitted stays

    # Absent again: a new duty opens; the cancelled one stays as it was.
    update(session, secretary, {member: "absent"})
    assert MakeupDuty.objects.filter(member=member).count() == 2
    assert duty_of(member).status == MakeupDuty.Status.OPEN


def test_changing_leave_to_absent_keeps_the_same_duty(now, group, term, secretary, member):
    session = record(group, secretary, {member: "leave"})
    first = duty_of(member)
    update(session, secretary, {member: "absent"})
    assert duty_of(member).pk == first.pk
    assert MakeupDuty.objects.count() == 1


def test_submit_typed_notes_then_accept_records_the_makeup_on_the_attendance(
    now, group, term, secretary, member
):
    record(group, secretary, {member: "leave"})
    duty = makeup_submit(duty=duty_of(member), member=member, body="  学习了会议材料，体会如下。 ")
    assert (duty.status, duty.notes) == (MakeupDuty.Status.SUBMITTED, "学习了会议材料，体会如下。")
    assert duty.word_count > 0

    makeup_review(duty=duty, reviewer=secretary, status=MakeupDuty.Status.ACCEPTED)
    row = Attendance.objects.get(member=member)
    assert row.makeup_on == dt.date(2020, 3, 20)
    assert row.is_made_up
    assert duty_of(member).status == MakeupDuty.Status.ACCEPTED
    assert row.history.first().history_user == secretary.user


def test_notes_from_a_file_are_read_by_the_essay_reader(now, group, term, secretary, member):
    record(group, secretary, {member: "absent"})
    upload = SimpleUploadedFile("补学笔记.docx", docx_bytes(["自学了全会公报。"]))
    duty = makeup_submit(duty=duty_of(member), member=member, notes_file=essay_file_read(upload))
    assert duty.notes == "自学了全会公报。"
    assert duty.original_filename == "补学笔记.docx"
    assert duty.file.name.endswith(".docx") and "补学" not in duty.file.name


def test_returned_notes_need_a_comment_and_can_be_submitted_again(
    now, group, term, secretary, member
):
    record(group, secretary, {member: "absent"})
    duty = makeup_submit(duty=duty_of(member), member=member, body="看了材料。")
    with pytest.raises(ValidationError):
        makeup_review(duty=duty, reviewer=secretary, status=MakeupDuty.Status.RETURNED)
    makeup_review(duty=duty, reviewer=secretary, status=MakeupDuty.Status.RETURNED,
                  comment="请写出学习体会。")
    assert duty_of(member).status == MakeupDuty.Status.RETURNED
    assert not Attendance.objects.get(member=member).is_made_up
    duty = makeup_submit(duty=duty_of(member), member=member, body="看了材料，体会是……")
    assert duty.status == MakeupDuty.Status.SUBMITTED


def test_submitted_notes_cannot_be_submitted_twice(now, group, term, secretary, member):
    record(group, secretary, {member: "absent"})
    duty = makeup_submit(duty=duty_of(member), member=member, body="看了材料。")
    with pytest.raises(ValidationError):
        makeup_submit(duty=duty, member=member, body="又看了一遍。")


def test_notes_cannot_come_before_the_session(group, term, secretary, member):
    with at(dt.date(2020, 3, 10)):
        record(group, secretary, {member: "leave"})
        with pytest.raises(ValidationError):
            makeup_submit(duty=duty_of(member), member=member, body="提前学习。")
    with at(SESSION_DAY, 20):
        assert makeup_submit(duty=duty_of(member), member=member, body="当天晚上补学。")


def test_only_the_owner_submits_and_only_a_manager_who_is_not_the_owner_reviews(
    now, group, term, secretary, leader, member
):
    record(group, secretary, {member: "absent", secretary: "absent"})
    other = MemberFactory(group=group)
    with pytest.raises(PermissionDenied):
        makeup_submit(duty=duty_of(member), member=other, body="代写。")
    duty = makeup_submit(duty=duty_of(member), member=member, body="看了材料。")
    with pytest.raises(PermissionDenied):
        makeup_review(duty=duty, reviewer=other, status=MakeupDuty.Status.ACCEPTED)
    own = makeup_submit(duty=duty_of(secretary), member=secretary, body="看了录像。")
    with pytest.raises(PermissionDenied):
        makeup_review(duty=own, reviewer=secretary, status=MakeupDuty.Status.ACCEPTED)
    makeup_review(duty=own, reviewer=leader, status=MakeupDuty.Status.ACCEPTED)
    assert duty_of(member).status == MakeupDuty.Status.SUBMITTED


def test_makeup_typed_in_the_attendance_form_accepts_the_duty_and_clearing_it_reopens(
    now, group, term, secretary, member
):
    session = record(group, secretary, {member: "absent"})
    update(session, secretary, {member: "absent"},
           {member: {"makeup_on": dt.date(2020, 3, 18), "makeup_note": "参加读书班补学"}})
    assert duty_of(member).status == MakeupDuty.Status.ACCEPTED
    update(session, secretary, {member: "absent"})
    assert duty_of(member).status == MakeupDuty.Status.OPEN


# --- Counting ----------------------------------------------------------------------------------


def test_counts_made_up_not_made_up_and_overdue_at_the_due_day(group, term, secretary, leader,
                                                               member, deputy):
    with at(dt.date(2020, 3, 16)):
        record(group, secretary, {
            secretary: "present", leader: "leave", member: "absent", deputy: "absent"
        })
        makeup_submit(duty=duty_of(leader), member=leader, body="看了材料。")
        makeup_review(duty=duty_of(leader), reviewer=secretary, status=MakeupDuty.Status.ACCEPTED)
        makeup_submit(duty=duty_of(deputy), member=deputy, body="看了材料。")

    due = dt.date(2020, 3, 29)
    on_due_day = makeup_counts(group=group, term=term, today=due)
    assert on_due_day.total == MakeupFigures(away=3, made_up=1, overdue=0)
    assert on_due_day.total.not_made_up == 2

    day_after = makeup_counts(group=group, term=term, today=due + dt.timedelta(days=1))
    # The absent member owes it; the deputy's notes wait for review, which is not overdue.
    assert day_after.total == MakeupFigures(away=3, made_up=1, overdue=1)
    assert day_after.for_member(member.pk) == MakeupFigures(away=1, made_up=0, overdue=1)
    assert day_after.for_member(deputy.pk) == MakeupFigures(away=1, made_up=0, overdue=0)
    assert day_after.for_member(leader.pk) == MakeupFigures(away=1, made_up=1, overdue=0)
    assert day_after.for_member(secretary.pk) == MakeupFigures()
    assert duty_of(member).is_overdue(due + dt.timedelta(days=1))
    assert not duty_of(member).is_overdue(due)


def test_sessions_ahead_are_not_counted(group, term, secretary, member):
    with at(dt.date(2020, 3, 10)):
        record(group, secretary, {member: "leave"})
        assert makeup_counts(group=group, term=term, today=dt.date(2020, 3, 10)).total.away == 0


@pytest.mark.parametrize("size", [3, 30])
def test_makeup_counts_query_count_is_fixed(now, group, term, secretary, size,
                                            django_assert_num_queries):
    members = [MemberFactory(group=group) for _ in range(size)]
    record(group, secretary, {m: "absent" for m in members})
    with django_assert_num_queries(1):
        counts = makeup_counts(group=group, term=term, today=dt.date(2020, 4, 30))
    assert counts.total == MakeupFigures(away=size, made_up=0, overdue=size)


def test_summary_says_how_many_were_away_and_made_up(now, group, term, secretary, leader,
                                                     member):
    record(group, secretary, {secretary: "present", leader: "leave", member: "absent"})
    makeup_submit(duty=duty_of(leader), member=leader, body="看了材料。")
    makeup_review(duty=duty_of(leader), reviewer=secretary, status=MakeupDuty.Status.ACCEPTED)
    summary = half_year_summary(group=group, term=term, today=dt.date(2020, 3, 20))
    assert "请假和缺席2人次，已补学1人次" in summary.sentences[0]
    assert (summary.attendance.leave + summary.attendance.absent, summary.attendance.made_up) == (
        2, 1)


# --- Pages -------------------------------------------------------------------------------------


def test_member_submits_notes_from_their_page_and_the_secretary_accepts(
    now, client_for, group, term, secretary, member
):
    record(group, secretary, {member: "absent", secretary: "present"})
    duty = duty_of(member)
    client = client_for(member)
    mine = client.get(reverse("sessions_app:my_record", args=["sample"])).content.decode()
    detail = reverse("sessions_app:makeup_detail", args=["sample", duty.pk])
    assert detail in mine
    response = client.post(detail, {"body": "观看录像，学习了报告全文。"})
    assert response.status_code == 302
    assert duty_of(member).status == MakeupDuty.Status.SUBMITTED

    client = client_for(secretary)
    listing = client.get(reverse("sessions_app:makeup_list", args=["sample"])).content.decode()
    assert detail in listing
    page = client.get(detail).content.decode()
    assert "观看录像，学习了报告全文。" in page
    response = client.post(reverse("sessions_app:makeup_review", args=["sample", duty.pk]),
                           {"status": "accepted", "comment": ""}, follow=True)
    assert response.status_code == 200
    assert Attendance.objects.get(member=member).makeup_on == dt.date(2020, 3, 20)

    mine = client_for(member).get(reverse("sessions_app:my_record", args=["sample"]))
    assert "2020年3月20日" in mine.content.decode()


def test_empty_notes_are_refused_with_a_message_and_nothing_changes(
    now, client_for, group, term, secretary, member
):
    record(group, secretary, {member: "absent"})
    duty = duty_of(member)
    response = client_for(member).post(
        reverse("sessions_app:makeup_detail", args=["sample", duty.pk]), {"body": "  "}
    )
    assert response.status_code == 400
    assert response.context["notes_form"].errors
    assert duty_of(member).status == MakeupDuty.Status.OPEN


def test_a_bad_file_is_refused_by_the_essay_reader(now, client_for, group, term, secretary,
                                                   member):
    record(group, secretary, {member: "absent"})
    duty = duty_of(member)
    response = client_for(member).post(
        reverse("sessions_app:makeup_detail", args=["sample", duty.pk]),
        {"file": SimpleUploadedFile("笔记.exe", b"MZ\x90\x00")},
    )
    assert response.status_code == 400
    assert response.context["notes_form"].errors["file"]
    assert duty_of(member).status == MakeupDuty.Status.OPEN


def test_another_members_duty_is_404_and_a_member_cannot_review(
    now, client_for, group, term, secretary, member
):
    other = MemberFactory(group=group)
    record(group, secretary, {other: "absent"})
    duty = duty_of(other)
    client = client_for(member)
    assert client.get(reverse("sessions_app:makeup_detail", args=["sample", duty.pk])
                      ).status_code == 404
    assert client.post(reverse("sessions_app:makeup_review", args=["sample", duty.pk]),
                       {"status": "accepted"}).status_code == 403


@pytest.mark.parametrize("size", [3, 30])
def test_makeup_list_query_count_is_fixed(now, client_for, group, term, secretary, size,
                                          django_assert_num_queries):
    members = [MemberFactory(group=group) for _ in range(size)]
    record(group, secretary, {m: "absent" for m in members})
    client = client_for(secretary)
    with django_assert_num_queries(MAKEUP_LIST_QUERIES):
        response = client.get(reverse("sessions_app:makeup_list", args=["sample"]))
    assert len(response.context["duties"]) == size


MAKEUP_LIST_QUERIES = 10


@pytest.mark.parametrize("size", [3, 30])
def test_my_record_query_count_is_fixed(now, client_for, group, term, secretary, member, size,
                                        django_assert_num_queries):
    for i in range(size):
        record(group, secretary, {member: "absent"}, date=SESSION_DAY - dt.timedelta(days=i))
    client = client_for(member)
    with django_assert_num_queries(MY_RECORD_QUERIES):
        response = client.get(reverse("sessions_app:my_record", args=["sample"]))
    assert len(response.context["makeup_duties"]) == size


MY_RECORD_QUERIES = 9


# The dashboard with 补学 figures, waiting leave and the viewer's own duties: the leader's (a
# manager who decides leave) and the member's, the same at 3 and at 30 of each.
# With the notices card (1) and the unread reminders (1) the notices app adds to the dashboard.
DASHBOARD_QUERIES = {"leader": 29, "member": 22}


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("viewer", ["leader", "member"])
def test_dashboard_with_leave_and_makeup_query_count_is_fixed(
    now, client_for, group, term, secretary, leader, member, size, viewer,
    django_assert_num_queries,
):
    members = [MemberFactory(group=group) for _ in range(size)]
    record(group, secretary, {m: "absent" for m in [*members, member]})
    for i in range(size):
        record(group, secretary, {member: "leave"}, date=SESSION_DAY - dt.timedelta(days=i + 1))
    ahead = record(group, secretary, {}, date=dt.date(2020, 3, 25))
    for m in members:
        leave_request(session=ahead, member=m, reason="出差")
    client = client_for(leader if viewer == "leader" else member)
    with django_assert_num_queries(DASHBOARD_QUERIES[viewer]):
        response = client.get(reverse("sessions_app:dashboard", args=["sample"]))
    if viewer == "leader":
        assert len(response.context["leave_to_decide"]) == size
        assert response.context["makeup"].away == 2 * size + 1
    else:
        assert len(response.context["my_makeup"]) == size + 1
