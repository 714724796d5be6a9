"""Shared fixtures: every view test has the group's secretary, leader and member, and an outsider
who belongs to another group (as healthchecks' alice, bob and charlie)."""

import pytest

from sessions_app.models import Member
from tests.factories import MemberFactory, StudyGroupFactory, TermFactory


@pytest.fixture
def group(db):
    return StudyGroupFactory(name="示例县党委理论学习中心组", slug="sample")


@pytest.fixture
def term(group):
    return TermFactory(group=group, year=2020, half=1)


@pytest.fixture
def secretary(group):
    return MemberFactory(group=group, role=Member.Role.SECRETARY, display_name="王秘书",
                         user__username="secretary")


@pytest.fixture
def leader(group):
    return MemberFactory(group=group, role=Member.Role.LEADER, display_name="李书记",
                         user__username="leader")


@pytest.fixture
def member(group):
    return MemberFactory(group=group, role=Member.Role.MEMBER, display_name="张成员",
                         user__username="member")


@pytest.fixture
def other_group(db):
    return StudyGroupFactory(name="另一个中心组", slug="other")


@pytest.fixture
def outsider(other_group):
    """A secretary of another group: has every right there and none here."""
    return MemberFactory(group=other_group, role=Member.Role.SECRETARY, display_name="外组秘书",
                         user__username="outsider")


@pytest.fixture
def client_for(client):
    """Log the test client in as a member: client_for(secretary)."""

    def login(member):
        client.force_login(member.user)
        return client

    return login
