"""The reminders' services: what a scan decides (once), and sending it (once, retried)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from notices.delivery_models import Channel, Delivery, DeliveryKind, GroupRobots
from notices.dispatch import sources
from notices.dispatch.channels import dingtalk_sign, webhook_problem
from notices.models import NoticeRead
from notices.services.delivery import (
    INTERRUPTED,
    deliveries_decide_due,
    deliveries_scan,
    delivery_send,
    group_robots_update,
    reminder_preference_update,
)
from sessions_app.models import Attendance, ReflectionEssay
from tests.factories import AttendanceFactory, MemberFactory, ReflectionEssayFactory
from tests.notices.helpers import SESSION_DAY, at, session_with_notice

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def rows(**filters):
    return list(Delivery.objects.filter(**filters).order_by("pk"))


def keys(**filters):
    return sorted(
        (d.kind, d.member.display_name if d.member else "group", d.channel)
        for d in Delivery.objects.filter(**filters).select_related("member")
    )


@pytest.fixture
def people(group, secretary, member):
    secretary.user.email = "wang@example.org"
    secretary.user.save()
    member.user.email = "zhang@example.org"
    member.user.save()
    return secretary, member


# --- the session notice ----------------------------------------------------------------------


def test_a_published_notice_reaches_each_member_in_the_app_and_by_email(group, term, people):
    secretary, member = people
    gone = MemberFactory(group=group, display_name="已离开", left_on=SESSION_DAY - 2 * DAY)
    late = MemberFactory(group=group, display_name="后加入", joined_on=SESSION_DAY + DAY)
    session, _notice = session_with_notice(group=group, term=term)

    pending = deliveries_decide_due(now=at(SESSION_DAY - 3 * DAY, 9))

    assert keys(kind=DeliveryKind.NOTICE) == sorted([
        (DeliveryKind.NOTICE, "王秘书", Channel.IN_APP),
        (DeliveryKind.NOTICE, "王秘书", Channel.EMAIL),
        (DeliveryKind.NOTICE, "张成员", Channel.IN_APP),
        (DeliveryKind.NOTICE, "张成员", Channel.EMAIL),
    ])
    assert not Delivery.objects.filter(member__in=[gone, late]).exists()
    # In-app messages are delivered by being written; e-mails wait to be sent.
    assert sorted(pending) == [d.pk for d in rows(channel=Channel.EMAIL)]
    assert {d.status for d in rows(channel=Channel.IN_APP)} == {Delivery.Status.SENT}
    message = rows(member=member, channel=Channel.IN_APP)[0]
    assert message.title == "学习通知：学习贯彻党的二十大精神"
    assert "2020年3月16日 09:00" in message.body
    assert message.link == f"/g/{group.slug}/notices/{session.pk}/"


def test_a_notice_not_yet_published_sends_nothing(group, term, people):
    session_with_notice(group=group, term=term, publish_days_before=3)

    assert deliveries_decide_due(now=at(SESSION_DAY - 4 * DAY, 9)) == []
    assert not Delivery.objects.exists()


def test_a_second_scan_decides_nothing_again(group, term, people):
    session_with_notice(group=group, term=term)
    deliveries_decide_due(now=at(SESSION_DAY - 3 * DAY, 9))
    before = Delivery.objects.count()

    assert deliveries_decide_due(now=at(SESSION_DAY - 3 * DAY, 9) + dt.timedelta(minutes=5)) == []
    assert Delivery.objects.count() == before


def test_a_scan_racing_another_gets_none_of_the_rows_the_other_wrote(
    group, term, people, monkeypatch
):
    """Two scans that both read "not decided yet" (a concurrent scan): the sent-log's unique
    constraint keeps the first one's rows, and the second is handed none to send."""
    session_with_notice(group=group, term=term)
    first = deliveries_decide_due(now=at(SESSION_DAY - 3 * DAY, 9))
    monkeypatch.setattr(sources.Scan, "decided", lambda self, kinds, ids: set())

    second = deliveries_decide_due(now=at(SESSION_DAY - 3 * DAY, 9))

    assert len(first) == 2 and second == []
    assert Delivery.objects.count() == 4


def test_the_day_before_those_who_have_not_read_it_are_reminded(group, term, people):
    secretary, member = people
    session, notice = session_with_notice(group=group, term=term)
    NoticeRead.objects.create(notice=notice, member=secretary, read_at=at(SESSION_DAY - 2 * DAY))

    deliveries_decide_due(now=at(SESSION_DAY - 2 * DAY, 9))
    assert not Delivery.objects.filter(kind=DeliveryKind.NOTICE_UNREAD).exists()
    deliveries_decide_due(now=at(SESSION_DAY - DAY, 9))

    assert keys(kind=DeliveryKind.NOTICE_UNREAD) == sorted([
        (DeliveryKind.NOTICE_UNREAD, "张成员", Channel.IN_APP),
        (DeliveryKind.NOTICE_UNREAD, "张成员", Channel.EMAIL),
    ])


def test_a_member_who_turned_off_email_still_gets_the_app_message_in_their_language(
    group, term, people
):
    _secretary, member = people
    reminder_preference_update(user=member.user, email_enabled=False, language="en")
    session_with_notice(group=group, term=term)

    deliveries_decide_due(now=at(SESSION_DAY - 3 * DAY, 9))

    mine = rows(member=member)
    assert [d.channel for d in mine] == [Channel.IN_APP]
    assert mine[0].title == "Notice of study: 学习贯彻党的二十大精神"
    assert "March 16, 2020 09:00" in mine[0].body


def test_a_member_without_an_address_gets_no_email(group, term, secretary, member):
    session_with_notice(group=group, term=term)

    deliveries_decide_due(now=at(SESSION_DAY - 3 * DAY, 9))

    assert {d.channel for d in rows()} == {Channel.IN_APP}


# --- essays ----------------------------------------------------------------------------------


def essay_session(group, term, due_on):
    session, _notice = session_with_notice(group=group, term=term)
    session.essay_due_on = due_on
    session.save()
    return session


def test_essay_reminders_go_two_days_before_to_those_who_have_not_written(
    group, term, secretary, leader, member
):
    session = essay_session(group, term, due_on=SESSION_DAY + 10 * DAY)
    ReflectionEssayFactory(group=group, author=leader, session=session)
    ReflectionEssayFactory(group=group, author=secretary, session=session,
                           status=ReflectionEssay.Status.RETURNED)
    due = session.essay_due_on

    deliveries_decide_due(now=at(due - 3 * DAY))
    assert not Delivery.objects.filter(kind=DeliveryKind.ESSAY_DUE).exists()
    deliveries_decide_due(now=at(due - 2 * DAY))

    # A returned essay does not count: the secretary still owes one.
    assert keys(kind=DeliveryKind.ESSAY_DUE) == sorted([
        (DeliveryKind.ESSAY_DUE, "张成员", Channel.IN_APP),
        (DeliveryKind.ESSAY_DUE, "王秘书", Channel.IN_APP),
    ])
    message = rows(kind=DeliveryKind.ESSAY_DUE, member=member)[0]
    assert message.title == "心得体会将于2020年3月26日截止"


def test_an_overdue_essay_is_reminded_of_once_after_the_due_day(group, term, member):
    session = essay_session(group, term, due_on=SESSION_DAY + 10 * DAY)
    due = session.essay_due_on

    deliveries_decide_due(now=at(due))
    deliveries_decide_due(now=at(due + DAY))
    deliveries_decide_due(now=at(due + 2 * DAY))

    assert keys(member=member, kind__startswith="essay") == [
        (DeliveryKind.ESSAY_DUE, "张成员", Channel.IN_APP),
        (DeliveryKind.ESSAY_OVERDUE, "张成员", Channel.IN_APP),
    ]


def test_a_member_who_has_left_is_not_reminded_of_an_essay(group, term, member):
    session = essay_session(group, term, due_on=SESSION_DAY + 10 * DAY)
    member.left_on = session.essay_due_on - 5 * DAY
    member.save()

    deliveries_decide_due(now=at(session.essay_due_on - DAY))

    assert not Delivery.objects.filter(member=member).exclude(kind__startswith="notice").exists()


# --- attendance ------------------------------------------------------------------------------


def attendance(group, term, member, statuses):
    from tests.factories import StudySessionFactory

    for i, status in enumerate(statuses):
        session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 2, 1 + i))
        AttendanceFactory(session=session, member=member, status=status)


def test_a_member_below_the_rule_and_their_secretary_are_warned_once_a_term(
    group, term, secretary, leader, member
):
    group.rule_attendance_rate = Decimal("90.0")
    group.save()
    present, absent = Attendance.Status.PRESENT, Attendance.Status.ABSENT
    attendance(group, term, member, [present] * 8 + [absent] * 2)  # 80.0%
    attendance(group, term, leader, [present] * 9 + [absent])  # 90.0%: meets the rule

    deliveries_decide_due(now=at(dt.date(2020, 3, 1)))
    deliveries_decide_due(now=at(dt.date(2020, 3, 2)))

    assert keys(kind__startswith="attendance") == sorted([
        (DeliveryKind.ATTENDANCE_LOW, "张成员", Channel.IN_APP),
        (DeliveryKind.ATTENDANCE_LOW_SECRETARY, "王秘书", Channel.IN_APP),
    ])
    to_member = rows(kind=DeliveryKind.ATTENDANCE_LOW)[0]
    assert "80.0%" in to_member.body and "90.0%" in to_member.body
    about = rows(kind=DeliveryKind.ATTENDANCE_LOW_SECRETARY)[0]
    assert about.about_id == member.pk
    assert about.title == "张成员的出勤率低于本组规定"


# --- robots ----------------------------------------------------------------------------------


def test_robots_get_one_message_per_notice_per_group_channel(group, term, people, robot_server):
    wecom, dingtalk = robot_server("wecom"), robot_server("dingtalk", secret="SECabc")
    group_robots_update(group=group, actor=None, wecom_webhook=wecom.url,
                        dingtalk_webhook=dingtalk.url, dingtalk_secret="SECabc")
    session_with_notice(group=group, term=term)

    pending = deliveries_decide_due(now=at(SESSION_DAY - 3 * DAY, 9))
    for pk in pending:
        assert delivery_send(delivery_id=pk).sent

    assert keys(member__isnull=True) == [
        (DeliveryKind.NOTICE, "group", Channel.DINGTALK),
        (DeliveryKind.NOTICE, "group", Channel.WECOM),
    ]
    assert (wecom.count, dingtalk.count, wecom.problems, dingtalk.problems) == (1, 1, [], [])
    content = wecom.requests[0]["payload"]["markdown"]["content"]
    assert content.startswith("**学习通知：学习贯彻党的二十大精神**")
    assert "[在应用中打开](https://study.example.org/g/sample/notices/" in content
    title = dingtalk.requests[0]["payload"]["markdown"]["title"]
    assert title == "学习通知：学习贯彻党的二十大精神"
    assert len(mail.outbox) == 2


def test_a_wrong_dingtalk_secret_is_retried_three_times_with_backoff_then_shown_as_failed(
    group, term, secretary, robot_server, settings
):
    settings.REMINDER_RETRY_BACKOFF = 60
    dingtalk = robot_server("dingtalk", secret="SECright")
    group_robots_update(group=group, actor=None, wecom_webhook="",
                        dingtalk_webhook=dingtalk.url, dingtalk_secret="SECwrong")
    session_with_notice(group=group, term=term)
    now = at(SESSION_DAY - 3 * DAY, 9)
    [pk] = deliveries_decide_due(now=now)

    first = delivery_send(delivery_id=pk, now=now)
    row = Delivery.objects.get(pk=pk)
    assert (first.sent, first.retry_in, row.status) == (False, 60, Delivery.Status.PENDING)
    assert row.error == "errcode 310000: sign not match"
    # Not before its time.
    assert not delivery_send(delivery_id=pk, now=now).sent and dingtalk.count == 1

    # Three retries, each after twice the wait of the one before; then it has failed.
    waits = []
    for _retry in range(3):
        outcome = delivery_send(delivery_id=pk, now=Delivery.objects.get(pk=pk).next_attempt_at)
        waits.append(outcome.retry_in)

    row.refresh_from_db()
    assert waits == [120, 240, None]
    assert (row.status, row.attempts, dingtalk.count) == (Delivery.Status.FAILED, 4, 4)


def test_a_robot_down_at_first_gets_the_message_on_the_retry(group, term, secretary, robot_server):
    wecom = robot_server("wecom", fail_first=1)
    group_robots_update(group=group, actor=None, wecom_webhook=wecom.url, dingtalk_webhook="",
                        dingtalk_secret=None)
    session_with_notice(group=group, term=term)
    now = at(SESSION_DAY - 3 * DAY, 9)
    [pk] = deliveries_decide_due(now=now)

    assert delivery_send(delivery_id=pk, now=now).retry_in
    assert Delivery.objects.get(pk=pk).error == "HTTP 500"
    assert delivery_send(delivery_id=pk, now=now + dt.timedelta(minutes=2)).sent
    assert Delivery.objects.get(pk=pk).status == Delivery.Status.SENT
    assert wecom.count == 2


# --- sent once -------------------------------------------------------------------------------


def test_a_message_sent_is_not_sent_again_by_a_second_delivery(group, term, people):
    session_with_notice(group=group, term=term)
    now = at(SESSION_DAY - 3 * DAY, 9)
    pending = deliveries_decide_due(now=now)

    for _ in range(2):
        for pk in pending:
            delivery_send(delivery_id=pk, now=now)

    assert len(mail.outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["wang@example.org", "zhang@example.org"]
    assert "https://study.example.org/g/sample/notices/" in mail.outbox[0].body


def test_an_interrupted_send_is_marked_failed_and_never_resent(
    group, term, people, settings
):
    session_with_notice(group=group, term=term)
    now = at(SESSION_DAY - 3 * DAY, 9)
    pk = deliveries_decide_due(now=now)[0]
    # A worker claimed it and died (killed) before recording the outcome.
    Delivery.objects.filter(pk=pk).update(status=Delivery.Status.SENDING, claimed_at=now,
                                          attempts=1)

    assert not delivery_send(delivery_id=pk, now=now).sent
    later = now + dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    again = deliveries_scan(now=later)

    row = Delivery.objects.get(pk=pk)
    assert (row.status, row.error) == (Delivery.Status.FAILED, INTERRUPTED)
    assert pk not in again
    assert not delivery_send(delivery_id=pk, now=later).sent
    assert len(mail.outbox) == 0


def test_a_pending_message_whose_task_was_lost_is_queued_again_by_the_scan(group, term, people):
    session_with_notice(group=group, term=term)
    now = at(SESSION_DAY - 3 * DAY, 9)
    pending = deliveries_decide_due(now=now)

    assert deliveries_scan(now=now + dt.timedelta(minutes=1)) == []
    assert sorted(deliveries_scan(now=now + dt.timedelta(minutes=3))) == sorted(pending)


# --- channels' rules -------------------------------------------------------------------------


def test_webhooks_must_be_https_on_the_robots_hosts(settings):
    settings.ROBOT_WEBHOOK_ALLOW_HTTP = False
    settings.ROBOT_WEBHOOK_HOSTS = ["qyapi.weixin.qq.com", "oapi.dingtalk.com"]

    assert webhook_problem("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k") is None
    assert webhook_problem("https://oapi.dingtalk.com/robot/send?access_token=t") is None
    assert webhook_problem("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")
    assert webhook_problem("https://10.0.0.5/robot/send")
    assert webhook_problem("https://oapi.dingtalk.com.evil.example/robot/send")


def test_dingtalk_signature_is_the_documented_hmac_sha256_base64_urlencoded():
    # DingTalk's documentation: sign = urlencode(base64(hmac_sha256(secret, "ts\nsecret"))).
    sign = dingtalk_sign(secret="SEC000", timestamp_ms=1577836800000)
    assert sign == "sLtiQUMv1vBmuenplUukSZ%2BQlhX%2Fgyh%2FF0ARoP5z%2BTM%3D"


def test_robots_settings_refuse_an_address_outside_the_robots_hosts(group, settings):
    settings.ROBOT_WEBHOOK_ALLOW_HTTP = False
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        group_robots_update(group=group, actor=None, wecom_webhook="https://intranet.local/x",
                            dingtalk_webhook="", dingtalk_secret=None)
    assert "wecom_webhook" in refused.value.message_dict
    assert not GroupRobots.objects.exists()


def test_clearing_the_dingtalk_webhook_clears_its_secret_and_a_blank_secret_keeps_it(group):
    url = "https://oapi.dingtalk.com/robot/send?access_token=t"
    group_robots_update(group=group, actor=None, wecom_webhook="", dingtalk_webhook=url,
                        dingtalk_secret="SEC1")
    robots = group_robots_update(group=group, actor=None, wecom_webhook="",
                                 dingtalk_webhook=url, dingtalk_secret=None)
    assert robots.dingtalk_secret == "SEC1"
    robots = group_robots_update(group=group, actor=None, wecom_webhook="", dingtalk_webhook="",
                                 dingtalk_secret=None)
    assert robots.dingtalk_secret == ""


def test_a_deactivated_account_is_sent_nothing(group, term, people):
    _secretary, member = people
    member.user.is_active = False
    member.user.save()
    session_with_notice(group=group, term=term)

    deliveries_decide_due(now=at(SESSION_DAY - 3 * DAY, 9))

    assert not Delivery.objects.filter(member=member).exists()
    assert Delivery.objects.filter(channel=Channel.IN_APP).count() == 1
