"""seed_demo: a realistic demo group from one command, and nothing more on a second run."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit.promptness import session_dates
from demo.records import DEMO_PASSWORD, demo_seed
from intake.count import count_characters, count_words
from reports.selectors.summary import half_year_summary
from sessions_app.models import (
    AWAY_STATUSES,
    Attendance,
    LeaveRequest,
    MakeupDuty,
    Member,
    PlannedTopic,
    ReflectionEssay,
    StudyGroup,
    StudyPlan,
    StudySession,
    Term,
)
from sessions_app.selectors.attendance import ATTENDED_STATUSES, attendance_rate
from sessions_app.selectors.makeup import makeup_counts

pytestmark = pytest.mark.django_db

MODELS = [
    get_user_model(),
    StudyGroup,
    Member,
    Term,
    StudyPlan,
    PlannedTopic,
    StudySession,
    Attendance,
    ReflectionEssay,
    LeaveRequest,
    MakeupDuty,
]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Every row of every model the seed writes, as values: equal snapshots mean nothing changed."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def test_seed_demo_creates_the_demo_group_with_its_people():
    output = seed()

    group = StudyGroup.objects.get(slug="demo")
    assert group.name == "示例县党委理论学习中心组"
    assert group.organisation == "示例县委"
    members = {m.user.username: m for m in group.members.select_related("user")}
    expected = {"leader", "secretary", *(f"member{n:02d}" for n in range(1, 13))}
    assert set(members) == expected
    assert members["leader"].role == Member.Role.LEADER
    assert members["leader"].position == "县委书记"
    assert members["secretary"].role == Member.Role.SECRETARY
    assert [m.role for m in members.values()].count(Member.Role.DEPUTY) == 1
    assert all(m.position for m in members.values())
    assert all(m.is_in_group_on(dt.date(2020, 1, 1)) for m in members.values())
    assert DEMO_PASSWORD in output
    for username in ["leader", "secretary", "member12", "admin"]:
        # django-axes needs the request to know the address it counts failures for.
        request = RequestFactory().post(reverse("login"))
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None
    assert get_user_model().objects.get(username="admin").is_superuser


def test_seed_demo_records_a_realistic_first_half_of_2020():
    seed()
    group = StudyGroup.objects.get(slug="demo")
    term = Term.objects.get(group=group, year=2020, half=1)
    # Besides the one session a week ahead, with its notice (demo.notices; see below).
    sessions = list(StudySession.objects.filter(group=group, date__lt=timezone.localdate()))

    assert 10 <= len(sessions) <= 14
    assert all(s.term_id == term.pk for s in sessions)
    assert len({s.format for s in sessions}) >= 5
    assert not [s for s in sessions if s.date.month == 2], "no gatherings in February 2020"
    assert all(s.host and s.minutes and s.speakers for s in sessions)
    assert sum(1 for s in sessions if s.essay_due_on) >= 5

    attendance = Attendance.objects.filter(session__group=group)
    assert attendance.count() == len(sessions) * group.members.count()
    statuses = {a.status for a in attendance}
    assert statuses == set(Attendance.Status.values)
    attended = attendance.filter(status__in=ATTENDED_STATUSES).count()
    assert 88 <= attendance_rate(attended=attended, total=attendance.count()) <= 97
    assert attendance.exclude(makeup_on=None).exists()

    # The 2020 essays (the key speaker's outline for the session ahead is demo.notices').
    essays = list(
        ReflectionEssay.objects.filter(group=group).exclude(kind=ReflectionEssay.Kind.OUTLINE)
    )
    assert 35 <= len(essays) <= 45
    assert {e.status for e in essays} == set(ReflectionEssay.Status.values)
    assert all(e.char_count == count_characters(e.body) >= 200 for e in essays)
    assert all(0 < e.word_count == count_words(e.body) <= e.char_count for e in essays)
    assert all(term.contains(e.submitted_at.date()) for e in essays)
    reports = [e for e in essays if e.kind == ReflectionEssay.Kind.RESEARCH_REPORT]
    assert reports and all(e.planned_topic.kind == PlannedTopic.Kind.RESEARCH for e in reports)

    secretary = group.members.get(role=Member.Role.SECRETARY).user
    assert all(s.created_by == secretary and s.updated_by == secretary for s in sessions)
    assert not attendance.filter(created_by=None).exists()


def test_demo_seed_drafts_the_plan_for_the_second_half():
    # The service alone: seed_demo then approves this plan (demo.narratives).
    demo_seed()
    plan = StudyPlan.objects.get(group__slug="demo", term__year=2020, term__half=2)

    assert plan.status == StudyPlan.Status.DRAFT
    study = plan.topics.filter(kind=PlannedTopic.Kind.STUDY)
    assert {t.planned_month for t in study} == {7, 8, 9, 10, 11, 12}
    # The two H1 topics no session covered are carried over into the H2 plan.
    h1_titles = set(
        PlannedTopic.objects.filter(plan__term__year=2020, plan__term__half=1).values_list(
            "title", flat=True
        )
    )
    covered = set(
        StudySession.objects.filter(group__slug="demo").values_list(
            "planned_topic__title", flat=True
        )
    )
    missed = (
        h1_titles
        - covered
        - set(
            PlannedTopic.objects.filter(kind=PlannedTopic.Kind.RESEARCH).values_list(
                "title", flat=True
            )
        )
    )
    assert len(missed) == 2 and missed <= {t.title for t in study}
    assert plan.notes == "草案，待县委常委会研究后印发。"
    assert all(t.format and t.lead_speaker for t in study)
    research = plan.topics.filter(kind=PlannedTopic.Kind.RESEARCH)
    assert research.count() == 2
    assert all(t.assignees.exists() and t.due_date for t in research)


def test_demo_hosts_and_named_speakers_attend_their_sessions():
    demo_seed()
    for session in StudySession.objects.filter(group__slug="demo").select_related("host"):
        away = session.attendances.exclude(status__in=["present", "late"]).select_related("member")
        names = {a.member.display_name for a in away}
        assert session.host.display_name not in names, session.date
        assert not [n for n in names if n in session.speakers or n in session.minutes], session.date


def test_seed_demo_run_twice_changes_nothing():
    seed()
    before = snapshot()

    output = seed()

    assert snapshot() == before
    assert "nothing changed" in output


def test_demo_leader_logs_in_and_sees_the_dashboard(client):
    seed()
    # The login form, not client.login(): django-axes needs the request.
    response = client.post(reverse("login"), {"username": "leader", "password": DEMO_PASSWORD})
    assert response.status_code == 302

    response = client.get(reverse("sessions_app:dashboard", kwargs={"group_slug": "demo"}))

    assert response.status_code == 200
    assert "示例县党委理论学习中心组" in response.content.decode()


def test_demo_records_are_dated_when_the_secretary_made_them(client):
    seed()
    group = StudyGroup.objects.get(slug="demo")
    h1 = Term.objects.get(group=group, year=2020, half=1)
    sessions = list(StudySession.objects.filter(group=group, term=h1).order_by("date"))

    dates = {s.date: session_dates(session=s) for s in sessions}
    after = {day: d.recorded_days_after for day, d in dates.items()}
    assert after[dt.date(2020, 1, 21)] == 12 and after[dt.date(2020, 4, 28)] == 35
    others = [
        n for day, n in after.items() if day not in {dt.date(2020, 1, 21), dt.date(2020, 4, 28)}
    ]
    assert len(others) == 10 and all(0 <= n <= 3 for n in others)
    assert not [d for d in dates.values() if d.late_changes]
    for essay in ReflectionEssay.objects.filter(group=group, submitted_at__year=2020):
        assert essay.created_at == essay.submitted_at
        assert essay.updated_at == (essay.reviewed_at or essay.submitted_at)
        assert essay.history.get().history_date == essay.updated_at

    summary = half_year_summary(group=group, term=h1)
    p = summary.promptness
    assert (p.prompt, p.due, p.share) == (10, 12, Decimal("83.3"))
    assert [(r.date, r.recorded_days_after) for r in p.late] == [(dt.date(2020, 4, 28), 35)]
    assert summary.narrative.is_frozen and not summary.records_changed_since_approval
    assert timezone.localtime(summary.narrative.approved_at).date() == dt.date(2020, 7, 10)

    # The secretary would be told of records changed since approval: she is not.
    client.post(reverse("login"), {"username": "secretary", "password": DEMO_PASSWORD})
    response = client.get(
        reverse("reports:summary", kwargs={"group_slug": "demo", "term_code": h1.code})
    )
    page = response.content.decode()
    assert "12次中10次（83.3%）" in page
    assert 'id="records-changed"' not in page


def test_demo_shows_leave_requests_and_makeup_study_as_the_app_keeps_them():
    seed()
    group = StudyGroup.objects.get(slug="demo")
    on_leave = Attendance.objects.filter(session__group=group, status=Attendance.Status.LEAVE)
    approved = LeaveRequest.objects.filter(member__group=group,
                                           status=LeaveRequest.Status.APPROVED)
    # Every 请假 recorded came from an approved request with its reason; the leader's own
    # went to the deputy.
    assert sorted((a.session_id, a.member_id, a.leave_reason) for a in on_leave) == sorted(
        (r.session_id, r.member_id, r.reason) for r in approved
    )
    assert all(
        r.decided_by.role == (Member.Role.DEPUTY if r.member.role == Member.Role.LEADER
                              else Member.Role.LEADER)
        for r in approved
    )
    refused = LeaveRequest.objects.get(member__group=group, status=LeaveRequest.Status.REFUSED)
    assert refused.decision_comment
    came = Attendance.objects.get(session=refused.session, member=refused.member)
    assert came.attended, "the member whose leave was refused came"

    duties = MakeupDuty.objects.filter(member__group=group)
    away = Attendance.objects.filter(session__group=group, status__in=AWAY_STATUSES)
    assert duties.count() == away.count()
    assert duties.filter(status=MakeupDuty.Status.ACCEPTED).count() == away.exclude(
        makeup_on=None).count()
    assert duties.filter(status=MakeupDuty.Status.SUBMITTED).count() == 2
    assert duties.get(status=MakeupDuty.Status.RETURNED).review_comment
    h1 = Term.objects.get(group=group, year=2020, half=1)
    counts = makeup_counts(group=group, term=h1, today=dt.date(2020, 7, 10))
    assert counts.total.away == away.count() and counts.total.overdue >= 1


def test_the_demo_shows_a_published_notice_of_the_session_a_week_ahead(client):
    from notices.models import Notice

    seed()
    notice = Notice.objects.get(session__group__slug="demo")
    assert notice.is_published
    assert notice.session.date == timezone.localdate() + dt.timedelta(days=7)
    assert notice.session.notified_at == notice.publish_at
    assert notice.key_speakers.count() == 2 and notice.reads.count() == 5
    client.force_login(get_user_model().objects.get(username="member04"))
    board = client.get(reverse("sessions_app:dashboard", kwargs={"group_slug": "demo"}))
    assert [n.notice for n in board.context["notices"]] == [notice]
    assert board.context["notices"][0].my_read_at is None
