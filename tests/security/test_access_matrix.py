"""Every URL × role × method answers with exactly the status the table says (issue 4, item 9).

The table has one row per URL name. A URL added to the project without a row here fails
test_every_url_has_a_row_in_the_access_table, so none goes unchecked: add its row (its statuses
for each role, and for a POST that changes something, valid data and what it changes).

POSTs carry valid data, so a 302 for a permitted role means the action happened (the row's
`state` changed) and a refusal means nothing changed. Another group's objects answer exactly as a
missing id does: same status, same page.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from intake.essays import essay_file_read
from notices.delivery_models import Channel, Delivery, DeliveryKind, GroupRobots, ReminderPreference
from notices.models import CalendarFeed, Notice, NoticeRead
from notices.services.calendar import calendar_feed_renew
from notices.services.notice import notice_publish
from oversight.models import Bulletin, SittingIn, Submission, SummaryBundle
from reports.models import ArchiveBuild, ReportFile, ReportNarrative, WordTemplate
from reports.word import default_template_docx
from sessions_app.checkin import checkin_token, time_step
from sessions_app.models import (
    LeaveRequest,
    MakeupDuty,
    Member,
    PlannedTopic,
    ReflectionEssay,
    SessionMaterial,
    StudyGroup,
    StudyPlan,
    StudySession,
)
from sessions_app.selectors.plans import plan_startable_halves
from sessions_app.services.leave import leave_request
from sessions_app.services.makeup import makeup_submit
from sessions_app.services.sessions import AttendanceEntry, session_update
from tests.factories import PASSWORD, StudySessionFactory, TermFactory
from tests.security._access_world import (
    World,
    essay_form,
    material_form,
    narrative_form,
    plan_form,
    session_form,
)

ROLES = ("leader", "deputy", "secretary", "member", "other", "anonymous")
# "other" is the secretary of another group: every right there, none here.

LOGIN = "302 to login"
MISSING_ID = 999_999
MISSING_TERM = "2031H1"

# Not in the table: admin/ is Django's own site, open to staff only and checked by Django
# (staff_member_required on every page; our admin forbids changing uploads, see
# tests/sessions_app/test_materials.py); i18n/ is Django's set_language, which only sets the
# language cookie and redirects, for anyone, and reads and writes no records.
EXCLUDED_PREFIXES = ("admin/", "i18n/")


def url_names(resolver=None, prefix="", namespace="") -> dict[str, str]:
    """Every named URL pattern of the project: {"app:name": "route"}, except EXCLUDED_PREFIXES."""
    resolver = resolver or get_resolver()
    names = {}
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(EXCLUDED_PREFIXES):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names.update(url_names(pattern, route, inner))
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL {route} has no name: name it and add it to the table"
            names[namespace + pattern.name] = route
    return names


def next_half_code() -> str:
    year, half = plan_startable_halves(today=timezone.localdate())[0]
    return f"{year}H{half}"


# --- The table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One URL name: its arguments, the status for each role (in ROLES order) by method, what a
    POST sends and which state it changes, and the other group's ids its arguments may name."""

    name: str
    get: tuple
    post: tuple
    args: Callable[[World], dict] = lambda w: {}
    data: Callable[[World], dict] = lambda w: {}
    # What a successful POST (a 302 that is not to the login page) changes; None: changes nothing.
    state: Callable[[World], object] | None = None
    # Arguments naming another group's objects, each of which must answer as `missing` does.
    foreign: Callable[[World], list[dict]] = lambda w: []
    missing: dict = field(default_factory=dict)
    # The role that passes every check of the view but the object's, for the foreign/missing test.
    prober: str = "leader"


def every(status) -> tuple:
    return (status,) * 6


def in_group(leader, deputy, secretary, member) -> tuple:
    """Statuses inside the group; the other group's user gets 404, the anonymous the login."""
    return (leader, deputy, secretary, member, 404, LOGIN)


READ = in_group(200, 200, 200, 200)
MANAGE_GET = in_group(200, 200, 200, 403)
MANAGE_POST = in_group(302, 302, 302, 403)
LEAD_GET = in_group(200, 200, 403, 403)
LEAD_POST = in_group(302, 302, 403, 403)

session_pk = lambda w: {"pk": w.mine.session.pk}  # noqa: E731
material_pks = lambda w: {"pk": w.mine.session.pk, "material_pk": w.mine.material.pk}  # noqa: E731
essay_pk = lambda w: {"pk": w.mine.essay.pk}  # noqa: E731
term_code = lambda w: {"term_code": w.mine.term.code}  # noqa: E731
their_session = lambda w: [{"pk": w.theirs.session.pk}]  # noqa: E731
their_essay = lambda w: [{"pk": w.theirs.essay.pk}]  # noqa: E731
their_term = lambda w: [{"term_code": w.theirs.term.code}]  # noqa: E731
their_material = lambda w: [  # noqa: E731
    {"material_pk": w.theirs.material.pk},
    {"pk": w.theirs.session.pk, "material_pk": w.theirs.material.pk},
]
summary_pdf = lambda w: {  # noqa: E731
    "term_code": w.mine.term.code, "kind": "summary", "report_file_id": w.mine.report_file.pk
}
their_pdf = lambda w: [  # noqa: E731
    {"report_file_id": w.theirs.report_file.pk},
    {"term_code": w.theirs.term.code, "report_file_id": w.theirs.report_file.pk},
]
MISSING_YEAR = 2031
archive_year = lambda w: {"year": w.mine.term.year}  # noqa: E731
their_year = lambda w: [{"year": w.theirs.term.year}]  # noqa: E731
archive_build = lambda w: {"build_id": w.mine.archive_build.pk}  # noqa: E731
their_build = lambda w: [{"build_id": w.theirs.archive_build.pk}]  # noqa: E731
# The member role's own archive; the other group's author's is 404 for everyone here.
own_archive = lambda w: {"year": w.mine.term.year, "member_id": w.roles["member"].pk}  # noqa: E731
their_archive = lambda w: [  # noqa: E731
    {"member_id": w.theirs.essay.author_id},
    {"year": w.theirs.term.year, "member_id": w.theirs.essay.author_id},
]
# Views that take ?term= name a term by its code: another group's is 404, as for a missing one.
their_term_query = lambda w: [{"?term": w.theirs.term.code}]  # noqa: E731


def current_code(session_pk: int) -> str:
    """The check-in code the session's projector shows now (sessions_app.checkin)."""
    return checkin_token(session_id=session_pk, step=time_step(timezone.now()))


member_pk = lambda w: {"pk": w.roles["member"].pk}  # noqa: E731
bulletins = lambda w: list(  # noqa: E731
    Bulletin.objects.values_list("pk", "status", "preamble").order_by("pk")
)
sittings = lambda w: list(  # noqa: E731
    SittingIn.objects.values_list("pk", "filed_at").order_by("pk")
)
submissions = lambda w: list(  # noqa: E731
    Submission.objects.values_list("pk", "status").order_by("pk")
)
summary_bundles = lambda w: list(  # noqa: E731
    SummaryBundle.objects.values_list("pk", "status").order_by("pk")
)


def _notice(w: World, records) -> Notice:
    """A published notice of an upcoming session of records' group, made when a row first asks
    (the world's own sessions are held in 2020, and a notice is for a session still to come)."""
    cached = getattr(records, "notice", None)
    if cached is None:
        day = timezone.localdate() + dt.timedelta(days=10)
        term = TermFactory(group=records.group, year=day.year, half=1 if day.month <= 6 else 2)
        session = StudySessionFactory(group=records.group, term=term, date=day, topic="通知的专题")
        managers = Member.objects.filter(group=records.group, role__in=["leader", "secretary"])
        speakers = list(Member.objects.filter(group=records.group).in_rank_order()[:2])
        cached = notice_publish(
            session=session, actor=managers.first(), discussion_questions="思考题",
            key_speakers=speakers, at_once=True,
        )
        records.notice = cached
    return cached


notice_session = lambda w: {"session_pk": _notice(w, w.mine).session_id}  # noqa: E731
their_notice = lambda w: [{"session_pk": _notice(w, w.theirs).session_id}]  # noqa: E731


def calendar_token(w: World) -> str:
    feed = CalendarFeed.objects.filter(user=w.roles["member"].user).first()
    return (feed or calendar_feed_renew(user=w.roles["member"].user)).token
their_member = lambda w: [{"pk": w.roles["other"].pk}, {"pk": w.theirs.former.pk}]  # noqa: E731


def upcoming(records) -> StudySession:
    """A session of the records' group a week ahead (leave is asked for before a session)."""
    if not hasattr(records, "_upcoming"):
        day = timezone.localdate() + dt.timedelta(days=7)
        term = TermFactory(group=records.group, year=day.year, half=1 if day.month <= 6 else 2)
        records._upcoming = StudySessionFactory(group=records.group, term=term, date=day,
                                                topic="即将举行的专题")
    return records._upcoming


def pending_leave(records) -> LeaveRequest:
    """The essay author's waiting leave request for the upcoming session (the leader decides)."""
    if not hasattr(records, "_leave"):
        records._leave = leave_request(session=upcoming(records), member=records.essay.author,
                                       reason="出差")
    return records._leave


def duty(records, *, submitted: bool = False) -> MakeupDuty:
    """The essay author's 补学 for the records' session (absent), open or submitted with a file."""
    if not hasattr(records, "_duty"):
        author = records.essay.author
        session_update(session=records.session, actor=author.user, fields={},
                       attendance=[AttendanceEntry(member=author, status="absent")])
        records._duty = MakeupDuty.objects.get(member=author)
        if submitted:
            upload = SimpleUploadedFile("补学笔记.txt", "观看了会议录像。".encode())
            records._duty = makeup_submit(duty=records._duty, member=author,
                                          notes_file=essay_file_read(upload))
    return records._duty


def submitted(records) -> MakeupDuty:
    return duty(records, submitted=True)


def member_form(w):
    return {"display_name": "新来的成员", "role": "member", "username": "newcomer",
            "joined_on": "2020-05-01"}


def in_app_message(member: Member) -> Delivery:
    """A notice in the member's inbox (made once, whichever request asks first)."""
    return Delivery.objects.get_or_create(
        kind=DeliveryKind.NOTICE, object_id=1, about_id=0, member=member, channel=Channel.IN_APP,
        defaults={"group": member.group, "language": "zh-hans", "title": "学习通知",
                  "body": "请阅读。", "status": Delivery.Status.SENT, "batch": "t",
                  "created_at": timezone.now()},
    )[0]


def their_message(w):
    return [{"pk": in_app_message(w.theirs.essay.author).pk},
            {"pk": in_app_message(w.roles["other"]).pk}]


def reminder_preferences(w):
    return sorted(ReminderPreference.objects.values_list("user_id", "email_enabled", "language"))


def current_members(w):
    return list(Member.objects.filter(group=w.group, left_on__isnull=True).in_rank_order())


def material_count(w):
    return SessionMaterial.objects.filter(session__group=w.group).count()


def password_change_form(w):
    new = "学习强国-2026-安全"
    return {"old_password": PASSWORD, "new_password1": new, "new_password2": new}


def password_hashes(w):
    return list(get_user_model().objects.order_by("pk").values_list("password", flat=True))


# To add a URL: a Row with its name and the status each role gets, in ROLES order, for GET and for
# POST; in_group() adds the other group's 404 and the anonymous user's login. For example, a page
# the secretary and leaders read that changes nothing, whatever the method:
#     Row("sessions_app:audit_log", get=MANAGE_GET, post=MANAGE_GET),
# A URL naming an object also needs `args`, `foreign` (the other group's ids) and `missing`; a
# POST that changes something, `data` and `state`.
TABLE = [
    # The group's audit log: its secretary and leaders read it; nothing is written by a visit.
    Row("audit:log", get=MANAGE_GET, post=MANAGE_GET),
    # Outside a group.
    Row("home", get=(302, 302, 302, 302, 302, LOGIN), post=(302, 302, 302, 302, 302, LOGIN)),
    Row("login", get=(302, 302, 302, 302, 302, 200), post=(302, 302, 302, 302, 302, 200)),
    Row("logout", get=every(405), post=every(LOGIN)),
    # Any logged-in user changes their own password, whatever their groups.
    Row("password_change", get=(200, 200, 200, 200, 200, LOGIN),
        post=(302, 302, 302, 302, 302, LOGIN), data=password_change_form, state=password_hashes),
    Row("password_change_done", get=(200, 200, 200, 200, 200, LOGIN),
        post=(405, 405, 405, 405, 405, LOGIN)),
    # Records: sessions, attendance, materials.
    Row("sessions_app:dashboard", get=READ, post=READ, foreign=their_term_query,
        missing={"?term": MISSING_TERM}),
    Row("sessions_app:session_list", get=READ, post=READ, foreign=their_term_query,
        missing={"?term": MISSING_TERM}),
    Row("sessions_app:session_create", get=MANAGE_GET, post=MANAGE_POST, data=session_form,
        state=lambda w: StudySession.objects.filter(group=w.group).count()),
    Row("sessions_app:session_detail", get=READ, post=READ, args=session_pk,
        foreign=their_session, missing={"pk": MISSING_ID}),
    Row("sessions_app:session_edit", get=MANAGE_GET, post=MANAGE_POST, args=session_pk,
        data=lambda w: session_form(w, date="2020-03-12", topic="改后的专题"),
        state=lambda w: StudySession.objects.get(pk=w.mine.session.pk).topic,
        foreign=their_session, missing={"pk": MISSING_ID}),
    # 修改记录: secretaries and leaders read a session's history; a visit writes nothing.
    Row("sessions_app:session_history", get=MANAGE_GET, post=MANAGE_GET, args=session_pk,
        foreign=their_session, missing={"pk": MISSING_ID}),
    Row("sessions_app:member_history", get=MANAGE_GET, post=MANAGE_GET),
    Row("sessions_app:session_delete", get=MANAGE_GET, post=MANAGE_POST, args=session_pk,
        state=lambda w: StudySession.objects.filter(pk=w.mine.session.pk).exists(),
        foreign=their_session, missing={"pk": MISSING_ID}),
    Row("sessions_app:material_upload", get=every(405), post=MANAGE_POST, args=session_pk,
        data=material_form, state=material_count, foreign=their_session,
        missing={"pk": MISSING_ID}),
    Row("sessions_app:material_download", get=READ, post=READ, args=material_pks,
        foreign=their_material, missing={"material_pk": MISSING_ID}),
    Row("sessions_app:material_delete", get=MANAGE_GET, post=MANAGE_POST, args=material_pks,
        state=material_count, foreign=their_material, missing={"material_pk": MISSING_ID}),
    # QR check-in: the secretary and leaders open the projector page and read its code; any
    # member opens the code's URL. The table's session was in 2020, so a genuine current code
    # is refused (400: check-in closed) and changes nothing (tests/sessions_app/test_checkin.py
    # checks in during the window).
    Row("sessions_app:checkin_open", get=MANAGE_GET, post=every(405), args=session_pk,
        foreign=their_session, missing={"pk": MISSING_ID}),
    Row("sessions_app:checkin_code", get=MANAGE_GET, post=every(405), args=session_pk,
        foreign=their_session, missing={"pk": MISSING_ID}),
    Row("sessions_app:checkin", get=in_group(400, 400, 400, 400), post=every(405),
        args=lambda w: {"pk": w.mine.session.pk, "token": current_code(w.mine.session.pk)},
        foreign=lambda w: [{"pk": w.theirs.session.pk,
                            "token": current_code(w.theirs.session.pk)}],
        missing={"pk": MISSING_ID}),
    Row("sessions_app:my_record", get=READ, post=READ),
    # 请假: everyone in the group asks for their own leave (the leader's goes to the deputy);
    # the leader decides the member's request, and nobody else may.
    Row("sessions_app:leave_request", get=READ, post=in_group(302, 302, 302, 302),
        args=lambda w: {"pk": upcoming(w.mine).pk}, data=lambda w: {"reason": "出差"},
        state=lambda w: LeaveRequest.objects.filter(member__group=w.group).count(),
        foreign=their_session, missing={"pk": MISSING_ID}),
    Row("sessions_app:leave_list", get=LEAD_GET, post=LEAD_GET),
    Row("sessions_app:leave_decide", get=every(405), post=in_group(302, 403, 403, 403),
        args=lambda w: {"pk": pending_leave(w.mine).pk},
        data=lambda w: {f"l{pending_leave(w.mine).pk}-decision": "approve"},
        state=lambda w: LeaveRequest.objects.get(pk=pending_leave(w.mine).pk).status,
        foreign=lambda w: [{"pk": pending_leave(w.theirs).pk}], missing={"pk": MISSING_ID}),
    # 补学: the member's own duty; the secretary and leaders read and review every duty, but
    # only the member submits notes.
    Row("sessions_app:makeup_list", get=MANAGE_GET, post=MANAGE_GET),
    Row("sessions_app:makeup_detail", get=READ, post=in_group(403, 403, 403, 302),
        args=lambda w: {"pk": duty(w.mine).pk}, data=lambda w: {"body": "观看了会议录像。"},
        state=lambda w: MakeupDuty.objects.get(pk=duty(w.mine).pk).status,
        foreign=lambda w: [{"pk": duty(w.theirs).pk}], missing={"pk": MISSING_ID}),
    Row("sessions_app:makeup_review", get=every(405), post=MANAGE_POST,
        args=lambda w: {"pk": submitted(w.mine).pk}, data=lambda w: {"status": "accepted"},
        state=lambda w: MakeupDuty.objects.get(pk=submitted(w.mine).pk).status,
        foreign=lambda w: [{"pk": submitted(w.theirs).pk}], missing={"pk": MISSING_ID}),
    Row("sessions_app:makeup_file", get=READ, post=READ,
        args=lambda w: {"pk": submitted(w.mine).pk},
        foreign=lambda w: [{"pk": submitted(w.theirs).pk}], missing={"pk": MISSING_ID}),
    Row("sessions_app:group_rules", get=MANAGE_GET, post=MANAGE_POST,
        data=lambda w: {
            "rule_sessions_per_quarter": "2",
            "rule_attendance_rate": "85.0",
            "rule_essays_per_member_year": "3",
            "makeup_due_days": "10",
            "notice_days_ahead": "5",
            "originality_threshold": "40",
        },
        state=lambda w: StudyGroup.objects.get(pk=w.group.pk).rule_essays_per_member_year),
    # Members: the secretary and leaders keep the list and hand out sign-in links.
    Row("sessions_app:member_list", get=MANAGE_GET, post=MANAGE_GET),
    Row("sessions_app:member_create", get=MANAGE_GET, post=MANAGE_POST, data=member_form,
        state=lambda w: Member.objects.filter(group=w.group).count()),
    Row("sessions_app:member_order", get=every(405), post=MANAGE_POST,
        data=lambda w: {f"order-{m.pk}": str(100 - i) for i, m in enumerate(current_members(w))},
        state=lambda w: [m.pk for m in current_members(w)]),
    Row("sessions_app:member_links", get=MANAGE_GET, post=MANAGE_GET),
    Row("sessions_app:member_edit", get=MANAGE_GET, post=MANAGE_POST, args=member_pk,
        data=lambda w: {"display_name": "改名的成员", "role": "deputy", "joined_on": "2019-01-01"},
        state=lambda w: Member.objects.get(pk=w.roles["member"].pk).role,
        foreign=their_member, missing={"pk": MISSING_ID}),
    Row("sessions_app:member_leave", get=MANAGE_GET, post=MANAGE_POST, args=member_pk,
        data=lambda w: {"left_on": "2020-05-01"},
        state=lambda w: Member.objects.get(pk=w.roles["member"].pk).left_on,
        foreign=their_member, missing={"pk": MISSING_ID}),
    Row("sessions_app:member_rejoin", get=MANAGE_GET, post=MANAGE_POST,
        args=lambda w: {"pk": w.mine.former.pk},
        state=lambda w: Member.objects.get(pk=w.mine.former.pk).left_on,
        foreign=lambda w: [{"pk": w.theirs.former.pk}], missing={"pk": MISSING_ID}),
    Row("sessions_app:member_link", get=MANAGE_GET, post=MANAGE_POST, args=member_pk,
        state=lambda w: Member.objects.get(pk=w.roles["member"].pk).signin_links_issued,
        foreign=their_member, missing={"pk": MISSING_ID}),
    # Imports and exports: the secretary and leaders; the preview and the confirm write only
    # what the service checked (an empty form is a 400, a confirm with no preview goes back).
    Row("sessions_app:member_export", get=MANAGE_GET, post=MANAGE_GET,
        args=lambda w: {"fmt": "xlsx"}),
    Row("sessions_app:ledger_export", get=MANAGE_GET, post=MANAGE_GET,
        args=lambda w: {"fmt": "csv"}),
    Row("sessions_app:import_upload", get=MANAGE_GET, post=in_group(400, 400, 400, 403),
        args=lambda w: {"import_kind": "members"},
        state=lambda w: Member.objects.filter(group=w.group).count()),
    Row("sessions_app:records_import", get=MANAGE_GET, post=in_group(400, 400, 400, 403),
        state=lambda w: StudySession.objects.filter(group=w.group).count()),
    # With no preview in the session there is nothing to confirm: back to the upload page.
    Row("sessions_app:import_confirm", get=every(405), post=MANAGE_POST,
        args=lambda w: {"import_kind": "records"}, data=lambda w: {"token": "made-up"}),
    Row("sessions_app:import_template", get=MANAGE_GET, post=MANAGE_GET,
        args=lambda w: {"import_kind": "records"}),
    # A one-time sign-in link, outside any group: a link that does not work says so to anyone.
    Row("signin", get=every(200), post=every(200), args=lambda w: {"uidb64": "MA", "token": "0-0"}),
    # Essays: the member wrote the group's essay; managers read and review every essay.
    Row("sessions_app:essay_list", get=READ, post=READ),
    Row("sessions_app:essay_create", get=READ, post=in_group(302, 302, 302, 302),
        data=essay_form, state=lambda w: ReflectionEssay.objects.filter(group=w.group).count()),
    Row("sessions_app:essay_detail", get=READ, post=READ, args=essay_pk, foreign=their_essay,
        missing={"pk": MISSING_ID}),
    # Only the author revises an essay; to anyone else it does not exist.
    Row("sessions_app:essay_edit", get=in_group(404, 404, 404, 200),
        post=in_group(404, 404, 404, 302), args=essay_pk, data=essay_form,
        state=lambda w: ReflectionEssay.objects.get(pk=w.mine.essay.pk).title,
        foreign=their_essay, missing={"pk": MISSING_ID}, prober="member"),
    Row("sessions_app:essay_file", get=READ, post=READ, args=essay_pk, foreign=their_essay,
        missing={"pk": MISSING_ID}),
    # The member reads their own essay's history (they wrote the group's essay).
    Row("sessions_app:essay_history", get=READ, post=READ, args=essay_pk, foreign=their_essay,
        missing={"pk": MISSING_ID}),
    Row("sessions_app:essay_review", get=MANAGE_GET, post=MANAGE_POST, args=essay_pk,
        data=lambda w: {"status": ReflectionEssay.Status.ACCEPTED, "comment": ""},
        state=lambda w: ReflectionEssay.objects.get(pk=w.mine.essay.pk).status,
        foreign=their_essay, missing={"pk": MISSING_ID}),
    # Plans.
    Row("sessions_app:plan_current", get=READ, post=READ),
    Row("sessions_app:plan_create", get=in_group(302, 302, 302, 403), post=MANAGE_POST,
        data=lambda w: {"term": next_half_code()},
        state=lambda w: StudyPlan.objects.filter(group=w.group).count()),
    Row("sessions_app:plan_detail", get=READ, post=READ, args=term_code, foreign=their_term,
        missing={"term_code": MISSING_TERM}),
    Row("sessions_app:plan_edit", get=MANAGE_GET, post=MANAGE_POST, args=term_code,
        data=plan_form, state=lambda w: StudyPlan.objects.get(pk=w.mine.plan.pk).notes,
        foreign=their_term, missing={"term_code": MISSING_TERM}),
    Row("sessions_app:plan_history", get=MANAGE_GET, post=MANAGE_GET, args=term_code,
        foreign=their_term, missing={"term_code": MISSING_TERM}),
    Row("sessions_app:plan_approve", get=LEAD_GET, post=LEAD_POST, args=term_code,
        state=lambda w: StudyPlan.objects.get(pk=w.mine.plan.pk).status,
        foreign=their_term, missing={"term_code": MISSING_TERM}),
    Row("sessions_app:plan_topic_done", get=in_group(405, 405, 405, 403), post=MANAGE_POST,
        args=lambda w: {"term_code": w.mine.term.code, "topic_id": w.mine.research_topic.pk},
        data=lambda w: {"completed_on": "2020-05-01"},
        state=lambda w: PlannedTopic.objects.get(pk=w.mine.research_topic.pk).completed_on,
        foreign=lambda w: [
            {"topic_id": w.theirs.research_topic.pk},
            {"term_code": w.theirs.term.code, "topic_id": w.theirs.research_topic.pk},
        ],
        missing={"topic_id": MISSING_ID}),
    # Reminders: each member's inbox holds their own messages (anyone else's is missing); the
    # secretary and leaders see what was sent or failed and set the group's chat robots.
    Row("notices:inbox", get=READ, post=every(405)),
    Row("notices:inbox_message", get=in_group(404, 404, 404, 200), post=every(405),
        args=lambda w: {"pk": in_app_message(w.roles["member"]).pk},
        foreign=their_message, missing={"pk": MISSING_ID}, prober="member"),
    Row("notices:reminder_settings", get=READ, post=in_group(302, 302, 302, 302),
        data=lambda w: {"language": "en"}, state=reminder_preferences),
    Row("notices:deliveries", get=MANAGE_GET, post=every(405)),
    Row("notices:group_robots", get=MANAGE_GET, post=MANAGE_POST,
        data=lambda w: {"wecom_webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                        "dingtalk_webhook": "", "dingtalk_secret": ""},
        state=lambda w: list(GroupRobots.objects.values_list("group_id", "wecom_webhook"))),
    # Reports: the summary (v1 approved, v2 a complete draft), the plan document, PDFs.
    Row("reports:index", get=READ, post=READ),
    Row("reports:summary", get=READ, post=READ, args=term_code, foreign=their_term,
        missing={"term_code": MISSING_TERM}),
    Row("reports:summary_edit", get=MANAGE_GET, post=MANAGE_POST, args=term_code,
        data=narrative_form,
        state=lambda w: ReportNarrative.objects.get(pk=w.mine.draft.pk).preamble,
        foreign=their_term, missing={"term_code": MISSING_TERM}),
    # The edit page's live preview: shows the posted text and saves nothing.
    Row("reports:summary_preview", get=every(405), post=MANAGE_GET, args=term_code,
        data=narrative_form,
        state=lambda w: list(ReportNarrative.objects.values_list("preamble", "status")),
        foreign=their_term, missing={"term_code": MISSING_TERM}),
    Row("reports:summary_history", get=MANAGE_GET, post=MANAGE_GET, args=term_code,
        foreign=their_term, missing={"term_code": MISSING_TERM}),
    Row("reports:summary_approve", get=LEAD_GET, post=LEAD_POST, args=term_code,
        state=lambda w: ReportNarrative.objects.get(pk=w.mine.draft.pk).status,
        foreign=their_term, missing={"term_code": MISSING_TERM}),
    Row("reports:summary_version", get=READ, post=READ,
        args=lambda w: {"term_code": w.mine.term.code, "version": 1},
        foreign=their_term, missing={"version": 99}),
    # The plan is a draft: only those who keep the records read its document.
    Row("reports:plan_document", get=MANAGE_GET, post=MANAGE_GET, args=term_code,
        foreign=their_term, missing={"term_code": MISSING_TERM}),
    Row("reports:pdf_start", get=every(405), post=in_group(302, 302, 302, 302),
        args=lambda w: {"term_code": w.mine.term.code, "kind": "summary"},
        state=lambda w: ReportFile.objects.filter(group=w.group).count(),
        foreign=their_term, missing={"term_code": MISSING_TERM}),
    Row("reports:pdf_progress", get=READ, post=every(405), args=summary_pdf, foreign=their_pdf,
        missing={"report_file_id": MISSING_ID}),
    Row("reports:pdf_status", get=READ, post=every(405), args=summary_pdf, foreign=their_pdf,
        missing={"report_file_id": MISSING_ID}),
    Row("reports:pdf_download", get=READ, post=every(405), args=summary_pdf, foreign=their_pdf,
        missing={"report_file_id": MISSING_ID}),
    # Word files, made on request: the summary as the PDF (members the approved version), the
    # session's record and sign-in sheet as the session page. GET only.
    Row("reports:docx_download", get=READ, post=every(405),
        args=lambda w: {"term_code": w.mine.term.code, "kind": "summary"},
        foreign=their_term, missing={"term_code": MISSING_TERM}),
    Row("reports:session_record_docx", get=READ, post=every(405), args=session_pk,
        foreign=their_session, missing={"pk": MISSING_ID}),
    Row("reports:sign_in_sheet_docx", get=READ, post=every(405), args=session_pk,
        foreign=their_session, missing={"pk": MISSING_ID}),
    Row("reports:sign_in_sheet_pdf", get=READ, post=every(405), args=session_pk,
        foreign=their_session, missing={"pk": MISSING_ID}),
    # Above the group (oversight/): a group's people, whatever their role there, see nothing of
    # the county that oversees it (tests/oversight/test_access.py: the roles that do).
    Row("oversight:index", get=(200, 200, 200, 200, 200, LOGIN),
        post=(200, 200, 200, 200, 200, LOGIN)),
    Row("oversight:table", get=(404, 404, 404, 404, 404, LOGIN),
        post=(404, 404, 404, 404, 404, LOGIN), args=lambda w: {"org_slug": "county"}),
    Row("oversight:table_xlsx", get=(404, 404, 404, 404, 404, LOGIN),
        post=(404, 404, 404, 404, 404, LOGIN), args=lambda w: {"org_slug": "county"}),
    Row("oversight:group", get=(404, 404, 404, 404, 404, LOGIN),
        post=(404, 404, 404, 404, 404, LOGIN), args=lambda w: {"org_slug": "county"}),
    Row("oversight:inbox", get=(404, 404, 404, 404, 404, LOGIN),
        post=(404, 404, 404, 404, 404, LOGIN), args=lambda w: {"org_slug": "county"}),
    Row("oversight:receive", get=every(405), post=(404, 404, 404, 404, 404, LOGIN),
        args=lambda w: {"org_slug": "county", "pk": MISSING_ID}, state=submissions),
    Row("oversight:return", get=every(405), post=(404, 404, 404, 404, 404, LOGIN),
        args=lambda w: {"org_slug": "county", "pk": MISSING_ID},
        data=lambda w: {"comment": "请补充。"}, state=submissions),
    Row("oversight:sit_in", get=every(405), post=(404, 404, 404, 404, 404, LOGIN),
        args=lambda w: {"org_slug": "county", "pk": w.mine.session.pk}, state=sittings),
    Row("oversight:sittings", get=(404, 404, 404, 404, 404, LOGIN),
        post=(404, 404, 404, 404, 404, LOGIN), args=lambda w: {"org_slug": "county"}),
    Row("oversight:evaluate", get=(404, 404, 404, 404, 404, LOGIN),
        post=(404, 404, 404, 404, 404, LOGIN),
        args=lambda w: {"org_slug": "county", "pk": MISSING_ID},
        data=lambda w: {"evaluation": "好"}, state=sittings),
    Row("oversight:sitting_material", get=(404, 404, 404, 404, 404, LOGIN),
        post=(404, 404, 404, 404, 404, LOGIN),
        args=lambda w: {"org_slug": "county", "pk": MISSING_ID,
                        "material_pk": w.mine.material.pk}),
    Row("oversight:bulletin", get=(404, 404, 404, 404, 404, LOGIN),
        post=(404, 404, 404, 404, 404, LOGIN), args=lambda w: {"org_slug": "county"},
        data=lambda w: {"preamble": "导语", "requirements": "要求"}, state=bulletins),
    Row("oversight:bulletin_approve", get=every(405), post=(404, 404, 404, 404, 404, LOGIN),
        args=lambda w: {"org_slug": "county"}, state=bulletins),
    Row("oversight:bulletin_pdf", get=(404, 404, 404, 404, 404, LOGIN),
        post=(404, 404, 404, 404, 404, LOGIN), args=lambda w: {"org_slug": "county"}),
    Row("oversight:bulletin_docx", get=(404, 404, 404, 404, 404, LOGIN),
        post=(404, 404, 404, 404, 404, LOGIN), args=lambda w: {"org_slug": "county"}),
    # Every group's summary and plan as one .zip (oversight/views/summary_bundles.py): started
    # by a POST, followed and downloaded by GET; the county's people only.
    Row("oversight:summary_bundle_start", get=every(405), post=(404, 404, 404, 404, 404, LOGIN),
        args=lambda w: {"org_slug": "county"}, data=lambda w: {"term": w.mine.term.code},
        state=summary_bundles),
    Row("oversight:summary_bundle", get=(404, 404, 404, 404, 404, LOGIN), post=every(405),
        args=lambda w: {"org_slug": "county", "pk": MISSING_ID}),
    Row("oversight:summary_bundle_status", get=(404, 404, 404, 404, 404, LOGIN),
        post=every(405), args=lambda w: {"org_slug": "county", "pk": MISSING_ID}),
    Row("oversight:summary_bundle_download", get=(404, 404, 404, 404, 404, LOGIN),
        post=every(405), args=lambda w: {"org_slug": "county", "pk": MISSING_ID}),
    # The group's own 报送 page: its managers send the approved summary up.
    Row("submissions:list", get=MANAGE_GET, post=MANAGE_GET),
    Row("submissions:submit", get=every(405), post=MANAGE_POST,
        data=lambda w: {"term": w.mine.term.code, "kind": "summary"}, state=submissions),
    # The group's Word template (a group setting): the secretary and leaders. An upload with
    # valid data saves a version; the reset retires the version in use (made by its data).
    Row("reports:word_template", get=MANAGE_GET, post=MANAGE_POST,
        data=lambda w: {"file": SimpleUploadedFile("letterhead.docx", default_template_docx())},
        state=lambda w: WordTemplate.objects.filter(group=w.group).count()),
    Row("reports:word_template_default", get=MANAGE_GET, post=every(405)),
    Row("reports:word_template_reset", get=every(405), post=MANAGE_POST,
        data=lambda w: word_template_in_use(w),
        state=lambda w: WordTemplate.objects.filter(
            group=w.group, retired_at__isnull=False
        ).count()),
    # The study archive: the year's 学习档案专卷 for the secretary and leaders (a year is one of
    # the group's terms' years: the other group's 2019 is missing here), each member's own
    # 学习档案 for them and for the secretary and leaders (another member's is 404, as an essay).
    Row("reports:archive_index", get=READ, post=every(405)),
    Row("reports:archive_year", get=MANAGE_GET, post=every(405), args=archive_year,
        foreign=their_year, missing={"year": MISSING_YEAR}),
    Row("reports:archive_build_start", get=every(405), post=MANAGE_POST,
        args=lambda w: {"year": w.mine.term.year, "kind": "year"},
        state=lambda w: ArchiveBuild.objects.filter(group=w.group).count(),
        foreign=their_year, missing={"year": MISSING_YEAR}),
    Row("reports:archive_build", get=MANAGE_GET, post=every(405), args=archive_build,
        foreign=their_build, missing={"build_id": MISSING_ID}),
    Row("reports:archive_build_status", get=MANAGE_GET, post=every(405), args=archive_build,
        foreign=their_build, missing={"build_id": MISSING_ID}),
    Row("reports:archive_download", get=MANAGE_GET, post=every(405),
        args=lambda w: {"build_id": w.mine.archive_build.pk, "fmt": "zip"},
        foreign=their_build, missing={"build_id": MISSING_ID}),
    Row("reports:member_archive", get=READ, post=every(405), args=own_archive,
        foreign=their_archive, missing={"member_id": MISSING_ID}),
    Row("reports:member_archive_pdf", get=READ, post=every(405), args=own_archive,
        foreign=their_archive, missing={"member_id": MISSING_ID}),
    # Notices (学习通知): members read and confirm (已阅); the secretary and leaders publish.
    Row("notices:notice_detail", get=READ, post=READ, args=notice_session,
        foreign=their_notice, missing={"session_pk": MISSING_ID}),
    Row("notices:notice_edit", get=MANAGE_GET, post=MANAGE_POST, args=notice_session,
        data=lambda w: {"discussion_questions": "新的思考题", "when": "now",
                        "key_speakers": [str(w.roles["leader"].pk), str(w.roles["member"].pk)]},
        state=lambda w: Notice.objects.get(pk=_notice(w, w.mine).pk).discussion_questions,
        foreign=their_notice, missing={"session_pk": MISSING_ID}),
    Row("notices:notice_read", get=in_group(405, 405, 405, 405),
        post=in_group(302, 302, 302, 302), args=notice_session,
        state=lambda w: NoticeRead.objects.filter(notice__session__group=w.group).count(),
        foreign=their_notice, missing={"session_pk": MISSING_ID}),
    # A user's own calendar: the page to make or renew its address; the feed, read by phones
    # with no login (the token is the secret: a wrong one is 404, see below).
    Row("calendar", get=(200, 200, 200, 200, 200, LOGIN), post=(302, 302, 302, 302, 302, LOGIN),
        state=lambda w: sorted(CalendarFeed.objects.values_list("token", flat=True))),
    Row("calendar_feed", get=every(200), post=every(405),
        args=lambda w: {"token": calendar_token(w)}),
]
ROWS = {row.name: row for row in TABLE}


def word_template_in_use(w: World) -> dict:
    """A Word template in use by the group (uploaded by its secretary); no POST data."""
    from reports.services.word_templates import word_template_upload

    secretary = w.roles["secretary"]
    word_template_upload(
        group=w.group,
        member=secretary,
        user=secretary.user,
        upload=SimpleUploadedFile("letterhead.docx", default_template_docx()),
    )
    return {}
assert len(ROWS) == len(TABLE), "two rows for one URL name"


# --- The tests ---------------------------------------------------------------------------------


@functools.cache
def _routes() -> dict[str, str]:
    return url_names()


def url_for(row: Row, w: World, overrides: dict | None = None) -> str:
    kwargs = {**row.args(w), **(overrides or {})}
    query = {k[1:]: v for k, v in kwargs.items() if k.startswith("?")}
    kwargs = {k: v for k, v in kwargs.items() if not k.startswith("?")}
    if "<slug:group_slug>" in _routes()[row.name]:
        kwargs["group_slug"] = w.group.slug
    url = reverse(row.name, kwargs=kwargs)
    return url + "".join(f"?{k}={v}" for k, v in query.items())


def client_as(client, w: World, role: str):
    if w.roles[role] is not None:
        client.force_login(w.roles[role].user)
    return client


def request(client, method: str, url: str, data: dict):
    if method == "get":
        return client.get(url)
    return client.post(url, data)


def assert_status(response, expected, where: str) -> None:
    location = response.headers.get("Location", "")
    if expected == LOGIN:
        assert response.status_code == 302 and location.split("?")[0] == reverse("login"), (
            f"{where}: expected a redirect to the login page, got {response.status_code} "
            f"{location}"
        )
    else:
        assert response.status_code == expected, f"{where}: got {response.status_code} {location}"
        if expected == 302:
            assert location.split("?")[0] != reverse("login"), f"{where}: sent to log in"


def test_every_url_has_a_row_in_the_access_table():
    names = url_names()
    missing = sorted(set(names) - set(ROWS))
    assert not missing, f"URLs with no row in the access table: {missing}"
    stale = sorted(set(ROWS) - set(names))
    assert not stale, f"rows for URLs that no longer exist: {stale}"


def test_url_listing_sees_nested_group_urls_and_skips_admin_and_i18n():
    names = url_names()
    assert names["reports:pdf_download"].startswith("g/<slug:group_slug>/reports/pdf/")
    assert not any(route.startswith(EXCLUDED_PREFIXES) for route in names.values())
    assert not any(name.startswith("admin:") or name == "set_language" for name in names)


CASES = [
    pytest.param(row, method, i, id=f"{row.name}-{method}-{role}")
    for row in TABLE
    for method in ("get", "post")
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("row", "method", "role_index"), CASES)
def test_url_answers_each_role_with_the_tables_status(client, world, row, method, role_index):
    role = ROLES[role_index]
    expected = getattr(row, method)[role_index]
    client = client_as(client, world, role)
    url = url_for(row, world)
    before = row.state(world) if row.state else None

    response = request(client, method, url, row.data(world))

    assert_status(response, expected, f"{method.upper()} {url} as {role}")
    if method == "post" and row.state is not None:
        changed = row.state(world) != before
        should_change = expected == 302
        assert changed == should_change, (
            f"POST {url} as {role} answered {response.status_code} but "
            f"{'did not change' if should_change else 'changed'} {row.name}'s records"
        )


# The table's essay is the member's, so it cannot say that a manager may not review their own:
# that case is here, for each role that may review.


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ["leader", "deputy", "secretary"])
def test_a_manager_gets_403_on_the_review_of_their_own_essay_and_nothing_changes(
    client, world, role, method
):
    from audit.models import AuditEvent
    from tests.factories import ReflectionEssayFactory

    author = world.roles[role]
    essay = ReflectionEssayFactory(
        group=world.group, author=author, session=world.mine.session, title="本人的心得"
    )
    url = reverse("sessions_app:essay_review", kwargs={"group_slug": world.group.slug,
                                                       "pk": essay.pk})
    client = client_as(client, world, role)

    response = request(
        client, method, url, {"status": ReflectionEssay.Status.ACCEPTED, "comment": ""}
    )

    assert_status(response, 403, f"{method.upper()} {url} as its author, the {role}")
    essay.refresh_from_db()
    assert (essay.status, essay.reviewed_by) == (ReflectionEssay.Status.SUBMITTED, None)
    assert not AuditEvent.objects.filter(
        object_type="sessions_app.reflectionessay", object_id=str(essay.pk)
    ).exclude(action=AuditEvent.Action.PERMISSION_DENIED).exists()


FOREIGN_CASES = [
    pytest.param(row, method, id=f"{row.name}-{method}")
    for row in TABLE
    for method in ("get", "post")
    if row.missing
]


def normalised(response, url: str) -> str:
    """The page without what differs between any two responses: the URL asked for (echoed in
    the language form) and the per-response CSRF token."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", body)
    return body.replace(url, "URL").replace(url.replace("&", "&amp;"), "URL")


@pytest.mark.parametrize(("row", "method"), FOREIGN_CASES)
def test_other_groups_object_answers_exactly_as_a_missing_one(client, world, row, method):
    client = client_as(client, world, row.prober)
    missing_url = url_for(row, world, row.missing)
    state_before = row.state(world) if row.state else None
    missing = request(client, method, missing_url, row.data(world))
    foreign_overrides = row.foreign(world)
    # A method the view never accepts is refused before any object is looked up.
    expected = 405 if getattr(row, method)[ROLES.index(row.prober)] == 405 else 404
    assert foreign_overrides, f"{row.name} names objects but has no other-group ids to try"

    for overrides in foreign_overrides:
        foreign_url = url_for(row, world, overrides)
        foreign = request(client, method, foreign_url, row.data(world))

        assert foreign.status_code == missing.status_code == expected, (
            f"{method.upper()} {foreign_url}: {foreign.status_code}, missing {missing.status_code}"
        )
        assert normalised(foreign, foreign_url) == normalised(missing, missing_url)
    if row.state is not None:
        assert row.state(world) == state_before
    # Nothing of the other group's changed either.
    assert_other_group_untouched(world)


def assert_other_group_untouched(w: World) -> None:
    theirs = w.theirs
    assert StudySession.objects.get(pk=theirs.session.pk).topic == theirs.session.topic
    assert SessionMaterial.objects.filter(pk=theirs.material.pk).exists()
    essay = ReflectionEssay.objects.get(pk=theirs.essay.pk)
    assert (essay.title, essay.status) == (theirs.essay.title, theirs.essay.status)
    plan = StudyPlan.objects.get(pk=theirs.plan.pk)
    assert (plan.status, plan.notes) == (theirs.plan.status, theirs.plan.notes)
    assert not PlannedTopic.objects.get(pk=theirs.research_topic.pk).is_done
    draft = ReportNarrative.objects.get(pk=theirs.draft.pk)
    assert (draft.status, draft.preamble) == (theirs.draft.status, theirs.draft.preamble)
    assert ReportFile.objects.filter(group=theirs.group).count() == 1


@pytest.mark.parametrize(
    "row",
    [pytest.param(r, id=r.name) for r in TABLE if "<slug:group_slug>" in _routes()[r.name]],
)
def test_other_groups_user_gets_the_same_404_as_for_a_group_that_does_not_exist(
    client, world, row
):
    client = client_as(client, world, "other")
    url = url_for(row, world)
    nowhere = url.replace(f"/g/{world.group.slug}/", "/g/no-such-group/", 1)
    method = "get" if row.get[ROLES.index("other")] == 404 else "post"
    theirs = request(client, method, url, row.data(world))
    none = request(client, method, nowhere, row.data(world))
    assert theirs.status_code == none.status_code == 404
    assert normalised(theirs, url) == normalised(none, nowhere)


def test_a_wrong_or_renewed_calendar_address_is_404_to_anyone(client, world):
    """The feed needs no login: its token is the secret. A made-up token, or the one a user
    renewed away, answers 404, logged in or not."""
    old = calendar_token(world)
    new = calendar_feed_renew(user=world.roles["member"].user).token
    for role in ("anonymous", "member", "other"):
        client = client_as(client, world, role)
        assert client.get(reverse("calendar_feed", args=["wrong-token"])).status_code == 404
        assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
        assert client.get(reverse("calendar_feed", args=[new])).status_code == 200
