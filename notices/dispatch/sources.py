"""What is due to be sent now: each source finds its messages in a fixed number of queries,
whatever the number of groups, sessions or members.

A source is a function source(scan) -> list[Due]. It leaves out what was decided before
(scan.decided), so a scan only composes new messages; the sent-log's unique constraint still
decides in the end (notices.services.delivery.deliveries_decide_due). SOURCES lists them in the
order they run.

Adding a source (as makeup_duties, the 补学 reminders, DeliveryKind.MAKEUP, was added): write
``def makeup_duties(scan: Scan) -> list[Due]`` that loads the open MakeupDuty rows due by
scan.today with their sessions and groups, drops the keys in
scan.decided([DeliveryKind.MAKEUP], duty ids), and returns one Due per duty (object_id: the
duty's id; members: the member's id; link: where the member records it), plus one robot Due per
group in scan.robots if the group's chat should hear of it; add its words to
messages._COMPOSERS; append it to SOURCES. A Due names members by id only: the scan looks up
their language and address itself (recipient_rows), inside its insert on PostgreSQL. Its
queries must not grow with the data either: tests/notices/test_delivery_scan.py pins the scan's
count at two sizes. A source of another app appends itself in its AppConfig.ready, as
oversight.reminders' 报送 deadlines do.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils.http import RFC3986_SUBDELIMS

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
    DeliveryKind), with the same words for every member in `members` (member ids, each told in
    the app and by e-mail if they take it, in their own language), or, with members None, to the
    group's chat robots. params are the facts messages.compose names; link is a path in the app.
    about_id: the member a message to someone else is about (0: none)."""

    kind: str
    object_id: int
    group: StudyGroup
    members: tuple[int, ...] | None
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
    """A member as a message to them needs them: who (pk, group_id), where an e-mail goes
    (email, "" for none) and what they chose (email_enabled, language): recipient_rows' columns.
    Light, so that a scan telling thousands of members loads no model instances for them."""

    pk: int
    group_id: int
    email: str
    email_enabled: bool
    language: str


def recipient_rows(members: QuerySet[Member]) -> QuerySet:
    """The members of a Member queryset who can be told (their account is active: a deactivated
    one can no longer sign in to read anything), as rows (pk, group_id, email, email_enabled,
    language): the account's e-mail ("" for none) and the member's ReminderPreference, or its
    defaults when they never set one. The one rule of whom a reminder reaches and how: the scan
    asks it in Python (recipients) and, on PostgreSQL, inside its insert."""
    default = ReminderPreference()
    return (
        members.filter(user__is_active=True)
        .annotate(
            to_address=Coalesce(F("user__email"), Value("")),
            takes_email=Coalesce(
                F("user__reminder_preference__email_enabled"), Value(default.email_enabled)
            ),
            in_language=Coalesce(
                F("user__reminder_preference__language"), Value(default.language)
            ),
        )
        .order_by()
        .values_list("pk", "group_id", "to_address", "takes_email", "in_language")
    )


def recipient_languages() -> set[str]:
    """Every language recipient_rows may give a member: the default and each one a member chose
    (ReminderPreference). One query, on the preferences alone (few: only those who changed
    theirs), so that a scan composes each message in these languages without asking which
    language each of thousands of members reads."""
    chosen = ReminderPreference.objects.order_by().values_list("language", flat=True).distinct()
    return {ReminderPreference().language, *chosen}


def recipients(members: QuerySet[Member]) -> list[Recipient]:
    """recipient_rows of a Member queryset as Recipients. One query."""
    return [Recipient(*row) for row in recipient_rows(members)]


def paths_to(name: str) -> Callable[..., str]:
    """A function (*args) -> reverse(name, args=args), for slugs and ids (what the scan links by):
    the URL is reversed once with marker arguments, and each path is the pieces between them
    joined with the arguments (quoted as reverse quotes them). A scan links thousands of
    messages, and reverse() checks each result against its pattern (about 30 µs each). Raises
    NoReverseMatch at once if the name takes no slugs or ids, and when called with the wrong
    number of arguments."""
    markers = [str(9_000_000_001 + i) for i in range(3)]
    for arity in range(len(markers) + 1):
        try:
            template = reverse(name, args=markers[:arity])
            break
        except NoReverseMatch:
            if arity == len(markers):
                raise
    pieces = re.split("(" + "|".join(markers[:arity]) + ")", template) if arity else [template]
    order = [markers.index(marker) for marker in pieces[1::2]]

    def path(*args) -> str:
        if len(args) != arity:
            raise NoReverseMatch(f"{name} takes {arity} arguments, not {len(args)}")
        out = [pieces[0]]
        for i, index in enumerate(order):
            out += [quote(str(args[index]), safe=RFC3986_SUBDELIMS + "/~:@"), pieces[2 * i + 2]]
        return "".join(out)

    return path


def _by_group(members: list) -> dict[int, list]:
    grouped = defaultdict(list)
    for member in members:
        grouped[member.group_id].append(member)
    return grouped


#: What a Due reads of its group (its link, its robots' language, the attendance rule): the
#: scan loads hundreds of groups, and only these fields of them.
_GROUP_FIELDS = ("slug", "report_language", "rule_attendance_rate")
#: What a message says of a session (_session_params) and links by.
_SESSION_FIELDS = ("group_id", "date", "topic", "start_time", "place", "essay_due_on")


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
    confirmed reading it (no NoticeRead). Sessions already past are left alone. Four queries:
    the notices, what was decided, the reads, who is invited (none past the first when no notice
    is published)."""
    notices = list(
        Notice.objects.published(at=scan.now)
        .filter(session__date__gte=scan.today)
        .select_related("session__group")
        .only("session_id", *(f"session__{f}" for f in _SESSION_FIELDS),
              *(f"session__group__{f}" for f in _GROUP_FIELDS))
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
    dues = []
    notice_path = paths_to("notices:notice_detail")
    for kind, notice, ids in wanted:
        session = notice.session
        link = notice_path(session.group.slug, session.pk)
        params = _session_params(session)
        told = tuple(pk for pk in ids if (kind, session.pk, 0, pk) not in decided)
        if told:
            dues.append(Due(kind, session.pk, session.group, told, params, link))
        if session.group_id in scan.robots and ids and (kind, session.pk, 0, None) not in decided:
            robot_params = {**params, "unread": len(ids)}
            dues.append(Due(kind, session.pk, session.group, None, robot_params, link))
    return dues


def essay_deadlines(scan: Scan) -> list[Due]:
    """Essay reminders: from ESSAY_DUE_DAYS_AHEAD days before a session's essay_due_on to the day
    itself ("due soon"), and after it within ESSAY_OVERDUE_WINDOW_DAYS ("overdue"), to each
    member who owes one (selectors.essays.owes_essay) and has not written one that counts
    (essay_counts). Four queries (one when no session asks for essays in the window)."""
    sessions = list(
        StudySession.objects.filter(
            essay_due_on__gte=scan.today - dt.timedelta(days=ESSAY_OVERDUE_WINDOW_DAYS),
            essay_due_on__lte=scan.today + dt.timedelta(days=ESSAY_DUE_DAYS_AHEAD),
        )
        .select_related("group")
        .only(*_SESSION_FIELDS, *(f"group__{f}" for f in _GROUP_FIELDS))
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
    dues = []
    session_path = paths_to("sessions_app:session_detail")
    for kind, session, owing in wanted:
        link = session_path(session.group.slug, session.pk)
        params = _session_params(session)
        told = tuple(pk for pk in owing if (kind, session.pk, 0, pk) not in decided)
        if told:
            dues.append(Due(kind, session.pk, session.group, told, params, link))
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
        .values_list("member_id", "session__term_id", "session__group_id", "total", "attended")
    )
    if not counts:
        return []
    groups = StudyGroup.objects.only(*_GROUP_FIELDS).in_bulk({c[2] for c in counts})
    low = []
    for member_id, term_id, group_id, total, attended in counts:
        rate = attendance_rate(attended=attended, total=total)
        if meets_attendance_rule(rate, group=groups[group_id]) is False:
            low.append((member_id, term_id, group_id, rate))
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
    terms = Term.objects.only("year", "half").in_bulk({term_id for _m, term_id, _g, _r in low})
    names = {}  # member id -> display name, of the low members and the secretaries
    secretaries = defaultdict(list)
    for pk, group_id, name, role in (
        Member.objects.in_group_on(scan.today)
        .filter(user__is_active=True)
        .filter(
            Q(pk__in=[m for m, _t, _g, _r in low])
            | Q(group_id__in={g for _m, _t, g, _r in low}, role=Member.Role.SECRETARY)
        )
        .order_by("sort_order", "pk")
        .values_list("pk", "group_id", "display_name", "role")
    ):
        names[pk] = name
        if role == Member.Role.SECRETARY:
            secretaries[group_id].append(pk)
    dues = []
    own_path = paths_to("sessions_app:my_record")
    secretary_path = paths_to("sessions_app:member_list")
    for member_id, term_id, group_id, rate in low:
        if member_id not in names:  # left the group: no longer warned
            continue
        group = groups[group_id]
        params = {"term": terms[term_id], "rate": rate, "rule": group.rule_attendance_rate,
                  "name": names[member_id]}
        dues.append(Due(DeliveryKind.ATTENDANCE_LOW, term_id, group, (member_id,), params,
                        own_path(group.slug)))
        told = tuple(pk for pk in secretaries[group_id] if pk != member_id)
        if told:
            dues.append(Due(DeliveryKind.ATTENDANCE_LOW_SECRETARY, term_id, group, told, params,
                            secretary_path(group.slug), about_id=member_id))
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
        ).select_related("attendance__session", "member__group")
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
        dues.append(Due(DeliveryKind.MAKEUP, duty.pk, duty.member.group, (duty.member_id,),
                        params, link))
    return dues


SOURCES: list[Callable[[Scan], list[Due]]] = [
    session_notices,
    essay_deadlines,
    attendance_warnings,
    makeup_duties,
]
