"""Study plan pages: the secretary drafts next term's plan, a leader approves, members read it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions_app.models import PlannedTopic, StudyPlan, Term
from sessions_app.selectors.plans import month_label
from tests.factories import MemberFactory, PlannedTopicFactory, StudyPlanFactory, TermFactory

STUDY = PlannedTopic.Kind.STUDY
RESEARCH = PlannedTopic.Kind.RESEARCH


@pytest.fixture(autouse=True)
def english_interface(client, settings):
    """These tests check the interface's English wording: ask for English as a user does (the
    language cookie), since the Chinese catalogue is compiled wherever the tests run."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def plan(group):
    """A draft plan for 2020 H2."""
    return StudyPlanFactory(group=group)


def url(name, group, *args):
    return reverse(f"sessions_app:{name}", args=[group.slug, *args])


def page_messages(response):
    return [str(m) for m in response.context["messages"]]


def formset_data(prefix, rows, initial=0):
    """POST data of one formset: rows are dicts of field values (with 'id' for saved topics)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{i}-{name}"] = value
    return data


def plan_data(study=(), research=(), study_initial=0, research_initial=0, notes="", **extra):
    return {
        "plan-notes": notes,
        **formset_data("study", list(study), study_initial),
        **formset_data("research", list(research), research_initial),
        **extra,
    }


EMPTY_STUDY = {"title": "", "planned_month": "", "format": "", "lead_speaker": "", "readings": ""}
EMPTY_RESEARCH = {"title": "", "due_date": ""}


# The plans page


def test_plans_page_creates_nothing_and_offers_secretary_to_start_next_terms_plan(
    client_for, secretary, group, time_machine
):
    time_machine.move_to(dt.datetime(2020, 6, 10, 9, 0))

    response = client_for(secretary).get(url("plan_current", group))

    assert response.status_code == 200
    assert not StudyPlan.objects.exists()
    assert not Term.objects.filter(year=2020, half=2).exists()
    page = response.content.decode()
    assert 'name="term" value="2020H2"' in page
    assert "No study plan has been drafted yet" in page


def test_members_see_the_empty_state_without_a_start_button(client_for, member, group):
    response = client_for(member).get(url("plan_current", group))

    page = response.content.decode()
    assert "The secretary drafts next term" in page
    assert 'name="term"' not in page


def test_plans_page_lists_next_terms_plan_first(client_for, member, group, time_machine):
    time_machine.move_to(dt.datetime(2020, 6, 10, 9, 0))
    StudyPlanFactory(group=group, term=TermFactory(group=group, year=2019, half=2))
    next_plan = StudyPlanFactory(group=group, term=TermFactory(group=group, year=2020, half=2))
    StudyPlanFactory(group=group, term=TermFactory(group=group, year=2020, half=1))

    response = client_for(member).get(url("plan_current", group))

    rows = response.context["overview"].rows
    assert rows[0].plan == next_plan
    assert [r.plan.term.code for r in rows] == ["2020H2", "2020H1", "2019H2"]


def test_secretary_starts_next_terms_plan_and_lands_on_its_edit_page(
    client_for, secretary, group, time_machine
):
    time_machine.move_to(dt.datetime(2020, 6, 10, 9, 0))

    response = client_for(secretary).post(url("plan_create", group), {"term": "2020H2"})

    plan = StudyPlan.objects.get()
    assert plan.term.code == "2020H2"
    assert plan.term.start_date == dt.date(2020, 7, 1)
    assert response.status_code == 302
    assert response.url == url("plan_edit", group, "2020H2")


def test_plan_cannot_be_started_for_a_far_term(client_for, secretary, group, time_machine):
    time_machine.move_to(dt.datetime(2020, 6, 10, 9, 0))

    response = client_for(secretary).post(url("plan_create", group), {"term": "2035H1"})

    assert response.status_code == 404
    assert not StudyPlan.objects.exists()


def test_member_cannot_start_a_plan(client_for, member, group):
    response = client_for(member).post(url("plan_create", group), {"term": "2020H2"})

    assert response.status_code == 403
    assert not StudyPlan.objects.exists()


# Editing


def test_edit_page_has_two_empty_rows_per_kind_and_months_of_the_term(
    client_for, secretary, plan, group
):
    response = client_for(secretary).get(url("plan_edit", group, "2020H2"))

    assert response.status_code == 200
    forms = response.context["forms"]
    assert len(forms.study.forms) == 2
    assert len(forms.research.forms) == 2
    months = [v for v, _label in forms.study.forms[0].fields["planned_month"].choices if v]
    assert months == [7, 8, 9, 10, 11, 12]


def test_secretary_drafts_plan_by_posting_both_formsets(
    client_for, secretary, member, leader, plan, group
):
    data = plan_data(
        notes="围绕中心工作安排学习。",
        study=[
            {
                "title": "学习党的十九届五中全会精神",
                "planned_month": "10",
                "format": "seminar",
                "lead_speaker": "李书记",
                "readings": "全会公报\n建议说明",
            },
            {"title": "学习习近平总书记重要讲话", "planned_month": "7", "format": "topic_study"},
            EMPTY_STUDY,
        ],
        research=[
            {
                "title": "关于乡村振兴的调研",
                "assignees": [str(member.pk), str(leader.pk)],
                "due_date": "2020-11-30",
            },
            EMPTY_RESEARCH,
        ],
    )

    response = client_for(secretary).post(url("plan_edit", group, "2020H2"), data, follow=True)

    assert response.redirect_chain[-1][0] == url("plan_detail", group, "2020H2")
    assert PlannedTopic.objects.filter(plan=plan, kind=STUDY).count() == 2
    research = PlannedTopic.objects.get(plan=plan, kind=RESEARCH)
    assert set(research.assignees.all()) == {member, leader}
    assert research.due_date == dt.date(2020, 11, 30)
    assert any("was saved" in m for m in page_messages(response))
    page = response.content.decode()
    # Grouped by month, in order, with format and lead speaker.
    assert page.index(month_label(7)) < page.index(month_label(10))
    assert "李书记" in page
    assert "关于乡村振兴的调研" in page


def test_save_and_add_more_comes_back_to_the_edit_page_with_new_empty_rows(
    client_for, secretary, plan, group
):
    client = client_for(secretary)
    data = plan_data(
        study=[{"title": "专题一", "planned_month": "7"}, {"title": "专题二"}],
        research=[EMPTY_RESEARCH],
        add_more="",
    )

    response = client.post(url("plan_edit", group, "2020H2"), data, follow=True)

    assert response.redirect_chain[-1][0] == url("plan_edit", group, "2020H2")
    forms = response.context["forms"]
    assert len(forms.study.forms) == 4  # two saved, two new empty rows
    assert any("was saved" in m for m in page_messages(response))


def test_removing_a_topic_asks_first_then_removes_it(client_for, secretary, plan, group):
    keep = PlannedTopicFactory(plan=plan, title="保留的专题", planned_month=7)
    drop = PlannedTopicFactory(plan=plan, title="取消的专题", planned_month=8)
    client = client_for(secretary)
    data = plan_data(
        study=[
            {"id": str(keep.pk), "title": keep.title, "planned_month": "7"},
            {"id": str(drop.pk), "title": drop.title, "planned_month": "8", "DELETE": "on"},
        ],
        study_initial=2,
    )

    first = client.post(url("plan_edit", group, "2020H2"), data)

    assert first.status_code == 200
    assert "You are about to remove 1 topic" in first.content.decode()
    assert PlannedTopic.objects.filter(pk=drop.pk).exists()

    client.post(url("plan_edit", group, "2020H2"), {**data, "confirm_remove": "1"})

    assert list(PlannedTopic.objects.filter(plan=plan)) == [keep]


def test_assignee_from_another_group_gets_an_error_and_nothing_is_saved(
    client_for, secretary, outsider, plan, group
):
    data = plan_data(research=[{"title": "调研", "assignees": [str(outsider.pk)]}])

    response = client_for(secretary).post(url("plan_edit", group, "2020H2"), data)

    assert response.status_code == 200
    assert response.context["forms"].research.forms[0].errors["assignees"]
    assert "外组秘书" not in response.content.decode()  # not even offered as a choice
    assert not PlannedTopic.objects.exists()


def test_month_outside_the_term_is_an_error_next_to_the_field(client_for, secretary, plan, group):
    data = plan_data(study=[{"title": "专题", "planned_month": "3"}])

    response = client_for(secretary).post(url("plan_edit", group, "2020H2"), data)

    assert response.context["forms"].study.forms[0].errors["planned_month"]
    assert not PlannedTopic.objects.exists()


def test_member_cannot_open_or_post_the_edit_page(client_for, member, plan, group):
    client = client_for(member)

    assert client.get(url("plan_edit", group, "2020H2")).status_code == 403
    response = client.post(url("plan_edit", group, "2020H2"), plan_data(study=[{"title": "x"}]))
    assert response.status_code == 403
    assert not PlannedTopic.objects.exists()


def test_editing_an_approved_plan_warns_first_and_returns_it_to_draft(
    client_for, secretary, leader, plan, group
):
    topic = PlannedTopicFactory(plan=plan, title="原专题", planned_month=7)
    plan.status, plan.approved_by = StudyPlan.Status.APPROVED, leader
    plan.save()
    client = client_for(secretary)

    page = client.get(url("plan_edit", group, "2020H2")).content.decode()
    assert "Saving changes returns it to draft" in page

    data = plan_data(
        study=[{"id": str(topic.pk), "title": "改过的专题", "planned_month": "7"}],
        study_initial=1,
    )
    response = client.post(url("plan_edit", group, "2020H2"), data, follow=True)

    plan.refresh_from_db()
    assert plan.status == StudyPlan.Status.DRAFT
    assert plan.approved_by is None
    assert any("returned to draft" in m for m in page_messages(response))


def test_saving_unchanged_approved_plan_keeps_it_approved(
    client_for, secretary, leader, plan, group
):
    topic = PlannedTopicFactory(plan=plan, title="原专题", planned_month=7, format="seminar")
    plan.status, plan.approved_by = StudyPlan.Status.APPROVED, leader
    plan.save()
    data = plan_data(
        study=[
            {
                "id": str(topic.pk),
                "title": topic.title,
                "planned_month": "7",
                "format": "seminar",
                "lead_speaker": "",
                "readings": "",
            }
        ],
        study_initial=1,
    )

    response = client_for(secretary).post(url("plan_edit", group, "2020H2"), data, follow=True)

    plan.refresh_from_db()
    assert plan.is_approved
    assert any("Nothing was changed" in m for m in page_messages(response))


# Viewing


def test_member_views_a_draft_plan_marked_as_draft(client_for, member, plan, group):
    PlannedTopicFactory(plan=plan, title="学习专题甲")

    response = client_for(member).get(url("plan_detail", group, "2020H2"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "学习专题甲" in page
    assert 'data-plan-status="draft"' in page
    assert "Edit plan" not in page and "Approve plan" not in page


def test_empty_plan_says_what_to_do_next(client_for, secretary, member, plan, group):
    secretary_page = client_for(secretary).get(url("plan_detail", group, "2020H2"))
    assert "Add study topics and research topics" in secretary_page.content.decode()

    member_page = client_for(member).get(url("plan_detail", group, "2020H2"))
    assert "has not added topics" in member_page.content.decode()


def test_user_text_on_the_plan_is_escaped(client_for, member, plan, group):
    PlannedTopicFactory(plan=plan, title="<script>alert(1)</script>")

    page = client_for(member).get(url("plan_detail", group, "2020H2")).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_month_labels_come_from_translation(client_for, member, plan, group, settings):
    PlannedTopicFactory(plan=plan, planned_month=9)
    client = client_for(member)

    assert "Month 9" in client.get(url("plan_detail", group, "2020H2")).content.decode()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert ">9月</h3>" in client.get(url("plan_detail", group, "2020H2")).content.decode()


def _fill(plan, group, n):
    members = [MemberFactory(group=group) for _ in range(3)]
    for i in range(n):
        if i % 3 == 2:
            topic = PlannedTopicFactory(plan=plan, kind=RESEARCH, planned_month=None)
            topic.assignees.set(members)
        else:
            PlannedTopicFactory(plan=plan, planned_month=7 + i % 6, lead_speaker="领学人")


def test_plan_page_takes_the_same_number_of_queries_for_3_and_20_topics(client_for, member, group):
    client = client_for(member)
    counts = []
    for year, n in ((2020, 3), (2021, 20)):
        plan = StudyPlanFactory(group=group, term=TermFactory(group=group, year=year, half=2))
        _fill(plan, group, n)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("plan_detail", group, f"{year}H2"))
        assert response.status_code == 200
        assert len(response.context["detail"].research) == n // 3
        counts.append(len(ctx.captured_queries))

    assert counts[0] == counts[1]


def test_plans_page_takes_the_same_number_of_queries_for_1_and_6_plans(
    client_for, member, group, django_assert_max_num_queries
):
    client = client_for(member)
    StudyPlanFactory(group=group, term=TermFactory(group=group, year=2010, half=1))
    with CaptureQueriesContext(connection) as ctx:
        client.get(url("plan_current", group))
    for year in range(2011, 2016):
        plan = StudyPlanFactory(group=group, term=TermFactory(group=group, year=year, half=1))
        _fill(plan, group, 4)

    with django_assert_max_num_queries(len(ctx.captured_queries)):
        client.get(url("plan_current", group))


# Approving


def test_leader_confirms_then_approves_the_plan(client_for, leader, plan, group):
    PlannedTopicFactory(plan=plan)
    client = client_for(leader)

    confirm = client.get(url("plan_approve", group, "2020H2"))
    assert confirm.status_code == 200
    plan.refresh_from_db()
    assert not plan.is_approved

    response = client.post(url("plan_approve", group, "2020H2"), follow=True)

    plan.refresh_from_db()
    assert plan.is_approved
    assert plan.approved_by == leader
    assert plan.approved_at is not None
    assert any("was approved" in m for m in page_messages(response))
    assert "Approved by 李书记" in response.content.decode()


def test_secretary_and_member_get_403_on_approve(client_for, secretary, member, plan, group):
    PlannedTopicFactory(plan=plan)

    for someone in (secretary, member):
        client = client_for(someone)
        assert client.get(url("plan_approve", group, "2020H2")).status_code == 403
        assert client.post(url("plan_approve", group, "2020H2")).status_code == 403

    plan.refresh_from_db()
    assert not plan.is_approved


def test_empty_plan_cannot_be_approved(client_for, leader, plan, group):
    response = client_for(leader).post(url("plan_approve", group, "2020H2"), follow=True)

    plan.refresh_from_db()
    assert not plan.is_approved
    assert any("at least one topic" in m for m in page_messages(response))


# Research done


def test_secretary_marks_research_topic_done_from_the_plan_page(client_for, secretary, plan, group):
    topic = PlannedTopicFactory(plan=plan, kind=RESEARCH, title="调研课题甲")
    client = client_for(secretary)
    done_url = url("plan_topic_done", group, "2020H2", topic.pk)

    response = client.post(done_url, {"completed_on": "2020-10-08"}, follow=True)

    topic.refresh_from_db()
    assert topic.completed_on == dt.date(2020, 10, 8)
    assert any("marked as done" in m for m in page_messages(response))

    client.post(done_url, {"completed_on": ""})
    topic.refresh_from_db()
    assert topic.completed_on is None


def test_member_cannot_mark_research_done(client_for, member, plan, group):
    topic = PlannedTopicFactory(plan=plan, kind=RESEARCH)

    response = client_for(member).post(
        url("plan_topic_done", group, "2020H2", topic.pk), {"completed_on": "2020-10-08"}
    )

    assert response.status_code == 403
    topic.refresh_from_db()
    assert topic.completed_on is None


# Other groups


def test_outsider_gets_404_on_every_plan_url(client_for, outsider, plan, group):
    topic = PlannedTopicFactory(plan=plan, kind=RESEARCH)
    client = client_for(outsider)
    urls = [
        url("plan_current", group),
        url("plan_create", group),
        url("plan_detail", group, "2020H2"),
        url("plan_edit", group, "2020H2"),
        url("plan_approve", group, "2020H2"),
        url("plan_topic_done", group, "2020H2", topic.pk),
    ]

    for u in urls:
        assert client.get(u).status_code == 404, u
        assert client.post(u, {"term": "2020H2", "completed_on": "2020-10-08"}).status_code == 404

    topic.refresh_from_db()
    assert topic.completed_on is None
    plan.refresh_from_db()
    assert not plan.is_approved


def test_another_groups_plan_is_404_even_for_this_groups_leader(client_for, leader, other_group):
    foreign = StudyPlanFactory(group=other_group, term=TermFactory(group=other_group, year=2021))
    topic = PlannedTopicFactory(plan=foreign, kind=RESEARCH)
    client = client_for(leader)
    slug = leader.group.slug

    for name in ("plan_detail", "plan_edit", "plan_approve"):
        assert client.get(reverse(f"sessions_app:{name}", args=[slug, "2021H1"])).status_code == 404
    done = reverse("sessions_app:plan_topic_done", args=[slug, "2021H1", topic.pk])
    assert client.post(done, {"completed_on": "2020-10-08"}).status_code == 404


def test_topic_of_another_plan_is_404_through_this_plan(client_for, secretary, plan, group):
    other_plan = StudyPlanFactory(group=group, term=TermFactory(group=group, year=2021, half=1))
    topic = PlannedTopicFactory(plan=other_plan, kind=RESEARCH)

    response = client_for(secretary).post(
        url("plan_topic_done", group, "2020H2", topic.pk), {"completed_on": "2020-10-08"}
    )

    assert response.status_code == 404
