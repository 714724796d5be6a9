"""A user who belongs to two groups sees, under /g/<a>/, only group A's records, and under
/g/<b>/ only B's: in the lists, the dashboard, their own record, the reports, the files they
download and the PDFs (issue 4, item 11). Every record's text carries its group's tag (组甲 or
组乙), so a page that shows anything of the other group is caught by that group's tag."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sessions_app.models import Member
from tests.factories import MemberFactory, UserFactory
from tests.reports.pdf_helpers import pdf_text
from tests.security._access_world import GroupRecords, World, build_world

TAGS = {"mine": "组甲", "theirs": "组乙"}


@pytest.fixture
def both(group, other_group):
    """One user: the secretary of the sample group and a leader of the other, a name in each."""
    user = UserFactory(username="both")
    MemberFactory(group=group, user=user, role=Member.Role.SECRETARY, display_name="组甲的王同志")
    MemberFactory(
        group=other_group, user=user, role=Member.Role.LEADER, display_name="组乙的王同志"
    )
    return user


@pytest.fixture
def world(both, group, term, leader, deputy, secretary, member, other_group, outsider) -> World:
    return build_world(
        group=group, term=term, leader=leader, deputy=deputy, secretary=secretary, member=member,
        other_group=other_group, outsider=outsider,
    )


def pages(records: GroupRecords) -> list[tuple[str, list]]:
    """Every page that lists or reports a group's records, with its arguments."""
    code = records.term.code
    return [
        ("sessions_app:dashboard", []),
        ("sessions_app:session_list", []),
        ("sessions_app:session_detail", [records.session.pk]),
        ("sessions_app:my_record", []),
        ("sessions_app:essay_list", []),
        ("sessions_app:essay_detail", [records.essay.pk]),
        ("sessions_app:plan_current", []),
        ("sessions_app:plan_detail", [code]),
        ("reports:index", []),
        ("reports:summary", [code]),
        ("reports:summary_version", [code, 1]),
        ("reports:summary_edit", [code]),
        ("reports:plan_document", [code]),
    ]


SIDES = [pytest.param("mine", "theirs", id="in-A"), pytest.param("theirs", "mine", id="in-B")]


@pytest.mark.parametrize(("side", "other_side"), SIDES)
def test_pages_of_one_group_show_none_of_the_other_groups_records(
    client, world, both, side, other_side
):
    records = getattr(world, side)
    client.force_login(both)
    for name, args in pages(records):
        response = client.get(reverse(name, args=[records.group.slug, *args]))
        body = response.content.decode()

        assert response.status_code == 200, name
        assert TAGS[side] in body, f"{name} shows nothing of its own group"
        assert TAGS[other_side] not in body, f"{name} of {records.group.slug} shows the other's"


@pytest.mark.parametrize(("side", "other_side"), SIDES)
def test_downloads_of_one_group_are_that_groups_files(client, world, both, side, other_side):
    records = getattr(world, side)
    client.force_login(both)
    slug = records.group.slug
    essay = client.get(reverse("sessions_app:essay_file", args=[slug, records.essay.pk]))
    pdf = client.get(
        reverse("reports:pdf_download", args=[slug, records.term.code, "summary",
                                              records.report_file.pk])
    )

    assert TAGS[side] in b"".join(essay.streaming_content).decode()
    assert TAGS[side].encode() in b"".join(pdf.streaming_content)


@pytest.mark.parametrize(("side", "other_side"), SIDES)
def test_summary_pdf_made_in_one_group_holds_only_that_groups_records(
    client, world, both, side, other_side, django_capture_on_commit_callbacks
):
    records = getattr(world, side)
    client.force_login(both)
    slug, code = records.group.slug, records.term.code

    with django_capture_on_commit_callbacks(execute=True):  # the eager task runs on commit
        started = client.post(
            reverse("reports:pdf_start", args=[slug, code, "summary"]),
            headers={"Accept": "application/json"},
        )
    started = client.get(started.json()["status_url"])
    download = client.get(started.json()["download_url"])
    text = pdf_text(b"".join(download.streaming_content))

    assert started.json()["status"] == "done"
    assert f"{TAGS[side]}草稿的导语" in text  # the secretary's PDF is of the draft
    assert TAGS[other_side] not in text


def test_home_lists_both_groups_and_each_leads_to_its_own_dashboard(client, world, both):
    client.force_login(both)
    body = client.get(reverse("home")).content.decode()

    for records in (world.mine, world.theirs):
        assert reverse("sessions_app:dashboard", args=[records.group.slug]) in body
