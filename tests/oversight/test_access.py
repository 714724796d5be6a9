"""Who sees what above the group: the tree's rule at its edges."""

import pytest
from django.http import Http404
from django.urls import reverse

from oversight.models import Organisation
from oversight.selectors.access import groups_overseen, organisation_get_for_user
from oversight.services.organisations import group_place
from tests.factories import StudyGroupFactory


def test_a_county_role_reaches_the_county_and_its_groups(county_admin, county, placed):
    access = organisation_get_for_user(user=county_admin, slug="county")
    assert access.organisation == county and access.is_administrator
    assert list(groups_overseen(organisation=county)) == [placed]


def test_a_city_inspector_reaches_every_county_below(city_inspector, county, neighbour):
    assert organisation_get_for_user(user=city_inspector, slug="county").role == "inspector"
    reached = organisation_get_for_user(user=city_inspector, slug="neighbour")
    assert reached.organisation == neighbour


@pytest.mark.parametrize("slug", ["city", "neighbour", "missing"])
def test_a_county_role_sees_nothing_beside_or_above(county_admin, slug, neighbour):
    with pytest.raises(Http404):
        organisation_get_for_user(user=county_admin, slug=slug)


def test_the_city_sees_groups_of_its_counties_and_a_county_not_its_neighbours(
    city, county, neighbour, placed, second_group
):
    assert set(groups_overseen(organisation=city)) == {placed, second_group}
    assert list(groups_overseen(organisation=neighbour)) == []


def test_an_id_that_begins_another_does_not_take_in_its_groups(db):
    """Paths end in "/": the subtree of path "1/" does not take in "12/"."""
    one = Organisation.objects.create(name="一", slug="one", path="1/")
    twelve = Organisation.objects.create(name="十二", slug="twelve", path="12/")
    mine, theirs = StudyGroupFactory(), StudyGroupFactory()
    group_place(group=mine, organisation=one)
    group_place(group=theirs, organisation=twelve)
    assert list(groups_overseen(organisation=one)) == [mine]


@pytest.mark.parametrize("who", ["member", "secretary", "leader", "outsider"])
def test_group_people_see_nothing_above_their_group(client_for, who, request, placed,
                                                      county_admin):
    person = request.getfixturevalue(who)
    client = client_for(person)
    assert client.get(reverse("oversight:table", args=["county"])).status_code == 404
    assert client.get(reverse("oversight:table_xlsx", args=["county"])).status_code == 404


def test_the_inspector_reads_the_table_and_no_group_page(client, inspector, placed):
    client.force_login(inspector)
    assert client.get(reverse("oversight:table", args=["county"])).status_code == 200
    dashboard = reverse("sessions_app:dashboard", args=[placed.slug])
    assert client.get(dashboard).status_code == 404


def test_home_takes_a_county_user_to_the_table(client, county_admin, county):
    client.force_login(county_admin)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("oversight:table", args=["county"])
