"""Each domain fact has one home, and every page that shows it agrees (issue 9, items 1-7).

The boundary of each rule is tested where the rule lives and on the pages that show it:
- membership on a day: a member is out from their leaving day, in from their joining day;
- attended: present or late; a rate rounds half up to one decimal;
- which essays count: not returned, of the term;
- the group's own attendance rule, never a second constant.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reports.selectors.summary import half_year_summary
from sessions_app.models import Attendance, Member, ReflectionEssay, StudySession
from sessions_app.selectors.attendance import attendance_rate, meets_attendance_rule
from sessions_app.selectors.dashboard import dashboard_for_member
from sessions_app.selectors.essays import essays_counted_in_terms, essays_counted_in_year
from sessions_app.selectors.plans import plan_assignable_members
from sessions_app.selectors.sessions import (
    attendance_sheet,
    member_record,
    session_host_choices,
    session_rows_for_term,
)
from sessions_app.services.essays import essay_revise
from sessions_app.services.plans import planned_topic_mark_done
from sessions_app.services.sessions import AttendanceEntry, session_record
from tests.factories import (
    AttendanceFactory,
    MemberFactory,
    PlannedTopicFactory,
    ReflectionEssayFactory,
    StudyPlanFactory,
    StudySessionFactory,
    TermFactory,
)

DAY = dt.date(2020, 3, 15)


# --- membership on a day ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("joined", "left", "expected"),
    [
        (DAY, None, True),  # the joining day is the first day in
        (DAY + dt.timedelta(1), None, False),
        (dt.date(2019, 1, 1), DAY, False),  # out from the leaving day
        (dt.date(2019, 1, 1), DAY + dt.timedelta(1), True),  # in until the day before
        (dt.date(2019, 1, 1), DAY - dt.timedelta(1), False),
    ],
)
def test_membership_on_a_day_is_decided_once_for_rows_and_queries(group, joined, left, expected):
    m = MemberFactory(group=group, joined_on=joined, left_on=left)
    assert m.is_in_group_on(DAY) is expected
    assert Member.objects.in_group_on(DAY).filter(pk=m.pk).exists() is expected


def test_the_attendance_sheet_leaves_out_a_member_on_his_leaving_day(group, secretary):
    leaving = MemberFactory(group=group, display_name="离任者", left_on=DAY)
    staying = MemberFactory(group=group, display_name="留任者", left_on=DAY + dt.timedelta(1))
    names = [line.member.display_name for line in attendance_sheet(group_id=group.pk, day=DAY)]
    assert "离任者" not in names
    assert "留任者" in names
    day_before = attendance_sheet(group_id=group.pk, day=DAY - dt.timedelta(1))
    assert {leaving.pk, staying.pk} <= {line.member.pk for line in day_before}


def test_a_session_saved_on_a_members_leaving_day_records_no_attendance_for_him(
    client_for, group, secretary
):
    leaving = MemberFactory(group=group, display_name="离任者", left_on=DAY)
    data = {
        "date": DAY.isoformat(),
        "format": "seminar",
        "topic": "专题研讨",
        f"m{secretary.pk}-status": "present",
        # Posted anyway: the sheet is built from the rule, never from posted ids.
        f"m{leaving.pk}-status": "present",
    }
    url = reverse("sessions_app:session_create", args=[group.slug])
    client_for(secretary).post(url, data)
    session = StudySession.objects.get()
    assert list(session.attendances.values_list("member_id", flat=True)) == [secretary.pk]


def test_host_choices_are_the_members_of_the_sessions_day(group, secretary):
    MemberFactory(group=group, display_name="离任者", left_on=DAY)
    MemberFactory(group=group, display_name="新成员", joined_on=DAY + dt.timedelta(1))
    names = {m.display_name for m in session_host_choices(group=group, day=DAY)}
    assert names == {"王秘书"}


def test_editing_a_past_session_keeps_a_host_who_has_left_since(
    client_for, group, term, secretary, leader
):
    session = StudySessionFactory(group=group, term=term, date=DAY, host=leader, topic="旧专题")
    AttendanceFactory(session=session, member=leader)
    AttendanceFactory(session=session, member=secretary)
    leader.left_on = DAY + dt.timedelta(30)
    leader.save()
    client = client_for(secretary)
    url = reverse("sessions_app:session_edit", args=[group.slug, session.pk])
    form = client.get(url).context["form"]
    assert leader in form.fields["host"].queryset
    assert form.initial["host"] == leader.pk
    data = {
        "date": DAY.isoformat(),
        "format": session.format,
        "topic": "旧专题（补充记录）",
        "host": str(leader.pk),
        f"m{leader.pk}-status": "present",
        f"m{secretary.pk}-status": "present",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.topic, session.host) == ("旧专题（补充记录）", leader)
    assert session.attendances.count() == 2


def test_the_essays_due_list_leaves_out_a_member_from_his_leaving_day(
    group, term, secretary
):
    session = StudySessionFactory(
        group=group, term=term, date=DAY, essay_due_on=DAY + dt.timedelta(10)
    )
    today = DAY + dt.timedelta(5)
    MemberFactory(group=group, display_name="今日离任", left_on=today)
    MemberFactory(group=group, display_name="明日离任", left_on=today + dt.timedelta(1))
    board = dashboard_for_member(member=secretary, term=term, today=today)
    (due,) = board.essays_due
    assert due.session == session
    assert {m.display_name for m in due.missing} == {"王秘书", "明日离任"}


def test_the_summary_lists_the_terms_members_from_its_first_to_its_last_day(group, term, leader):
    MemberFactory(group=group, display_name="首日离任", left_on=term.start_date)
    MemberFactory(group=group, display_name="次日离任", left_on=term.start_date + dt.timedelta(1))
    MemberFactory(group=group, display_name="末日加入", joined_on=term.end_date)
    MemberFactory(group=group, display_name="下学期加入", joined_on=term.end_date + dt.timedelta(1))
    names = {m.name for m in half_year_summary(group=group, term=term).members}
    assert names == {"李书记", "次日离任", "末日加入"}


def test_research_topics_can_be_assigned_to_the_terms_members_only(group, term, leader):
    plan = StudyPlanFactory(group=group, term=term)
    MemberFactory(group=group, display_name="首日离任", left_on=term.start_date)
    MemberFactory(group=group, display_name="次日离任", left_on=term.start_date + dt.timedelta(1))
    names = {m.display_name for m in plan_assignable_members(plan=plan)}
    assert names == {"李书记", "次日离任"}


# --- attended, and the rate ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attended", "total", "rate"),
    [
        (1, 80, Decimal("1.3")),  # 1.25: half up, not the banker's 1.2
        (3, 80, Decimal("3.8")),  # 3.75
        (2, 3, Decimal("66.7")),
        (1, 8, Decimal("12.5")),
        (0, 5, Decimal("0.0")),
        (0, 0, None),  # no records is not 0%
    ],
)
def test_the_attendance_rate_rounds_half_up_to_one_decimal(attended, total, rate):
    assert attendance_rate(attended=attended, total=total) == rate


def test_every_page_counts_late_as_attended_and_leave_as_not(group, term, secretary, member):
    session = StudySessionFactory(group=group, term=term, date=DAY)
    AttendanceFactory(session=session, member=secretary, status=Attendance.Status.LATE)
    AttendanceFactory(
        session=session, member=member, status=Attendance.Status.LEAVE, leave_reason="出差"
    )
    today = DAY + dt.timedelta(1)
    summary = half_year_summary(group=group, term=term, today=today)
    board = dashboard_for_member(member=secretary, term=term, today=today)
    (row,) = session_rows_for_term(group_id=group.pk, term=term)
    rates = {
        "summary": summary.attendance.rate,
        "summary session": summary.sessions[0].rate,
        "dashboard": board.attendance_rate,
        "session list": row.rate,
    }
    assert set(rates.values()) == {Decimal("50.0")}, rates
    assert member_record(member=secretary).rate == Decimal("100.0")
    assert member_record(member=member).rate == Decimal("0.0")


# --- which essays count -------------------------------------------------------------------------


def test_a_returned_essay_and_another_terms_essay_count_nowhere(group, term, secretary, member):
    session = StudySessionFactory(
        group=group, term=term, date=DAY, essay_due_on=DAY + dt.timedelta(7)
    )
    AttendanceFactory(session=session, member=secretary)
    AttendanceFactory(session=session, member=member)
    ReflectionEssayFactory(group=group, author=secretary, session=session)
    ReflectionEssayFactory(
        group=group,
        author=member,
        session=session,
        status=ReflectionEssay.Status.RETURNED,
        review_comment="请补充",
    )
    last_term = TermFactory(group=group, year=2019, half=2)
    earlier = StudySessionFactory(group=group, term=last_term, date=dt.date(2019, 11, 5))
    ReflectionEssayFactory(group=group, author=member, session=earlier)

    today = DAY + dt.timedelta(1)
    summary = half_year_summary(group=group, term=term, today=today)
    board = dashboard_for_member(member=secretary, term=term, today=today)
    (row,) = session_rows_for_term(group_id=group.pk, term=term)
    counts = {
        "summary": summary.reflections,
        "summary session": summary.sessions[0].essays,
        "dashboard": board.essays_submitted,
        "session list": row.essays,
    }
    assert set(counts.values()) == {1}, counts
    members = {m.name: m.essays for m in summary.members}
    assert members == {"王秘书": 1, "张成员": 0}
    # The returned essay is still owed.
    (due,) = board.essays_due
    assert [m.display_name for m in due.missing] == ["张成员"]


def test_the_years_essays_are_the_same_searched_among_some_groups(
    group, term, member, other_group
):
    """essays_counted_in_year for every group and for some groups (groups, the county table's
    shape) select the same essays of those groups: by session, by topic, by both, of either
    half, not last year's, not a returned one; none for a group that wrote none."""
    plan = StudyPlanFactory(group=group, term=term)
    topic = PlannedTopicFactory(plan=plan)
    session = StudySessionFactory(group=group, term=term, date=DAY)
    other_half = TermFactory(group=group, year=term.year, half=3 - term.half)
    later = StudySessionFactory(group=group, term=other_half, date=DAY)
    last_year = StudySessionFactory(
        group=group, term=TermFactory(group=group, year=term.year - 1, half=2), date=DAY
    )
    essays = {
        "session": ReflectionEssayFactory(group=group, author=member, session=session),
        "topic": ReflectionEssayFactory(group=group, author=member, planned_topic=topic),
        "both": ReflectionEssayFactory(
            group=group, author=member, session=session, planned_topic=topic
        ),
        "other half": ReflectionEssayFactory(group=group, author=member, session=later),
        "last year": ReflectionEssayFactory(group=group, author=member, session=last_year),
        "returned": ReflectionEssayFactory(
            group=group,
            author=member,
            session=session,
            status=ReflectionEssay.Status.RETURNED,
            review_comment="请补充",
        ),
    }
    StudySessionFactory(group=other_group, term=TermFactory(group=other_group, year=term.year))
    names = {e.pk: name for name, e in essays.items()}

    def picked(q):
        return {names[pk] for pk in ReflectionEssay.objects.filter(q).values_list("pk", flat=True)}

    in_term = {"session", "topic", "both"}
    assert picked(essays_counted_in_terms(terms=[term])) == in_term
    in_year = in_term | {"other half"}
    assert picked(essays_counted_in_year(year=term.year)) == in_year
    assert picked(essays_counted_in_year(year=term.year, groups=[group.pk])) == in_year
    assert picked(essays_counted_in_year(year=term.year, groups=[other_group.pk])) == set()


def test_a_speaking_outline_counts_nowhere(group, term, secretary, member, client_for):
    """A key speaker's 发言提纲 is read and kept as an essay (kind OUTLINE) but is no essay:
    essay_counts leaves it out, so no figure, rule or list of essays owed counts it."""
    from sessions_app.selectors.essays import essays_counted_in_year

    group.rule_essays_per_member_year = 1
    group.save()
    session = StudySessionFactory(
        group=group, term=term, date=DAY, essay_due_on=DAY + dt.timedelta(7)
    )
    AttendanceFactory(session=session, member=member)
    for status in (ReflectionEssay.Status.SUBMITTED, ReflectionEssay.Status.ACCEPTED):
        ReflectionEssayFactory(
            group=group, author=member, session=session, kind=ReflectionEssay.Kind.OUTLINE,
            status=status,
        )

    today = DAY + dt.timedelta(1)
    summary = half_year_summary(group=group, term=term, today=today)
    board = dashboard_for_member(member=secretary, term=term, today=today)
    (row,) = session_rows_for_term(group_id=group.pk, term=term)
    counts = {
        "summary reflections": summary.reflections,
        "summary research reports": summary.research_reports,
        "summary session": summary.sessions[0].essays,
        "summary member": {m.name: m.essays for m in summary.members}["张成员"],
        "dashboard": board.essays_submitted,
        "dashboard mine": dashboard_for_member(member=member, term=term, today=today).my_essays,
        "session list": row.essays,
        "year rule": ReflectionEssay.objects.filter(essays_counted_in_year(year=2020)).count(),
    }
    assert set(counts.values()) == {0}, counts
    # Still owed: the essay the session asks for, and the year's essay rule.
    (due,) = board.essays_due
    assert "张成员" in [m.display_name for m in due.missing]
    assert "张成员" in [m.display_name for m in board.essay_rule.owing]
    # The session page lists the essays that count, so no outline there either; the dashboard
    # shows 0 essays.
    page = client_for(secretary).get(
        reverse("sessions_app:session_detail", args=[group.slug, session.pk])
    )
    assert page.context["essays"].essays == []


# --- the group's own rule -----------------------------------------------------------------------


@pytest.mark.parametrize(("attended", "flagged"), [(17, True), (18, False)])
def test_members_below_the_groups_rule_are_named_among_the_problems(
    group, term, secretary, attended, flagged
):
    """At the default rule of 90%, 17 of 20 (85%) is below and 18 of 20 (90%) meets it."""
    assert group.rule_attendance_rate == Decimal("90.0")
    for i in range(20):
        session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 1, 6 + i))
        status = Attendance.Status.PRESENT if i < attended else Attendance.Status.ABSENT
        AttendanceFactory(session=session, member=secretary, status=status)
    summary = half_year_summary(group=group, term=term, today=dt.date(2020, 6, 30))
    assert [m.name for m in summary.hints.low_attendance] == (["王秘书"] if flagged else [])
    assert summary.hints.low_attendance_rate == Decimal("90.0")
    assert summary.chart.rule == Decimal("90.0")
    board = dashboard_for_member(member=secretary, term=term, today=dt.date(2020, 6, 30))
    assert board.attendance_rule_met is not flagged
    assert meets_attendance_rule(summary.attendance.rate, group=group) is not flagged


def test_a_group_with_its_own_rule_is_judged_by_it(group, term, secretary):
    group.rule_attendance_rate = Decimal("50.0")
    group.save()
    session = StudySessionFactory(group=group, term=term, date=DAY)
    AttendanceFactory(session=session, member=secretary, status=Attendance.Status.PRESENT)
    other = StudySessionFactory(group=group, term=term, date=DAY + dt.timedelta(1))
    AttendanceFactory(session=other, member=secretary, status=Attendance.Status.ABSENT)
    summary = half_year_summary(group=group, term=term, today=dt.date(2020, 6, 30))
    assert summary.hints.low_attendance == ()
    assert summary.hints.low_attendance_rate == Decimal("50.0")


# --- rules live in services ---------------------------------------------------------------------


def test_the_service_refuses_to_change_an_accepted_essay(group, term, member):
    session = StudySessionFactory(group=group, term=term, date=DAY)
    essay = ReflectionEssayFactory(
        group=group, author=member, session=session, status=ReflectionEssay.Status.ACCEPTED
    )
    with pytest.raises(ValidationError):
        essay_revise(
            essay=essay,
            author=member,
            title="改过的标题",
            kind=essay.kind,
            session=session,
            body="新的正文",
        )
    essay.refresh_from_db()
    assert essay.title != "改过的标题"


def test_the_service_refuses_a_completion_date_in_the_future(group, term, secretary):
    plan = StudyPlanFactory(group=group, term=term)
    topic = PlannedTopicFactory(plan=plan, kind="research")
    tomorrow = dt.date.today() + dt.timedelta(2)
    with pytest.raises(ValidationError) as raised:
        planned_topic_mark_done(topic=topic, member=secretary, done_on=tomorrow)
    assert "completed_on" in raised.value.message_dict
    topic.refresh_from_db()
    assert topic.completed_on is None


def _record(group, secretary, **fields):
    return session_record(
        group=group,
        actor=secretary.user,
        fields={"date": DAY, "format": "seminar", "topic": "专题", **fields},
        attendance=[AttendanceEntry(member=secretary, status="present")],
    )


def test_the_service_refuses_another_groups_host(group, secretary, outsider):
    with pytest.raises(ValidationError) as raised:
        _record(group, secretary, host=outsider)
    assert "host" in raised.value.message_dict
    assert not StudySession.objects.exists()


def test_the_service_refuses_another_groups_topic(group, secretary, other_group):
    topic = PlannedTopicFactory(plan=StudyPlanFactory(group=other_group))
    with pytest.raises(ValidationError) as raised:
        _record(group, secretary, planned_topic=topic)
    assert "planned_topic" in raised.value.message_dict
    assert not StudySession.objects.exists()


def test_the_service_refuses_attendance_for_another_groups_member(group, secretary, outsider):
    with pytest.raises(ValidationError) as raised:
        session_record(
            group=group,
            actor=secretary.user,
            fields={"date": DAY, "format": "seminar", "topic": "专题"},
            attendance=[
                AttendanceEntry(member=secretary, status="present"),
                AttendanceEntry(member=outsider, status="present"),
            ],
        )
    assert "外组秘书" in " ".join(raised.value.messages)
    assert not StudySession.objects.exists()
    assert not Attendance.objects.exists()


# --- who owes an essay --------------------------------------------------------------------------


def test_the_session_page_keeps_who_was_asked_and_the_dashboard_who_still_owes(
    client_for, group, term, secretary
):
    """Both ask one rule (essays.asked_for_essay): in the group on the session's day. The session
    page is a record and keeps the member who has left since; the dashboard's essays due lists
    only those still in the group today (owes_essay)."""
    session = StudySessionFactory(
        group=group, term=term, date=DAY, essay_due_on=DAY + dt.timedelta(10)
    )
    today = dt.date.today()
    MemberFactory(group=group, display_name="已离任", left_on=today)
    MemberFactory(group=group, display_name="后加入", joined_on=DAY + dt.timedelta(1))
    MemberFactory(group=group, display_name="当日离任", left_on=DAY)
    board = dashboard_for_member(member=secretary, term=term, today=today)
    (due,) = board.essays_due
    url = reverse("sessions_app:session_detail", args=[group.slug, session.pk])
    essays = client_for(secretary).get(url).context["essays"]
    assert [m.display_name for m in essays.missing] == ["王秘书", "已离任"]
    assert [m.display_name for m in due.missing] == ["王秘书"]
