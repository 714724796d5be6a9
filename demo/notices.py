"""The demo's 学习通知: a session a week ahead with its published notice, some 已阅 and one
key speaker's 发言提纲, so the dashboard and the notice page show what members receive.

The demo's records are of 2020; a notice is for a session still to come, so this one session is
dated from today (a week ahead), in the half-year holding that day.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from demo.records import DEMO_SLUG
from notices.models import Notice
from notices.services.notice import notice_publish, notice_read_confirm
from sessions_app.models import Member, ReflectionEssay, SessionFormat, StudyGroup
from sessions_app.services.essays import essay_submit
from sessions_app.services.sessions import session_record

TOPIC = "深入学习贯彻习近平新时代中国特色社会主义思想专题研讨"
QUESTIONS = (
    "一、结合分管工作，如何把学习成果转化为推动县域高质量发展的实际成效？\n"
    "二、对照党中央要求，本单位在抓落实方面还存在哪些差距？\n"
    "三、下一步有哪些具体打算和措施？"
)
KEY_SPEAKERS = ("member01", "member03")
READERS = ("leader", "member01", "member02", "member05", "member07")


@transaction.atomic
def demo_seed_notice(*, today: dt.date | None = None) -> Notice | None:
    """Add the demo group's upcoming session with its notice, once; None when the demo group
    is missing or already has a notice (a second run changes nothing)."""
    group = StudyGroup.objects.filter(slug=DEMO_SLUG).first()
    if group is None or Notice.objects.filter(session__group=group).exists():
        return None
    today = today or timezone.localdate()
    members = {
        m.user.username: m for m in Member.objects.filter(group=group).select_related("user")
    }
    secretary = next(m for m in members.values() if m.role == Member.Role.SECRETARY)
    session = session_record(
        group=group,
        actor=secretary.user,
        fields={
            "date": today + dt.timedelta(days=7),
            "start_time": dt.time(9, 0),
            "end_time": dt.time(11, 30),
            "place": "县委常委会议室",
            "format": SessionFormat.SEMINAR,
            "topic": TOPIC,
            "host": members["leader"],
            "speakers": members["leader"].display_name,
        },
        attendance=[],
    )
    notice = notice_publish(
        session=session,
        actor=secretary,
        discussion_questions=QUESTIONS,
        key_speakers=[members[u] for u in KEY_SPEAKERS],
        at_once=True,
    )
    for username in READERS:
        notice_read_confirm(notice=notice, member=members[username])
    essay_submit(
        author=members[KEY_SPEAKERS[0]],
        title="发言提纲：以学促干推动县域经济高质量发展",
        kind=ReflectionEssay.Kind.OUTLINE,
        session=session,
        body="一、学习体会\n二、存在差距\n三、下一步打算",
    )
    return notice
