"""The notice services, called directly: publish, change with history, 已阅, outlines, feeds."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from notices.models import CalendarFeed, Notice, NoticeRead
from notices.services.calendar import calendar_feed_renew
from notices.services.notice import (
    NOTICE_PUBLISH_TIME,
    notice_publish,
    notice_read_confirm,
    notice_update,
)
from sessions_app.models import ReflectionEssay
from sessions_app.services.essays import essay_submit
from tests.factories import MemberFactory, PlannedTopicFactory
from tests.notices.conftest import upcoming_session


def publish(session, actor, speakers, *, at_once=True, now=None, questions="一、如何学深悟透？"):
    return notice_publish(
        session=session,
        actor=actor,
        discussion_questions=questions,
        key_speakers=speakers,
        at_once=at_once,
        now=now,
    )


def test_a_notice_published_at_once_reaches_members_now_and_says_so_on_the_session(
    session, secretary, speakers
):
    now = timezone.now()
    notice = publish(session, secretary, speakers, now=now)

    assert notice.publish_at == now and notice.is_published
    assert set(notice.key_speakers.all()) == set(speakers)
    assert notice.discussion_questions == "一、如何学深悟透？"
    session.refresh_from_db()
    assert session.notified_at == now
    assert Notice.objects.published(now).filter(pk=notice.pk).exists()
    assert session.history.first().notified_at == now  # the session's history has it too


def test_a_notice_published_ahead_reaches_members_at_8_on_the_groups_days_before(
    group, session, secretary, speakers
):
    group.notice_days_ahead = 4
    group.save()
    now = timezone.now()
    notice = publish(session, secretary, speakers, at_once=False, now=now)

    when = timezone.localtime(notice.publish_at)
    assert (when.date(), when.time()) == (session.date - dt.timedelta(days=4), NOTICE_PUBLISH_TIME)
    assert not Notice.objects.published(now).exists()
    assert Notice.objects.published(notice.publish_at).exists()
    session.refresh_from_db()
    assert session.notified_at == notice.publish_at


def test_a_notice_ahead_for_a_session_sooner_than_the_days_ahead_goes_out_at_once(
    group, secretary, speakers
):
    soon = upcoming_session(group, days=1)
    now = timezone.now()
    assert publish(soon, secretary, speakers, at_once=False, now=now).publish_at == now


def test_a_notice_for_todays_session_is_allowed_and_a_held_one_is_refused(
    group, secretary, speakers
):
    today = upcoming_session(group, days=0)
    assert publish(today, secretary, speakers).pk
    held = upcoming_session(group, days=-1)
    with pytest.raises(ValidationError, match="尚未举行"):
        publish(held, secretary, speakers)
    assert not Notice.objects.filter(session=held).exists()


@pytest.mark.parametrize("count", [0, 1, 4])
def test_fewer_than_two_or_more_than_three_key_speakers_are_refused(
    group, session, secretary, count
):
    people = [MemberFactory(group=group) for _ in range(count)]
    with pytest.raises(ValidationError) as caught:
        publish(session, secretary, people)
    assert "key_speakers" in caught.value.message_dict
    assert not Notice.objects.exists()
    session.refresh_from_db()
    assert session.notified_at is None


def test_three_key_speakers_are_the_most(group, session, secretary, speakers):
    notice = publish(session, secretary, [*speakers, secretary])
    assert notice.key_speakers.count() == 3


def test_key_speakers_must_be_in_the_group_on_the_sessions_day(
    group, session, secretary, speakers, outsider
):
    gone = MemberFactory(group=group, display_name="已离任", left_on=session.date)
    joins_later = MemberFactory(
        group=group, display_name="后来者", joined_on=session.date + dt.timedelta(days=1)
    )
    for stranger in (gone, joins_later, outsider):
        with pytest.raises(ValidationError, match=stranger.display_name):
            publish(session, secretary, [speakers[0], stranger])
    assert not Notice.objects.exists()
    # Leaving the day after the session: still a member on its day.
    stays = MemberFactory(group=group, left_on=session.date + dt.timedelta(days=1))
    assert publish(session, secretary, [speakers[0], stays]).pk


def test_a_member_cannot_publish_and_another_groups_secretary_cannot_either(
    session, member, outsider, speakers
):
    for actor in (member, outsider):
        with pytest.raises(PermissionDenied):
            publish(session, actor, speakers)
    assert not Notice.objects.exists()


def test_a_leader_may_publish_and_a_second_notice_is_refused(session, leader, speakers):
    publish(session, leader, speakers)
    with pytest.raises(ValidationError, match="已有学习通知"):
        publish(session, leader, speakers)
    assert Notice.objects.count() == 1


def test_changing_a_published_notice_keeps_its_time_and_its_history(
    session, secretary, speakers, leader
):
    first = timezone.now() - dt.timedelta(hours=2)
    notice = publish(session, secretary, speakers, now=first, questions="旧的思考题")

    notice_update(
        notice=notice,
        actor=leader,
        discussion_questions="新的思考题",
        key_speakers=[speakers[0], leader],
        at_once=False,
    )

    notice.refresh_from_db()
    assert notice.publish_at == first  # members were told then
    assert notice.discussion_questions == "新的思考题"
    assert set(notice.key_speakers.all()) == {speakers[0], leader}
    # simple_history writes a version for the row and one for its key speakers, each time.
    history = list(notice.history.order_by("history_date", "history_id"))
    versions = [
        (h.discussion_questions, {k.member for k in h.key_speakers.all()}, h.history_user)
        for h in history
    ]
    assert versions[-1] == ("新的思考题", {speakers[0], leader}, leader.user)
    assert ("旧的思考题", set(speakers), secretary.user) in versions
    session.refresh_from_db()
    assert session.notified_at == first


def test_changing_a_scheduled_notice_to_at_once_publishes_it_now(session, secretary, speakers):
    notice = publish(session, secretary, speakers, at_once=False)
    assert not notice.is_published
    now = timezone.now()
    notice_update(
        notice=notice, actor=secretary, discussion_questions="", key_speakers=speakers,
        at_once=True, now=now,
    )
    session.refresh_from_db()
    assert notice.publish_at == session.notified_at == now


def test_confirming_a_notice_twice_keeps_the_first_time(session, secretary, speakers, member):
    notice = publish(session, secretary, speakers)
    first = timezone.now()
    read = notice_read_confirm(notice=notice, member=member, now=first)
    again = notice_read_confirm(notice=notice, member=member, now=first + dt.timedelta(hours=1))
    assert again.pk == read.pk and again.read_at == first
    assert NoticeRead.objects.filter(notice=notice).count() == 1


def test_a_scheduled_notice_cannot_be_confirmed_nor_another_groups(
    session, secretary, speakers, member, outsider
):
    notice = publish(session, secretary, speakers, at_once=False)
    with pytest.raises(ValidationError):
        notice_read_confirm(notice=notice, member=member)
    notice.publish_at = timezone.now()
    notice.save()
    with pytest.raises(PermissionDenied):
        notice_read_confirm(notice=notice, member=outsider)
    assert not NoticeRead.objects.exists()


# --- 发言提纲 through the essay reader ---------------------------------------------------------


def test_a_key_speaker_hands_in_an_outline_before_the_session(session, secretary, speakers):
    publish(session, secretary, speakers)
    outline = essay_submit(
        author=speakers[0], title="发言提纲", kind=ReflectionEssay.Kind.OUTLINE,
        session=session, body="一、学习体会；二、存在差距；三、努力方向。",
    )
    assert outline.kind == ReflectionEssay.Kind.OUTLINE and outline.session == session


def test_only_a_key_speaker_of_the_sessions_notice_hands_in_an_outline(
    group, session, secretary, speakers, member
):
    other = upcoming_session(group, days=20)
    publish(session, secretary, speakers)
    topic = PlannedTopicFactory(plan__group=group)
    for author, subject in (
        (member, {"session": session}),  # not a key speaker
        (speakers[0], {"session": other}),  # a session without a notice
        (speakers[0], {"planned_topic": topic}),  # an outline is for a session
    ):
        with pytest.raises(ValidationError):
            essay_submit(
                author=author, title="提纲", kind=ReflectionEssay.Kind.OUTLINE, body="提纲。",
                **subject,
            )
    assert not ReflectionEssay.objects.exists()


# --- calendar feeds ----------------------------------------------------------------------------


def test_renewing_a_feed_replaces_its_token(member):
    first = calendar_feed_renew(user=member.user)
    old = first.token
    renewed = calendar_feed_renew(user=member.user)
    assert renewed.pk == first.pk and renewed.token != old and len(renewed.token) >= 43
    assert not CalendarFeed.objects.filter(token=old).exists()


def test_a_key_speaker_is_kept_deleting_their_membership_is_refused(
    session, secretary, speakers
):
    from django.db.models import RestrictedError

    notice = publish(session, secretary, speakers)
    with pytest.raises(RestrictedError):
        speakers[0].delete()
    assert set(notice.key_speakers.all()) == set(speakers)
