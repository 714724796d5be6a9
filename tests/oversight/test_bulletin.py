"""The term bulletin: written from the table, drafted and approved by the county's
administrators, the same text on the page, in the PDF and in the .docx."""

import datetime as dt
import io
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from docx import Document

from oversight.models import Bulletin
from oversight.selectors.access import organisation_get_for_user
from oversight.selectors.bulletin import bulletin_document
from oversight.services.bulletin import bulletin_approve, bulletin_save
from oversight.services.organisations import group_place
from tests.factories import StudyGroupFactory
from tests.oversight.test_table import _records

WORDS = {
    "preamble": "为推动理论学习中心组学习制度化、规范化，现将上半年学习情况通报如下。",
    "findings": "个别中心组学习记录不够详实。",
    "requirements": "各中心组要严格落实学习制度，按时报送学习材料。",
}


def _access(user):
    return organisation_get_for_user(user=user, slug="county")


def test_only_an_administrator_writes_and_approves(county_admin, inspector, placed):
    with pytest.raises(PermissionDenied):
        bulletin_save(access=_access(inspector), year=2020, half=1, user=inspector, **WORDS)
    with pytest.raises(ValidationError):
        bulletin_approve(access=_access(county_admin), year=2020, half=1, user=county_admin)
    bulletin_save(access=_access(county_admin), year=2020, half=1, user=county_admin,
                  **{**WORDS, "requirements": ""})
    with pytest.raises(ValidationError):  # no requirements yet
        bulletin_approve(access=_access(county_admin), year=2020, half=1, user=county_admin)
    bulletin_save(access=_access(county_admin), year=2020, half=1, user=county_admin, **WORDS)
    approved = bulletin_approve(access=_access(county_admin), year=2020, half=1,
                                user=county_admin)
    assert approved.is_approved and approved.approved_by == county_admin
    with pytest.raises(PermissionDenied):
        bulletin_approve(access=_access(inspector), year=2020, half=1, user=inspector)


@pytest.fixture
def county_records(county, placed, county_admin):
    _records(placed)  # 66.7%: not met
    good = StudyGroupFactory(name="甲中心组", rule_essays_per_member_year=0)  # no essay rule
    group_place(group=good, organisation=county)
    _records(good, away_first=False)
    bulletin_save(access=_access(county_admin), year=2020, half=1, user=county_admin, **WORDS)
    bulletin_approve(access=_access(county_admin), year=2020, half=1, user=county_admin)
    return placed, good


def test_the_page_pdf_and_docx_say_the_same(client, inspector, county_records):
    placed, good = county_records
    client.force_login(inspector)
    page = client.get(reverse("oversight:bulletin", args=["county"]), {"term": "2020H1"})
    html = page.content.decode()
    for text in (WORDS["preamble"], WORDS["requirements"], placed.name, good.name, "2020年上半年"):
        assert text in html
    assert "<form" not in html.split('class="report-paper"')[0].split("d-print-none")[-1]

    pdf = client.get(reverse("oversight:bulletin_pdf", args=["county"]), {"term": "2020H1"})
    assert pdf["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=b"".join(pdf.streaming_content),
                          capture_output=True, check=True).stdout.decode()
    squeezed = "".join(text.split())
    for words in (WORDS["requirements"], placed.name, good.name, "中共示例县委宣传部"):
        assert "".join(words.split()) in squeezed

    docx = client.get(reverse("oversight:bulletin_docx", args=["county"]), {"term": "2020H1"})
    document = Document(io.BytesIO(b"".join(docx.streaming_content)))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert WORDS["requirements"] in paragraphs and WORDS["preamble"] in paragraphs
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert {placed.name, good.name} <= cells


def test_groups_are_sorted_into_met_and_short(county_records, county):


    placed, good = county_records
    doc = bulletin_document(organisation=county, year=2020, half=1, today=dt.date(2020, 7, 20))
    assert [r.group for r in doc.met_all] == [good]
    (row, rules), = doc.short
    assert row.group == placed and rules == ["出勤率"]
    assert doc.groups == 2 and doc.sessions == 4


def test_an_inspector_cannot_post_words(client, inspector, county):
    client.force_login(inspector)
    url = reverse("oversight:bulletin", args=["county"])
    assert client.post(url + "?term=2020H1", WORDS).status_code == 403
    assert not Bulletin.objects.exists()
