"""A session's 签到表 as a PDF (reports.pdf.sign_in_sheet_pdf), read back with pdftotext."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from sessions_app.models import Member, StudyGroup
from tests.factories import MemberFactory, StudySessionFactory
from tests.reports.pdf_helpers import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(group, term, leader, secretary, member):
    session = StudySessionFactory(
        group=group, term=term, date=dt.date(2020, 3, 12), start_time=dt.time(9, 0),
        end_time=dt.time(11, 30), place="县委三楼会议室", topic="学习贯彻党的二十大精神",
    )
    # Rank order is the group's sort order, not the order they were added in.
    for person, order in ((leader, 30), (secretary, 20), (member, 10)):
        Member.objects.filter(pk=person.pk).update(sort_order=order)
    MemberFactory(group=group, display_name="已离开的人", left_on=dt.date(2020, 3, 12))
    MemberFactory(group=group, display_name="后来的人", joined_on=dt.date(2020, 3, 13))
    return session


def download(client, session, as_member) -> bytes:
    client.force_login(as_member.user)
    response = client.get(
        reverse("reports:sign_in_sheet_pdf", args=[session.group.slug, session.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def test_the_sheet_names_the_session_and_lists_the_members_in_rank_order(
    client, session, member
):
    text = pdf_text(download(client, session, member))
    flat = re.sub(r"\s+", "", text)

    assert "示例县党委理论学习中心组" in flat and "签到表" in flat
    assert "专题：学习贯彻党的二十大精神" in flat
    assert "时间：2020年3月12日09:00—11:30" in flat
    assert "地点：县委三楼会议室" in flat
    for header in ("序号", "姓名", "职务", "签名", "签到时间"):
        assert header in flat
    expected = [
        m.display_name
        for m in Member.objects.filter(group=session.group).in_group_on(session.date)
        .in_rank_order()
    ]
    assert expected == ["张成员", "王秘书", "李书记"]
    positions = [text.index(name) for name in expected]
    assert positions == sorted(positions), f"not in rank order: {expected}"
    assert "已离开的人" not in text and "后来的人" not in text
    # The line for observers comes after the table.
    assert "列席人员：" in flat
    assert text.index("列席人员") > positions[-1]


def test_the_sheet_uses_the_reports_embedded_fonts(client, session, member):
    fonts = pdf_fonts(download(client, session, member))

    assert {f["emb"] for f in fonts} == {"yes"}
    assert any("+Noto-Serif-CJK-SC" in f["name"] for f in fonts), fonts
    assert any("+Noto-Sans-CJK-SC" in f["name"] for f in fonts), fonts


def test_an_english_groups_sheet_is_in_english(client, session, member):
    StudyGroup.objects.filter(pk=session.group_id).update(report_language="en")

    text = pdf_text(download(client, session, member))

    assert "Sign-in sheet" in text and "Observers" in text
    assert "2020-03-12 09:00—11:30" in text


def test_the_session_page_links_the_pdf_next_to_the_docx(client, session, member):
    client.force_login(member.user)
    page = client.get(reverse("sessions_app:session_detail", args=[session.group.slug,
                                                                  session.pk]))
    body = page.content.decode()
    docx = reverse("reports:sign_in_sheet_docx", args=[session.group.slug, session.pk])
    pdf = reverse("reports:sign_in_sheet_pdf", args=[session.group.slug, session.pk])
    assert docx in body and pdf in body
    assert body.index(pdf) > body.index(docx)
