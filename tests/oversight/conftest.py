"""A city above a county, the county's two groups, and the people who look at them."""

import pytest

from oversight.models import OrganisationRole
from oversight.services.organisations import (
    group_place,
    organisation_create,
    organisation_role_grant,
)
from tests.factories import StudyGroupFactory, UserFactory


@pytest.fixture
def city(db):
    return organisation_create(name="中共示例市委宣传部", slug="city")


@pytest.fixture
def county(city):
    return organisation_create(name="中共示例县委宣传部", slug="county", parent=city)


@pytest.fixture
def neighbour(city):
    """Another county of the same city."""
    return organisation_create(name="中共邻县县委宣传部", slug="neighbour", parent=city)


@pytest.fixture
def placed(group, county):
    group_place(group=group, organisation=county)
    return group


@pytest.fixture
def second_group(county):
    second = StudyGroupFactory(name="示例县人大常委会党组理论学习中心组", slug="renda")
    group_place(group=second, organisation=county)
    return second


def _person(organisation, username, role):
    user = UserFactory(username=username)
    organisation_role_grant(organisation=organisation, user=user, role=role)
    return user


@pytest.fixture
def county_admin(county):
    return _person(county, "county", OrganisationRole.Role.ADMINISTRATOR)


@pytest.fixture
def inspector(county):
    return _person(county, "inspector", OrganisationRole.Role.INSPECTOR)


@pytest.fixture
def city_inspector(city):
    return _person(city, "city-inspector", OrganisationRole.Role.INSPECTOR)


@pytest.fixture
def neighbour_admin(neighbour):
    return _person(neighbour, "neighbour", OrganisationRole.Role.ADMINISTRATOR)
