"""The format once called "concentrated study" is "topic study" (专题学习): 集中学习 names every
session of the group, so no format may be called that (issue 11, item 3)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from reports.selectors import wording
from reports.selectors.summary import half_year_summary
from sessions_app.models import PlannedTopic, SessionFormat, StudySession
from tests.factories import PlannedTopicFactory, StudySessionFactory

BEFORE = [("sessions_app", "0005_essay_word_count")]
AFTER = [("sessions_app", "0006_session_format_topic_study")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.mark.django_db(transaction=True)
def test_existing_sessions_and_topics_move_to_topic_study_and_back():
    # Rows made while every table exists (saving writes history rows too), then taken back to
    # the migration before the rename; .update() writes only the format column.
    session = StudySessionFactory(format=SessionFormat.SEMINAR)
    topic = PlannedTopicFactory(format=SessionFormat.SEMINAR)
    other = StudySessionFactory(group=session.group, format=SessionFormat.VIDEO)
    try:
        _migrate(BEFORE)
        StudySession.objects.filter(pk=session.pk).update(format="concentrated")
        PlannedTopic.objects.filter(pk=topic.pk).update(format="concentrated")
        _migrate(AFTER)
        assert StudySession.objects.get(pk=session.pk).format == "topic_study"
        assert PlannedTopic.objects.get(pk=topic.pk).format == "topic_study"
        assert StudySession.objects.get(pk=other.pk).format == "video"

        _migrate(BEFORE)
        assert StudySession.objects.get(pk=session.pk).format == "concentrated"
        assert PlannedTopic.objects.get(pk=topic.pk).format == "concentrated"
        assert StudySession.objects.get(pk=other.pk).format == "video"
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_format_is_called_topic_study_in_both_languages():
    assert [value for value, _label in SessionFormat.choices][0] == "topic_study"
    assert wording.format_labels("en")["topic_study"] == "topic study"
    assert wording.format_labels("zh-hans")["topic_study"] == "专题学习"
    with translation.override("zh-hans"):
        assert "集中学习" not in [str(label) for label in SessionFormat.labels]


def test_the_summary_names_the_umbrella_once_and_the_format_as_topic_study(group, term):
    StudySessionFactory(group=group, term=term, format=SessionFormat.TOPIC_STUDY)
    StudySessionFactory(group=group, term=term, format=SessionFormat.SEMINAR)
    summary = half_year_summary(group=group, term=term)
    assert summary.sentences[0].startswith(
        "今年以来，共开展中心组集中学习2次，其中专题学习1次、专题研讨1次；"
    )
    assert summary.sentences[0].count("集中学习") == 1
