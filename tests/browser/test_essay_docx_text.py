"""A member uploads a .docx written with a text box and Track Changes on (issue 10), and the essay
page shows the full count: the text box's words once, the inserted words, not the deleted ones."""

import pytest
from django.urls import reverse

from sessions_app.models import ReflectionEssay
from tests.browser.conftest import log_in, switch_language
from tests.factories import StudySessionFactory
from tests.uploads import raw_docx_bytes, w_del, w_ins, w_p, w_r, w_text_box

pytestmark = pytest.mark.browser

TITLE = "文本框和修订"
BODY = w_p(w_r("深入学习贯彻新思想"), w_ins("，学以致用"), w_del("这句删掉了")) + w_p(
    w_r("正文第二段"), w_text_box("文本框里写的体会")
)
# Counted by hand: 9 + 5 (the insertion) in the first paragraph, 5 + 8 (the text box) after it.
COUNT = 9 + 5 + 5 + 8


def test_member_sees_the_full_count_of_a_docx_with_a_text_box_and_a_tracked_insertion(
    page, page_checks, live_server, member, term, tmp_path
):
    session = StudySessionFactory(group=member.group, term=term, topic="学习贯彻党的二十大精神")
    path = tmp_path / "修订稿.docx"
    path.write_bytes(raw_docx_bytes(BODY))
    log_in(page, live_server, member)
    switch_language(page, "en")
    page.goto(live_server.url + reverse("sessions_app:essay_create", args=[member.group.slug]))

    page.locator("#id_title").fill(TITLE)
    page.locator("#id_session").select_option(str(session.pk))
    page.locator("#id_file").set_input_files(path)
    with page.expect_navigation():
        page.get_by_role("button", name="Submit", exact=True).click()

    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    length = page.locator("[data-char-count]")
    assert length.get_attribute("data-char-count") == str(COUNT)
    assert str(COUNT) in length.inner_text()
    text = page.locator(".essay-text").inner_text()
    assert "深入学习贯彻新思想，学以致用" in text
    assert text.count("文本框里写的体会") == 1
    assert "这句删掉了" not in text
    page_checks(label="essay page of a .docx with a text box")
    page_checks.assert_clean()
    assert ReflectionEssay.objects.get().char_count == COUNT
