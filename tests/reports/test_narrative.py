import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reports.models import ReportNarrative
from reports.selectors.index import narrative_versions
from reports.selectors.summary import (
    half_year_summary,
    half_year_summary_for_member,
    summary_records_changed,
)
from reports.services.narrative import (
    NarrativeText,
    narrative_approve,
    narrative_preview,
    narrative_save_draft,
)
from tests.factories import MemberFactory, StudySessionFactory, TermFactory

TEXT = NarrativeText(
    preamble="上半年，中心组坚持集中学习与自学相结合。",
    practices=[{"heading": "突出重点，在学深悟透上下功夫", "body": "坚持经常学、带头学。"}],
    problems="一是学用结合不够紧。",
    causes="一是思想认识不到位。",
    measures="下半年坚持每月集中学习一次。",
)


def draft(group, term, member, text=TEXT):
    return narrative_save_draft(group=group, term=term, text=text, member=member, user=member.user)


def test_saving_twice_updates_the_same_draft(group, term, secretary):
    first = draft(group, term, secretary)
    second = draft(group, term, secretary, NarrativeText(preamble="改过的导语"))
    assert first.pk == second.pk and second.version == 1
    assert ReportNarrative.objects.get().preamble == "改过的导语"
    assert second.created_by == secretary.user and second.updated_by == secretary.user


def test_editing_an_approved_version_starts_a_new_one(group, term, secretary, leader):
    v1 = narrative_approve(narrative=draft(group, term, secretary), member=leader, user=leader.user)
    assert v1.is_approved and v1.approved_by == leader and v1.approved_at
    v2 = draft(group, term, secretary, dataclasses.replace(TEXT, preamble="第二版"))
    assert v2.version == 2 and not v2.is_approved
    v1.refresh_from_db()
    assert v1.preamble == TEXT.preamble  # the approved version is unchanged
    # Readers still get version 1 until version 2 is approved; drafters get the draft.
    assert half_year_summary(group=group, term=term).narrative.version == 1
    assert half_year_summary(group=group, term=term, include_draft=True).narrative.version == 2
    assert half_year_summary(group=group, term=term, version=1).narrative.preamble == TEXT.preamble
    narrative_approve(narrative=v2, member=leader, user=leader.user)
    assert half_year_summary(group=group, term=term).narrative.preamble == "第二版"


def test_only_leaders_approve(group, term, secretary, member):
    narrative = draft(group, term, secretary)
    for who in (secretary, member):
        with pytest.raises(PermissionDenied):
            narrative_approve(narrative=narrative, member=who, user=who.user)
    deputy = MemberFactory(group=group, role="deputy")
    assert narrative_approve(narrative=narrative, member=deputy, user=deputy.user).is_approved


def test_leader_of_another_group_cannot_approve(group, term, secretary, other_group):
    narrative = draft(group, term, secretary)
    stranger = MemberFactory(group=other_group, role="leader")
    with pytest.raises(PermissionDenied):
        narrative_approve(narrative=narrative, member=stranger, user=stranger.user)


def test_an_approved_version_is_not_approved_again(group, term, secretary, leader):
    narrative = narrative_approve(
        narrative=draft(group, term, secretary), member=leader, user=leader.user
    )
    with pytest.raises(ValidationError):
        narrative_approve(narrative=narrative, member=leader, user=leader.user)


def test_members_cannot_draft(group, term, member, outsider):
    with pytest.raises(PermissionDenied):
        draft(group, term, member)
    with pytest.raises(PermissionDenied):
        draft(group, term, outsider)


def test_cannot_draft_for_another_groups_term(group, secretary, other_group):
    with pytest.raises(ValidationError):
        draft(group, TermFactory(group=other_group), secretary)


def test_member_sees_only_the_approved_narrative(group, term, secretary, leader, member):
    draft(group, term, secretary)
    with pytest.raises(PermissionDenied):
        half_year_summary_for_member(member=member, term=term)
    assert half_year_summary_for_member(member=secretary, term=term).narrative.status == "draft"
    narrative_approve(narrative=ReportNarrative.objects.get(), member=leader, user=leader.user)
    draft(group, term, secretary, NarrativeText(preamble="未审定的新稿"))
    seen = half_year_summary_for_member(member=member, term=term).narrative
    assert seen.is_approved and seen.preamble == TEXT.preamble
    with pytest.raises(PermissionDenied):
        half_year_summary_for_member(member=member, term=term, version=2)


def test_good_practices_are_headed_paragraphs(group, term, secretary):
    n = half_year_summary(
        group=group, term=term, version=draft(group, term, secretary).version
    ).narrative
    assert n.practices[0].heading == "突出重点，在学深悟透上下功夫"
    assert n.practices[0].body == "坚持经常学、带头学。"


# The preview and the save number versions by one rule (reports.services.narrative).


def _preview(group, term, member, text=TEXT):
    return narrative_preview(group=group, term=term, text=text, member=member).narrative


def test_the_preview_is_numbered_as_the_save_that_follows_it(group, term, secretary, leader):
    first = _preview(group, term, secretary)
    assert first.is_preview and first.version == 1 and first.preamble == TEXT.preamble
    assert not ReportNarrative.objects.exists()  # a preview saves nothing
    v1 = draft(group, term, secretary)
    assert v1.version == first.version
    # While the draft is open, the preview is of that draft's version.
    assert _preview(group, term, secretary).version == 1
    narrative_approve(narrative=v1, member=leader, user=leader.user)
    # After approval the next text is a new version; the approved one is left as it was.
    second = _preview(group, term, secretary, NarrativeText(preamble="第二版"))
    assert second.version == 2 and second.preamble == "第二版"
    assert draft(group, term, secretary).version == second.version
    assert ReportNarrative.objects.get(version=1).preamble == TEXT.preamble


def test_only_drafters_preview(group, term, member, outsider):
    for who in (member, outsider):
        with pytest.raises(PermissionDenied):
            _preview(group, term, who)


# Whether the page tells a drafter that the records changed since approval.


@pytest.mark.parametrize("pass_versions", [True, False])
def test_records_changed_is_told_to_drafters_on_the_newest_approved_version(
    group, term, secretary, leader, member, pass_versions
):
    narrative_approve(narrative=draft(group, term, secretary), member=leader, user=leader.user)

    def told(who, version=None) -> bool:
        summary = half_year_summary_for_member(member=who, term=term, version=version)
        versions = narrative_versions(member=who, term=term) if pass_versions else None
        return summary_records_changed(member=who, summary=summary, versions=versions)

    assert not told(secretary)  # the records still give the approved figures
    StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 1))
    assert told(secretary) and told(leader)
    assert not told(member)  # members cannot draft: nothing for them to do
    # Version 2 approved on the new records: no notice on it, none on the replaced version 1.
    narrative_approve(
        narrative=draft(group, term, secretary, dataclasses.replace(TEXT, preamble="第二版")),
        member=leader,
        user=leader.user,
    )
    assert not told(secretary)
    StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 2))
    assert told(secretary)
    assert not told(secretary, version=1)
