"""The calendar feed: what a phone reads, with no login; renewing stops the old address."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from notices.calendar import session_uid
from notices.models import CalendarFeed
from notices.services.calendar import calendar_feed_renew
from tests.factories import MemberFactory, StudySessionFactory, TermFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def feed_url(token):
    return reverse("calendar_feed", args=[token])


def events(response):
    calendar = Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_lists_the_users_groups_sessions_in_local_time_for_anyone_with_the_address(
    client, group, term, member, other_group
):
    timed = StudySessionFactory(
        group=group, term=term, date=dt.date(2020, 3, 15), start_time=dt.time(9, 0),
        end_time=dt.time(11, 30), place="县委常委会议室", topic="学习贯彻专题",
    )
    all_day = StudySessionFactory(
        group=group, term=term, date=dt.date(2020, 4, 2), start_time=None, place="",
        topic="读书班",
    )
    # Another group of the same user is in the feed; a group they are not in is not.
    second = MemberFactory(user=member.user, group=MemberFactory().group)
    theirs = StudySessionFactory(group=second.group, date=dt.date(2020, 5, 6), topic="第二组的学习")
    StudySessionFactory(group=other_group, date=dt.date(2020, 5, 7), topic="别组的学习")
    token = calendar_feed_renew(user=member.user).token

    response = client.get(feed_url(token))  # nobody is logged in

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response)
    assert set(found) == {session_uid(timed), session_uid(all_day), session_uid(theirs)}
    event = found[session_uid(timed)]
    assert event.decoded("dtstart") == dt.datetime(2020, 3, 15, 9, 0, tzinfo=SHANGHAI)
    assert event.decoded("dtend") == dt.datetime(2020, 3, 15, 11, 30, tzinfo=SHANGHAI)
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert str(event["summary"]) == "学习贯彻专题"
    assert str(event["location"]) == "县委常委会议室"
    assert group.name in str(event["description"])
    whole_day = found[session_uid(all_day)]
    assert whole_day.decoded("dtstart") == dt.date(2020, 4, 2)
    assert whole_day.decoded("dtend") == dt.date(2020, 4, 3)
    assert b"BEGIN:VTIMEZONE" in response.content and b"TZID:Asia/Shanghai" in response.content


def test_a_sessions_uid_stays_when_it_changes(client, group, term, member):
    session = StudySessionFactory(group=group, term=term, topic="原专题")
    token = calendar_feed_renew(user=member.user).token
    before = events(client.get(feed_url(token)))
    session.topic = "改后的专题"
    session.save()
    after = events(client.get(feed_url(token)))
    assert set(before) == set(after) == {session_uid(session)}
    assert str(after[session_uid(session)]["summary"]) == "改后的专题"


def test_a_wrong_or_renewed_address_is_404_and_so_is_a_deactivated_accounts(client, member):
    old = calendar_feed_renew(user=member.user).token
    assert client.get(feed_url("not-a-token")).status_code == 404
    new = calendar_feed_renew(user=member.user).token
    assert client.get(feed_url(old)).status_code == 404
    assert client.get(feed_url(new)).status_code == 200
    member.user.is_active = False
    member.user.save()
    assert client.get(feed_url(new)).status_code == 404


def test_a_member_who_has_left_no_longer_gets_the_groups_sessions(client, group, term, member):
    StudySessionFactory(group=group, term=term)
    token = calendar_feed_renew(user=member.user).token
    assert len(events(client.get(feed_url(token)))) == 1
    member.left_on = dt.date(2020, 6, 1)
    member.save()
    assert events(client.get(feed_url(token))) == {}


def test_the_feed_answers_in_two_queries_however_many_sessions_and_groups(
    client, group, term, member
):
    token = calendar_feed_renew(user=member.user).token
    counts = []
    for n in (2, 25):
        for i in range(n):
            StudySessionFactory(group=group, term=term, date=dt.date(2020, 1, 1) + dt.timedelta(i))
        other = MemberFactory(user=member.user)
        StudySessionFactory(group=other.group, term=TermFactory(group=other.group))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(feed_url(token)).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts == [2, 2]


def test_the_calendar_page_makes_and_renews_the_address(client_for, member):
    client = client_for(member)
    page = reverse("calendar")
    assert client.get(page).context["feed"] is None
    response = client.post(page, follow=True)
    first = CalendarFeed.objects.get(user=member.user).token
    assert feed_url(first) in response.content.decode()
    assert list(response.context["messages"])

    response = client.post(page, follow=True)
    renewed = CalendarFeed.objects.get(user=member.user).token
    assert renewed != first
    body = response.content.decode()
    assert feed_url(renewed) in body and feed_url(first) not in body
    assert "旧地址已失效" in str(list(response.context["messages"])[0])
    my_record = client.get(reverse("sessions_app:my_record", args=[member.group.slug]))
    assert page in my_record.content.decode()
