"""An overseen group's page: read-only, its sessions and its approved summary as approved."""

import pytest
from django.urls import reverse

from oversight.services.organisations import group_place
from reports.services.narrative import NarrativeText, narrative_approve, narrative_save_draft
from tests.factories import StudyGroupFactory
from tests.oversight.test_table import _records

# The same for a term of 1 session as of 4 (the summary builder, the table's row, the sessions).
QUERIES = 34


def _url(group, term="2020H1"):
    return reverse("oversight:group", args=["county", group.slug]) + f"?term={term}"


def test_the_inspector_reads_a_groups_sessions_and_approved_summary(
    client, inspector, placed, secretary, leader
):
    term, _people = _records(placed)
    narrative = narrative_save_draft(
        group=placed, term=term, member=secretary, user=secretary.user,
        text=NarrativeText(
            preamble="上半年，中心组坚持集中学习。",
            practices=[{"heading": "突出重点", "body": "坚持经常学、带头学。"}],
            problems="一是学用结合不够紧。", causes="一是思想认识不到位。",
            measures="下半年坚持每月集中学习一次。",
        ),
    )
    client.force_login(inspector)
    html = client.get(_url(placed)).content.decode()
    assert "学习专题" in html  # the sessions' topics
    assert "上半年，中心组坚持集中学习。" not in html  # a draft is the group's own
    narrative_approve(narrative=narrative, member=leader, user=leader.user)
    html = client.get(_url(placed)).content.decode()
    assert "上半年，中心组坚持集中学习。" in html


def test_a_group_outside_the_subtree_is_404(client, inspector, neighbour, placed):
    elsewhere = StudyGroupFactory(slug="elsewhere")
    group_place(group=elsewhere, organisation=neighbour)
    client.force_login(inspector)
    assert client.get(_url(elsewhere)).status_code == 404
    assert client.get(_url(StudyGroupFactory(slug="unplaced"))).status_code == 404


@pytest.mark.parametrize("sessions", [1, 4])
def test_the_page_runs_a_fixed_number_of_queries(
    client, inspector, placed, sessions, django_assert_num_queries
):
    _records(placed, sessions=sessions)
    client.force_login(inspector)
    client.get(_url(placed))  # the login's session row, the templates
    with django_assert_num_queries(QUERIES):
        assert client.get(_url(placed)).status_code == 200
