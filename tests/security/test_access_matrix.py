"""Every URL × role × method answers with exactly the status the table says (issue 4, item 9).

The table has one row per URL name. A URL added to the project without a row here fails
test_every_url_has_a_row_in_the_access_table, so none goes unchecked: add its row (its statuses
for each role, and for a POST that changes something, valid data and what it changes).

POSTs carry valid data, so a 302 for a permitted role means the action happened (the row's
`state` changed) and a refusal means nothing changed. Another group's objects answer exactly as a
missing id does: same status, same page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from reports.models import ReportFile, ReportNarrative
from sessions_app.models import (
    Member,
    PlannedTopic,
    ReflectionEssay,
    SessionMaterial,
    StudyGroup,
    StudyPlan,
    StudySession,
)
from sessions_app.selectors.plans import plan_startable_halves
from tests.factories import PASSWORD
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
# Views that take ?term= name a term by its code: another group's is 404, as for a missing one.
their_term_query = lambda w: [{"?term": w.theirs.term.code}]  # noqa: E731


member_pk = lambda w: {"pk": w.roles["member"].pk}  # noqa: E731
their_member = lambda w: [{"pk": w.roles["other"].pk}, {"pk": w.theirs.former.pk}]  # noqa: E731


def member_form(w):
    return {"display_name": "新来的成员", "role": "member", "username": "newcomer",
            "joined_on": "2020-05-01"}


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
    Row("sessions_app:my_record", get=READ, post=READ),
    Row("sessions_app:group_rules", get=MANAGE_GET, post=MANAGE_POST,
        data=lambda w: {
            "rule_sessions_per_quarter": "2",
            "rule_attendance_rate": "85.0",
            "rule_essays_per_member_year": "3",
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
]
ROWS = {row.name: row for row in TABLE}
assert len(ROWS) == len(TABLE), "two rows for one URL name"


# --- The tests ---------------------------------------------------------------------------------


def url_for(row: Row, w: World, overrides: dict | None = None) -> str:
    kwargs = {**row.args(w), **(overrides or {})}
    query = {k[1:]: v for k, v in kwargs.items() if k.startswith("?")}
    kwargs = {k: v for k, v in kwargs.items() if not k.startswith("?")}
    if ":" in row.name:
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
    "row", [pytest.param(r, id=r.name) for r in TABLE if ":" in r.name]
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
