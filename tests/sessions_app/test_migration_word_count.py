"""Essays kept before 字数 was counted as Word counts it get their word_count from their text, and
lose the invisible characters the text kept then (migration 0005_essay_word_count)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sessions_app.models import ReflectionEssay
from tests.factories import ReflectionEssayFactory

BEFORE = [("sessions_app", "0004_member_joins_on_the_groups_day")]
AFTER = [("sessions_app", "0005_essay_word_count")]


@pytest.mark.django_db(transaction=True)
def test_existing_essays_are_counted_again_from_their_text(group, member):
    essay = ReflectionEssayFactory(group=group, author=member, body="x")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("sessions_app", "ReflectionEssay")
    # Stored as the app stored it before: the invisible characters kept, characters counted.
    old.objects.filter(pk=essay.pk).update(body="全年GDP\u200b增长5.2%。\u00ad", char_count=14)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    essay = ReflectionEssay.objects.get(pk=essay.pk)
    # 全 年 GDP 增 长 5.2% 。: 7 words; 12 characters without spaces.
    assert (essay.body, essay.word_count, essay.char_count) == ("全年GDP增长5.2%。", 7, 12)
