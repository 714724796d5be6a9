import re

import pytest

from reports.models import ReportNarrative
from reports.selectors.summary import half_year_summary
from reports.services.demo import report_demo_seed
from sessions_app.models import StudyGroup, StudyPlan, Term
from sessions_app.services.demo import DEMO_SLUG, demo_seed


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


def test_demo_report_seed_is_idempotent(demo):
    report_demo_seed()
    again = report_demo_seed()
    assert not again.plan_approved and again.narrative_version is None
    assert ReportNarrative.objects.filter(group=demo).count() == 1


def test_without_the_demo_group_nothing_happens(db):
    assert report_demo_seed().narrative_version is None
