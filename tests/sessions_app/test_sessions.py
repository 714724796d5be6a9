import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions_app.models import Attendance, Member, StudySession, Term
from sessions_app.services.sessions import AttendanceEntry, session_record, session_update
from tests.factories import AttendanceFactory, MemberFactory, StudySessionFactory


def session_post_data(members, **overrides):
    data = {
        "date": "2020-03-15",
        "start_time": "09:00",
        "end_time": "11:30",
        "place": "县委常委会议室",
        "format": "seminar",
        "topic": "学习贯彻党的十九届四中全会精神",
        "speakers": "李书记",
        "minutes": "会议集中学习了全会公报。",
    }
    for m in members:
        data[f"m{m.pk}-status"] = "present"
    data.update(overrides)
    return data


@pytest.fixture
def secretary_client(client_for, secretary):
    return client_for(secretary)


def test_secretary_logs_session_with_attendance_for_every_member(
    secretary_client, group, secretary, leader, member
):
    url = reverse("sessions_app:session_create", args=[group.slug])
    data = session_post_data(
        [secretary, leader, member],
        **{
            f"m{leader.pk}-status": "leave",
            f"m{leader.pk}-leave_reason": "参加上级会议",
            f"m{member.pk}-status": "late",
        },
    )
    response = secretary_client.post(url, data, follow=True)

    session = StudySession.objects.get()
    assert session.term.code == "2020H1"
    assert session.created_by == secretary.user
    statuses = dict(session.attendances.values_list("member__display_name", "status"))
    assert statuses == {"王秘书": "present", "李书记": "leave", "张成员": "late"}
    page = response.content.decode()
    assert "学习贯彻党的十九届四中全会精神" in page
    assert response.context["attended"] == 2
    assert "参加上级会议" in page
    assert [m.message for m in response.context["messages"]]


def test_leave_without_reason_is_refused_next_to_the_field_and_nothing_saved(
    secretary_client, group, secretary, member
):
    url = reverse("sessions_app:session_create", args=[group.slug])
    data = session_post_data([secretary, member], **{f"m{member.pk}-status": "leave"})
    response = secretary_client.post(url, data)

    assert response.status_code == 200
    assert StudySession.objects.count() == 0
    assert Attendance.objects.count() == 0
    error = response.context["sheet"].rows[1].errors["leave_reason"]
    assert error
    assert f'id="id_m{member.pk}-leave_reason-error"' in response.content.decode()


def test_session_that_ends_before_it_starts_is_refused(secretary_client, group, secretary):
    url = reverse("sessions_app:session_create", args=[group.slug])
    data = session_post_data([secretary], start_time="11:00", end_time="09:00")
    response = secretary_client.post(url, data)
    assert response.context["form"].errors["end_time"]
    assert StudySession.objects.count() == 0


def _post_with_members(client, group, count, secretary):
    MemberFactory.create_batch(count - 1, group=group)
    members = list(Member.objects.filter(group=group))
    url = reverse("sessions_app:session_create", args=[group.slug])
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, session_post_data(members))
    assert response.status_code == 302
    assert Attendance.objects.filter(session__group=group).count() == count
    return len(ctx.captured_queries)


def test_saving_a_session_takes_the_same_queries_for_5_and_50_members(client_for, db):
    from tests.factories import StudyGroupFactory

    small, large = StudyGroupFactory(), StudyGroupFactory()
    sec_small = MemberFactory(group=small, role=Member.Role.SECRETARY)
    sec_large = MemberFactory(group=large, role=Member.Role.SECRETARY)
    Term.objects.create(
        group=small,
        year=2020,
        half=1,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2020, 6, 30),
    )
    Term.objects.create(
        group=large,
        year=2020,
        half=1,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2020, 6, 30),
    )
    n_small = _post_with_members(client_for(sec_small), small, 5, sec_small)
    n_large = _post_with_members(client_for(sec_large), large, 50, sec_large)
    assert n_small == n_large


def _update_queries(size: int) -> int:
    """Queries for session_update changing every one of size members' attendance."""
    from tests.factories import StudyGroupFactory

    group = StudyGroupFactory()
    secretary = MemberFactory(group=group, role=Member.Role.SECRETARY)
    members = [secretary, *MemberFactory.create_batch(size - 1, group=group)]
    fields = {"date": dt.date(2020, 4, 1), "format": "seminar", "topic": "总体国家安全观"}
    session = session_record(
        group=group,
        actor=secretary.user,
        fields=fields,
        attendance=[AttendanceEntry(member=m, status="present") for m in members],
    )
    with CaptureQueriesContext(connection) as ctx:
        session_update(
            session=session,
            actor=secretary.user,
            fields=fields,
            attendance=[AttendanceEntry(member=m, status="late") for m in members],
        )
    assert set(Attendance.objects.filter(session=session).values_list("status", flat=True)) == {
        "late"
    }
    return len(ctx.captured_queries)


def test_editing_a_session_takes_the_same_queries_for_5_and_50_members(db):
    assert _update_queries(5) == _update_queries(50)


def test_editing_changes_attendance_in_place(secretary_client, group, secretary, member, term):
    session = session_record(
        group=group,
        actor=secretary.user,
        fields={"date": dt.date(2020, 4, 1), "format": "seminar", "topic": "总体国家安全观"},
        attendance=[
            AttendanceEntry(member=secretary, status="present"),
            AttendanceEntry(member=member, status="present"),
        ],
    )
    url = reverse("sessions_app:session_edit", args=[group.slug, session.pk])
    data = session_post_data(
        [secretary, member],
        date="2020-04-01",
        topic="总体国家安全观",
        **{
            f"m{member.pk}-status": "absent",
            f"m{member.pk}-makeup_on": "2020-04-10",
            f"m{member.pk}-makeup_note": "自学并提交心得",
        },
    )
    response = secretary_client.post(url, data)
    assert response.status_code == 302
    row = Attendance.objects.get(session=session, member=member)
    assert row.status == "absent"
    assert row.makeup_on == dt.date(2020, 4, 10)
    assert Attendance.objects.filter(session=session).count() == 2


def test_session_list_shows_each_sessions_attendance_rate(client_for, group, member, term):
    session = StudySessionFactory(group=group, term=term, topic="民法典专题学习")
    AttendanceFactory(session=session, member=member, status="present")
    for status in ("late", "absent", "leave"):
        AttendanceFactory(session=session, status=status, leave_reason="公务外出")
    response = client_for(member).get(reverse("sessions_app:session_list", args=[group.slug]))
    page = response.content.decode()
    assert "民法典专题学习" in page
    assert "50.0%" in page


def test_session_list_query_count_does_not_grow_with_sessions(
    client_for, group, member, term, django_assert_max_num_queries
):
    def make(n):
        for _ in range(n):
            s = StudySessionFactory(group=group, term=term)
            AttendanceFactory(session=s, member=member)

    client = client_for(member)
    url = reverse("sessions_app:session_list", args=[group.slug])
    make(2)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    make(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_member_cannot_log_or_edit_sessions(client_for, group, member, term):
    session = StudySessionFactory(group=group, term=term)
    client = client_for(member)
    assert client.get(reverse("sessions_app:session_create", args=[group.slug])).status_code == 403
    edit = reverse("sessions_app:session_edit", args=[group.slug, session.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"topic": "x"}).status_code == 403
    delete = reverse("sessions_app:session_delete", args=[group.slug, session.pk])
    assert client.post(delete).status_code == 403
    assert StudySession.objects.filter(pk=session.pk).exists()


@pytest.mark.parametrize(
    "name", ["session_detail", "session_edit", "session_delete", "material_upload"]
)
def test_member_of_other_group_gets_404_for_a_session(client_for, outsider, group, term, name):
    session = StudySessionFactory(group=group, term=term)
    client = client_for(outsider)
    # Through the outsider's own group's URL, and through ours.
    for slug in (outsider.group.slug, group.slug):
        response = client.post(reverse(f"sessions_app:{name}", args=[slug, session.pk]))
        assert response.status_code == 404
    assert StudySession.objects.filter(pk=session.pk).exists()


def test_outsider_gets_404_for_the_groups_pages(client_for, outsider, group):
    client = client_for(outsider)
    for name in ("dashboard", "session_list", "session_create", "my_record"):
        assert client.get(reverse(f"sessions_app:{name}", args=[group.slug])).status_code == 404


def test_delete_asks_first_then_deletes(secretary_client, group, term):
    session = StudySessionFactory(group=group, term=term, topic="视频学习")
    url = reverse("sessions_app:session_delete", args=[group.slug, session.pk])
    page = secretary_client.get(url)
    assert page.status_code == 200
    assert StudySession.objects.filter(pk=session.pk).exists()
    response = secretary_client.post(url, follow=True)
    assert not StudySession.objects.filter(pk=session.pk).exists()
    assert "视频学习" in response.content.decode()


def test_material_is_downloaded_only_as_attachment(
    secretary_client, client_for, group, term, member, outsider, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    session = StudySessionFactory(group=group, term=term)
    # Text that a browser would run as a page if it rendered it (.html itself is refused).
    upload = SimpleUploadedFile("学习材料.txt", b"<script>alert(1)</script>", "text/html")
    secretary_client.post(
        reverse("sessions_app:material_upload", args=[group.slug, session.pk]),
        {"title": "学习材料", "file": upload},
    )
    material = session.materials.get()
    url = reverse("sessions_app:material_download", args=[group.slug, session.pk, material.pk])
    response = client_for(member).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(outsider).get(url).status_code == 404


@pytest.mark.parametrize("day", ["1900-01-01", "2999-12-31"])
def test_implausible_session_dates_are_refused_and_no_term_is_made(
    secretary_client, group, secretary, day
):
    url = reverse("sessions_app:session_create", args=[group.slug])
    response = secretary_client.post(url, session_post_data([secretary], date=day))
    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert StudySession.objects.count() == 0
    assert not Term.objects.filter(group=group).exclude(year=2020).exists()


def test_make_up_study_before_the_session_is_refused(secretary_client, group, secretary, member):
    url = reverse("sessions_app:session_create", args=[group.slug])
    data = session_post_data(
        [secretary, member],
        **{f"m{member.pk}-status": "absent", f"m{member.pk}-makeup_on": "2020-03-01"},
    )
    response = secretary_client.post(url, data)
    assert response.context["sheet"].rows[1].errors["makeup_on"]
    assert StudySession.objects.count() == 0


def test_bidi_controls_are_removed_from_the_topic(secretary_client, group, secretary):
    url = reverse("sessions_app:session_create", args=[group.slug])
    secretary_client.post(url, session_post_data([secretary], topic="学习\u202e精神"))
    assert StudySession.objects.get().topic == "学习精神"


# --- my record ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "flagged"), [("66.7", False), ("66.8", True)])
def test_my_record_flags_my_attendance_below_the_groups_rule(
    client_for, group, term, member, rule, flagged
):
    """2 of 3 sessions attended (late counts) is 66.7%: equal to the rule is not flagged."""
    from decimal import Decimal

    group.rule_attendance_rate = Decimal(rule)
    group.save()
    for day, status in ((10, "present"), (11, "late"), (12, "leave")):
        session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 4, day))
        AttendanceFactory(session=session, member=member, status=status)

    response = client_for(member).get(reverse("sessions_app:my_record", args=[group.slug]))
    assert response.context["record"].rate == Decimal("66.7")
    page = response.content.decode()
    assert ('data-flag="my-attendance-below-rule"' in page) is flagged
    assert (f"您的出勤率为66.7%，低于本组要求（不低于{rule}%）" in page) is flagged


def test_my_record_with_nothing_recorded_flags_nothing(client_for, group, member):
    response = client_for(member).get(reverse("sessions_app:my_record", args=[group.slug]))
    assert response.status_code == 200
    assert "my-attendance-below-rule" not in response.content.decode()
