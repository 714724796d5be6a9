"""What is due to be sent now: each source finds its messages in a fixed number of queries,
whatever the number of groups, sessions or members.

A source is a function source(scan) -> list[Due]. It leaves out what was decided before
(scan.decided), so a scan only composes new messages; the sent-log's unique constraint still
decides in the end (notices.services.delivery.deliveries_decide_due). SOURCES lists them in the
order they run.

Adding a source (as makeup_duties, the 补学 reminders, DeliveryKind.MAKEUP, was added): write
``def makeup_duties(scan: Scan) -> list[Due]`` that loads the open MakeupDuty rows due by
scan.today with their members (select_related("member__user__reminder_preference",
"member__group")), drops the keys in scan.decided([DeliveryKind.MAKEUP], duty ids), and returns
one Due per member (object_id: the duty's id; link: where the member records it), plus one
robot Due per group in scan.robots if the group's chat should hear of it; add its words to
messages._COMPOSERS; append it to SOURCES. Its queries must not grow with the data either:
tests/notices/test_delivery_scan.py pins the scan's count at two sizes. A source of another
app appends itself in its AppConfig.ready, as oversight.reminders' 报送 deadlines do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.urls import reverse

from notices.delivery_models import (
    Channel,
    Delivery,
    DeliveryKind,
    GroupRobots,
    ReminderPreference,
)
from notices.models import Notice, NoticeRead
from sessions_app.models import (
    Attendance,
    MakeupDuty,
    Member,
    ReflectionEssay,
    StudyGroup,
    StudySession,
    Term,
    in_group_on,
)
from sessions_app.selectors.attendance import (
    attendance_rate,
    attended_filter,
    meets_attendance_rule,
)
from sessions_app.selectors.essays import essay_counts, owes_essay
from sessions_app.selectors.makeup import OWED_MAKEUP

#: Essay reminders: this many days before the due day (and on the days between).
ESSAY_DUE_DAYS_AHEAD = 2
#: An overdue essay is reminded of once, on a scan within this many days after its due day (a
#: scan that did not run for a while still sends it; a years-old session never is).
ESSAY_OVERDUE_WINDOW_DAYS = 7


@dataclass(frozen=True)
class Due:
    """One message that is due: of `kind` about object `object_id` (a session or term; see
    DeliveryKind), to `member` (a Recipient: in the app, and by e-mail if they take it) or, with
    member None,
    to the group's chat robots. params are the facts messages.compose names; link is a path in
    the app. about_id: the member a message to someone else is about (0: none)."""

    kind: str
    object_id: int
    group: StudyGroup
    member: Recipient | None
    params: dict
    link: str
    about_id: int = 0


@dataclass
class Scan:
    """What every source of one scan shares: the moment, the day (local), and the groups'
    robots (group id -> GroupRobots, only groups with at least one robot set)."""

    now: dt.datetime
    today: dt.date
    robots: dict[int, GroupRobots] = field(default_factory=dict)

    def decided(self, kinds: Iterable[str], object_ids: Iterable[int]) -> set[tuple]:
        """Keys (kind, object_id, about_id, member_id or None) already decided for these kinds
        and objects: a member's in-app row (every member decision writes one), or any row of a
        group's robots. One query."""
        # Each side of the OR matches one of the sent-log's partial unique indexes.
        return set(
            Delivery.objects.filter(kind__in=list(kinds), object_id__in=list(object_ids))
            .filter(Q(member__isnull=False, channel=Channel.IN_APP) | Q(member__isnull=True))
            .order_by()
            .values_list("kind", "object_id", "about_id", "member_id")
        )


@dataclass(frozen=True, slots=True)
class Recipient:
    """A member as a message to them needs them: who (pk, group_id, display_name, role), where
    an e-mail goes (email, "" for none) and what they chose (email_enabled, language: their
    ReminderPreference, or its defaults when they never set one). Light, so that a scan telling
    thousands of members loads no model instances for them."""

    pk: int
    group_id: int
    display_name: str
    role: str
    email: str
    email_enabled: bool
    language: str

    @property
    def is_secretary(self) -> bool:
        return self.role == Member.Role.SECRETARY

    @classmethod
    def of(cls, member: Member) -> Recipient:
        """The recipient of a Member loaded with its user and preference (one query per
        member otherwise)."""
        try:
            preference = member.user.reminder_preference
        except ReminderPreference.DoesNotExist:
            preference = ReminderPreference(user=member.user)
        return cls(member.pk, member.group_id, member.display_name, member.role,
                   member.user.email, preference.email_enabled, preference.language)


def recipients(members) -> list[Recipient]:
    """The members of a Member queryset whose account is active (a deactivated account can no
    longer sign in to read anything), as Recipients, in the group's order. One query."""
    default = ReminderPreference()
    rows = (
        members.filter(user__is_active=True)
        .order_by("group_id", "sort_order", "id")
        .values_list(
            "pk", "group_id", "display_name", "role", "user__email",
            "user__reminder_preference__email_enabled", "user__reminder_preference__language",
        )
    )
    return [
        Recipient(pk, group_id, name, role, email or "",
                  default.email_enabled if enabled is None else enabled,
                  language or default.language)
        for pk, group_id, name, role, email, enabled, language in rows
    ]


def _people(needed: set[tuple[int, int]]) -> dict[int, Recipient]:
    """{member id: Recipient} of the (member id, group id) pairs needed, by recipients. Asked by
    their groups, not their ids: a first scan needs thousands of members, whose ids as an IN
    list made the query's text alone cost a tenth of a second. One query (none for none)."""
    if not needed:
        return {}
    ids = {pk for pk, _group_id in needed}
    group_ids = {group_id for _pk, group_id in needed}
    return {m.pk: m for m in recipients(Member.objects.filter(group_id__in=group_ids))
            if m.pk in ids}


def _by_group(members: list) -> dict[int, list]:
    grouped = defaultdict(list)
    for member in members:
        grouped[member.group_id].append(member)
    return grouped


def _session_params(session: StudySession) -> dict:
    return {
        "topic": session.topic,
        "date": session.date,
        "start_time": session.start_time,
        "place": session.place,
        "due_on": session.essay_due_on,
    }


def session_notices(scan: Scan) -> list[Due]:
    """The session notice, once its publish_at has come, to the members in the group on the
    session's day; and the day before the session, a reminder to those of them who have not
    confirmed reading it (no NoticeRead). Sessions already past are left alone. Five queries:
    the notices, what was decided, the reads, who is invited, the members still to be told (none
    past the first when no notice is published, none for the last when all is decided)."""
    notices = list(
        Notice.objects.published(at=scan.now)
        .filter(session__date__gte=scan.today)
        .select_related("session__group")
    )
    if not notices:
        return []
    tomorrow = scan.today + dt.timedelta(days=1)
    kinds = (DeliveryKind.NOTICE, DeliveryKind.NOTICE_UNREAD)
    decided = scan.decided(kinds, [n.session_id for n in notices])
    read = set(
        NoticeRead.objects.filter(
            notice__in=[n.pk for n in notices if n.session.date == tomorrow]
        ).values_list("notice_id", "member_id")
    )
    # Who each session invites: its group's members in the group on its day (the one rule,
    # in_group_on, with the day taken from the joined session), as ids: steady scans, where all
    # is decided, load no member.
    invited = defaultdict(list)
    for member_id, session_id in Member.objects.filter(
        in_group_on(F("group__sessions__date")),
        group__sessions__in=[n.session_id for n in notices],
        user__is_active=True,
    ).values_list("pk", "group__sessions__id").order_by("sort_order", "pk"):
        invited[session_id].append(member_id)
    wanted = []  # (kind, notice, the member ids it is for)
    for notice in notices:
        session = notice.session
        ids = invited[session.pk]
        wanted.append((DeliveryKind.NOTICE, notice, ids))
        if session.date == tomorrow:
            unread = [pk for pk in ids if (notice.pk, pk) not in read]
            wanted.append((DeliveryKind.NOTICE_UNREAD, notice, unread))
    needed = {
        (pk, notice.session.group_id) for kind, notice, ids in wanted for pk in ids
        if (kind, notice.session_id, 0, pk) not in decided
    }
    people = _people(needed)
    dues = []
    for kind, notice, ids in wanted:
        session = notice.session
        link = reverse("notices:notice_detail", args=[session.group.slug, session.pk])
        params = _session_params(session)
        for pk in ids:
            if pk in people and (kind, session.pk, 0, pk) not in decided:
                dues.append(Due(kind, session.pk, session.group, people[pk], params, link))
        if session.group_id in scan.robots and ids and (kind, session.pk, 0, None) not in decided:
            robot_params = {**params, "unread": len(ids)}
            dues.append(Due(kind, session.pk, session.group, None, robot_params, link))
    return dues


def essay_deadlines(scan: Scan) -> list[Due]:
    """Essay reminders: from ESSAY_DUE_DAYS_AHEAD days before a session's essay_due_on to the day
    itself ("due soon"), and after it within ESSAY_OVERDUE_WINDOW_DAYS ("overdue"), to each
    member who owes one (selectors.essays.owes_essay) and has not written one that counts
    (essay_counts). Five queries (one when no session asks for essays in the window, four when
    all is decided)."""
    sessions = list(
        StudySession.objects.filter(
            essay_due_on__gte=scan.today - dt.timedelta(days=ESSAY_OVERDUE_WINDOW_DAYS),
            essay_due_on__lte=scan.today + dt.timedelta(days=ESSAY_DUE_DAYS_AHEAD),
        ).select_related("group")
    )
    if not sessions:
        return []
    ids = [s.pk for s in sessions]
    decided = scan.decided((DeliveryKind.ESSAY_DUE, DeliveryKind.ESSAY_OVERDUE), ids)
    written = set(
        ReflectionEssay.objects.filter(essay_counts(), session__in=ids).values_list(
            "session_id", "author_id"
        )
    )
    # Judged on light rows (owes_essay reads the dates); only those still to be told are loaded.
    members = _by_group(list(
        Member.objects.filter(group_id__in={s.group_id for s in sessions}, user__is_active=True)
        .in_group_on(scan.today)
        .only("pk", "group_id", "joined_on", "left_on")
        .order_by("sort_order", "pk")
    ))
    wanted = []  # (kind, session, owing member ids)
    for session in sessions:
        kind = (
            DeliveryKind.ESSAY_DUE if session.essay_due_on >= scan.today
            else DeliveryKind.ESSAY_OVERDUE
        )
        owing = [
            m.pk
            for m in members[session.group_id]
            if (session.pk, m.pk) not in written
            and owes_essay(m, session=session, today=scan.today)
        ]
        wanted.append((kind, session, owing))
    needed = {
        (pk, session.group_id) for kind, session, owing in wanted for pk in owing
        if (kind, session.pk, 0, pk) not in decided
    }
    people = _people(needed)
    dues = []
    for kind, session, owing in wanted:
        link = reverse("sessions_app:session_detail", args=[session.group.slug, session.pk])
        params = _session_params(session)
        for pk in owing:
            if pk in people and (kind, session.pk, 0, pk) not in decided:
                dues.append(Due(kind, session.pk, session.group, people[pk], params, link))
        if owing and session.group_id in scan.robots and (kind, session.pk, 0, None) not in decided:
            robot_params = {**params, "missing": len(owing)}
            dues.append(Due(kind, session.pk, session.group, None, robot_params, link))
    return dues


def attendance_warnings(scan: Scan) -> list[Due]:
    """An attendance warning, once a term, to a member whose rate in the current term (sessions
    held so far) falls below the group's rule (meets_attendance_rule), and one to each secretary
    of the group about that member. Only members in the group today. Five queries: the rates,
    the groups' rules, what was decided, the terms, the members to tell (one when no attendance
    is recorded in a current term, three when every low member was warned)."""
    counts = list(
        Attendance.objects.filter(
            session__term__start_date__lte=scan.today,
            session__term__end_date__gte=scan.today,
            session__date__lte=scan.today,
        )
        .values("member_id", "session__term_id", "session__group_id")
        .annotate(total=Count("id"), attended=Count("id", filter=attended_filter()))
        .order_by()
    )
    if not counts:
        return []
    groups = StudyGroup.objects.in_bulk({c["session__group_id"] for c in counts})
    low = []
    for c in counts:
        rate = attendance_rate(attended=c["attended"], total=c["total"])
        if meets_attendance_rule(rate, group=groups[c["session__group_id"]]) is False:
            low.append((c["member_id"], c["session__term_id"], c["session__group_id"], rate))
    if not low:
        return []
    kinds = (DeliveryKind.ATTENDANCE_LOW, DeliveryKind.ATTENDANCE_LOW_SECRETARY)
    decided = scan.decided(kinds, {term_id for _m, term_id, _g, _r in low})
    # A warning to the member marks the decision for the secretaries' too (same scan, same row
    # set), so a low member already warned needs nothing loaded.
    low = [
        entry for entry in low
        if (DeliveryKind.ATTENDANCE_LOW, entry[1], 0, entry[0]) not in decided
    ]
    if not low:
        return []
    terms = Term.objects.in_bulk({term_id for _m, term_id, _g, _r in low})
    people = recipients(
        Member.objects.in_group_on(scan.today).filter(
            Q(pk__in=[m for m, _t, _g, _r in low])
            | Q(group_id__in={g for _m, _t, g, _r in low}, role=Member.Role.SECRETARY)
        )
    )
    by_pk = {m.pk: m for m in people}
    secretaries = _by_group([m for m in people if m.is_secretary])
    dues = []
    links = {}  # group id -> (the member's link, the secretary's)
    for member_id, term_id, group_id, rate in low:
        member = by_pk.get(member_id)
        if member is None:  # left the group: no longer warned
            continue
        group = groups[group_id]
        if group_id not in links:
            links[group_id] = (reverse("sessions_app:my_record", args=[group.slug]),
                               reverse("sessions_app:member_list", args=[group.slug]))
        own_link, secretary_link = links[group_id]
        params = {"term": terms[term_id], "rate": rate, "rule": group.rule_attendance_rate,
                  "name": member.display_name}
        dues.append(Due(DeliveryKind.ATTENDANCE_LOW, term_id, group, member, params, own_link))
        for secretary in secretaries[group_id]:
            if secretary.pk != member.pk:
                dues.append(Due(DeliveryKind.ATTENDANCE_LOW_SECRETARY, term_id, group, secretary,
                                params, secretary_link, about_id=member.pk))
    return dues


#: The sources a scan runs, in order. The 补学 duties' source joins here (see the module's
#: docstring).
#: 补学 reminders: once a duty still owed is due within this many days (or overdue, within
#: ESSAY_OVERDUE_WINDOW_DAYS after its due day, as essays are).
MAKEUP_DUE_DAYS_AHEAD = 2


def makeup_duties(scan: Scan) -> list[Due]:
    """A make-up reminder, once per duty, to the member who still owes it (OWED_MAKEUP: to do or
    returned) from MAKEUP_DUE_DAYS_AHEAD days before its due day, or after it within the
    overdue window. Members only (a group's chat is not told who owes make-up study). Two
    queries (one when nothing is due)."""
    duties = list(
        MakeupDuty.objects.filter(
            status__in=OWED_MAKEUP,
            due_on__lte=scan.today + dt.timedelta(days=MAKEUP_DUE_DAYS_AHEAD),
            due_on__gte=scan.today - dt.timedelta(days=ESSAY_OVERDUE_WINDOW_DAYS),
            member__user__is_active=True,
        ).select_related(
            "attendance__session", "member__user__reminder_preference", "member__group"
        )
    )
    if not duties:
        return []
    decided = scan.decided([DeliveryKind.MAKEUP], [d.pk for d in duties])
    dues = []
    for duty in duties:
        if (DeliveryKind.MAKEUP, duty.pk, 0, duty.member_id) in decided:
            continue
        session = duty.attendance.session
        link = reverse("sessions_app:makeup_detail", args=[duty.member.group.slug, duty.pk])
        params = {**_session_params(session), "makeup_due_on": duty.due_on,
                  "overdue": duty.due_on < scan.today}
        dues.append(Due(DeliveryKind.MAKEUP, duty.pk, duty.member.group,
                        Recipient.of(duty.member), params, link))
    return dues


SOURCES: list[Callable[[Scan], list[Due]]] = [
    session_notices,
    essay_deadlines,
    attendance_warnings,
    makeup_duties,
]
