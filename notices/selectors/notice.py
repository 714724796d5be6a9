"""Reads of session notices (学习通知), scoped to who asks.

A member finds a notice of their group once it is published; the secretary and leaders also
before (to check it). Another group's notice, or a session without one, is 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.http import Http404

from notices.models import Notice, NoticeRead
from sessions_app.models import Member, ReflectionEssay, SessionMaterial, StudySession
from sessions_app.selectors.essays import outline_on_file


def notice_get_for_member(*, member: Member, session_pk: int, now: dt.datetime) -> Notice:
    """The notice of the member's group's session session_pk, with its session (term, host,
    planned topic, group) loaded; 404 for another group's session, a session without a notice,
    or, to anyone but the secretary and leaders, a notice not yet published at now."""
    notices = Notice.objects.filter(session__group_id=member.group_id, session_id=session_pk)
    if not member.can_manage_records:
        notices = notices.published(now)
    notice = notices.select_related(
        "session__term", "session__host", "session__planned_topic", "session__group"
    ).first()
    if notice is None:
        raise Http404("No such notice")
    return notice


def lead_speaker(session: StudySession) -> str:
    """The session's 领学人 as a notice names them: the planned topic's lead speaker when the
    plan names one, else the speakers the session records (session needs planned_topic
    loaded)."""
    topic = session.planned_topic
    return (topic.lead_speaker if topic is not None else "") or session.speakers


@dataclass(frozen=True)
class KeySpeaker:
    """A 中心发言人 and their speaking outline (发言提纲) on file, or None when it is missing."""

    member: Member
    outline: ReflectionEssay | None


@dataclass(frozen=True)
class ReadLine:
    """A member the notice is for, and when they confirmed reading it (None: not yet)."""

    member: Member
    read_at: dt.datetime | None


@dataclass(frozen=True)
class NoticePage:
    """What the notice page shows. reads, read_count and unread are the secretary's and leaders'
    (empty for a member): the members of the group on the session's day, in rank order."""

    notice: Notice
    session: StudySession
    lead_speaker: str
    key_speakers: list[KeySpeaker]
    materials: list[SessionMaterial]
    my_read_at: dt.datetime | None
    is_published: bool
    viewer_is_key_speaker: bool
    reads: list[ReadLine]

    @property
    def read_count(self) -> int:
        return sum(1 for line in self.reads if line.read_at is not None)

    @property
    def unread(self) -> list[Member]:
        return [line.member for line in self.reads if line.read_at is None]

    @property
    def outlines_missing(self) -> list[Member]:
        return [k.member for k in self.key_speakers if k.outline is None]


def notice_page(*, notice: Notice, viewer: Member, now: dt.datetime) -> NoticePage:
    """The notice page's data in a fixed number of queries (five for the secretary and
    leaders, four for a member), whatever the group's size. notice comes from
    notice_get_for_member."""
    session = notice.session
    speakers = list(Member.objects.filter(pk__in=notice.key_speakers.values("pk")).in_rank_order())
    outlines: dict[int, ReflectionEssay] = {}
    for essay in (
        ReflectionEssay.objects.filter(
            outline_on_file(), session=session, author__in=[m.pk for m in speakers]
        )
        .defer("body")
        .order_by("submitted_at", "id")
    ):
        outlines[essay.author_id] = essay  # the latest on file
    materials = list(SessionMaterial.objects.filter(session=session).order_by("id"))
    reads: list[ReadLine] = []
    if viewer.can_manage_records:
        members = (
            Member.objects.filter(group_id=session.group_id)
            .in_group_on(session.date)
            .annotate(
                read_at=Subquery(
                    NoticeRead.objects.filter(notice=notice, member=OuterRef("pk")).values(
                        "read_at"
                    )[:1]
                )
            )
            .in_rank_order()
        )
        reads = [ReadLine(member=m, read_at=m.read_at) for m in members]
    return NoticePage(
        notice=notice,
        session=session,
        lead_speaker=lead_speaker(session),
        key_speakers=[KeySpeaker(member=m, outline=outlines.get(m.pk)) for m in speakers],
        materials=materials,
        my_read_at=_my_read_at(notice=notice, member=viewer),
        is_published=notice.publish_at <= now,
        viewer_is_key_speaker=any(m.pk == viewer.pk for m in speakers),
        reads=reads,
    )


def _my_read_at(*, notice: Notice, member: Member) -> dt.datetime | None:
    return (
        NoticeRead.objects.filter(notice=notice, member=member)
        .values_list("read_at", flat=True)
        .first()
    )


@dataclass(frozen=True)
class DashboardNotice:
    """A published notice of a session still to come, with the viewer's 已阅 time (None: not
    yet) and how many have confirmed reading it."""

    notice: Notice
    session: StudySession
    my_read_at: dt.datetime | None
    read_count: int


def notices_for_dashboard(
    *, member: Member, today: dt.date, now: dt.datetime
) -> list[DashboardNotice]:
    """The group's published notices of sessions today or later, soonest first: one query."""
    notices = (
        Notice.objects.published(now)
        .filter(session__group_id=member.group_id, session__date__gte=today)
        .select_related("session")
        .annotate(
            my_read_at=Subquery(
                NoticeRead.objects.filter(notice=OuterRef("pk"), member=member).values("read_at")[
                    :1
                ]
            ),
            n_read=Count("reads", distinct=True),
        )
        .order_by("session__date", "session__start_time", "session_id")
    )
    return [
        DashboardNotice(notice=n, session=n.session, my_read_at=n.my_read_at, read_count=n.n_read)
        for n in notices
    ]
