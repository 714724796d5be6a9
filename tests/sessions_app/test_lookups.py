"""The lookups of sessions_app.lookups select what __in selects."""

import pytest

from sessions_app.models import StudySession
from tests.factories import StudySessionFactory, TermFactory

pytestmark = pytest.mark.django_db


def test_in_list_selects_what_in_selects_and_nothing_for_an_empty_list(group):
    terms = [TermFactory(group=group, year=2020, half=half) for half in (1, 2)]
    other = TermFactory(group=group, year=2019, half=2)
    for term in [*terms, other]:
        StudySessionFactory(group=group, term=term)
    ids = [t.pk for t in terms]

    def picked(**lookup):
        return set(StudySession.objects.filter(**lookup).values_list("pk", flat=True))

    assert picked(term_id__in_list=ids) == picked(term__in=ids)
    assert len(picked(term_id__in_list=ids)) == 2
    assert picked(term__in_list=ids) == picked(term__in=ids)
    assert picked(pk__in_list=list(picked(term__in=ids))) == picked(term__in=ids)
    assert picked(term_id__in_list=[]) == set()
