"""列席旁听: an inspector takes a coming session, files a short evaluation after it, and the
group's managers read it; nobody else takes or files for them."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from oversight.models import SittingIn
from oversight.selectors.access import organisation_get_for_user
from oversight.selectors.table import county_table
from oversight.services.sittings import sitting_in_add, sitting_in_evaluate
from tests.factories import StudySessionFactory, TermFactory

BEFORE = dt.datetime(2020, 3, 14, 10, 0)  # the day before the session at 9:00 on 2020-03-15
AFTER = dt.datetime(2020, 3, 15, 12, 0)


@pytest.fixture
def coming(placed):
    return StudySessionFactory(
        group=placed, term=TermFactory(group=placed), date=dt.date(2020, 3, 15),
        start_time=dt.time(9, 0), end_time=dt.time(11, 0), topic="学习贯彻全会精神",
    )


def _take(user, session, actor=None):
    access = organisation_get_for_user(user=actor or user, slug="county")
    return sitting_in_add(access=access, session=session, inspector=user, actor=actor or user)


@time_machine.travel(BEFORE, tick=False)
def test_an_inspector_takes_a_coming_session_once(inspector, coming):
    sitting = _take(inspector, coming)
    assert sitting.organisation.slug == "county"
    with pytest.raises(ValidationError):
        _take(inspector, coming)


def test_a_session_that_is_over_cannot_be_taken(inspector, coming):
    at_its_end = time_machine.travel(dt.datetime(2020, 3, 15, 11, 0), tick=False)
    with at_its_end, pytest.raises(ValidationError):
        _take(inspector, coming)
    assert not SittingIn.objects.exists()


@time_machine.travel(BEFORE, tick=False)
def test_only_an_administrator_assigns_and_only_an_inspector_sits(
    inspector, county_admin, coming, city_inspector
):
    with pytest.raises(PermissionDenied):
        _take(county_admin, coming, actor=inspector)  # an inspector assigns nobody else
    with pytest.raises(ValidationError):
        _take(county_admin, coming)  # an administrator is no inspector
    assert _take(inspector, coming, actor=county_admin).inspector == inspector


def test_the_evaluation_after_the_session_at_most_500_characters(inspector, coming):
    with time_machine.travel(BEFORE, tick=False):
        sitting = _take(inspector, coming)
        with pytest.raises(ValidationError):
            sitting_in_evaluate(sitting=sitting, user=inspector, evaluation="好", highlights="",
                                problems="")
    with time_machine.travel(AFTER, tick=False):
        with pytest.raises(ValidationError):
            sitting_in_evaluate(sitting=sitting, user=inspector, evaluation="评" * 200,
                                highlights="亮" * 200, problems="问" * 101)
        with pytest.raises(ValidationError):
            sitting_in_evaluate(sitting=sitting, user=inspector, evaluation=" ", highlights="",
                                problems="")
        filed = sitting_in_evaluate(
            sitting=sitting, user=inspector, evaluation="评" * 200, highlights="亮" * 200,
            problems="问" * 100,
        )
    assert filed.filed_at is not None and filed.evaluation_chars == 500


def test_nobody_else_files_it(inspector, county_admin, coming):
    with time_machine.travel(BEFORE, tick=False):
        sitting = _take(inspector, coming)
    with time_machine.travel(AFTER, tick=False), pytest.raises(PermissionDenied):
        sitting_in_evaluate(sitting=sitting, user=county_admin, evaluation="好", highlights="",
                            problems="")


def test_the_pages_take_evaluate_and_show_it_to_the_groups_managers(
    client, client_for, inspector, coming, secretary, member, county
):
    client.force_login(inspector)
    with time_machine.travel(BEFORE, tick=False):
        group_page = reverse("oversight:group", args=["county", coming.group.slug])
        assert "/sit-in/" in client.get(group_page + "?term=2020H1").content.decode()
        client.post(reverse("oversight:sit_in", args=["county", coming.pk]))
    sitting = SittingIn.objects.get()
    with time_machine.travel(AFTER, tick=False):
        client.force_login(inspector)  # a day later: the idle session has ended
        response = client.post(
            reverse("oversight:evaluate", args=["county", sitting.pk]),
            {"evaluation": "准备充分，发言深入。", "highlights": "联系实际", "problems": ""},
        )
        assert response["Location"] == reverse("oversight:sittings", args=["county"])
    row = county_table(organisation=county, year=2020, half=1, today=dt.date(2020, 3, 20)).rows
    assert (row[0].sat_in, row[0].evaluations) == (1, 1)

    detail = reverse("sessions_app:session_detail", args=[coming.group.slug, coming.pk])
    assert "准备充分，发言深入。" in client_for(secretary).get(detail).content.decode()
    assert "准备充分，发言深入。" not in client_for(member).get(detail).content.decode()


@time_machine.travel(BEFORE, tick=False)
def test_another_inspectors_sitting_is_404(client, inspector, city_inspector, coming):
    sitting = _take(inspector, coming)
    client.force_login(city_inspector)
    url = reverse("oversight:evaluate", args=["county", sitting.pk])
    assert client.get(url).status_code == 404


