"""Every POST needs a CSRF token (issue 4, item 23).

The URLs come from the URL resolver, so a URL added later is tested without anyone listing it:
posted without a token it must answer 403 from the CSRF check and change nothing. Each URL that
changes state is listed in CASES with the request that changes it; with a token that same
request must work. A new URL of the app fails test_every_url_is_either_a_change_or_read_only
until it is added to CASES or READ_ONLY.
"""

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from intake.materials import material_file_read
from oversight.models import Bulletin, OrganisationRole, SittingIn, Submission
from oversight.services.organisations import (
    group_place,
    organisation_create,
    organisation_role_grant,
)
from reports.models import ReportFile, WordTemplate
from reports.services.word_templates import word_template_upload
from reports.word import default_template_docx
from sessions_app.models import MakeupDuty, PlannedTopic, StudyPlan
from sessions_app.services.leave import leave_request
from sessions_app.services.makeup import makeup_submit
from sessions_app.services.sessions import AttendanceEntry, material_add, session_update
from sessions_app.signin import signin_token_generator
from tests.factories import (
    PASSWORD,
    AttendanceFactory,
    MemberFactory,
    PlannedTopicFactory,
    ReflectionEssayFactory,
    StudyPlanFactory,
    StudySessionFactory,
    TermFactory,
    UserFactory,
)
from tests.reports.test_views import form_data as narrative_form_data
from tests.reports.test_views import save_draft
from tests.sessions_app.test_plans_views import plan_data
from tests.sessions_app.test_sessions import session_post_data
from tests.uploads import pdf_bytes

# --- every URL the resolver knows -------------------------------------------------------------

_ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


@dataclasses.dataclass(frozen=True)
class UrlPattern:
    name: str  # namespaced ("sessions_app:session_edit"); "" for an unnamed pattern
    pieces: tuple  # the patterns from the root down to the view's
    callback: Callable

    @property
    def route(self) -> str:
        return "".join(str(p) for p in self.pieces)

    @property
    def is_admin(self) -> bool:
        return str(self.pieces[0]) == "admin/"

    def path(self, values: dict[str, str]) -> str:
        """A path that resolves to this pattern, its parameters taken from values."""

        def value(match):
            assert match[1] in values, (
                f"{self.route}: add a value for the URL parameter {match[1]!r} to url_values()"
            )
            return values[match[1]]

        parts = []
        for piece in self.pieces:
            if isinstance(piece, RoutePattern):
                parts.append(_ROUTE_PARAMETER.sub(value, str(piece)))
            else:
                parts.append(_REGEX_GROUP.sub(value, str(piece).lstrip("^").rstrip("$")))
        return "/" + "".join(parts)


def _walk(resolver: URLResolver, pieces=(), namespaces=()):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            spaces = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry, (*pieces, entry.pattern), spaces)
        else:
            name = ":".join((*namespaces, entry.name)) if entry.name else ""
            yield UrlPattern(name, (*pieces, entry.pattern), entry.callback)


ALL_URLS = list(_walk(get_resolver()))


def url_values(world) -> dict[str, str]:
    """A value for each URL parameter: the world's own objects, so a request could do harm."""
    return {
        "group_slug": world.group.slug,
        "pk": str(world.session.pk),
        "material_pk": str(world.material.pk),
        "term_code": world.term.code,
        "kind": ReportFile.Kind.SUMMARY,
        "report_file_id": "1",
        "version": "1",
        "topic_id": str(world.research_topic.pk),
        "session_pk": str(world.session.pk),
        "import_kind": "members",
        "fmt": "xlsx",
        "org_slug": "county",
        "uidb64": urlsafe_base64_encode(force_bytes(world.member.user.pk)),
        "token": signin_token_generator.make_token(world.member.user),
        # Django's admin
        "app_label": "auth",
        "object_id": str(world.leader.user.pk),
        "id": str(world.leader.user.pk),
        "content_type_id": "1",
        "url": "no-such-page/",
        # The study archive
        "year": str(world.term.year),
        "build_id": "1",
        "member_id": str(world.member.pk),
    }


# --- the records a POST could change ----------------------------------------------------------


@pytest.fixture
def world(group, term, secretary, leader, member, settings, tmp_path, time_machine):
    time_machine.move_to(dt.datetime(2020, 12, 10, 9, 0))
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # The leader is also the site's administrator, so the admin's URLs are open to them.
    leader.user.is_staff = leader.user.is_superuser = True
    leader.user.save()
    session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 15))
    spare_session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 4, 15))
    for who in (secretary, leader, member):
        AttendanceFactory(session=session, member=who)
    plan = StudyPlanFactory(group=group, term=term)
    next_plan = StudyPlanFactory(group=group)
    research_topic = PlannedTopicFactory(
        plan=next_plan, kind=PlannedTopic.Kind.RESEARCH, planned_month=None
    )
    former = MemberFactory(group=group, left_on=dt.date(2020, 1, 1))  # before every session
    save_draft(group, term, secretary)
    # The county above the group, its administrator, the term's plan approved (so it can be
    # submitted) and a summary already submitted (so it can be received or returned).
    county = organisation_create(name="中共示例县委宣传部", slug="county")
    group_place(group=group, organisation=county)
    county_admin = SimpleNamespace(user=UserFactory(username="county"))
    organisation_role_grant(
        organisation=county, user=county_admin.user, role=OrganisationRole.Role.ADMINISTRATOR
    )
    StudyPlan.objects.filter(pk=plan.pk).update(
        status=StudyPlan.Status.APPROVED, approved_at=timezone.now(), approved_by=leader
    )
    inspector = SimpleNamespace(user=UserFactory(username="inspector"))
    organisation_role_grant(
        organisation=county, user=inspector.user, role=OrganisationRole.Role.INSPECTOR
    )
    coming_session = StudySessionFactory(
        group=group, term=TermFactory(group=group, year=2020, half=2), date=dt.date(2020, 12, 20)
    )
    sitting = SittingIn.objects.create(
        session=session, inspector=inspector.user, organisation=county
    )
    Bulletin.objects.create(
        organisation=county, year=2020, half=2, preamble="导语", requirements="要求"
    )
    submission = Submission.objects.create(
        group=group, term=term, kind=Submission.Kind.SUMMARY, organisation=county,
        approved_at=timezone.now(), submitted_at=timezone.now(), submitted_by=secretary.user,
    )
    return dataclasses.make_dataclass(
        "World",
        ["group", "term", "secretary", "leader", "member", "session", "spare_session", "plan",
         "next_plan", "research_topic", "essay", "material", "former", "county_admin",
         "submission", "inspector", "coming_session", "sitting"],
    )(
        group, term, secretary, leader, member, session, spare_session, plan, next_plan,
        research_topic,
        ReflectionEssayFactory(group=group, author=member, session=session),
        material_add(
            session=session,
            actor=secretary.user,
            title="讲话稿",
            material_file=material_file_read(SimpleUploadedFile("讲话.pdf", pdf_bytes())),
        ),
        former,
        county_admin,
        submission,
        inspector,
        coming_session,
        sitting,
    )


def snapshot() -> dict[str, str]:
    """Every row of every table. Sessions are left out: the idle timeout saves the session on
    every request, whatever the request did."""
    return {
        model._meta.label: serializers.serialize("json", model._default_manager.order_by("pk"))
        for model in apps.get_models()
        if model is not Session
    }


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in after if before.get(label) != after[label]]


STRONG_PASSWORD = "学习强国-Lantern-47-orbit"

# --- what each state-changing URL does with a token -------------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    who: str  # the world's member who may do it; "" for nobody logged in
    kwargs: Callable  # world -> URL kwargs
    data: Callable  # world -> POST data
    changes: tuple[str, ...] = ()  # tables that change; () when the outcome is not a row
    check: Callable | None = None  # (client, response, world) -> None, for the rest


def _group(w):
    return {"group_slug": w.group.slug}


def _term(w):
    return {"group_slug": w.group.slug, "term_code": w.term.code}


def _session(w):
    return {"group_slug": w.group.slug, "pk": w.session.pk}


def _members(w):
    return [w.secretary, w.leader, w.member]


def _upcoming(w):
    """A session ten days ahead of the world's day (leave is asked for before a session)."""
    if not hasattr(w, "_upcoming"):
        w._upcoming = StudySessionFactory(
            group=w.group, term=TermFactory(group=w.group, year=2020, half=2),
            date=dt.date(2020, 12, 20),
        )
    return w._upcoming


def _pending_leave(w):
    if not hasattr(w, "_leave"):
        w._leave = leave_request(session=_upcoming(w), member=w.member, reason="出差")
    return w._leave


def _duty(w, *, submitted: bool):
    """The member's 补学 for the world's session: absent, notes submitted or not yet."""
    session_update(session=w.session, actor=w.secretary.user, fields={},
                   attendance=[AttendanceEntry(member=w.member, status="absent")])
    duty = MakeupDuty.objects.get(member=w.member)
    if submitted:
        duty = makeup_submit(duty=duty, member=w.member, body="观看会议录像，学习讲话稿。")
    return duty


def _logged_out(client, response, world):
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def _logged_in(client, response, world):
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.leader.user.pk)


def _language_chosen(client, response, world):
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def _preview_shown(client, response, world):
    assert response.status_code == 200
    assert "坚持经常学" in response.content.decode()


def _word_template_upload(w):
    return SimpleUploadedFile("letterhead.docx", default_template_docx())


def _with_a_word_template(w):
    """The group's URL, with a Word template in use for the reset to retire."""
    word_template_upload(
        group=w.group, member=w.secretary, user=w.secretary.user, upload=_word_template_upload(w)
    )
    return _group(w)


def _default_layout_again(client, response, world):
    assert response.status_code == 302
    assert all(t.is_retired for t in WordTemplate.objects.all())


def _to_password_form(client, response, world):
    assert response.status_code == 302
    assert response["Location"].endswith("/set-password/")


def _upcoming_notice(w, *, notice: bool) -> dict:
    """An upcoming session of the world (its clock stands at 2020-12-10), with a published
    notice when asked: the notice pages' URL kwargs."""
    from notices.services.notice import notice_publish

    session = StudySessionFactory(
        group=w.group, term=TermFactory(group=w.group, year=2020, half=2),
        date=dt.date(2020, 12, 20),
    )
    if notice:
        notice_publish(session=session, actor=w.secretary, discussion_questions="",
                       key_speakers=[w.leader, w.member], at_once=True)
    return {**_group(w), "session_pk": session.pk}


CASES: dict[str, Case] = {
    "notices:reminder_settings": Case(
        "member", _group, lambda w: {"language": "en"}, ("notices.ReminderPreference",),
    ),
    "notices:group_robots": Case(
        "secretary", _group,
        lambda w: {"wecom_webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"},
        ("notices.GroupRobots",),
    ),
    "login": Case(
        "", lambda w: {}, lambda w: {"username": "leader", "password": PASSWORD},
        ("axes.AccessLog",), _logged_in,
    ),
    "logout": Case("leader", lambda w: {}, lambda w: {}, (), _logged_out),
    "password_change": Case(
        "member", lambda w: {},
        lambda w: {"old_password": PASSWORD, "new_password1": STRONG_PASSWORD,
                   "new_password2": STRONG_PASSWORD},
        ("auth.User",),
    ),
    "set_language": Case(
        "member", lambda w: {}, lambda w: {"language": "en", "next": "/"}, (), _language_chosen
    ),
    "sessions_app:session_create": Case(
        "secretary", _group, lambda w: session_post_data(_members(w), date="2020-05-20"),
        ("sessions_app.StudySession", "sessions_app.Attendance"),
    ),
    "sessions_app:session_edit": Case(
        "secretary", _session, lambda w: session_post_data(_members(w), topic="改过的专题"),
        ("sessions_app.StudySession",),
    ),
    "sessions_app:session_delete": Case(
        "secretary", lambda w: {**_group(w), "pk": w.spare_session.pk}, lambda w: {},
        ("sessions_app.StudySession",),
    ),
    "sessions_app:material_upload": Case(
        "secretary", _session,
        lambda w: {"title": "学习材料", "file": SimpleUploadedFile("材料.pdf", pdf_bytes())},
        ("sessions_app.SessionMaterial",),
    ),
    "sessions_app:material_delete": Case(
        "secretary", lambda w: {**_session(w), "material_pk": w.material.pk}, lambda w: {},
        ("sessions_app.SessionMaterial",),
    ),
    "sessions_app:group_rules": Case(
        "secretary", _group,
        lambda w: {"rule_sessions_per_quarter": "3", "rule_attendance_rate": "85",
                   "rule_essays_per_member_year": "2", "makeup_due_days": "14",
                   "notice_days_ahead": "3", "originality_threshold": "50"},
        ("sessions_app.StudyGroup",),
    ),
    "sessions_app:essay_create": Case(
        "leader", _group,
        lambda w: {"title": "学习心得", "kind": "reflection", "session": w.session.pk,
                   "body": "认真学习，深刻领会，联系实际，推动工作。"},
        ("sessions_app.ReflectionEssay",),
    ),
    "sessions_app:essay_edit": Case(
        "member", lambda w: {**_group(w), "pk": w.essay.pk},
        lambda w: {"title": "改过的心得", "kind": "reflection", "session": w.session.pk,
                   "body": "再次学习，体会更深。"},
        ("sessions_app.ReflectionEssay",),
    ),
    "sessions_app:leave_request": Case(
        "member", lambda w: {**_group(w), "pk": _upcoming(w).pk}, lambda w: {"reason": "出差"},
        ("sessions_app.LeaveRequest",),
    ),
    "sessions_app:leave_decide": Case(
        "leader", lambda w: {**_group(w), "pk": _pending_leave(w).pk},
        lambda w: {f"l{_pending_leave(w).pk}-decision": "approve"},
        ("sessions_app.LeaveRequest", "sessions_app.Attendance", "sessions_app.MakeupDuty"),
    ),
    "sessions_app:makeup_detail": Case(
        "member", lambda w: {**_group(w), "pk": _duty(w, submitted=False).pk},
        lambda w: {"body": "观看会议录像，学习讲话稿。"},
        ("sessions_app.MakeupDuty",),
    ),
    "sessions_app:makeup_review": Case(
        "secretary", lambda w: {**_group(w), "pk": _duty(w, submitted=True).pk},
        lambda w: {"status": "accepted", "comment": ""},
        ("sessions_app.MakeupDuty", "sessions_app.Attendance"),
    ),
    "sessions_app:essay_review": Case(
        "secretary", lambda w: {**_group(w), "pk": w.essay.pk},
        lambda w: {"status": "accepted", "comment": ""},
        ("sessions_app.ReflectionEssay",),
    ),
    "sessions_app:plan_create": Case(
        "secretary", _group, lambda w: {"term": "2021H1"}, ("sessions_app.StudyPlan",)
    ),
    "sessions_app:plan_edit": Case(
        "secretary", _term,
        lambda w: plan_data(study=[{"title": "新专题", "planned_month": "5", "format": "seminar",
                                    "lead_speaker": "", "readings": ""}]),
        ("sessions_app.PlannedTopic",),
    ),
    "sessions_app:plan_approve": Case(
        "leader", lambda w: {**_group(w), "term_code": w.next_plan.term.code}, lambda w: {},
        ("sessions_app.StudyPlan",),
    ),
    "sessions_app:plan_topic_done": Case(
        "secretary",
        lambda w: {**_group(w), "term_code": w.next_plan.term.code,
                   "topic_id": w.research_topic.pk},
        lambda w: {"completed_on": "2020-11-30"},
        ("sessions_app.PlannedTopic",),
    ),
    "sessions_app:member_create": Case(
        "secretary", _group,
        lambda w: {"display_name": "新来的成员", "role": "member", "phone": "13800138000",
                   "joined_on": "2020-12-01"},
        ("auth.User", "sessions_app.Member", "audit.AuditEvent"),
    ),
    "sessions_app:member_edit": Case(
        "secretary", lambda w: {**_group(w), "pk": w.member.pk},
        lambda w: {"display_name": "改名的成员", "role": "deputy", "joined_on": "2019-01-01"},
        ("sessions_app.Member", "audit.AuditEvent"),
    ),
    "sessions_app:member_order": Case(
        "secretary", _group,
        lambda w: {f"order-{m.pk}": str(10 - i) for i, m in enumerate(_members(w))},
        ("sessions_app.Member",),
    ),
    "sessions_app:member_leave": Case(
        "secretary", lambda w: {**_group(w), "pk": w.member.pk},
        lambda w: {"left_on": "2020-12-10"}, ("sessions_app.Member", "audit.AuditEvent"),
    ),
    "sessions_app:member_rejoin": Case(
        "secretary", lambda w: {**_group(w), "pk": w.former.pk}, lambda w: {},
        ("sessions_app.Member", "audit.AuditEvent"),
    ),
    "sessions_app:member_link": Case(
        "secretary", lambda w: {**_group(w), "pk": w.member.pk}, lambda w: {},
        ("sessions_app.Member", "audit.AuditEvent"),
    ),
    # The link's own POST moves its token into the session (not a table) and goes on to the
    # password form; that form's POST sets the password.
    "signin": Case(
        "", lambda w: {"uidb64": urlsafe_base64_encode(force_bytes(w.member.user.pk)),
                       "token": signin_token_generator.make_token(w.member.user)},
        lambda w: {}, (), _to_password_form,
    ),
    "reports:summary_edit": Case(
        "secretary", _term, lambda w: narrative_form_data(), ("reports.ReportNarrative",)
    ),
    "reports:summary_preview": Case(
        "secretary", _term, lambda w: narrative_form_data(), (), _preview_shown
    ),
    "reports:summary_approve": Case(
        "leader", _term, lambda w: {}, ("reports.ReportNarrative",)
    ),
    "reports:pdf_start": Case(
        "secretary", lambda w: {**_term(w), "kind": ReportFile.Kind.SUMMARY}, lambda w: {},
        ("reports.ReportFile",),
    ),
    "submissions:submit": Case(
        "secretary", _group, lambda w: {"term": w.term.code, "kind": "plan"},
        ("oversight.Submission",),
    ),
    "oversight:receive": Case(
        "county_admin", lambda w: {"org_slug": "county", "pk": w.submission.pk},
        lambda w: {}, ("oversight.Submission",),
    ),
    "oversight:sit_in": Case(
        "inspector", lambda w: {"org_slug": "county", "pk": w.coming_session.pk},
        lambda w: {}, ("oversight.SittingIn",),
    ),
    "oversight:evaluate": Case(
        "inspector", lambda w: {"org_slug": "county", "pk": w.sitting.pk},
        lambda w: {"evaluation": "准备充分。", "highlights": "", "problems": ""},
        ("oversight.SittingIn",),
    ),
    "oversight:bulletin": Case(
        "county_admin", lambda w: {"org_slug": "county"},
        lambda w: {"preamble": "新的导语", "findings": "", "requirements": "要求"},
        ("oversight.Bulletin",),
    ),
    "oversight:bulletin_approve": Case(
        "county_admin", lambda w: {"org_slug": "county"}, lambda w: {}, ("oversight.Bulletin",),
    ),
    "oversight:summary_bundle_start": Case(
        "inspector", lambda w: {"org_slug": "county"}, lambda w: {"term": w.term.code},
        ("oversight.SummaryBundle", "oversight.SummaryBundleGroup"),
    ),
    "oversight:return": Case(
        "county_admin", lambda w: {"org_slug": "county", "pk": w.submission.pk},
        lambda w: {"comment": "请补充。"}, ("oversight.Submission",),
    ),
    "reports:word_template": Case(
        "secretary", _group, lambda w: {"file": _word_template_upload(w)},
        ("reports.WordTemplate",),
    ),
    "reports:word_template_reset": Case(
        "secretary", _with_a_word_template, lambda w: {}, ("reports.WordTemplate",),
        _default_layout_again,
    ),
    "reports:archive_build_start": Case(
        "secretary", lambda w: {**_group(w), "year": w.term.year, "kind": "year"}, lambda w: {},
        ("reports.ArchiveBuild",),
    ),
    "notices:notice_edit": Case(
        "secretary", lambda w: _upcoming_notice(w, notice=False),
        lambda w: {"discussion_questions": "思考题", "when": "now",
                   "key_speakers": [str(w.leader.pk), str(w.member.pk)]},
        ("notices.Notice", "sessions_app.StudySession"),
    ),
    "notices:notice_read": Case(
        "member", lambda w: _upcoming_notice(w, notice=True), lambda w: {}, ("notices.NoticeRead",),
    ),
    "calendar": Case("member", lambda w: {}, lambda w: {}, ("notices.CalendarFeed",)),
}

# Pages that only show things: a POST to them must change nothing either.
READ_ONLY = {
    "home",
    "sessions_app:leave_list",
    "sessions_app:makeup_list",
    "sessions_app:makeup_file",
    "oversight:index",
    "oversight:table",
    "oversight:table_xlsx",
    "oversight:group",
    "oversight:inbox",
    "oversight:sittings",
    "oversight:bulletin_pdf",
    "oversight:bulletin_docx",
    "oversight:sitting_material",
    "oversight:summary_bundle",
    "oversight:summary_bundle_status",
    "oversight:summary_bundle_download",
    "submissions:list",
    "notices:inbox",
    "notices:inbox_message",
    "notices:deliveries",
    "password_change_done",
    "sessions_app:dashboard",
    "sessions_app:session_list",
    "sessions_app:session_detail",
    "sessions_app:material_download",
    "sessions_app:my_record",
    "sessions_app:essay_list",
    "sessions_app:essay_detail",
    "sessions_app:essay_file",
    "sessions_app:plan_current",
    "sessions_app:plan_detail",
    "sessions_app:member_list",
    "sessions_app:member_links",
    "sessions_app:member_export",
    "sessions_app:ledger_export",
    "sessions_app:import_template",
    # An upload shows a preview and writes nothing; a confirm writes only the preview kept in
    # the session that uploaded it (none here): tests/sessions_app/test_imports_views.py.
    "sessions_app:import_upload",
    "sessions_app:records_import",
    "sessions_app:import_confirm",
    "reports:index",
    "reports:summary",
    "reports:summary_version",
    "reports:plan_document",
    "reports:pdf_progress",
    "reports:pdf_status",
    "reports:pdf_download",
    "reports:docx_download",
    "reports:session_record_docx",
    "reports:sign_in_sheet_docx",
    "reports:sign_in_sheet_pdf",
    # QR check-in: the projector page and its code show; the code's URL checks in on GET (what
    # a phone's camera opens; sessions_app.checkin says why) and refuses POST (405).
    "sessions_app:checkin_open",
    "sessions_app:checkin_code",
    "sessions_app:checkin",
    "reports:word_template_default",
    "reports:archive_index",
    "reports:archive_year",
    "reports:archive_build",
    "reports:archive_build_status",
    "reports:archive_download",
    "reports:member_archive",
    "reports:member_archive_pdf",
    "audit:log",
    # 修改记录 pages.
    "sessions_app:session_history",
    "sessions_app:essay_history",
    "sessions_app:plan_history",
    "sessions_app:member_history",
    "reports:summary_history",
    "notices:notice_detail",
    # The calendar feed answers GET only (a POST is 405).
    "calendar_feed",
}


def csrf_client(world, who: str) -> Client:
    """A browser that sends no CSRF token unless given one, logged in as the world's `who`."""
    client = Client(enforce_csrf_checks=True)
    if who:
        client.force_login(getattr(world, who).user)
    return client


def with_token(client: Client, data: dict) -> dict:
    """What a page's form sends: the CSRF cookie and the same secret in the form."""
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    return {**data, "csrfmiddlewaretoken": secret}


def _request_for(pattern: UrlPattern, world) -> tuple[str, dict, str]:
    """The path, data and user of the most harmful POST we know for the URL."""
    case = CASES.get(pattern.name)
    if case is None:
        return pattern.path(url_values(world)), {}, "leader"
    return reverse(pattern.name, kwargs=case.kwargs(world)), case.data(world), case.who


def _csrf_rejections(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "django.security.csrf"]


# --- the tests --------------------------------------------------------------------------------


def test_the_resolver_walk_finds_the_apps_and_the_admin():
    names = {p.name for p in ALL_URLS}
    assert {"login", "sessions_app:session_create", "reports:pdf_start"} <= names
    assert any(p.is_admin for p in ALL_URLS)


@pytest.mark.parametrize("pattern", ALL_URLS, ids=lambda p: p.name or p.route)
def test_a_post_without_csrf_token_is_refused_and_changes_nothing(world, pattern, caplog):
    path, data, who = _request_for(pattern, world)
    assert resolve(path).func is pattern.callback, f"{path} does not reach {pattern.route}"
    client = csrf_client(world, who)
    before = snapshot()

    with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
        response = client.post(path, data)

    assert response.status_code == 403
    assert _csrf_rejections(caplog), "the 403 did not come from the CSRF check"
    assert changed_tables(before, snapshot()) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_same_post_with_a_csrf_token_works(
    world, name, caplog, django_capture_on_commit_callbacks
):
    case = CASES[name]
    client = csrf_client(world, case.who)
    before = snapshot()

    with (
        caplog.at_level(logging.WARNING, logger="django.security.csrf"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse(name, kwargs=case.kwargs(world)), with_token(client, case.data(world))
        )

    assert _csrf_rejections(caplog) == []
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    changed = changed_tables(before, snapshot())
    assert set(case.changes) <= set(changed), f"{name} changed {changed}"
    if case.check:
        case.check(client, response, world)


def test_every_url_is_either_a_change_or_read_only():
    app_names = {p.name for p in ALL_URLS if not p.is_admin}
    unnamed = [p.route for p in ALL_URLS if not p.is_admin and not p.name]

    assert unnamed == [], "name these URLs so the CSRF tests can list them"
    assert not set(CASES) & READ_ONLY
    unlisted = app_names - set(CASES) - READ_ONLY
    assert unlisted == set(), (
        "New URLs: add each to CASES (with a POST that changes something) or to READ_ONLY"
    )
    assert set(CASES) | READ_ONLY <= app_names, "CASES or READ_ONLY name URLs that are gone"


@pytest.mark.parametrize("name", sorted(READ_ONLY))
def test_a_read_only_page_changes_nothing_when_posted_with_a_token(world, name):
    pattern = next(p for p in ALL_URLS if p.name == name)
    client = csrf_client(world, "leader")
    before = snapshot()

    client.post(pattern.path(url_values(world)), with_token(client, {}))

    assert changed_tables(before, snapshot()) == []



def test_the_refusal_is_a_page_of_the_site_that_says_what_to_do(world, settings):
    client = csrf_client(world, "secretary")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(reverse("sessions_app:group_rules", args=[world.group.slug]), {})

    assert response.status_code == 403
    page = response.content.decode()
    assert "The form was not accepted" in page
    assert "reload the page and try again" in page
    assert "<style" not in page  # Django's own page styles itself inline, which the CSP blocks
