"""Writes of session notices (学习通知): publish, change, and each member's 已阅.

A notice is published for a session still to come (today or later) by the group's secretary or
a leader (Member.can_manage_records). It reaches members at once or on the group's
notice_days_ahead before the session; StudySession.notified_at always says when that is (the one
rule for "when members were notified": see notice_publish_at).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notices.models import Notice, NoticeRead
from sessions_app.models import Member, StudySession

#: How many 中心发言人 a notice names: two or three (the 学习前预先通知 of the reference).
KEY_SPEAKERS_MIN, KEY_SPEAKERS_MAX = 2, 3
#: A notice published ahead reaches members at this local time, the start of an office day.
NOTICE_PUBLISH_TIME = dt.time(8, 0)


def notice_publish_at(*, session: StudySession, at_once: bool, now: dt.datetime) -> dt.datetime:
    """When a new notice of session reaches members (an aware datetime).

    at_once: now. Otherwise at NOTICE_PUBLISH_TIME (local, settings.TIME_ZONE) on the day
    group.notice_days_ahead days before the session's date; now if that time has passed.
    """
    if at_once:
        return now
    day = session.date - dt.timedelta(days=session.group.notice_days_ahead)
    planned = timezone.make_aware(dt.datetime.combine(day, NOTICE_PUBLISH_TIME))
    return max(planned, now)


def _check_manager(*, session: StudySession, actor: Member) -> None:
    if actor.group_id != session.group_id or not actor.can_manage_records:
        raise PermissionDenied


def _check_upcoming(*, session: StudySession, today: dt.date) -> None:
    if session.date < today:
        raise ValidationError(
            _("A notice is for a session still to come; this session was held on %(date)s.")
            % {"date": date_format(session.date)}
        )


def _check_key_speakers(*, session: StudySession, key_speakers: list[Member]) -> list[Member]:
    """The key speakers, once each, or ValidationError: two or three members of the session's
    group on its day (Member.objects.in_group_on)."""
    speakers = list({m.pk: m for m in key_speakers}.values())
    if not KEY_SPEAKERS_MIN <= len(speakers) <= KEY_SPEAKERS_MAX:
        raise ValidationError(
            {
                "key_speakers": ngettext(
                    "Name two or three key speakers; you named %(count)s.",
                    "Name two or three key speakers; you named %(count)s.",
                    len(speakers),
                )
                % {"count": len(speakers)}
            }
        )
    in_group = set(
        Member.objects.filter(group_id=session.group_id, pk__in=[m.pk for m in speakers])
        .in_group_on(session.date)
        .values_list("pk", flat=True)
    )
    outside = [m.display_name for m in speakers if m.pk not in in_group]
    if outside:
        raise ValidationError(
            {
                "key_speakers": _(
                    "Key speakers must be members of the group on the session's day, not %(names)s."
                )
                % {"names": "、".join(outside)}
            }
        )
    return speakers


def _stamp_session(*, session: StudySession, notice: Notice, actor: Member) -> None:
    """Members were notified when the notice reached them: the session says so."""
    if session.notified_at == notice.publish_at:
        return
    session.notified_at = notice.publish_at
    session.updated_by = actor.user
    session._history_user = actor.user
    session.full_clean(exclude=["group", "term", "host", "planned_topic"])
    session.save(update_fields=["notified_at", "updated_at", "updated_by"])


@transaction.atomic
def notice_publish(
    *,
    session: StudySession,
    actor: Member,
    discussion_questions: str,
    key_speakers: list[Member],
    at_once: bool,
    now: dt.datetime | None = None,
) -> Notice:
    """Publish the notice of a session still to come (today or later), at once or on the
    group's days ahead (notice_publish_at); the session's notified_at becomes that time.

    Raises PermissionDenied unless actor keeps the group's records; ValidationError for a held
    session, a session that already has a notice, or key speakers that are not two or three
    members of the group on the session's day. Nothing is saved then.
    """
    now = now or timezone.now()
    _check_manager(session=session, actor=actor)
    _check_upcoming(session=session, today=timezone.localdate(now))
    if Notice.objects.filter(session=session).exists():
        raise ValidationError(_("This session already has a notice: change it instead."))
    speakers = _check_key_speakers(session=session, key_speakers=key_speakers)
    notice = Notice(
        session=session,
        discussion_questions=discussion_questions.strip(),
        publish_at=notice_publish_at(session=session, at_once=at_once, now=now),
        created_by=actor.user,
        updated_by=actor.user,
    )
    notice._history_user = actor.user
    notice.full_clean()
    notice.save()
    notice.key_speakers.set(speakers)
    _stamp_session(session=session, notice=notice, actor=actor)
    return notice


@transaction.atomic
def notice_update(
    *,
    notice: Notice,
    actor: Member,
    discussion_questions: str,
    key_speakers: list[Member],
    at_once: bool,
    now: dt.datetime | None = None,
) -> Notice:
    """Change a notice before its session; its history keeps every earlier version.

    A notice members have already seen keeps its publication time (they were notified then);
    one not yet published is rescheduled as notice_publish would (at_once, or days ahead).
    Raises as notice_publish does.
    """
    now = now or timezone.now()
    session = notice.session
    _check_manager(session=session, actor=actor)
    _check_upcoming(session=session, today=timezone.localdate(now))
    speakers = _check_key_speakers(session=session, key_speakers=key_speakers)
    if notice.publish_at > now:
        notice.publish_at = notice_publish_at(session=session, at_once=at_once, now=now)
    notice.discussion_questions = discussion_questions.strip()
    notice.updated_by = actor.user
    notice._history_user = actor.user
    notice.full_clean()
    notice.save()
    if {m.pk for m in speakers} != set(notice.key_speakers.values_list("pk", flat=True)):
        notice.key_speakers.set(speakers)
    _stamp_session(session=session, notice=notice, actor=actor)
    return notice


@transaction.atomic
def notice_read_confirm(
    *, notice: Notice, member: Member, now: dt.datetime | None = None
) -> NoticeRead:
    """Record that member has read a published notice of their group (已阅), with the time.

    Confirming again changes nothing: the first time is kept. Raises PermissionDenied for a
    member of another group, ValidationError for a notice not yet published.
    """
    now = now or timezone.now()
    if member.group_id != notice.session.group_id:
        raise PermissionDenied
    if notice.publish_at > now:
        raise ValidationError(_("This notice is not published yet."))
    read, _created = NoticeRead.objects.get_or_create(
        notice=notice, member=member, defaults={"read_at": now}
    )
    return read
