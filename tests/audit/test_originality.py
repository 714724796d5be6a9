"""The originality check (audit.originality): shingles, the index, the check and its boundaries.

Essays are submitted through the essay service, whose check runs after commit (eager Celery), as
a member's submission does; the texts are the realistic essays of tests/audit/_essays.py.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from audit.models import (
    MaterialText,
    OriginalityBand,
    OriginalityCheck,
    OriginalityMatch,
    essay_flagged,
    passes_threshold,
)
from audit.originality.services import OUTLINE_KIND, essay_originality_check
from audit.originality.shingles import (
    lsh_bands,
    marked_spans,
    normalise,
    overlap,
    segments,
    shingles,
)
from sessions_app.models import Member, ReflectionEssay, SessionMaterial, StudyGroup
from sessions_app.services.essays import essay_revise, essay_submit
from tests.audit import _essays as e
from tests.factories import (
    MemberFactory,
    ReflectionEssayFactory,
    StudyGroupFactory,
    StudySessionFactory,
)


@pytest.fixture
def session(group, term):
    topic = "学习习近平总书记关于统筹推进疫情防控和经济社会发展的重要讲话精神"
    return StudySessionFactory(group=group, term=term, topic=topic)


@pytest.fixture
def writers(group):
    names = ["王建国", "李志刚", "张红梅", "陈立新"]
    return [
        MemberFactory(group=group, role=Member.Role.MEMBER, display_name=name) for name in names
    ]


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submit an essay as a member does; its check runs once the submission commits."""

    def submit_(author, body, *, session=None, title="学习心得"):
        with django_capture_on_commit_callbacks(execute=True):
            return essay_submit(
                author=author,
                title=title,
                kind=ReflectionEssay.Kind.REFLECTION,
                session=session,
                body=body,
            )

    return submit_


def material_on(session, text: str, *, name: str = "讲话摘编.txt") -> SessionMaterial:
    material = SessionMaterial(session=session, title="讲话摘编", original_filename=name)
    material.file.save(name, ContentFile(text.encode("utf-8")), save=True)
    return material


def top_match(essay: ReflectionEssay) -> OriginalityMatch | None:
    return OriginalityMatch.objects.filter(originality_check__essay=essay).first()


def is_flagged(essay: ReflectionEssay) -> bool:
    """As the essay list flags it, at the group's threshold as saved now."""
    threshold = StudyGroup.objects.get(pk=essay.group_id).originality_threshold
    return ReflectionEssay.objects.filter(essay_flagged(threshold=threshold), pk=essay.pk).exists()


# --- Pure helpers --------------------------------------------------------------------------


def test_layout_and_punctuation_do_not_matter():
    plain = "各级领导干部要增强斗争精神，提高斗争本领。"
    relaid = "各级领导干部 要增强斗争精神\n\n提高斗争本领!"
    assert shingles(plain) == shingles(relaid)
    # Full-width letters and digits are the same as their ASCII forms.
    assert normalise("ＡＢ１２").text == "ab12"


def test_a_text_shorter_than_a_shingle_has_none():
    assert shingles("学习") == frozenset()


def test_overlap_sets_the_materials_apart():
    essay = shingles(e.QUOTING_D2)
    found = overlap(essay, shingles(e.QUOTING_D1), shingles(e.MATERIAL))
    without_materials = overlap(essay, shingles(e.QUOTING_D1), frozenset())
    assert without_materials.percent > 50
    assert found.percent < 10


def test_marked_spans_cover_the_punctuation_inside_a_copied_run():
    text = "甲乙丙丁戊，己庚辛壬癸。子丑寅卯辰"
    spans = marked_spans(text, shingles("甲乙丙丁戊己庚辛壬癸"))
    assert [text[a:b] for a, b in spans] == ["甲乙丙丁戊，己庚辛壬癸"]
    assert segments(text, {"copy": spans}) == [
        ("甲乙丙丁戊，己庚辛壬癸", "copy"),
        ("。子丑寅卯辰", ""),
    ]


def test_the_bands_are_datasketchs_for_the_settings():
    bands = lsh_bands()
    assert bands[0][0] == 0 and all(end > start for start, end in bands)


@pytest.mark.parametrize(
    ("shared", "own", "passing"),
    [(40, 80, True), (40, 81, False), (41, 80, True), (19, 20, False), (20, 40, True)],
)
def test_half_passes_the_default_threshold_and_just_under_half_does_not(shared, own, passing):
    # 20 shingles at least: fewer are stock phrases, whatever share they are of a short essay.
    assert passes_threshold(shared=shared, own=own, threshold=50) is passing


# --- The check -------------------------------------------------------------------------------


def test_a_copied_essay_is_flagged_with_its_source(group, session, writers, submit):
    original = submit(writers[0], e.ESSAY_A, session=session)
    copy = submit(writers[1], e.COPY_OF_A, session=session)
    match = top_match(copy)
    assert match is not None and match.other == original
    check = OriginalityCheck.objects.get(essay=copy)
    assert match.shared * 100 >= 50 * check.own_count
    assert is_flagged(copy)


def test_an_essay_on_the_same_material_in_ones_own_words_is_not_flagged(
    group, session, writers, submit
):
    material_on(session, e.MATERIAL)
    submit(writers[0], e.ESSAY_A, session=session)
    own_words = submit(writers[2], e.OWN_WORDS_B, session=session)
    paraphrase = submit(writers[3], e.PARAPHRASE_OF_A, session=session)
    assert not is_flagged(own_words)
    assert not is_flagged(paraphrase)


def test_an_original_essay_is_not_flagged_and_has_no_match(group, session, writers, submit):
    submit(writers[0], e.ESSAY_A, session=session)
    submit(writers[2], e.OWN_WORDS_B, session=session)
    original = submit(writers[3], e.ORIGINAL_C, session=session)
    assert not is_flagged(original)
    assert not OriginalityMatch.objects.filter(originality_check__essay=original).exists()


def test_a_copy_of_another_groups_essay_from_an_earlier_term_is_flagged(
    group, session, writers, submit
):
    elsewhere = StudyGroupFactory(name="邻县党委理论学习中心组", slug="neighbour")
    theirs_session = StudySessionFactory(
        group=elsewhere, date=session.date.replace(year=2019), term__year=2019
    )
    theirs = submit(MemberFactory(group=elsewhere), e.ESSAY_A, session=theirs_session)
    copy = submit(writers[1], e.COPY_OF_A, session=session)
    assert top_match(copy).other == theirs
    assert is_flagged(copy)


def test_quoting_the_sessions_material_is_not_copying(group, session, writers, submit):
    material = material_on(session, e.MATERIAL)
    submit(writers[0], e.QUOTING_D1, session=session)
    second = submit(writers[1], e.QUOTING_D2, session=session)
    check = OriginalityCheck.objects.get(essay=second)
    assert not is_flagged(second)
    # Most of the essay quotes the material: shown apart, not as copying.
    assert check.material_count * 100 > 50 * check.shingle_count
    assert MaterialText.objects.get(material=material).readable


def test_without_the_material_the_same_quotations_would_be_flagged(group, session, writers, submit):
    submit(writers[0], e.QUOTING_D1, session=session)
    second = submit(writers[1], e.QUOTING_D2, session=session)
    assert is_flagged(second)


def test_the_sessions_speaking_outline_counts_as_its_material(group, session, writers, submit):
    # A 发言提纲 (kind "outline") of the same session: members quote it as they quote materials.
    ReflectionEssayFactory(
        group=group,
        author=writers[3],
        session=session,
        kind=OUTLINE_KIND,
        title="中心发言提纲",
        body=e.MATERIAL,
    )
    submit(writers[0], e.QUOTING_D1, session=session)
    second = submit(writers[1], e.QUOTING_D2, session=session)
    assert not is_flagged(second)


def test_the_threshold_is_the_groups_and_applies_at_once(group, session, writers, submit):
    submit(writers[0], e.ESSAY_A, session=session)
    copy = submit(writers[1], e.COPY_OF_A, session=session)
    check = OriginalityCheck.objects.get(essay=copy)
    percent = 100 * check.top_shared / check.own_count
    group.originality_threshold = int(percent) + 1
    group.save()
    assert not is_flagged(copy)
    group.originality_threshold = int(percent)
    group.save()
    assert is_flagged(copy)


def _chars(start: int, count: int) -> str:
    """count distinct CJK characters from U+4E00 + start: texts with known shingle counts."""
    return "".join(chr(0x4E00 + start + i) for i in range(count))


@pytest.mark.parametrize(("extra", "flagged"), [(40, True), (41, False)])
def test_exactly_half_of_the_own_text_is_flagged_and_just_under_is_not(
    group, session, writers, submit, extra, flagged
):
    shared_part = _chars(0, 44)  # 40 shingles of its own
    submit(writers[0], shared_part + _chars(1000, 60), session=session)
    # 44 + extra characters: 40 + extra shingles, of which the 40 of shared_part are shared.
    essay = submit(writers[1], shared_part + _chars(2000, extra), session=session)
    check = OriginalityCheck.objects.get(essay=essay)
    assert (check.top_shared, check.own_count) == (40, 40 + extra)
    assert is_flagged(essay) is flagged


def test_a_revision_is_checked_again_and_its_old_keys_replaced(
    group, session, writers, submit, django_capture_on_commit_callbacks
):
    submit(writers[0], e.ESSAY_A, session=session)
    essay = submit(writers[1], e.COPY_OF_A, session=session)
    assert is_flagged(essay)
    with django_capture_on_commit_callbacks(execute=True):
        essay_revise(
            essay=essay,
            author=writers[1],
            title="学习心得",
            kind=essay.kind,
            session=session,
            body=e.OWN_WORDS_B,
        )
    assert not is_flagged(essay)
    assert OriginalityBand.objects.filter(essay=essay).count() == len(lsh_bands())


def test_an_unreadable_material_is_left_out_and_counted(group, session, writers, submit):
    material_on(session, "not a pdf", name="扫描件.pdf")
    essay = submit(writers[0], e.ESSAY_A, session=session)
    assert OriginalityCheck.objects.get(essay=essay).unread_materials == 1


def test_reindex_rebuilds_the_index_from_the_texts(group, session, writers, submit):
    first = submit(writers[0], e.ESSAY_A, session=session)
    submit(writers[1], e.ORIGINAL_C, session=session)
    OriginalityBand.objects.all().delete()
    call_command("originality_reindex", verbosity=0)
    assert OriginalityBand.objects.count() == 2 * len(lsh_bands())
    copy = submit(writers[2], e.COPY_OF_A, session=session)
    assert top_match(copy).other == first


def _essays(group, session, n: int) -> None:
    authors = [MemberFactory(group=group) for _ in range(3)]
    for i in range(n):
        essay = ReflectionEssayFactory(
            group=group,
            author=authors[i % 3],
            session=session,
            body=_chars(3000 + 97 * i, 90) + e.ORIGINAL_C[i % 50 :],
        )
        essay_originality_check(essay_id=essay.pk)


@pytest.mark.parametrize("indexed", [3, 30])
def test_a_check_takes_the_same_queries_however_many_essays_are_indexed(
    group, session, writers, django_assert_num_queries, indexed
):
    material_on(session, e.MATERIAL)
    _essays(group, session, indexed)
    essay = ReflectionEssayFactory(group=group, author=writers[0], session=session, body=e.ESSAY_A)
    essay_originality_check(essay_id=essay.pk)
    # Read: the essay, materials, outlines, candidates and their texts. Written: the essay's
    # keys, its check (update_or_create, in a savepoint) and its matches.
    with django_assert_num_queries(13):
        essay_originality_check(essay_id=essay.pk)
