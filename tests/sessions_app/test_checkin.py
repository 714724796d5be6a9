"""QR check-in (签到): the codes and their window (sessions_app.checkin), the check-in service,
and the pages through the client: the projector, its code, the URL a phone opens."""

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from sessions_app.checkin import (
    GRANT_SECONDS,
    CheckinRefused,
    checkin_grant_remember,
    checkin_grant_time,
    checkin_path,
    checkin_status,
    checkin_token,
    checkin_token_check,
    checkin_window,
    checkin_window_check,
    time_step,
)
from sessions_app.models import Attendance, StudySession
from sessions_app.services.checkin import attendance_check_in
from sessions_app.services.groups import group_rules_update
from tests.factories import AttendanceFactory, MemberFactory, StudySessionFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0, second: int = 0, day: int = 15) -> dt.datetime:
    """A moment on the session's day (2020-03-15), in the site's time zone."""
    return dt.datetime(2020, 3, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture
def session(group, term):
    """Sunday 15 March 2020, 09:00-11:00: check-in is open from 08:30 to 10:59:59."""
    return StudySessionFactory(
        group=group, term=term, date=dt.date(2020, 3, 15), start_time=dt.time(9, 0),
        end_time=dt.time(11, 0), topic="学习贯彻专题",
    )


@pytest.fixture
def other_session(group, term):
    return StudySessionFactory(
        group=group, term=term, date=dt.date(2020, 3, 15), start_time=dt.time(14, 0),
        end_time=dt.time(16, 0), topic="下午的专题",
    )


def token_at(session: StudySession, moment: dt.datetime) -> str:
    return checkin_token(session_id=session.pk, step=time_step(moment))


def refusal(reason: str):
    """pytest.raises for a CheckinRefused with the given reason."""

    class Match:
        def __enter__(self):
            self.raises = pytest.raises(CheckinRefused)
            self.info = self.raises.__enter__()
            return self.info

        def __exit__(self, *exc):
            handled = self.raises.__exit__(*exc)
            assert self.info.value.reason == reason, self.info.value.message
            return handled

    return Match()


# --- The token module ----------------------------------------------------------------------


def test_a_code_is_accepted_in_its_own_step_and_the_next_one(session):
    shown = at(8, 50, 0)
    token = token_at(session, shown)

    checkin_token_check(session_id=session.pk, token=token, at=shown)
    checkin_token_check(session_id=session.pk, token=token, at=shown + dt.timedelta(seconds=30))


def test_a_code_two_steps_old_is_refused_as_expired(session):
    shown = at(8, 50, 0)
    token = token_at(session, shown)

    with refusal(CheckinRefused.EXPIRED) as refused:
        checkin_token_check(session_id=session.pk, token=token,
                            at=shown + dt.timedelta(seconds=60))
    assert "签到码已过期" in refused.value.message  # the site's language


def test_the_code_changes_every_30_seconds(session):
    assert token_at(session, at(8, 50, 0)) == token_at(session, at(8, 50, 29))
    assert token_at(session, at(8, 50, 0)) != token_at(session, at(8, 50, 30))


def test_another_sessions_code_is_refused(session, other_session):
    now = at(9, 0)
    with refusal(CheckinRefused.INVALID):
        checkin_token_check(session_id=session.pk, token=token_at(other_session, now), at=now)


@pytest.mark.parametrize(
    "token",
    ["", "abc", "123", "-abcdef", "12a-0123456789abcdef0123456789abcdef", "9" * 13 + "-00"],
)
def test_a_made_up_code_is_refused(session, token):
    with refusal(CheckinRefused.INVALID):
        checkin_token_check(session_id=session.pk, token=token, at=at(9, 0))


def test_a_forged_mac_for_the_current_step_is_refused(session):
    now = at(9, 0)
    step = time_step(now)
    with refusal(CheckinRefused.INVALID):
        checkin_token_check(session_id=session.pk, token=f"{step}-{'0' * 32}", at=now)


def test_a_code_of_a_step_still_to_come_is_refused(session):
    now = at(9, 0)
    later = checkin_token(session_id=session.pk, step=time_step(now) + 1)
    with refusal(CheckinRefused.INVALID):
        checkin_token_check(session_id=session.pk, token=later, at=now)


def test_the_window_opens_exactly_30_minutes_before_the_start(session):
    window = checkin_window_check(session, at=at(8, 30, 0))
    assert (window.opens, window.starts, window.ends) == (at(8, 30), at(9, 0), at(11, 0))

    with refusal(CheckinRefused.NOT_YET_OPEN) as refused:
        checkin_window_check(session, at=at(8, 29, 59))
    assert "08:30" in refused.value.message


def test_the_window_closes_at_the_end_time_itself(session):
    checkin_window_check(session, at=at(10, 59, 59))

    with refusal(CheckinRefused.CLOSED) as refused:
        checkin_window_check(session, at=at(11, 0, 0))
    assert "11:00" in refused.value.message


@pytest.mark.parametrize("missing", ["start_time", "end_time"])
def test_a_session_without_its_times_has_no_window(session, missing):
    setattr(session, missing, None)

    assert checkin_window(session) is None
    with refusal(CheckinRefused.NO_TIMES) as refused:
        checkin_window_check(session, at=at(9, 0))
    assert "开始和结束时间" in refused.value.message


def test_on_time_until_the_grace_ends_then_late(session):
    window = checkin_window(session)
    assert checkin_status(window=window, grace_minutes=5, at=at(8, 40)) == "present"
    assert checkin_status(window=window, grace_minutes=5, at=at(9, 5, 0)) == "present"
    assert checkin_status(window=window, grace_minutes=5, at=at(9, 5, 1)) == "late"
    assert checkin_status(window=window, grace_minutes=0, at=at(9, 0, 1)) == "late"


def test_a_grant_keeps_the_scan_time_for_ten_minutes_and_is_used_once(session):
    scanned = at(8, 58)
    token = token_at(session, scanned)
    store = {}

    assert checkin_grant_remember(store, session_id=session.pk, token=token, at=scanned)
    assert checkin_grant_time(store, session_id=session.pk, token=token,
                              now=scanned + dt.timedelta(seconds=GRANT_SECONDS)) == scanned
    assert checkin_grant_time(store, session_id=session.pk, token=token, now=scanned) is None


@pytest.mark.parametrize(
    ("later", "same_token", "same_session"),
    [(GRANT_SECONDS + 1, True, True), (10, False, True), (10, True, False)],
)
def test_a_grant_counts_only_for_its_code_and_session_and_not_too_late(
    session, other_session, later, same_token, same_session
):
    scanned = at(8, 58)
    token = token_at(session, scanned)
    store = {}
    checkin_grant_remember(store, session_id=session.pk, token=token, at=scanned)

    assert checkin_grant_time(
        store,
        session_id=session.pk if same_session else other_session.pk,
        token=token if same_token else token_at(session, scanned + dt.timedelta(minutes=1)),
        now=scanned + dt.timedelta(seconds=later),
    ) is None


def test_no_grant_is_kept_for_a_code_that_is_not_accepted(session):
    store = {}
    old = token_at(session, at(8, 40))

    assert not checkin_grant_remember(store, session_id=session.pk, token=old, at=at(8, 45))
    assert store == {}


# --- The service ---------------------------------------------------------------------------


def test_a_check_in_marks_the_member_present_with_the_time_and_its_history(session, member):
    now = at(8, 57)

    done = attendance_check_in(session=session, member=member, token=token_at(session, now),
                               at=now)

    row = Attendance.objects.get(session=session, member=member)
    assert done.recorded
    assert (row.status, row.checked_in_at) == (Attendance.Status.PRESENT, now)
    history = row.history.get()
    assert (history.history_user, history.status) == (member.user, "present")


def test_after_the_start_and_the_groups_grace_the_member_is_late(session, member, secretary):
    group_rules_update(group=session.group, actor=secretary.user, sessions_per_quarter=1,
                       attendance_rate=90, essays_per_member_year=1, checkin_grace_minutes=10)
    session.group.refresh_from_db()
    on_time, late = at(9, 10), at(9, 10, 1)

    attendance_check_in(session=session, member=member, token=token_at(session, on_time),
                        at=on_time)
    attendance_check_in(session=session, member=secretary, token=token_at(session, late),
                        at=late)

    statuses = dict(Attendance.objects.filter(session=session).values_list("member", "status"))
    assert statuses == {member.pk: "present", secretary.pk: "late"}


def test_the_default_grace_is_five_minutes(session, member):
    moment = at(9, 5, 1)
    attendance_check_in(session=session, member=member, token=token_at(session, moment),
                        at=moment)
    assert Attendance.objects.get(member=member).status == Attendance.Status.LATE


def test_checking_in_twice_keeps_the_first_time(session, member):
    first, second = at(8, 50), at(9, 20)
    attendance_check_in(session=session, member=member, token=token_at(session, first), at=first)

    again = attendance_check_in(session=session, member=member,
                                token=token_at(session, second), at=second)

    row = Attendance.objects.get(session=session, member=member)
    assert not again.recorded
    assert (row.status, row.checked_in_at) == (Attendance.Status.PRESENT, first)
    assert row.history.count() == 1


def test_a_row_ticked_beforehand_becomes_the_check_in(session, member, secretary):
    AttendanceFactory(session=session, member=member, status=Attendance.Status.LEAVE,
                      leave_reason="出差")
    now = at(9, 30)

    attendance_check_in(session=session, member=member, token=token_at(session, now), at=now)

    row = Attendance.objects.get(session=session, member=member)
    assert (row.status, row.leave_reason, row.checked_in_at) == ("late", "", now)


@pytest.mark.parametrize(
    ("scanned", "checked", "reason"),
    [
        (at(8, 50), at(8, 51), CheckinRefused.EXPIRED),      # a replayed code
        (at(8, 29), at(8, 29, 10), CheckinRefused.NOT_YET_OPEN),
        (at(10, 59, 50), at(11, 0), CheckinRefused.CLOSED),
    ],
)
def test_a_refused_check_in_changes_nothing(session, member, scanned, checked, reason):
    with refusal(reason):
        attendance_check_in(session=session, member=member, token=token_at(session, scanned),
                            at=checked)

    assert not Attendance.objects.filter(session=session).exists()


def test_another_sessions_code_checks_in_to_neither(session, other_session, member):
    now = at(9, 0)
    with refusal(CheckinRefused.INVALID):
        attendance_check_in(session=session, member=member, token=token_at(other_session, now),
                            at=now)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("joined_on", "left_on"),
    [(dt.date(2020, 3, 16), None), (dt.date(2019, 1, 1), dt.date(2020, 3, 15))],
)
def test_a_member_not_in_the_group_on_the_day_is_refused(session, group, joined_on, left_on):
    newcomer = MemberFactory(group=group, joined_on=joined_on, left_on=left_on)
    now = at(9, 0)

    with refusal(CheckinRefused.NOT_A_MEMBER):
        attendance_check_in(session=session, member=newcomer, token=token_at(session, now),
                            at=now)
    assert not Attendance.objects.exists()


def test_a_member_of_another_group_is_refused(session, outsider):
    now = at(9, 0)
    with refusal(CheckinRefused.NOT_A_MEMBER):
        attendance_check_in(session=session, member=outsider, token=token_at(session, now),
                            at=now)
    assert not Attendance.objects.exists()


# --- Pages ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def english(client, settings):
    """The pages in English: the tests read their words (the Chinese are the catalogue's)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def now(time_machine, session):
    """08:56:10 on the session's day: check-in is open."""
    time_machine.move_to(at(8, 56, 10), tick=False)
    return time_machine


def url(name: str, session: StudySession, **kwargs) -> str:
    return reverse(
        f"sessions_app:{name}",
        kwargs={"group_slug": session.group.slug, "pk": session.pk, **kwargs},
    )


def scan_url(session: StudySession, moment: dt.datetime) -> str:
    return url("checkin", session, token=token_at(session, moment))


def test_the_projector_shows_the_current_code_as_svg(client_for, session, secretary, now):
    response = client_for(secretary).get(url("checkin_open", session))

    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<div id="checkin-qr"[^>]*><svg viewBox', body)
    assert checkin_path(session, at=at(8, 56, 10)) in body
    assert "js/checkin.js" in body
    assert "0 members have checked in." in body


@pytest.mark.parametrize("extra_members", [0, 30])
def test_the_projector_and_its_code_ask_the_same_queries_for_few_or_many(
    client_for, session, secretary, now, django_assert_num_queries, extra_members
):
    for member in MemberFactory.create_batch(extra_members, group=session.group):
        AttendanceFactory(session=session, member=member, checked_in_at=at(8, 50))
    client = client_for(secretary)
    client.get(url("checkin_open", session))  # the session row is made; the next are alike

    with django_assert_num_queries(8):
        client.get(url("checkin_open", session))
    with django_assert_num_queries(8):
        code = client.get(url("checkin_code", session)).json()
    assert code["checked_in"] == extra_members


def test_the_code_endpoint_gives_the_next_code_when_the_step_changes(
    client_for, session, secretary, now
):
    client = client_for(secretary)
    first = client.get(url("checkin_code", session)).json()
    now.shift(30)
    second = client.get(url("checkin_code", session)).json()

    assert first["open"] and second["open"]
    assert first["url"] != second["url"]
    assert first["svg"].startswith("<svg") and 0 < first["refresh_ms"] <= 30_200
    assert first["url"].endswith(checkin_path(session, at=at(8, 56, 10)))


def test_the_projector_says_when_check_in_opens(client_for, session, secretary, time_machine):
    time_machine.move_to(at(8, 0), tick=False)

    response = client_for(secretary).get(url("checkin_open", session))

    body = response.content.decode()
    assert "opens at 08:30" in body
    assert "<svg" not in body


def test_the_projector_asks_for_the_times_of_a_session_without_them(
    client_for, session, secretary, now
):
    StudySession.objects.filter(pk=session.pk).update(end_time=None)

    response = client_for(secretary).get(url("checkin_open", session))

    body = response.content.decode()
    assert "start and end time" in body
    assert url("session_edit", session) in body
    assert client_for(secretary).get(url("checkin_code", session)).json()["open"] is False


def test_a_member_cannot_open_check_in(client_for, session, member, now):
    client = client_for(member)
    assert client.get(url("checkin_open", session)).status_code == 403
    assert client.get(url("checkin_code", session)).status_code == 403


def test_another_groups_secretary_gets_404(client_for, session, outsider, now):
    client = client_for(outsider)
    assert client.get(url("checkin_open", session)).status_code == 404
    assert client.get(scan_url(session, at(8, 56, 10))).status_code == 404
    assert not Attendance.objects.exists()


def test_the_session_page_offers_check_in_to_the_secretary_only(
    client_for, session, secretary, member, now
):
    open_url = url("checkin_open", session)
    assert open_url in client_for(secretary).get(url("session_detail", session)).content.decode()
    assert open_url not in client_for(member).get(url("session_detail", session)).content.decode()


def test_a_member_opening_the_code_is_marked_present(client_for, session, member, now):
    response = client_for(member).get(scan_url(session, at(8, 56, 10)))

    assert response.status_code == 200
    assert "You checked in at 08:56: present." in response.content.decode()
    row = Attendance.objects.get(session=session, member=member)
    assert (row.status, row.checked_in_at) == ("present", at(8, 56, 10))


@pytest.mark.parametrize("extra_members", [0, 30])
def test_a_check_in_asks_the_same_queries_for_few_or_many(
    client_for, session, member, now, django_assert_num_queries, extra_members
):
    MemberFactory.create_batch(extra_members, group=session.group)
    client = client_for(member)
    client.get(url("session_detail", session))

    with django_assert_num_queries(15):
        client.get(scan_url(session, at(8, 56, 10)))


def test_a_replayed_code_is_refused_with_a_message_and_changes_nothing(
    client_for, session, member, now
):
    response = client_for(member).get(scan_url(session, at(8, 55)))

    assert response.status_code == 400
    assert "This code has expired" in response.content.decode()
    assert not Attendance.objects.exists()


def test_another_sessions_code_is_refused_on_the_page(
    client_for, session, other_session, member, now
):
    wrong = url("checkin", session, token=token_at(other_session, at(8, 56, 10)))

    response = client_for(member).get(wrong)

    assert response.status_code == 400
    assert "not this session's check-in code" in html.unescape(response.content.decode())
    assert not Attendance.objects.exists()


def test_a_second_visit_says_the_first_check_in_stands(client_for, session, member, now):
    client = client_for(member)
    client.get(scan_url(session, at(8, 56, 10)))
    now.shift(60 * 10)

    response = client.get(scan_url(session, at(9, 6, 10)))

    assert "already checked in at 08:56" in response.content.decode()
    assert Attendance.objects.get(member=member).status == "present"


def test_signing_in_first_still_counts_from_the_scan(client, session, member, now):
    scan = scan_url(session, at(8, 56, 10))

    first = client.get(scan)
    assert first.status_code == 302
    assert first["Location"] == f"{reverse('login')}?next={scan}"
    now.shift(3 * 60)  # typing the password: the code has expired meanwhile
    login = client.post(f"{reverse('login')}?next={scan}",
                        {"username": member.user.username, "password": "test-pass-123",
                         "next": scan})
    assert login["Location"] == scan
    back = client.get(scan)

    assert back.status_code == 200
    row = Attendance.objects.get(session=session, member=member)
    assert (row.status, row.checked_in_at) == ("present", at(8, 56, 10))


def test_the_attendance_form_shows_who_checked_in_and_keeps_it_when_corrected(
    client_for, session, secretary, member, now
):
    client_for(member).get(scan_url(session, at(8, 56, 10)))
    now.shift(2 * 60 * 60)  # after the session, the secretary goes through the attendance
    client = client_for(secretary)

    form = client.get(url("session_edit", session)).content.decode()
    assert "checked in at 08:56" in form
    version = re.search(r'name="record_version" value="([^"]*)"', form)

    data = {
        "date": "2020-03-15", "start_time": "09:00", "end_time": "11:00", "place": "会议室",
        "format": "topic_study", "topic": session.topic,
        f"m{member.pk}-status": "late", f"m{secretary.pk}-status": "present",
    }
    if version:
        data["record_version"] = version.group(1)
    saved = client.post(url("session_edit", session), data)

    assert saved.status_code == 302
    row = Attendance.objects.get(session=session, member=member)
    assert (row.status, row.checked_in_at) == ("late", at(8, 56, 10))
    assert [h.status for h in row.history.order_by("history_date")] == ["present", "late"]
    assert row.history.latest("history_date").history_user == secretary.user


def test_a_check_in_after_the_form_was_opened_is_not_overwritten(
    client_for, session, secretary, member, now
):
    # Set up that morning (the fixture made it at the real today, after the frozen clock's).
    StudySession.objects.filter(pk=session.pk).update(updated_at=at(8, 0))
    phone = Client()
    phone.force_login(member.user)
    client = client_for(secretary)
    form = client.get(url("session_edit", session)).content.decode()
    version = re.search(r'name="record_version" value="([^"]*)"', form).group(1)
    now.shift(5)
    phone.get(scan_url(session, at(8, 56, 15)))  # the member comes and scans
    data = {
        "date": "2020-03-15", "start_time": "09:00", "end_time": "11:00", "place": "会议室",
        "format": "topic_study", "topic": session.topic,
        f"m{member.pk}-status": "absent", f"m{secretary.pk}-status": "present",
        "record_version": version,
    }

    refused = client.post(url("session_edit", session), data)

    # The secretary's form, opened before the scan, would have marked them absent.
    assert refused.status_code == 409
    assert member.display_name in refused.content.decode()
    row = Attendance.objects.get(session=session, member=member)
    assert (row.status, row.checked_in_at) == ("present", at(8, 56, 15))
    again = re.search(r'name="record_version" value="([^"]*)"', refused.content.decode())
    data["record_version"] = again.group(1)
    assert client.post(url("session_edit", session), data).status_code == 302  # deliberate
    assert Attendance.objects.get(session=session, member=member).status == "absent"


def test_the_group_sets_its_grace_on_the_rules_page(client_for, group, secretary):
    response = client_for(secretary).post(
        reverse("sessions_app:group_rules", args=[group.slug]),
        {"rule_sessions_per_quarter": "1", "rule_attendance_rate": "90.0",
         "rule_essays_per_member_year": "1", "checkin_grace_minutes": "15",
         "makeup_due_days": "14", "notice_days_ahead": "3", "originality_threshold": "50"},
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.checkin_grace_minutes == 15


def test_a_grace_over_an_hour_is_refused_and_nothing_changes(client_for, group, secretary):
    response = client_for(secretary).post(
        reverse("sessions_app:group_rules", args=[group.slug]),
        {"rule_sessions_per_quarter": "1", "rule_attendance_rate": "90.0",
         "rule_essays_per_member_year": "1", "checkin_grace_minutes": "61",
         "makeup_due_days": "14", "notice_days_ahead": "3", "originality_threshold": "50"},
    )

    assert response.status_code == 200
    group.refresh_from_db()
    assert group.checkin_grace_minutes == 5



def test_a_member_ticked_on_leave_who_checks_in_owes_no_make_up(db):
    """The 补学 duty that 请假 opened is cancelled when the member checks in after all
    (sessions_app.services.makeup.makeup_duties_follow), and kept in the record."""
    import datetime as dt

    from django.utils import timezone

    from sessions_app.checkin import checkin_token, time_step
    from sessions_app.models import Attendance, MakeupDuty
    from sessions_app.services.checkin import attendance_check_in
    from sessions_app.services.sessions import attendance_mark_leave
    from tests.factories import MemberFactory, StudySessionFactory

    session = StudySessionFactory(
        date=dt.date(2020, 3, 15), start_time=dt.time(9, 0), end_time=dt.time(11, 0)
    )
    member = MemberFactory(group=session.group)
    attendance_mark_leave(session=session, member=member, reason="出差", actor=member.user)
    assert MakeupDuty.objects.get().status == MakeupDuty.Status.OPEN
    at = timezone.make_aware(dt.datetime(2020, 3, 15, 8, 55))
    attendance_check_in(
        session=session,
        member=member,
        token=checkin_token(session_id=session.pk, step=time_step(at)),
        at=at,
    )
    assert Attendance.objects.get().status == Attendance.Status.PRESENT
    assert MakeupDuty.objects.get().status == MakeupDuty.Status.CANCELLED
