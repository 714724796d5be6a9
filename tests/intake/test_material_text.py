"""intake.materials.material_text: the text of a stored session material, for the originality
check (audit.originality)."""

import pytest
from django.core.exceptions import ValidationError

from intake.materials import material_text
from tests.uploads import docx_bytes


def test_a_word_or_text_material_gives_its_text():
    assert material_text(docx_bytes(["各级领导干部要增强斗争精神"]), extension=".docx") == (
        "各级领导干部要增强斗争精神"
    )
    assert material_text("提高斗争本领".encode("gb18030"), extension=".TXT") == "提高斗争本领"


def test_slides_spreadsheets_and_images_have_no_text_to_compare():
    assert material_text(b"\x89PNG\r\n\x1a\n", extension=".png") is None
    assert material_text(b"PK\x03\x04", extension=".xlsx") is None


def test_a_damaged_pdf_is_refused_with_a_message():
    with pytest.raises(ValidationError):
        material_text(b"%PDF-1.4 damaged", extension=".pdf")
