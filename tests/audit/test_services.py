import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent
from audit.services import audit_record
from tests.audit._events import stored_text
from tests.factories import StudySessionFactory, UserFactory


def test_event_records_who_when_what_and_where(group, secretary):
    session = StudySessionFactory(group=group, topic="学习民法典")
    request = RequestFactory().post("/x/", REMOTE_ADDR="10.1.2.3")
    before = timezone.now()

    event = audit_record(
        action=AuditEvent.Action.DELETED,
        actor=secretary.user,
        actor_name=secretary.display_name,
        group_id=group.pk,
        obj=session,
        request=request,
    )

    event.refresh_from_db()
    assert event.actor == secretary.user
    assert event.actor_name == "王秘书"
    assert event.group == group
    assert event.action == "deleted"
    assert event.object_type == "sessions_app.studysession"
    assert event.object_id == str(session.pk)
    assert event.object_repr == "2020-03-15 学习民法典"
    assert event.ip_address == "10.1.2.3"
    assert before <= event.created_at <= timezone.now()


def test_actor_name_defaults_to_the_user_name(secretary):
    event = audit_record(action=AuditEvent.Action.LOGIN, actor=secretary.user)
    assert event.actor_name == "secretary"


def test_anonymous_user_is_recorded_as_nobody(db):
    event = audit_record(action=AuditEvent.Action.PERMISSION_DENIED, actor=AnonymousUser())
    assert event.actor is None
    assert event.actor_name == ""


def test_details_naming_a_secret_are_left_out_at_any_depth(secretary):
    event = audit_record(
        action=AuditEvent.Action.LOGIN,
        actor=secretary.user,
        details={
            "password": "hunter2-pw",
            "csrf_token": "tok-9f3a",
            "session_key": "sess-77d1",
            "view": "audit:log",
            "nested": {"api_key": "key-51c0", "kept": 1},
        },
    )
    assert event.details == {"view": "audit:log", "nested": {"kept": 1}}
    text = stored_text(event)
    assert not any(v in text for v in ("hunter2-pw", "tok-9f3a", "sess-77d1", "key-51c0"))


def test_event_survives_its_users_deletion_and_still_says_who(db):
    # Only an account that no record names can be deleted (sessions_app.models, "People are
    # kept"): one that has only logged in, say.
    user = UserFactory(username="temp")
    event = audit_record(action=AuditEvent.Action.LOGIN, actor=user, actor_name="王临时")
    user.delete()
    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_name == "王临时"


def test_event_survives_its_groups_deletion(group, secretary):
    event = audit_record(action=AuditEvent.Action.DELETED, actor=secretary.user, group_id=group.pk)
    group.delete()
    event.refresh_from_db()
    assert event.group is None


def test_an_unknown_action_is_refused(secretary):
    with pytest.raises(ValueError):
        audit_record(action="renamed", actor=secretary.user)
    assert not AuditEvent.objects.exists()


def test_long_text_is_cut_to_the_column(secretary):
    event = audit_record(
        action=AuditEvent.Action.LOGIN_FAILED, actor_name="x" * 500, description="y" * 500
    )
    event.refresh_from_db()
    assert len(event.actor_name) == 150
    assert len(event.object_repr) == 300


def test_role_change_reads_in_the_readers_language(secretary):
    event = audit_record(
        action=AuditEvent.Action.ROLE_CHANGED,
        actor=secretary.user,
        details={"role_from": "member", "role_to": "secretary"},
    )
    with translation.override("en"):
        assert event.change_text == "member → secretary"


def test_events_are_listed_newest_first(secretary):
    first = audit_record(action=AuditEvent.Action.LOGIN, actor=secretary.user)
    second = audit_record(action=AuditEvent.Action.LOGOUT, actor=secretary.user)
    AuditEvent.objects.filter(pk=first.pk).update(
        created_at=second.created_at - dt.timedelta(minutes=1)
    )
    assert list(AuditEvent.objects.all()) == [second, first]


def test_admin_can_read_events_but_not_add_change_or_delete_them(client, secretary):
    event = audit_record(action=AuditEvent.Action.LOGIN, actor=secretary.user)
    client.force_login(get_user_model().objects.create_superuser("root", password="x-Pass-991"))

    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    delete_url = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    change_url = reverse("admin:audit_auditevent_change", args=[event.pk])
    client.post(change_url, {"actor_name": "someone else", "action": "logout"})
    event.refresh_from_db()
    assert (event.actor_name, event.action) == ("secretary", "login")
