"""Deleting an account never rewrites history (issue 9, item 8): every key from a record to a
person refuses the person's deletion (sessions_app.models, "People are kept"); an account or
membership that no record names can still go. The admin's side is in
tests/security/test_admin_people.py."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError, RestrictedError

from sessions_app.models import Member, StudyGroup
from tests.factories import (
    AttendanceFactory,
    MemberFactory,
    PlannedTopicFactory,
    ReflectionEssayFactory,
    StudyPlanFactory,
    StudySessionFactory,
    TermFactory,
    UserFactory,
)
from tests.reports.pdf_helpers import make_narrative

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.mark.parametrize(
    "name_them",
    [
        pytest.param(lambda m: AttendanceFactory(member=m, session__group=m.group), id="attended"),
        pytest.param(lambda m: ReflectionEssayFactory(author=m, group=m.group), id="wrote"),
        pytest.param(lambda m: StudySessionFactory(host=m, group=m.group), id="hosted"),
        pytest.param(
            lambda m: ReflectionEssayFactory(
                group=m.group, reviewed_by=m, status="returned", review_comment="请补充"
            ),
            id="reviewed",
        ),
        pytest.param(
            lambda m: StudyPlanFactory(group=m.group, status="approved", approved_by=m),
            id="approved-a-plan",
        ),
        pytest.param(
            lambda m: PlannedTopicFactory(plan__group=m.group, kind="research").assignees.add(m),
            id="assigned",
        ),
        pytest.param(
            lambda m: make_narrative(
                group=m.group,
                term=TermFactory(group=m.group),
                approved=True,
                approver=m,
            ),
            id="approved-a-summary",
        ),
    ],
)
def test_a_member_whom_a_record_names_cannot_be_deleted_nor_their_account(group, name_them):
    kept = MemberFactory(group=group)
    name_them(kept)

    with pytest.raises(RestrictedError):
        kept.delete()
    with pytest.raises(ProtectedError):
        kept.user.delete()
    assert Member.objects.filter(pk=kept.pk).exists()


def test_an_account_that_created_or_changed_a_record_is_kept(group):
    editor = UserFactory()
    StudySessionFactory(group=group, created_by=editor, updated_by=editor)

    with pytest.raises(ProtectedError):
        editor.delete()


def test_a_membership_alone_keeps_its_account(group):
    """The summary's member table lists a member who was in the group in the term, records or
    not: the membership is a record too."""
    with pytest.raises(ProtectedError):
        MemberFactory(group=group).user.delete()


def test_a_member_without_records_and_then_the_account_can_be_deleted(group):
    mistake = MemberFactory(group=group)
    user = mistake.user

    mistake.delete()
    user.delete()

    assert not User.objects.filter(pk=user.pk).exists()


def test_the_site_administrator_can_still_remove_a_whole_group_with_its_members_records(group):
    """RESTRICT, not PROTECT, on the keys to members: a group's CASCADE takes its members with
    the records that name them. (A group that has held sessions is refused by the term's
    PROTECT; see sessions_app.models.)"""
    leader = MemberFactory(group=group)
    ReflectionEssayFactory(author=leader, group=group)
    plan = StudyPlanFactory(group=group, status="approved", approved_by=leader)
    PlannedTopicFactory(plan=plan, kind="research").assignees.add(leader)

    group.delete()

    assert not StudyGroup.objects.filter(pk=group.pk).exists()
    assert not Member.objects.filter(pk=leader.pk).exists()
    assert User.objects.filter(pk=leader.user.pk).exists()
