"""Plain text files: read in the encoding they are valid in, or refused saying to save as UTF-8;
never read half-decoded into another encoding's nonsense."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from intake.essays import essay_file_read
from intake.materials import material_file_read
from intake.sniff import sniff_file
from intake.text import TextProblem, read_text
from tests.uploads import HALF_CHARACTER_UTF8, TEXT_CN

ESSAY = f"{TEXT_CN}，GDP增长5.2%。"  # words 7+1+1+2+1+1 = 13; characters 7+1+3+2+4+1 = 18


def refusal(content: bytes, name: str = "心得.txt") -> ValidationError:
    with pytest.raises(ValidationError) as info, translation.override("en"):
        essay_file_read(SimpleUploadedFile(name, content))
    return info.value


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(ESSAY.encode("utf-8"), id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + ESSAY.encode("utf-8"), id="utf-8-bom"),
        pytest.param(b"\xff\xfe" + ESSAY.encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(b"\xfe\xff" + ESSAY.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(ESSAY.encode("gb18030"), id="gb18030"),
        pytest.param(ESSAY.encode("gbk"), id="gbk"),
    ],
)
def test_each_encoding_windows_writes_is_read_whole(content):
    essay_file = essay_file_read(SimpleUploadedFile("心得.txt", content))
    assert essay_file.text == ESSAY
    assert (essay_file.word_count, essay_file.char_count) == (13, 18)


def test_traditional_characters_saved_as_gbk_are_read():
    text = "學習貫徹新時代中國特色社會主義思想，堅持以人民為中心。"
    assert essay_file_read(SimpleUploadedFile("a.txt", text.encode("gbk"))).text == text


def test_utf8_cut_in_the_middle_of_a_character_is_refused_not_read_as_gb18030():
    # What used to be stored: the UTF-8 bytes read as GB18030.
    assert HALF_CHARACTER_UTF8.decode("gb18030").startswith("瀛︿範蹇冨緱")
    with pytest.raises(TextProblem) as problem:
        read_text(HALF_CHARACTER_UTF8)
    assert problem.value.kind == "damaged_utf8"
    error = refusal(HALF_CHARACTER_UTF8)
    assert error.code == "txt_damaged"
    assert "save it again as UTF-8" in error.messages[0]


def test_a_broken_byte_inside_a_long_utf8_file_is_refused():
    good = (ESSAY * 40).encode()
    broken = good[:500] + b"\xff" + good[500:]
    assert refusal(broken).code == "txt_damaged"
    assert refusal(b"\xef\xbb\xbf" + TEXT_CN.encode() + b"\xe5").code == "txt_damaged"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("學習貫徹新時代中國特色社會主義思想".encode("big5"), id="big5"),
        pytest.param("日本語のテキストです".encode("shift_jis"), id="shift-jis"),
        pytest.param("café résumé naïve".encode("latin-1"), id="latin-1"),
        pytest.param(b"\xff\xfe" + TEXT_CN.encode("utf-16-le")[:-1], id="utf-16-cut"),
    ],
)
def test_other_encodings_are_refused_saying_to_save_as_utf8(content):
    error = refusal(content)
    assert error.code == "txt_encoding"
    assert "Save it as UTF-8" in error.messages[0]


def test_binary_is_not_text_whatever_else_it_might_decode_as():
    assert refusal(b"\x89PNG\r\n\x1a\n\x00\x00").code == "bad_txt"
    assert sniff_file(HALF_CHARACTER_UTF8) is None


def test_a_material_txt_in_broken_utf8_gets_the_same_advice():
    with pytest.raises(ValidationError) as info, translation.override("en"):
        material_file_read(SimpleUploadedFile("讲话.txt", HALF_CHARACTER_UTF8))
    assert info.value.code == "txt_damaged"
    assert "UTF-8" in info.value.messages[0]
