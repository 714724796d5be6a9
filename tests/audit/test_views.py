"""The group's audit log page: its managers read their own group's events, nobody else does."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.selectors import audit_events_page_for_group
from audit.services import audit_record
from tests.factories import StudySessionFactory

Action = AuditEvent.Action


def log_url(group):
    return reverse("audit:log", args=[group.slug])


def record_deletions(group, member, n):
    for i in range(n):
        audit_record(
            action=Action.DELETED,
            actor=member.user,
            actor_name=member.display_name,
            group_id=group.pk,
            obj=StudySessionFactory(group=group, topic=f"专题{i}"),
        )


def test_audit_log_url_is_the_groups_audit_path(group):
    assert log_url(group) == "/g/sample/audit/"


@pytest.mark.parametrize("who", ["secretary", "leader", "deputy"])
def test_managers_read_their_groups_log(request, client_for, group, secretary, who):
    manager = request.getfixturevalue(who)
    record_deletions(group, secretary, 2)
    response = client_for(manager).get(log_url(group))
    assert response.status_code == 200
    shown = [(e.actor_name, e.action, e.object_repr) for e in response.context["page"].object_list]
    assert shown == [
        ("王秘书", Action.DELETED, "2020-03-15 专题1"),
        ("王秘书", Action.DELETED, "2020-03-15 专题0"),
    ]
    html = response.content.decode()
    assert "专题1" in html and "专题0" in html


def test_member_gets_403_and_the_refusal_is_logged(client_for, member, group):
    assert client_for(member).get(log_url(group)).status_code == 403
    assert AuditEvent.objects.filter(action=Action.PERMISSION_DENIED, group=group).exists()


def test_other_groups_secretary_gets_404(client_for, outsider, group):
    assert client_for(outsider).get(log_url(group)).status_code == 404


def test_anonymous_is_sent_to_log_in(client, group):
    response = client.get(log_url(group))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_page_shows_only_this_groups_events(client_for, secretary, outsider, group, other_group):
    record_deletions(group, secretary, 1)
    audit_record(
        action=Action.DELETED,
        actor=outsider.user,
        actor_name=outsider.display_name,
        group_id=other_group.pk,
        obj=StudySessionFactory(group=other_group, topic="外组专题"),
    )
    audit_record(action=Action.LOGIN_FAILED, actor_name="nobody-tried-this")

    response = client_for(secretary).get(log_url(group))
    page = response.context["page"]
    assert [e.object_repr for e in page.object_list] == ["2020-03-15 专题0"]
    html = response.content.decode()
    assert "专题0" in html
    assert "外组专题" not in html and "外组秘书" not in html
    assert "nobody-tried-this" not in html


def test_event_row_shows_who_what_and_when_in_chinese(client_for, secretary, group):
    record_deletions(group, secretary, 1)
    AuditEvent.objects.update(created_at=timezone.make_aware(dt.datetime(2020, 3, 5, 9, 7)))

    html = client_for(secretary).get(log_url(group)).content.decode()
    assert "2020年3月5日 09:07" in html
    assert "王秘书" in html
    assert "2020-03-15 专题0" in html


def test_event_row_in_english(client_for, secretary, group, settings):
    record_deletions(group, secretary, 1)
    client = client_for(secretary)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(log_url(group)).content.decode()
    assert "deleted" in html
    assert "study session: 2020-03-15 专题0" in html


def test_empty_log_says_so(client_for, secretary, group, settings):
    client = client_for(secretary)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(log_url(group)).content.decode()
    assert "Nothing has been recorded for this group yet." in html
    assert "<table" not in html


def test_log_is_paginated_newest_first(group, secretary):
    record_deletions(group, secretary, 3)
    first = audit_events_page_for_group(group_id=group.pk, page_number=1, per_page=2)
    second = audit_events_page_for_group(group_id=group.pk, page_number=2, per_page=2)
    assert [e.object_repr[-3:] for e in first.object_list] == ["专题2", "专题1"]
    assert [e.object_repr[-3:] for e in second.object_list] == ["专题0"]


def test_page_query_count_does_not_grow(
    client_for, secretary, group, django_assert_max_num_queries
):
    client = client_for(secretary)
    record_deletions(group, secretary, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(log_url(group)).status_code == 200
    record_deletions(group, secretary, 60)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(log_url(group) + "?page=2")
    assert len(response.context["page"].object_list) == 12


def test_selector_runs_two_queries_however_many_events(group, secretary, django_assert_num_queries):
    record_deletions(group, secretary, 3)
    with django_assert_num_queries(2):
        audit_events_page_for_group(group_id=group.pk, page_number=1)
    record_deletions(group, secretary, 60)
    with django_assert_num_queries(2):
        page = audit_events_page_for_group(group_id=group.pk, page_number=1)
    assert len(page.object_list) == 50


def test_dashboard_links_managers_to_the_log(client_for, secretary, member, group):
    assert (
        log_url(group)
        in client_for(secretary)
        .get(reverse("sessions_app:dashboard", args=[group.slug]))
        .content.decode()
    )
    assert (
        log_url(group)
        not in client_for(member)
        .get(reverse("sessions_app:dashboard", args=[group.slug]))
        .content.decode()
    )
