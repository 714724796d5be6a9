"""Journey 2: a member uploads a .docx reflection essay and sees its character count, in English."""

import pytest
from django.urls import reverse

from sessions_app.models import ReflectionEssay
from tests.browser.conftest import log_in, switch_language
from tests.factories import StudySessionFactory
from tests.uploads import docx_bytes

pytestmark = pytest.mark.browser

TITLE = "学习党的创新理论心得体会"
# Two paragraphs, 60 + 40 Chinese characters: the count is 100 (paragraph breaks are not counted).
PARAGRAPHS = [
    "深入学习贯彻新时代中国特色社会主义思想" * 3 + "勤学习",
    "理论联系实际推动各项工作落实见效" * 2 + "学以致用知行合一",
]


@pytest.fixture
def essay_docx(tmp_path):
    assert [len(p) for p in PARAGRAPHS] == [60, 40]
    path = tmp_path / "心得体会.docx"
    path.write_bytes(docx_bytes(PARAGRAPHS))
    return path


def test_member_uploads_a_docx_essay_and_sees_its_character_count_in_english(
    page, page_checks, live_server, member, term, essay_docx
):
    session = StudySessionFactory(group=member.group, term=term, topic="学习贯彻党的二十大精神")
    slug = member.group.slug
    log_in(page, live_server, member)
    switch_language(page, "en")

    submit_essay = page.get_by_role("link", name="Submit an essay")
    page_checks(label="member's dashboard", actions=[submit_essay])
    submit_essay.click()
    page.wait_for_url(f"**{reverse('sessions_app:essay_create', args=[slug])}")

    send = page.get_by_role("button", name="Submit", exact=True)
    page_checks(label="essay form", actions=[send])
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_session").select_option(str(session.pk))
    page.locator("#id_file").set_input_files(essay_docx)
    with page.expect_navigation():
        send.click()

    success = page.locator(".alert-success")
    assert success.is_visible(), page.locator("main").inner_text()
    assert f"Your essay “{TITLE}” has been submitted (100 words)." in success.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    length = page.locator("[data-word-count]")
    assert length.inner_text().strip() == "Word count 100 · Characters without spaces 100"
    assert PARAGRAPHS[0] in page.locator(".essay-text").inner_text()
    page_checks(label="essay page", actions=[page.get_by_role("link", name="Revise")])

    essay = ReflectionEssay.objects.get()
    assert (essay.author, essay.session, essay.word_count, essay.char_count) == (
        member, session, 100, 100
    )
    assert essay.original_filename == essay_docx.name

    # The member's own list shows the essay with its count.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="My essays").click()
    row = page.locator("main table tbody tr", has_text=TITLE)
    assert row.count() == 1
    assert "100" in row.inner_text()
    page_checks(label="member's essay list")
    page_checks.assert_clean()
