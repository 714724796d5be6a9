"""The site administrator's delete of a person whom records name (issue 9, item 8): refused,
with a message saying to deactivate the account (or give the member a leaving date) instead, and
every past figure of the half-year summary unchanged. Deactivation ends sign-in and keeps the
rows; an account or membership that no record names is deleted as before."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from reports.models import ReportNarrative
from reports.selectors.summary import half_year_summary
from sessions_app.models import (
    Attendance,
    Member,
    PlannedTopic,
    ReflectionEssay,
    StudyPlan,
    StudySession,
)
from tests.factories import PASSWORD, MemberFactory, UserFactory
from tests.reports._data import approved_next_plan, make_records
from tests.reports.pdf_helpers import make_narrative

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def records(group, term, secretary, leader, member):
    """The report tests' records, in which the leader hosted a session, attended all three,
    wrote two essays, is assigned a research topic and approved the summary and next plan."""
    made = make_records(group=group, term=term, secretary=secretary, leader=leader, member=member)
    made.topics["r1"].assignees.set([leader])
    approved_next_plan(group=group, leader=leader)
    make_narrative(group=group, term=term, approved=True, approver=leader)
    return made


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="site-admin", is_staff=True, is_superuser=True))
    return client


def rows_naming(member: Member) -> dict[str, int]:
    return {
        "attendance": Attendance.objects.filter(member=member).count(),
        "essays": ReflectionEssay.objects.filter(author=member).count(),
        "hosted": StudySession.objects.filter(host=member).count(),
        "assigned": PlannedTopic.objects.filter(assignees=member).count(),
        "plans approved": StudyPlan.objects.filter(approved_by=member).count(),
        "summaries approved": ReportNarrative.objects.filter(approved_by=member).count(),
    }


def test_the_summary_before_has_the_figures_the_leader_is_in(records, group, term, leader):
    """The figures the admin tests below keep: if these change, those tests compare nothing."""
    summary = half_year_summary(group=group, term=term)
    assert summary.sessions[0].host == "李书记"
    assert (summary.attendance.attended, summary.attendance.total) == (9, 12)
    assert [s.total for s in summary.sessions] == [4, 4, 4]
    assert (summary.reflections, summary.research_reports) == (3, 1)
    assert summary.narrative.approved_by == "李书记"
    assert "李书记" in [m.name for m in summary.members]
    assert rows_naming(leader) == {
        "attendance": 3,
        "essays": 2,
        "hosted": 1,
        "assigned": 3,
        "plans approved": 1,
        "summaries approved": 1,
    }


@pytest.mark.parametrize(
    "delete",
    [
        pytest.param(
            lambda c, leader: c.post(
                reverse("admin:auth_user_delete", args=[leader.user.pk]), {"post": "yes"}
            ),
            id="user-delete-page",
        ),
        pytest.param(
            lambda c, leader: c.post(
                reverse("admin:auth_user_changelist"),
                {"action": "delete_selected", "_selected_action": [leader.user.pk], "post": "yes"},
            ),
            id="user-delete-action",
        ),
        pytest.param(
            lambda c, leader: c.post(
                reverse("admin:sessions_app_member_delete", args=[leader.pk]), {"post": "yes"}
            ),
            id="member-delete-page",
        ),
        pytest.param(
            lambda c, leader: c.post(
                reverse("admin:sessions_app_member_changelist"),
                {"action": "delete_selected", "_selected_action": [leader.pk], "post": "yes"},
            ),
            id="member-delete-action",
        ),
    ],
)
def test_the_admins_delete_of_a_member_with_records_leaves_every_past_figure_unchanged(
    admin_client, records, group, term, leader, delete
):
    before = half_year_summary(group=group, term=term)
    rows_before = rows_naming(leader)

    response = delete(admin_client, leader)

    after = half_year_summary(group=group, term=term)
    assert (after.attendance.attended, after.attendance.total) == (9, 12)
    assert [(s.host, s.attended, s.total) for s in after.sessions] == [
        (s.host, s.attended, s.total) for s in before.sessions
    ]
    assert after == before
    assert rows_naming(leader) == rows_before
    assert User.objects.filter(pk=leader.user.pk, is_active=True).exists()
    assert Member.objects.filter(pk=leader.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DELETED).exists()
    # The administrator is told why, and sent back to the person's page.
    assert response.status_code == 302
    [shown] = [str(m) for m in response.wsgi_request._messages]
    assert "不能删除" in shown
    assert "李书记" in shown or leader.user.username in shown


def test_the_refusal_names_every_person_kept_and_deletes_none_of_the_selection(
    admin_client, records, leader
):
    unused = UserFactory(username="never-used")

    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [leader.user.pk, unused.pk],
            "post": "yes",
        },
    )

    assert User.objects.filter(pk__in=[leader.user.pk, unused.pk]).count() == 2
    [shown] = [str(m) for m in response.wsgi_request._messages]
    assert shown.startswith("leader 不能删除")
    assert "never-used" not in shown


def test_the_admins_deactivate_ends_sign_in_and_keeps_every_figure(
    admin_client, records, group, term, leader
):
    member_client = Client()
    member_client.force_login(leader.user)
    dashboard = reverse("sessions_app:dashboard", args=[group.slug])
    assert member_client.get(dashboard).status_code == 200
    before = half_year_summary(group=group, term=term)

    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "deactivate_accounts", "_selected_action": [leader.user.pk]},
    )

    assert response.status_code == 302
    leader.user.refresh_from_db()
    assert not leader.user.is_active
    assert half_year_summary(group=group, term=term) == before
    # Signed in already: sent to log in on the next request.
    response = member_client.get(dashboard)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # Signing in again fails.
    response = Client().post(
        reverse("login"), {"username": leader.user.username, "password": PASSWORD}
    )
    assert "_auth_user_id" not in response.wsgi_request.session
    # The group's log says who deactivated whom.
    event = AuditEvent.objects.get(action=AuditEvent.Action.DEACTIVATED)
    assert (event.actor_name, event.group_id, event.object_repr) == (
        "site-admin",
        group.pk,
        leader.user.username,
    )


def test_unticking_active_on_the_change_page_is_audited(admin_client, group, leader):
    joined = leader.user.date_joined

    response = admin_client.post(
        reverse("admin:auth_user_change", args=[leader.user.pk]),
        {
            "username": leader.user.username,
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
        },  # "is_active" left out: the box unticked
    )

    assert response.status_code == 302
    leader.user.refresh_from_db()
    assert not leader.user.is_active
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DEACTIVATED, group=group, object_id=str(leader.user.pk)
    ).exists()


def test_the_admin_deletes_an_account_that_no_record_names(admin_client):
    unused = UserFactory(username="made-by-mistake")

    response = admin_client.post(
        reverse("admin:auth_user_delete", args=[unused.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not User.objects.filter(pk=unused.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETED)
    assert (event.actor_name, event.object_repr) == ("site-admin", "made-by-mistake")


def test_the_admin_deletes_a_membership_that_no_record_names(admin_client, records, group, term):
    before = half_year_summary(group=group, term=term)
    mistake = MemberFactory(group=group, display_name="错加的人", joined_on=term.end_date)
    assert "错加的人" in [m.name for m in half_year_summary(group=group, term=term).members]

    response = admin_client.post(
        reverse("admin:sessions_app_member_delete", args=[mistake.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Member.objects.filter(pk=mistake.pk).exists()
    assert half_year_summary(group=group, term=term) == before
