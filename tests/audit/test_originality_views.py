"""The originality check on the secretary's pages: the essay list's flag and the review page's
similar passages side by side, quotations apart, another group's text never shown."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from audit.models import OriginalityMatch
from sessions_app.models import Member, ReflectionEssay
from sessions_app.services.essays import essay_submit
from tests.audit import _essays as e
from tests.audit.test_originality import material_on
from tests.factories import MemberFactory, StudyGroupFactory, StudySessionFactory


@pytest.fixture
def session(group, term):
    return StudySessionFactory(group=group, term=term, topic="统筹推进疫情防控和经济社会发展")


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    def submit_(author, body, *, session, title):
        with django_capture_on_commit_callbacks(execute=True):
            return essay_submit(
                author=author,
                title=title,
                kind=ReflectionEssay.Kind.REFLECTION,
                session=session,
                body=body,
            )

    return submit_


def writer(group, name):
    return MemberFactory(group=group, role=Member.Role.MEMBER, display_name=name)


def marks(html: str, kind: str) -> list[str]:
    return re.findall(rf'<mark class="originality-{kind}">(.*?)</mark>', html, flags=re.S)


def review_url(essay):
    return reverse("sessions_app:essay_review", args=[essay.group.slug, essay.pk])


def test_a_copied_essay_is_flagged_with_the_copied_passage_marked_on_both_sides(
    client_for, group, secretary, session, submit
):
    submit(writer(group, "王建国"), e.ESSAY_A, session=session, title="在大考中交出合格答卷")
    copy = submit(writer(group, "李志刚"), e.COPY_OF_A, session=session, title="学习体会")
    html = client_for(secretary).get(review_url(copy)).content.decode()
    assert 'data-originality="flagged"' in html
    assert "王建国" in html and "《在大考中交出合格答卷》" in html
    # The passage is marked in this essay and in 王建国's, side by side.
    assert sum(e.COPIED_PASSAGE in passage for passage in marks(html, "copy")) == 2
    # 王建国's text is shown: the sentence the copier left out is there, not marked.
    assert e.ONLY_IN_A in html


def test_an_original_essay_is_not_flagged_on_its_page_or_in_the_list(
    client_for, group, secretary, session, submit
):
    submit(writer(group, "王建国"), e.ESSAY_A, session=session, title="甲")
    original = submit(writer(group, "陈立新"), e.ORIGINAL_C, session=session, title="乙")
    html = client_for(secretary).get(review_url(original)).content.decode()
    assert 'data-originality="clear"' in html and not marks(html, "copy")
    listing = client_for(secretary).get(reverse("sessions_app:essay_list", args=[group.slug]))
    assert 'data-originality="flagged"' not in listing.content.decode()


def test_the_essay_list_flags_a_copy_for_the_secretary_only(
    client_for, group, secretary, session, submit
):
    submit(writer(group, "王建国"), e.ESSAY_A, session=session, title="原文")
    copier = writer(group, "李志刚")
    copy = submit(copier, e.COPY_OF_A, session=session, title="抄来的心得")
    listing = client_for(secretary).get(reverse("sessions_app:essay_list", args=[group.slug]))
    html = listing.content.decode()
    assert html.count('data-originality="flagged"') == 1
    assert review_url(copy) + "#originality-heading" in html
    own = client_for(copier).get(reverse("sessions_app:essay_list", args=[group.slug]))
    assert "data-originality" not in own.content.decode()


def test_a_copy_of_another_groups_essay_is_flagged_without_showing_its_text(
    client_for, group, secretary, session, submit
):
    elsewhere = StudyGroupFactory(name="邻县党委理论学习中心组", slug="neighbour")
    their_session = StudySessionFactory(group=elsewhere, topic="统筹推进疫情防控和经济社会发展")
    submit(writer(elsewhere, "欧阳振华"), e.ESSAY_A, session=their_session, title="邻县的心得")
    copy = submit(writer(group, "李志刚"), e.COPY_OF_A, session=session, title="学习体会")
    html = client_for(secretary).get(review_url(copy)).content.decode()
    assert 'data-originality="flagged"' in html
    assert "邻县党委理论学习中心组" in html
    # Neither its author, its title nor any of its own text.
    assert "欧阳振华" not in html and "邻县的心得" not in html
    assert e.ONLY_IN_A not in html
    # Only this essay's side is marked.
    assert sum(e.COPIED_PASSAGE in passage for passage in marks(html, "copy")) == 1


def test_quotations_of_the_material_are_shown_apart_and_not_flagged(
    client_for, group, secretary, session, submit
):
    material_on(session, e.MATERIAL)
    submit(writer(group, "王建国"), e.QUOTING_D1, session=session, title="甲")
    second = submit(writer(group, "张红梅"), e.QUOTING_D2, session=session, title="乙")
    html = client_for(secretary).get(review_url(second)).content.decode()
    assert 'data-originality="flagged"' not in html
    assert "讲话摘编" in html
    assert any("要坚定实施扩大内需战略" in passage for passage in marks(html, "quote"))


def test_an_essay_not_checked_yet_says_so(client_for, group, secretary, session):
    # Submitted, but its check (queued after the commit) has not run.
    essay = essay_submit(
        author=writer(group, "王建国"),
        title="甲",
        kind=ReflectionEssay.Kind.REFLECTION,
        session=session,
        body=e.ESSAY_A,
    )
    html = client_for(secretary).get(review_url(essay)).content.decode()
    assert 'data-originality="pending"' in html


def test_an_essay_never_checked_is_checked_when_the_secretary_opens_it(
    client_for, group, secretary, session, submit, django_capture_on_commit_callbacks
):
    submit(writer(group, "王建国"), e.ESSAY_A, session=session, title="原文")
    # Written before the check existed (or by an import): no check, not indexed.
    older = ReflectionEssay.objects.create(
        group=group,
        author=writer(group, "李志刚"),
        session=session,
        title="旧心得",
        body=e.COPY_OF_A,
        submitted_at=session.created_at,
    )
    client = client_for(secretary)
    # Opening the page queues its check (run once the request's work commits: inline with no
    # broker; here the test's transaction stands in, so the check runs as the request ends).
    with django_capture_on_commit_callbacks(execute=True):
        client.get(review_url(older))
    html = client.get(review_url(older)).content.decode()
    assert 'data-originality="flagged"' in html


def test_the_earlier_essay_names_the_later_one_that_shares_its_text(
    client_for, group, secretary, session, submit
):
    original = submit(writer(group, "王建国"), e.ESSAY_A, session=session, title="原文")
    submit(writer(group, "李志刚"), e.COPY_OF_A, session=session, title="抄来的心得")
    html = client_for(secretary).get(review_url(original)).content.decode()
    assert "李志刚" in html and "《抄来的心得》" in html


@pytest.mark.parametrize("copies", [1, 6])
def test_the_review_page_takes_the_same_queries_however_many_matches(
    client_for, group, secretary, session, submit, django_assert_num_queries, copies
):
    material_on(session, e.MATERIAL)
    for i in range(copies):
        submit(writer(group, f"成员{i}"), e.ESSAY_A, session=session, title=f"心得{i}")
    copy = submit(writer(group, "李志刚"), e.COPY_OF_A, session=session, title="学习体会")
    assert OriginalityMatch.objects.filter(originality_check__essay=copy).count() == copies
    client = client_for(secretary)
    client.get(review_url(copy))
    with django_assert_num_queries(QUERIES_REVIEW_PAGE):
        response = client.get(review_url(copy))
    assert response.status_code == 200


#: The review page's queries: seven of its own and five of the originality check (the check,
#: its matches, the later essays sharing its text, the materials, the outlines).
QUERIES_REVIEW_PAGE = 12
