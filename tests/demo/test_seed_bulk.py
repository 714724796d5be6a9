"""seed_bulk: many groups' records at once, with a fixed interface (slugs, usernames, roles,
one password), the same records from the same seed, and nothing more on a second run.

Run on PostgreSQL too: there the big tables are written with COPY instead of bulk_create.
"""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from demo.bulk import BULK_PASSWORD, bulk_reset
from intake.count import count_characters, count_words
from reports.models import ReportNarrative
from sessions_app.models import (
    Attendance,
    Member,
    PlannedTopic,
    ReflectionEssay,
    StudyGroup,
    StudyPlan,
    StudySession,
    Term,
)
from sessions_app.selectors.attendance import ATTENDED_STATUSES, attendance_rate
from tests.factories import StudyGroupFactory

pytestmark = pytest.mark.django_db

SMALL = {"groups": 3, "members": 4, "terms": 2, "sessions": 3}


def seed_bulk(**options) -> str:
    out = StringIO()
    call_command("seed_bulk", stdout=out, **{**SMALL, **options})
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [get_user_model(), StudyGroup, Member, Term, StudyPlan, PlannedTopic, StudySession,
              Attendance, ReflectionEssay, ReportNarrative]
    return {model.__name__: model.objects.count() for model in models}


# Every record by what it says and whom it names, not by primary keys (which a rerun changes).
CONTENT = {
    get_user_model(): ["username", "first_name", "last_name"],
    StudyGroup: ["slug", "name", "organisation"],
    Member: ["group__slug", "user__username", "display_name", "role", "position", "joined_on",
             "sort_order"],
    Term: ["group__slug", "year", "half", "start_date", "end_date"],
    StudyPlan: ["term__group__slug", "term__year", "term__half", "status", "notes",
                "approved_at", "approved_by__user__username"],
    PlannedTopic: ["plan__term__group__slug", "plan__term__year", "plan__term__half", "kind",
                   "title", "planned_month", "format", "lead_speaker", "due_date",
                   "completed_on", "assignees__user__username"],
    StudySession: ["group__slug", "term__year", "term__half", "date", "start_time", "end_time",
                   "place", "format", "topic", "planned_topic__title", "host__user__username",
                   "speakers", "minutes", "notified_at", "essay_due_on",
                   "created_by__username"],
    Attendance: ["session__group__slug", "session__date", "member__user__username", "status",
                 "leave_reason", "makeup_on", "makeup_note"],
    ReflectionEssay: ["group__slug", "author__user__username", "kind", "session__date",
                      "planned_topic__title", "title", "body", "word_count", "char_count",
                      "submitted_at",
                      "status", "review_comment", "reviewed_at", "reviewed_by__user__username"],
    ReportNarrative: ["group__slug", "term__year", "term__half", "status", "preamble",
                      "practices", "problems", "causes", "measures", "approved_at",
                      "approved_by__user__username"],
}


def content() -> dict[str, list]:
    return {
        model.__name__: sorted(map(repr, model.objects.values_list(*fields)))
        for model, fields in CONTENT.items()
    }


def test_seed_bulk_creates_exactly_the_records_asked_for():
    output = seed_bulk()

    # 3 groups × 4 members; 2 terms × 3 sessions each; the first session of a term asks for
    # one essay (a third of the three writers), and each term has one research report.
    assert counts() == {
        "User": 12,
        "StudyGroup": 3,
        "Member": 12,
        "Term": 6,
        "StudyPlan": 6,
        "PlannedTopic": 6 * 7,
        "StudySession": 18,
        "Attendance": 18 * 4,
        "ReflectionEssay": 6 + 6,
        "ReportNarrative": ReportNarrative.objects.count(),
    }
    assert ReportNarrative.objects.filter(status=ReportNarrative.Status.APPROVED).exists()
    assert [(t.year, t.half) for t in Term.objects.filter(group__slug="bulk-0001")] == [
        (2020, 2),
        (2020, 1),
    ]
    assert BULK_PASSWORD in output
    assert "attendance: 72 rows" in output


def test_bulk_groups_have_fixed_slugs_usernames_and_roles():
    seed_bulk()

    assert sorted(StudyGroup.objects.values_list("slug", flat=True)) == [
        "bulk-0001",
        "bulk-0002",
        "bulk-0003",
    ]
    expected_roles = {
        "01": Member.Role.LEADER,
        "02": Member.Role.DEPUTY,
        "03": Member.Role.SECRETARY,
        "04": Member.Role.MEMBER,
    }
    for number in (1, 2, 3):
        members = Member.objects.filter(group__slug=f"bulk-{number:04d}").select_related("user")
        roles = {m.user.username: m.role for m in members}
        assert roles == {f"b{number:04d}-{n}": role for n, role in expected_roles.items()}
        assert all(m.display_name and m.position for m in members)


def test_every_member_has_attendance_at_every_session_of_their_group():
    seed_bulk()

    for session in StudySession.objects.select_related("term"):
        attending = set(Attendance.objects.filter(session=session).values_list("member", flat=True))
        assert attending == set(session.group.members.values_list("pk", flat=True))
        assert session.term.group_id == session.group_id and session.term.contains(session.date)


def test_bulk_records_look_like_a_real_groups():
    seed_bulk(groups=2, members=30, terms=2, sessions=12)

    attendance = Attendance.objects.all()
    attended = attendance.filter(status__in=ATTENDED_STATUSES).count()
    assert 92 <= attendance_rate(attended=attended, total=attendance.count()) <= 98
    assert attendance.filter(status=Attendance.Status.LATE).exists()
    on_leave = attendance.filter(status=Attendance.Status.LEAVE)
    assert on_leave.exists() and not on_leave.filter(leave_reason="").exists()
    essays = list(ReflectionEssay.objects.all())
    assert all(300 >= len(e.title) > 0 and e.char_count == count_characters(e.body) for e in essays)
    assert all(0 < e.word_count == count_words(e.body) <= e.char_count for e in essays)
    assert all(200 <= e.char_count <= 600 for e in essays)
    assert len({e.body for e in essays}) == len(essays)
    reports = [e for e in essays if e.kind == ReflectionEssay.Kind.RESEARCH_REPORT]
    assert len(reports) == 2 * 2 and all(e.planned_topic_id for e in reports)
    assert StudySession.objects.exclude(planned_topic=None).count() == 2 * 2 * 6


def test_bulk_users_log_in_with_the_bulk_password_and_see_their_summary(client):
    seed_bulk()
    narrative = ReportNarrative.objects.filter(group__slug="bulk-0001").first()
    terms = ["2020H2"] + ([narrative.term.code] if narrative else [])

    response = client.post(reverse("login"), {"username": "b0001-03", "password": BULK_PASSWORD})
    assert response.status_code == 302

    for code in terms:
        url = reverse("reports:summary", kwargs={"group_slug": "bulk-0001", "term_code": code})
        assert client.get(url).status_code == 200
    other = reverse("reports:summary", kwargs={"group_slug": "bulk-0002", "term_code": "2020H2"})
    assert client.get(other).status_code == 404


def test_a_second_run_changes_nothing():
    seed_bulk()
    before = content()

    output = seed_bulk()

    assert "already exist; nothing changed" in output
    assert content() == before


def test_the_same_seed_makes_the_same_records_and_another_seed_other_records():
    seed_bulk(seed=7)
    first = content()

    seed_bulk(seed=7, reset=True)
    assert content() == first

    seed_bulk(seed=8, reset=True)
    assert content() != first


def test_reset_deletes_only_the_bulk_groups_and_users(group, secretary):
    lookalike = StudyGroupFactory(slug="bulk-party")
    seed_bulk()

    assert bulk_reset() == (3, 12)

    assert set(StudyGroup.objects.values_list("slug", flat=True)) == {group.slug, lookalike.slug}
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["secretary"]
    assert Member.objects.get() == secretary


@pytest.mark.parametrize(
    "option", [{"groups": 0}, {"members": 2}, {"members": 100}, {"terms": 41}, {"sessions": 0}]
)
def test_sizes_out_of_range_are_refused_with_nothing_written(option):
    with pytest.raises(CommandError, match="must be between"):
        seed_bulk(**option)

    assert not StudyGroup.objects.exists()
