"""Each kind of event is recorded where it happens: who, when, what, and no secret."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from audit.models import AuditEvent
from intake.materials import material_file_read
from reports.models import ReportNarrative
from reports.services.narrative import NarrativeText, narrative_approve, narrative_save_draft
from sessions_app.models import Member, PlannedTopic, SessionMaterial, StudySession
from sessions_app.services.plans import TopicInput, plan_topics_save
from sessions_app.services.sessions import material_add, session_delete
from tests.audit._events import stored_text
from tests.factories import (
    PASSWORD,
    PlannedTopicFactory,
    ReflectionEssayFactory,
    StudyPlanFactory,
    StudySessionFactory,
)

Action = AuditEvent.Action


def group_url(name, group, *args):
    return reverse(name, args=[group.slug, *args])


def assert_no_secret(event, *secrets):
    text = stored_text(event)
    for secret in secrets:
        assert secret not in text


# --- logins ----------------------------------------------------------------------------------


def test_login_is_recorded_without_the_password_or_session_key(client, secretary):
    response = client.post(
        reverse("login"), {"username": "secretary", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 302

    event = AuditEvent.objects.get(action=Action.LOGIN)
    assert (event.actor, event.actor_name, event.group) == (secretary.user, "secretary", None)
    assert event.ip_address == "10.0.0.7"
    assert event.created_at is not None
    assert_no_secret(event, PASSWORD, client.session.session_key, client.cookies["csrftoken"].value)


def test_behind_a_trusted_proxy_the_failed_login_records_the_clients_address(
    client, secretary, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        reverse("login"),
        {"username": "secretary", "password": "wrong-guess-9931"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.44",
    )

    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    # The proxy's own entry, not the forgeable one the client put before it.
    assert event.ip_address == "192.0.2.44"


def test_failed_login_records_the_user_name_tried_never_the_password(client, secretary):
    response = client.post(
        reverse("login"), {"username": "secretary", "password": "wrong-guess-9931"}
    )
    assert response.status_code == 200

    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert (event.actor, event.actor_name, event.group) == (None, "secretary", None)
    assert event.ip_address == "127.0.0.1"
    assert_no_secret(event, "wrong-guess-9931", "****")
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()


def test_logout_is_recorded(client, secretary):
    client.force_login(secretary.user)
    session_key = client.session.session_key
    client.post(reverse("logout"))

    event = AuditEvent.objects.get(action=Action.LOGOUT)
    assert (event.actor, event.group) == (secretary.user, None)
    assert_no_secret(event, session_key)


# --- permission denials ----------------------------------------------------------------------


def test_member_refused_a_managers_page_is_recorded_against_the_group(client_for, member, group):
    response = client_for(member).get(
        group_url("sessions_app:session_create", group) + "?token=abc-secret-123"
    )
    assert response.status_code == 403

    event = AuditEvent.objects.get(action=Action.PERMISSION_DENIED)
    assert (event.actor, event.actor_name, event.group) == (member.user, "张成员", group)
    assert event.object_repr == f"GET /g/{group.slug}/sessions/new/"
    assert event.details == {"view": "sessions_app:session_create"}
    assert_no_secret(event, "abc-secret-123")


def test_refusal_raised_by_a_service_is_recorded(client_for, member, group, term):
    # report_file_request refuses a member the PDF of a summary no leader has approved.
    response = client_for(member).post(
        reverse("reports:pdf_start", args=[group.slug, term.code, "summary"])
    )
    assert response.status_code == 403

    event = AuditEvent.objects.get(action=Action.PERMISSION_DENIED)
    assert (event.actor, event.group) == (member.user, group)
    assert event.details == {"view": "reports:pdf_start"}


def test_other_groups_page_is_a_404_and_not_a_refusal(client_for, outsider, group):
    assert (
        client_for(outsider).get(group_url("sessions_app:session_create", group)).status_code == 404
    )
    assert not AuditEvent.objects.exclude(action=Action.LOGIN).exists()


def test_allowed_page_records_nothing(client_for, secretary, group):
    assert (
        client_for(secretary).get(group_url("sessions_app:session_create", group)).status_code
        == 200
    )
    assert not AuditEvent.objects.exclude(action=Action.LOGIN).exists()


# --- role changes in the admin ---------------------------------------------------------------


@pytest.fixture
def admin_client_(client, db):
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)
    client.admin = admin
    return client


def member_form_data(member, **overrides):
    return {
        "group": member.group_id,
        "user": member.user_id,
        "display_name": member.display_name,
        "role": member.role,
        "position": member.position,
        "joined_on": member.joined_on.isoformat(),
        "left_on": "",
        "sort_order": member.sort_order,
        **overrides,
    }


def test_role_changed_in_the_admin_is_recorded_with_before_and_after(admin_client_, member, group):
    response = admin_client_.post(
        reverse("admin:sessions_app_member_change", args=[member.pk]),
        member_form_data(member, role=Member.Role.SECRETARY),
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 302

    event = AuditEvent.objects.get(action=Action.ROLE_CHANGED)
    assert (event.actor, event.actor_name, event.group) == (admin_client_.admin, "root", group)
    assert (event.object_type, event.object_id) == ("sessions_app.member", str(member.pk))
    assert event.details == {"role_from": "member", "role_to": "secretary"}
    assert event.ip_address == "10.0.0.9"


def test_admin_change_that_keeps_the_role_records_nothing(admin_client_, member):
    admin_client_.post(
        reverse("admin:sessions_app_member_change", args=[member.pk]),
        member_form_data(member, position="县委常委"),
    )
    member.refresh_from_db()
    assert member.position == "县委常委"
    assert not AuditEvent.objects.filter(action=Action.ROLE_CHANGED).exists()


def test_role_changed_in_the_groups_member_inline_is_recorded(admin_client_, member, group):
    prefix = "members"
    data = {
        "name": group.name,
        "organisation": group.organisation,
        "slug": group.slug,
        "report_language": group.report_language,
        "rule_sessions_per_quarter": group.rule_sessions_per_quarter,
        "rule_attendance_rate": group.rule_attendance_rate,
        "rule_essays_per_member_year": group.rule_essays_per_member_year,
        "makeup_due_days": group.makeup_due_days,
        "notice_days_ahead": group.notice_days_ahead,
        "originality_threshold": group.originality_threshold,
        "checkin_grace_minutes": group.checkin_grace_minutes,
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-id": member.pk,
        f"{prefix}-0-group": group.pk,
        **{
            f"{prefix}-0-{k}": v
            for k, v in member_form_data(member, role=Member.Role.DEPUTY).items()
            if k != "group"
        },
    }
    response = admin_client_.post(
        reverse("admin:sessions_app_studygroup_change", args=[group.pk]), data
    )
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors

    event = AuditEvent.objects.get(action=Action.ROLE_CHANGED)
    assert event.group == group
    assert event.details == {"role_from": "member", "role_to": "deputy"}


def test_membership_added_in_the_admin_records_the_role_granted(admin_client_, group):
    user = get_user_model().objects.create_user("newcomer", password=PASSWORD)
    response = admin_client_.post(
        reverse("admin:sessions_app_member_add"),
        {
            "group": group.pk,
            "user": user.pk,
            "display_name": "新成员",
            "role": Member.Role.LEADER,
            "position": "",
            "joined_on": "2020-01-01",
            "left_on": "",
            "sort_order": 1,
        },
    )
    assert response.status_code == 302

    event = AuditEvent.objects.get(action=Action.ROLE_CHANGED)
    assert event.object_repr == "新成员"
    assert event.details == {"role_from": None, "role_to": "leader"}


# --- approvals -------------------------------------------------------------------------------


def test_plan_approval_is_recorded(client_for, leader, group):
    plan = StudyPlanFactory(group=group)
    PlannedTopicFactory(plan=plan)
    response = client_for(leader).post(group_url("sessions_app:plan_approve", group, "2020H2"))
    assert response.status_code == 302

    event = AuditEvent.objects.get(action=Action.APPROVED)
    assert (event.actor, event.actor_name, event.group) == (leader.user, "李书记", group)
    assert (event.object_type, event.object_id) == ("sessions_app.studyplan", str(plan.pk))


def test_summary_approval_is_recorded(group, term, secretary, leader):
    draft = narrative_save_draft(
        group=group,
        term=term,
        text=NarrativeText(
            preamble="上半年坚持集中学习。",
            practices=[{"heading": "突出重点", "body": "坚持经常学。"}],
            problems="学用结合不够紧。",
            causes="认识不到位。",
        ),
        member=secretary,
        user=secretary.user,
    )
    narrative_approve(narrative=draft, member=leader, user=leader.user)

    event = AuditEvent.objects.get(action=Action.APPROVED)
    assert (event.actor, event.actor_name, event.group) == (leader.user, "李书记", group)
    assert event.object_type == "reports.reportnarrative"
    assert event.details == {"kind": ReportNarrative.Kind.SUMMARY, "version": 1}


@pytest.mark.parametrize(
    ("status", "comment", "action"),
    [("accepted", "", Action.APPROVED), ("returned", "请结合工作实际", Action.RETURNED)],
)
def test_essay_review_is_recorded_naming_reviewer_and_author(
    client_for, secretary, deputy, group, status, comment, action
):
    essay = ReflectionEssayFactory(group=group, author=deputy, title="学习心得")
    client = client_for(secretary)
    response = client.post(
        group_url("sessions_app:essay_review", group, essay.pk),
        {"status": status, "comment": comment},
    )
    assert response.status_code == 302

    event = AuditEvent.objects.get(action=action)
    assert (event.action, event.actor, event.actor_name, event.group) == (
        action, secretary.user, "王秘书", group
    )
    assert event.object_repr == "学习心得"
    assert event.details == {
        "written_by": "赵副书记",
        "written_by_member_id": deputy.pk,
        "reviewed_by": "王秘书",
        "reviewed_by_member_id": secretary.pk,
    }
    # The log's reader sees who reviewed whose essay.
    log = client.get(group_url("audit:log", group))
    row = next(r for r in log.context["page"].object_list if r.pk == event.pk)
    assert (row.actor_name, row.change_text) == ("王秘书", "作者：赵副书记")
    assert "学习心得 (作者：赵副书记)" in log.content.decode()


# --- deletions -------------------------------------------------------------------------------


def test_session_deletion_is_recorded_with_what_was_deleted(client_for, secretary, group, term):
    session = StudySessionFactory(group=group, term=term, topic="学习民法典")
    pk = session.pk
    response = client_for(secretary).post(group_url("sessions_app:session_delete", group, pk))
    assert response.status_code == 302
    assert not StudySession.objects.filter(pk=pk).exists()

    event = AuditEvent.objects.get(action=Action.DELETED)
    assert (event.actor, event.actor_name, event.group) == (secretary.user, "王秘书", group)
    assert (event.object_type, event.object_id) == ("sessions_app.studysession", str(pk))
    assert event.object_repr == "2020-03-15 学习民法典"


def test_material_deletion_is_recorded(client_for, secretary, group, term):
    session = StudySessionFactory(group=group, term=term)
    material = material_add(
        session=session,
        actor=secretary.user,
        title="讲话稿",
        material_file=material_file_read(SimpleUploadedFile("讲话.txt", "学习内容".encode())),
    )
    response = client_for(secretary).post(
        group_url("sessions_app:material_delete", group, session.pk, material.pk)
    )
    assert response.status_code == 302
    assert not SessionMaterial.objects.exists()

    event = AuditEvent.objects.get(action=Action.DELETED)
    assert (event.actor, event.group, event.object_repr) == (secretary.user, group, "讲话稿")
    assert event.details == {"session": session.pk, "file_name": "讲话.txt"}


def test_topics_removed_from_a_plan_are_recorded(group, secretary):
    plan = StudyPlanFactory(group=group)
    kept = PlannedTopicFactory(plan=plan, title="保留的专题")
    dropped = PlannedTopicFactory(plan=plan, title="删去的专题")
    plan_topics_save(
        plan=plan,
        user=secretary.user,
        topics=[TopicInput(kind=PlannedTopic.Kind.STUDY, id=kept.pk, title=kept.title)],
        removed_ids=[dropped.pk],
    )

    event = AuditEvent.objects.get(action=Action.DELETED)
    assert (event.actor, event.group) == (secretary.user, group)
    assert (event.object_type, event.object_id) == ("sessions_app.plannedtopic", str(dropped.pk))
    assert event.object_repr == "删去的专题"


def test_a_deletion_that_rolls_back_leaves_no_event(group, term, secretary):
    session = StudySessionFactory(group=group, term=term)
    pk = session.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        session_delete(session=session, member=secretary)
        raise RuntimeError("rolled back")
    assert StudySession.objects.filter(pk=pk).exists()
    assert not AuditEvent.objects.exists()
