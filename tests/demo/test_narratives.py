import datetime as dt
import re

import pytest
from django.utils import timezone

from demo.narratives import report_demo_seed
from demo.records import DEMO_SLUG, demo_seed
from reports.models import ReportNarrative
from reports.selectors.summary import half_year_summary
from sessions_app.models import StudyGroup, StudyPlan, Term


@pytest.fixture
def demo(db):
    demo_seed()
    return StudyGroup.objects.get(slug=DEMO_SLUG)


def test_demo_gets_an_approved_plan_and_narrative(demo):
    result = report_demo_seed()
    assert result.plan_approved and result.narrative_version == 1
    assert StudyPlan.objects.get(group=demo, term__year=2020, term__half=2).is_approved
    h1 = Term.objects.get(group=demo, year=2020, half=1)
    summary = half_year_summary(group=demo, term=h1)
    assert summary.narrative.is_approved and len(summary.narrative.practices) == 3
    assert summary.next_plan is not None and summary.next_plan.months
    assert summary.title == "示例县党委理论学习中心组2020年上半年总结及下半年学习计划"
    total = int(re.search(r"集中学习(\d+)次", summary.sentences[0]).group(1))
    assert total == summary.sessions_count > 0


def test_demo_narrative_and_plan_are_true_to_the_records(demo):
    report_demo_seed()
    h1 = Term.objects.get(group=demo, year=2020, half=1)
    summary = half_year_summary(group=demo, term=h1)
    n = summary.narrative
    a = summary.attendance
    text = "".join([n.preamble, *(p.body for p in n.practices), n.problems, n.measures])
    away = a.leave + a.absent
    assert away > a.made_up  # the seed leaves some make-up study undone, and the text says so
    assert f"请假和缺席的{away}人次中，已补学{a.made_up}人次" in text
    assert f"其余{away - a.made_up}人次已督促限期补学" in text
    assert "均按要求补学" not in text and "发言提纲和心得体会均在系统中留存" not in text
    assert "带头领学" not in text
    no_essays = sum(1 for s in summary.sessions if not s.essays)
    assert f"{summary.sessions_count}次集中学习中有{no_essays}次没有形成心得体会" in n.problems
    below = [m for m in summary.members if m.rate < demo.rule_attendance_rate]
    assert f"有{len(below)}名成员出勤率低于中心组规定的90%" in n.problems
    planned = {t.title for m in summary.next_plan.months for t in m.topics}
    for topic in summary.topics_not_covered:
        assert f"“{topic.title}”" in n.problems
        assert topic.title in planned and f"“{topic.title}”" in n.measures
    assert timezone.localtime(n.approved_at).date() == dt.date(2020, 7, 10)
    plan = StudyPlan.objects.get(group=demo, term__year=2020, term__half=2)
    assert plan.notes == "经县委常委会研究，2020年6月30日印发。"
    assert timezone.localtime(plan.approved_at).date() == dt.date(2020, 6, 30)


def test_demo_report_seed_is_idempotent(demo):
    report_demo_seed()
    again = report_demo_seed()
    assert not again.plan_approved and again.narrative_version is None
    assert ReportNarrative.objects.filter(group=demo).count() == 1


def test_without_the_demo_group_nothing_happens(db):
    assert report_demo_seed().narrative_version is None


def test_demo_summary_is_frozen_as_approved_in_2020(demo):
    report_demo_seed()
    n = ReportNarrative.objects.get(group=demo, kind=ReportNarrative.Kind.SUMMARY)
    assert n.approved_at.year == 2020
    h1 = Term.objects.get(group=demo, year=2020, half=1)
    summary = half_year_summary(group=demo, term=h1)
    assert summary.narrative.is_frozen and not summary.records_changed_since_approval
    assert summary.figures_text in n.approved_body_html
