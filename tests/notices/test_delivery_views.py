"""The reminders' pages through the client: a member's messages and settings, the secretary's
record of what was sent or failed, and the group's robots."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notices.delivery_models import Channel, Delivery, GroupRobots, ReminderPreference
from notices.services.delivery import deliveries_decide_due, delivery_send, group_robots_update
from tests.factories import MemberFactory
from tests.notices.helpers import SESSION_DAY, at, session_with_notice

pytestmark = pytest.mark.django_db

NOTICE_TIME = at(SESSION_DAY - dt.timedelta(days=3), 9)


def url(name, group, *args):
    return reverse(f"notices:{name}", args=[group.slug, *args])


def test_a_member_reads_a_notice_from_the_dashboard_and_it_is_marked_read(
    client_for, group, term, member
):
    session_with_notice(group=group, term=term)
    deliveries_decide_due(now=NOTICE_TIME)
    client = client_for(member)

    dashboard = client.get(reverse("sessions_app:dashboard", args=[group.slug])).content.decode()
    assert "您有1条新消息" in dashboard
    inbox = client.get(url("inbox", group)).content.decode()
    assert "学习通知：学习贯彻党的二十大精神" in inbox and "新增" in inbox
    message = Delivery.objects.get(member=member, channel=Channel.IN_APP)

    page = client.get(url("inbox_message", group, message.pk)).content.decode()

    assert "请阅读学习通知并确认已阅" in page
    assert f'href="/g/{group.slug}/sessions/' in page
    message.refresh_from_db()
    assert message.read_at is not None
    dashboard = client.get(reverse("sessions_app:dashboard", args=[group.slug])).content.decode()
    assert "新消息" not in dashboard


def test_an_empty_inbox_says_what_comes_there(client_for, group, member):
    page = client_for(member).get(url("inbox", group)).content.decode()
    assert "暂无消息" in page


def test_another_members_message_is_not_found(client_for, group, term, member, secretary):
    session_with_notice(group=group, term=term)
    deliveries_decide_due(now=NOTICE_TIME)
    theirs = Delivery.objects.get(member=secretary, channel=Channel.IN_APP)

    response = client_for(member).get(url("inbox_message", group, theirs.pk))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_member_turns_off_email_and_the_next_notice_comes_in_the_app_only(
    client_for, group, term, member
):
    member.user.email = "zhang@example.org"
    member.user.save()
    client = client_for(member)

    response = client.post(url("reminder_settings", group), {"language": "zh-hans"}, follow=True)

    assert "已保存：提醒只在应用内发送，不再发送电子邮件。" in response.content.decode()
    assert ReminderPreference.objects.get(user=member.user).email_enabled is False
    session_with_notice(group=group, term=term)
    deliveries_decide_due(now=NOTICE_TIME)
    assert list(Delivery.objects.filter(member=member).values_list("channel", flat=True)) == [
        Channel.IN_APP
    ]


def test_settings_say_when_the_account_has_no_email(client_for, group, member):
    page = client_for(member).get(url("reminder_settings", group)).content.decode()
    assert "您的账号没有电子邮件地址" in page


def test_an_unknown_language_is_refused_and_nothing_is_saved(client_for, group, member):
    response = client_for(member).post(
        url("reminder_settings", group), {"email_enabled": "on", "language": "fr"}
    )
    assert response.status_code == 200
    assert "fr" in response.content.decode()  # the choice's error names it
    assert not ReminderPreference.objects.exists()


def test_the_secretary_sets_the_robots_and_an_address_elsewhere_is_refused(
    client_for, group, secretary, settings
):
    settings.ROBOT_WEBHOOK_ALLOW_HTTP = False
    settings.ROBOT_WEBHOOK_HOSTS = ["qyapi.weixin.qq.com", "oapi.dingtalk.com"]
    client = client_for(secretary)

    refused = client.post(url("group_robots", group), {
        "wecom_webhook": "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        "dingtalk_webhook": "https://192.168.1.10/robot/send?access_token=t",
    })

    page = refused.content.decode()
    assert "Webhook 地址必须以 https:// 开头。" in page
    assert "Webhook 地址必须位于 qyapi.weixin.qq.com, oapi.dingtalk.com。" in page
    assert not GroupRobots.objects.exists()

    saved = client.post(url("group_robots", group), {
        "wecom_webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        "dingtalk_webhook": "https://oapi.dingtalk.com/robot/send?access_token=t",
        "dingtalk_secret": "SECsecret",
    }, follow=True)

    assert "群机器人已保存" in saved.content.decode()
    robots = GroupRobots.objects.get(group=group)
    assert robots.dingtalk_secret == "SECsecret"
    form = client.get(url("group_robots", group)).content.decode()
    assert "SECsecret" not in form and "已保存钉钉加签密钥。" in form


def test_the_secretary_sees_a_failed_reminder_with_its_error(
    client_for, group, term, secretary, robot_server, settings
):
    settings.REMINDER_MAX_RETRIES = 0
    dingtalk = robot_server("dingtalk", secret="SECright")
    group_robots_update(group=group, actor=None, wecom_webhook="", dingtalk_webhook=dingtalk.url,
                        dingtalk_secret="SECwrong")
    session_with_notice(group=group, term=term)
    [pk] = deliveries_decide_due(now=NOTICE_TIME)
    delivery_send(delivery_id=pk, now=NOTICE_TIME)

    page = client_for(secretary).get(url("deliveries", group)).content.decode()

    assert "errcode 310000: sign not match" in page
    assert "钉钉群机器人" in page and "本组群聊" in page


def test_a_member_cannot_see_the_secretarys_reminders_page(client_for, group, member):
    assert client_for(member).get(url("deliveries", group)).status_code == 403
    assert client_for(member).get(url("group_robots", group)).status_code == 403


def grow(group, term, n):
    """n more members, each with a notice and a sent e-mail."""
    for _ in range(n):
        person = MemberFactory(group=group, user__email="x@example.org")
        session, _notice = session_with_notice(group=group, term=term)
        for pk in deliveries_decide_due(now=NOTICE_TIME):
            delivery_send(delivery_id=pk, now=NOTICE_TIME)
        Delivery.objects.filter(member=person, channel=Channel.EMAIL).update(
            status=Delivery.Status.FAILED, error="HTTP 500"
        )


@pytest.mark.parametrize("name", ["inbox", "deliveries"])
def test_the_pages_query_count_does_not_grow(client_for, group, term, secretary, name):
    client = client_for(secretary)
    grow(group, term, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(name, group)).status_code == 200
    grow(group, term, 6)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url(name, group)).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_until_chosen_the_reminders_language_is_the_one_the_member_reads_the_app_in(
    client_for, group, member, settings
):
    client = client_for(member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(url("reminder_settings", group)).content.decode()

    assert '<option value="en" selected>' in page
