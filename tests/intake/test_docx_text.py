"""All the text of a .docx, wherever Word and WPS put it (issue 10): hyperlinks, content controls,
smart tags, fields, custom XML, tracked changes, text boxes (once), tables in tables, breaks and
tabs; the main part found through the package's relationships; Strict Open XML read. Each count
below was counted by hand (intake.count.count_characters: characters that are not whitespace).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from intake.essays import essay_file_read
from intake.materials import material_file_read
from intake.sniff import sniff_file
from tests.uploads import (
    XXE,
    raw_docx_bytes,
    w_del,
    w_ins,
    w_p,
    w_r,
    w_text_box,
    zip_bytes,
    zip_parts,
)

FILES = Path(__file__).parent / "files"

# name -> (body XML, the essay's lines as stored, its 字数 counted by hand)
CASES = {
    "hyperlink": (
        w_p(
            w_r("请阅读"), f'<w:hyperlink w:anchor="a1">{w_r("学习材料")}</w:hyperlink>', w_r("。")
        ),
        ["请阅读学习材料。"],
        3 + 4 + 1,
    ),
    "content-controls-block-and-inline": (
        '<w:sdt><w:sdtPr><w:alias w:val="标题"/></w:sdtPr>'
        f"<w:sdtContent>{w_p(w_r('块级控件'))}</w:sdtContent></w:sdt>"
        + w_p(w_r("行内"), f"<w:sdt><w:sdtPr/><w:sdtContent>{w_r('控件')}</w:sdtContent></w:sdt>"),
        ["块级控件", "行内控件"],
        4 + 4,
    ),
    "smart-tag-simple-field-custom-xml": (
        w_p(
            f'<w:smartTag w:element="date">{w_r("2024年")}</w:smartTag>',
            f'<w:fldSimple w:instr=" PAGE ">{w_r("3")}</w:fldSimple>',
            f'<w:customXml w:element="unit">{w_r("页")}</w:customXml>',
        )
        + f'<w:customXml w:element="para">{w_p(w_r("自定义段落"))}</w:customXml>',
        ["2024年3页", "自定义段落"],
        7 + 5,
    ),
    "tracked-changes": (
        w_p(
            w_r("学习"),
            w_ins("贯彻"),
            w_del("删掉的字"),
            w_r("精神"),
            f'<w:moveFrom w:id="3" w:author="张三">{w_r("旧位置")}</w:moveFrom>',
            f'<w:moveTo w:id="4" w:author="张三">{w_r("新位置")}</w:moveTo>',
        ),
        ["学习贯彻精神新位置"],
        9,
    ),
    "text-box-read-once": (
        w_p(w_r("正文"), w_text_box("文本框里的话"), w_r("接着写")),
        ["正文", "文本框里的话", "接着写"],
        2 + 6 + 3,
    ),
    "nested-tables": (
        "<w:tbl><w:tblPr/><w:tr><w:tc>"
        + w_p(w_r("外表"))
        + "<w:tbl><w:tr><w:tc>"
        + w_p(w_r("内表一"))
        + "</w:tc><w:tc>"
        + w_p(w_r("内表二"))
        + "</w:tc></w:tr></w:tbl>"
        + w_p()
        + "</w:tc><w:tc>"
        + w_p(w_r("右格"))
        + "</w:tc></w:tr></w:tbl>",
        ["外表", "内表一", "内表二", "", "右格"],
        2 + 3 + 3 + 2,
    ),
    "soft-breaks-and-tabs": (
        '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r>'
        "<w:t>第一行</w:t><w:br/><w:t>第二行</w:t><w:cr/><w:t>第三行</w:t><w:tab/><w:t>末尾</w:t>"
        "</w:r></w:p>",
        ["第一行", "第二行", "第三行 末尾"],
        3 + 3 + 3 + 2,
    ),
}


def read(name: str, content: bytes):
    return essay_file_read(SimpleUploadedFile(name, content))


def refusal(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as info, translation.override("en"):
        read(name, content)
    return info.value


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_place_word_puts_text_is_read_in_document_order(case):
    body, lines, count = CASES[case]
    essay_file = read("心得.docx", raw_docx_bytes(body))
    assert essay_file.text.split("\n") == lines
    assert essay_file.char_count == count


@pytest.mark.parametrize("case", sorted(CASES))
def test_strict_open_xml_is_read_like_any_other_word_file(case):
    body, lines, count = CASES[case]
    content = raw_docx_bytes(body, strict=True)
    assert sniff_file(content) == ".docx"
    essay_file = read("严格.docx", content)
    assert essay_file.text.split("\n") == lines
    assert essay_file.char_count == count


def test_main_part_is_found_through_the_relationships_not_by_its_name():
    # Word Online names it word/document2.xml.
    body, lines, count = CASES["text-box-read-once"]
    content = raw_docx_bytes(body, main_part="word/document2.xml")
    assert sniff_file(content) == ".docx"
    essay_file = read("网页版.docx", content)
    assert essay_file.text.split("\n") == lines
    assert essay_file.char_count == count


def test_parts_other_than_the_main_one_are_not_essay_text():
    # A stray word/document.xml that the relationships do not name is not the document.
    content = raw_docx_bytes(
        w_p(w_r("正文")),
        main_part="word/document2.xml",
        extra={"word/document.xml": b"<x>\xe6\x97\xa7\xe7\x89\x88</x>"},
    )
    assert read("a.docx", content).text == "正文"


# (file, sentences it must contain, 字数 counted by hand, text it must not contain)
REAL_FILES = [
    (
        "python-docx-par-hyperlinks.docx",
        ["One awesome hyperlink.", "Three hyperlinks: the first one here, the second one, and"],
        12 + 20 + 57,
        None,
    ),
    ("docx2python-strict.docx", ["Bullet1", "Number2", "Cellaa", "Cellbb"], 4 * 7 + 4 * 6, None),
    ("docx2python-renamed_document_xml.docx", ["This is a link to my website."], 23, None),
    (
        "docx2python-nested_paragraphs.docx",
        ["To place this text box anywhere on the page, just drag it.]", "aaa aab", "azy azz"],
        139 + 26 * 26 * 3,  # the text box's sentence once, then "aaa" to "azz"
        None,
    ),
    ("docx2python-ControlTest.docx", ["This is a test", "content container in word."], 54, None),
    (
        "docx2python-comments.docx",
        ["Par2", "Par5 Lorem ipsum dolor sit amet"],
        105 + 3 * 4 + 4 + 105,
        "COMMENT",
    ),
]


@pytest.mark.parametrize(("name", "sentences", "count", "absent"), REAL_FILES)
def test_public_test_files_of_python_docx_and_docx2python(name, sentences, count, absent):
    essay_file = read(name, (FILES / name).read_bytes())
    for sentence in sentences:
        assert sentence in essay_file.text
    assert essay_file.char_count == count
    if absent:
        assert absent not in essay_file.text


def test_the_text_box_in_a_real_file_is_read_once():
    text = read("a.docx", (FILES / "docx2python-nested_paragraphs.docx").read_bytes()).text
    assert text.count("[Grab your reader’s attention") == 1


def _with_part(content: bytes, name: str, data: bytes) -> bytes:
    return zip_bytes({**zip_parts(content), name: data})


@pytest.mark.parametrize(
    ("content", "code"),
    [
        pytest.param(
            _with_part(
                raw_docx_bytes(w_p(w_r("正文"))),
                "_rels/.rels",
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
                b'.org/officeDocument/2006/relationships/officeDocument" '
                b'Target="word/missing.xml"/></Relationships>',
            ),
            "not_docx",
            id="relationship-to-a-missing-part",
        ),
        pytest.param(
            zip_bytes(
                {
                    k: v
                    for k, v in zip_parts(raw_docx_bytes(w_p(w_r("正文")))).items()
                    if k != "_rels/.rels"
                }
            ),
            "not_docx",
            id="no-relationships",
        ),
        pytest.param(
            _with_part(
                raw_docx_bytes(w_p(w_r("正文")), main_part="word/document2.xml"),
                "word/document2.xml",
                b"<w:document><w:body><w:p>",
            ),
            "bad_docx",
            id="broken-main-part",
        ),
        pytest.param(
            _with_part(
                raw_docx_bytes(w_p(w_r("正文")), main_part="word/document2.xml"),
                "word/document2.xml",
                f'<?xml version="1.0"?>{XXE}<w:document>&xxe;</w:document>'.encode(),
            ),
            "docx_dtd",
            id="entities-in-a-renamed-main-part",
        ),
        pytest.param(
            _with_part(
                raw_docx_bytes(w_p(w_r("正文"))),
                "_rels/.rels",
                f'<?xml version="1.0"?>{XXE}<Relationships>&xxe;</Relationships>'.encode(),
            ),
            "docx_dtd",
            id="entities-in-the-relationships",
        ),
    ],
)
def test_word_packages_that_cannot_be_read_are_refused_with_a_reason(content, code):
    assert refusal("心得.docx", content).code == code


def test_a_deleted_paragraph_of_text_alone_is_no_text():
    content = raw_docx_bytes(w_p(w_del("全部删掉了")))
    assert refusal("a.docx", content).code == "no_text"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(raw_docx_bytes(w_p(w_r("正文")), strict=True), id="strict"),
        pytest.param(raw_docx_bytes(w_p(w_r("正文")), main_part="word/document2.xml"), id="doc2"),
        pytest.param((FILES / "docx2python-renamed_document_xml.docx").read_bytes(), id="real"),
    ],
)
def test_such_word_files_are_accepted_as_session_materials_too(content):
    assert material_file_read(SimpleUploadedFile("材料.docx", content)).extension == ".docx"
