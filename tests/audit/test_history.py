"""修改记录: every change of a session, its attendance, essays, plans, narratives and memberships
is kept with who, when, old and new values, and read from the record's page."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions_app.models import Attendance, Member, ReflectionEssay, StudySession
from sessions_app.services.essays import essay_review
from tests.factories import (
    MemberFactory,
    ReflectionEssayFactory,
    StudyGroupFactory,
    TermFactory,
)
from tests.sessions_app.test_sessions import session_post_data


def _log_session(client, group, members, **overrides):
    url = reverse("sessions_app:session_create", args=[group.slug])
    response = client.post(url, session_post_data(members, **overrides))
    assert response.status_code == 302, response.context["form"].errors
    return StudySession.objects.latest("id")


def _edit_session(client, group, session, members, **overrides):
    url = reverse("sessions_app:session_edit", args=[group.slug, session.pk])
    response = client.post(url, session_post_data(members, **overrides))
    assert response.status_code == 302
    return response


def test_session_history_shows_who_changed_what_old_and_new(
    client_for, group, term, secretary, leader, member
):
    client = client_for(secretary)
    session = _log_session(client, group, [secretary, leader, member])
    _edit_session(
        client,
        group,
        session,
        [secretary, leader, member],
        topic="学习习近平新时代中国特色社会主义思想",
        **{f"m{member.pk}-status": "leave", f"m{member.pk}-leave_reason": "下乡调研"},
    )
    page = client.get(reverse("sessions_app:session_history", args=[group.slug, session.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    # The session's topic, old → new, under the field's name, by the secretary's member name.
    topic_change = next(c for e in page.context["entries"] for c in e.changes if c.label == "专题")
    assert topic_change.old == "学习贯彻党的十九届四中全会精神"
    assert topic_change.new == "学习习近平新时代中国特色社会主义思想"
    # Attendance: the member's row, as choice labels, not codes.
    row = next(
        e for e in page.context["entries"] if e.record.endswith("张成员") and e.action == "修改"
    )
    status = next(c for c in row.changes if c.label == "考勤")
    assert (status.old, status.new) == ("出席", "请假")
    assert {e.who for e in page.context["entries"]} == {"王秘书"}
    assert "下乡调研" in text


def test_attendance_written_in_bulk_keeps_one_history_row_per_row(
    client_for, group, term, secretary, leader, member
):
    client = client_for(secretary)
    session = _log_session(client, group, [secretary, leader, member])
    assert Attendance.history.filter(session_id=session.pk, history_type="+").count() == 3
    _edit_session(
        client, group, session, [secretary, leader, member], **{f"m{leader.pk}-status": "late"}
    )
    # One row for the one member whose attendance changed; unchanged rows write none, so that
    # the history (and the late changes read from it) holds only real changes.
    changed = Attendance.history.filter(session_id=session.pk, history_type="~")
    assert list(changed.values_list("member_id", flat=True)) == [leader.pk]
    late = Attendance.history.filter(session_id=session.pk, member_id=leader.pk).first()
    assert late.status == "late" and late.history_user_id == secretary.user_id


def _history_queries(client_for, extra_members, edits):
    group = StudyGroupFactory()
    TermFactory(group=group)
    secretary = MemberFactory(group=group, role=Member.Role.SECRETARY)
    client = client_for(secretary)
    members = [secretary, *MemberFactory.create_batch(extra_members, group=group)]
    session = _log_session(client, group, members)
    for i in range(edits):
        _edit_session(client, group, session, members, topic=f"专题{i}")
    url = reverse("sessions_app:session_history", args=[group.slug, session.pk])
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url)
    assert len(page.context["entries"]) == 2 + extra_members + edits
    return len(ctx.captured_queries)


def test_history_page_queries_do_not_grow_with_changes_and_rows(client_for, db):
    small = _history_queries(client_for, extra_members=2, edits=1)
    large = _history_queries(client_for, extra_members=20, edits=8)
    assert small == large


def test_member_reads_own_essay_history_but_not_anothers(client_for, group, secretary, member):
    own = ReflectionEssayFactory(group=group, author=member)
    other = ReflectionEssayFactory(group=group, author=secretary)
    essay_review(essay=own, reviewer=secretary, status="returned", comment="请结合工作实际")
    client = client_for(member)
    page = client.get(reverse("sessions_app:essay_history", args=[group.slug, own.pk]))
    assert page.status_code == 200
    review = [c for e in page.context["entries"] for c in e.changes if c.label == "状态"]
    assert ("已提交", "已退回") in [(c.old, c.new) for c in review]
    assert "王秘书" in page.content.decode()
    assert (
        client.get(reverse("sessions_app:essay_history", args=[group.slug, other.pk])).status_code
        == 404
    )


def test_other_groups_and_members_cannot_read_session_history(
    client_for, group, term, secretary, member, outsider
):
    session = _log_session(client_for(secretary), group, [secretary, member])
    url = reverse("sessions_app:session_history", args=[group.slug, session.pk])
    assert client_for(member).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404


def test_membership_changes_are_kept_with_who(client_for, group, secretary, member):
    member.role = Member.Role.DEPUTY
    member._history_user = secretary.user
    member.save()
    page = client_for(secretary).get(reverse("sessions_app:member_history", args=[group.slug]))
    role = next(c for e in page.context["entries"] for c in e.changes if c.label == "角色")
    assert (role.old, role.new) == ("成员", "副组长")


@pytest.mark.parametrize("name", ["session_history"])
def test_history_link_is_on_the_record_page(client_for, group, term, secretary, name):
    session = _log_session(client_for(secretary), group, [secretary])
    detail = Client()
    detail.force_login(secretary.user)
    page = detail.get(reverse("sessions_app:session_detail", args=[group.slug, session.pk]))
    assert reverse(f"sessions_app:{name}", args=[group.slug, session.pk]) in page.content.decode()


def test_essay_status_history_lists_every_review(group, secretary, member):
    essay = ReflectionEssayFactory(group=group, author=member)
    essay_review(essay=essay, reviewer=secretary, status="returned", comment="补充")
    essay_review(essay=essay, reviewer=secretary, status="accepted")
    statuses = list(
        ReflectionEssay.history.filter(id=essay.pk)
        .order_by("history_date")
        .values_list("status", flat=True)
    )
    assert statuses == ["submitted", "returned", "accepted"]


def test_plan_topics_saved_in_bulk_keep_one_history_row_each(client_for, group, secretary):
    from sessions_app.models import PlannedTopic
    from sessions_app.services.plans import TopicInput, plan_topics_save
    from tests.factories import StudyPlanFactory

    plan = StudyPlanFactory(group=group)
    plan_topics_save(
        plan=plan,
        user=secretary.user,
        topics=[TopicInput(kind="study", title=f"专题{i}", planned_month=7) for i in range(3)],
    )
    rows = PlannedTopic.history.filter(plan_id=plan.pk)
    assert rows.count() == 3
    assert set(rows.values_list("history_user_id", flat=True)) == {secretary.user_id}
    page = client_for(secretary).get(
        reverse("sessions_app:plan_history", args=[group.slug, plan.term.code])
    )
    assert [e.record for e in page.context["entries"] if e.record.startswith("计划专题")] != []


def test_summary_history_shows_the_narrative_changes(client_for, group, term, secretary):
    from reports.services.narrative import NarrativeText, narrative_save_draft

    for problems in ("一是学用结合不够紧。", "一是学用结合不够紧，二是调研不深。"):
        narrative_save_draft(
            group=group,
            term=term,
            text=NarrativeText(problems=problems),
            member=secretary,
            user=secretary.user,
        )
    page = client_for(secretary).get(
        reverse("reports:summary_history", args=[group.slug, term.code])
    )
    change = next(c for e in page.context["entries"] if e.action == "修改" for c in e.changes)
    assert (change.old, change.new) == (
        "一是学用结合不够紧。",
        "一是学用结合不够紧，二是调研不深。",
    )
    assert page.context["entries"][0].who == "王秘书"
