"""The year's study archive and the members' 学习档案: what is missing, what the archive holds, its
PDF (outline, page numbers, text) and its .zip (folders by session, the uploads byte for byte)."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zipfile

import pytest
from pypdf import PdfReader

from reports.models import ArchiveBuild, ReportNarrative
from reports.pdf import ReportRenderError
from reports.selectors.archive import (
    MissingItem,
    archive_missing_items,
    member_archive,
    members_for_archive,
    year_archive,
)
from reports.services import archive as archive_services
from reports.services.archive import (
    archive_build_request,
    archive_build_run,
    members_archive_zip,
    year_archive_pdf,
    year_archive_zip,
    zip_name_part,
)
from reports.services.narrative import NarrativeText, narrative_save_draft
from sessions_app.models import StudyPlan
from sessions_app.selectors.rules import RuleState
from tests.factories import (
    MemberFactory,
    ReflectionEssayFactory,
    StudyPlanFactory,
    StudySessionFactory,
    TermFactory,
)
from tests.reports._archive_data import (
    COMPLETE_NARRATIVE,
    ESSAY_FILE,
    MATERIAL_FILE,
    archive_year,
    more_records,
)

END_OF_YEAR = dt.date(2020, 12, 31)


@pytest.fixture
def year(group, term, secretary, leader, member):
    return archive_year(group=group, term=term, secretary=secretary, leader=leader, member=member)


def kinds(items: list[MissingItem]) -> list[tuple[str, object]]:
    return [(i.kind, i.session_id or i.member_id or i.term_code) for i in items]


# --- 缺项清单 -----------------------------------------------------------------------------------


def test_missing_items_list_each_gap_once_in_order(year, group, leader):
    items = archive_missing_items(group=group, year=2020, today=END_OF_YEAR)
    assert kinds(items) == [
        ("minutes", year.h1_sessions[1].pk),  # blank but for spaces and a line break
        ("essay", leader.pk),  # her only essay was returned
        ("plan", "2020H2"),
        ("summary", "2020H2"),
    ]
    assert items[0].text == "2020年4月15日的集中学习（研讨/二：专题*）没有学习记录。"
    assert items[1].text == "李书记2020年度心得体会或调研报告0篇，本组规定每人1篇。"
    assert items[2].text == "2020年下半年的学习计划未经审定。"
    assert items[3].text == "2020年下半年的半年总结尚未撰写。"


def test_a_session_counts_as_held_on_its_day_not_before(group, term):
    day = dt.date(2020, 5, 20)
    session = StudySessionFactory(group=group, term=term, date=day, minutes="")
    assert ("minutes", session.pk) not in kinds(
        archive_missing_items(group=group, year=2020, today=day - dt.timedelta(days=1))
    )
    assert ("minutes", session.pk) in kinds(archive_missing_items(group=group, year=2020,
                                                                  today=day))


def test_members_of_any_day_of_the_year_owe_the_essay(group, term):
    """In on 31 December (joined that day) or out only from 2 January: owes. Out from
    1 January (left that day) or joined the next year: not of the year."""
    joined_last_day = MemberFactory(group=group, joined_on=dt.date(2020, 12, 31))
    left_second_day = MemberFactory(group=group, joined_on=dt.date(2019, 1, 1),
                                    left_on=dt.date(2020, 1, 2))
    MemberFactory(group=group, joined_on=dt.date(2019, 1, 1), left_on=dt.date(2020, 1, 1))
    MemberFactory(group=group, joined_on=dt.date(2021, 1, 1))
    owing = [i.member_id for i in archive_missing_items(group=group, year=2020, today=END_OF_YEAR)
             if i.kind == "essay"]
    assert owing == [joined_last_day.pk, left_second_day.pk]


def test_the_group_rule_decides_how_many_essays_are_owed(group, term):
    writer = MemberFactory(group=group, joined_on=dt.date(2019, 1, 1))
    session = StudySessionFactory(group=group, term=term, minutes="记录")
    ReflectionEssayFactory(group=group, author=writer, session=session)
    group.rule_essays_per_member_year = 2
    group.save()
    assert ("essay", writer.pk) in kinds(archive_missing_items(group=group, year=2020))
    ReflectionEssayFactory(group=group, author=writer, session=session)
    assert ("essay", writer.pk) not in kinds(archive_missing_items(group=group, year=2020))
    group.rule_essays_per_member_year = 0
    group.save()
    assert [i for i in archive_missing_items(group=group, year=2020) if i.kind == "essay"] == []


def test_plans_and_summaries_missing_until_approved(group, term, secretary, leader):
    group.rule_essays_per_member_year = 0
    group.save()
    assert kinds(archive_missing_items(group=group, year=2020)) == [
        ("plan", "2020H1"), ("summary", "2020H1")
    ]
    texts = [i.text for i in archive_missing_items(group=group, year=2020)]
    assert texts == ["2020年上半年没有学习计划。", "2020年上半年的半年总结尚未撰写。"]
    StudyPlanFactory(group=group, term=term)
    draft = narrative_save_draft(group=group, term=term, text=NarrativeText(**COMPLETE_NARRATIVE),
                                 member=secretary, user=secretary.user)
    texts = [i.text for i in archive_missing_items(group=group, year=2020)]
    assert texts == ["2020年上半年的学习计划未经审定。", "2020年上半年的半年总结仍是草稿。"]
    StudyPlan.objects.filter(term=term).update(status=StudyPlan.Status.APPROVED)
    from reports.services.narrative import narrative_approve

    narrative_approve(narrative=draft, member=leader, user=leader.user)
    # A newer draft after an approved version: the approved one is archived, nothing missing.
    narrative_save_draft(group=group, term=term, text=NarrativeText(**COMPLETE_NARRATIVE),
                         member=secretary, user=secretary.user)
    assert ReportNarrative.objects.filter(term=term, status="draft").exists()
    assert archive_missing_items(group=group, year=2020) == []


def test_missing_items_queries_do_not_grow(group, term, year, django_assert_num_queries):
    with django_assert_num_queries(5):
        archive_missing_items(group=group, year=2020, today=END_OF_YEAR)
    more_records(group, term, members=8, sessions=6)
    with django_assert_num_queries(5):
        archive_missing_items(group=group, year=2020, today=END_OF_YEAR)


# --- What the archive holds ------------------------------------------------------------------


def test_year_archive_holds_the_year(year, group, member, secretary):
    archive = year_archive(group=group, year=2020, today=END_OF_YEAR)
    assert archive.title == "示例县党委理论学习中心组2020年学习档案专卷"
    assert [p.term_code for p in archive.plans] == ["2020H1", "2020H2"]
    assert [s.term_code for s in archive.summaries] == ["2020H1"]  # H2 has none approved
    assert [s.record.topic for s in archive.sessions] == ["学习一", "研讨/二：专题*", "学习三"]
    first, second, _third = archive.sessions
    assert [(e.title, e.author) for e in first.essays] == [("学习心得甲", "张成员")]
    # The returned essay is not archived until resubmitted; the accepted and submitted are.
    assert [e.title for e in second.essays] == ["学习心得乙"]
    assert [m.name for m in first.materials] == ["讲话原文.pdf"]
    absent = second.record.absentees
    assert [(a.name, a.status_label, a.reason, a.makeup_on, a.makeup_note) for a in absent] == [
        ("张成员", "请假", "出差", dt.date(2020, 4, 20), "自学讲话原文")
    ]
    assert [v.term_code for v in archive.ledgers] == ["2020H1", "2020H2"]
    assert archive.ledgers[0].rows[2].statuses == ("出席", "请假")
    # Approvals and returns of the year's plan, summary and essays, oldest first.
    assert [(a.who, a.action) for a in archive.approvals] == [
        ("李书记", "已审定"), ("王秘书", "已审定"), ("王秘书", "已退回"), ("李书记", "已审定")
    ]
    assert [p.title for p in archive.parts] == [
        "一、学习计划", "二、半年总结", "三、学习记录、考勤和心得体会", "四、考勤台账",
        "五、审核审定记录", "六、缺项清单",
    ]
    assert len(archive.missing) == 4


def test_year_archive_queries_do_not_grow(year, group, term, django_assert_num_queries):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            year_archive(group=group, year=2020, today=END_OF_YEAR)
        return len(ctx)

    small = count()
    # Two terms: each plan, summary and ledger; sessions, essays, approvals; and the sections of
    # reports.selectors.archive_sections (the notices, the leave requests and 补学 duties).
    assert small == 43
    more_records(group, term, members=10, sessions=8)
    with django_assert_num_queries(small):
        year_archive(group=group, year=2020, today=END_OF_YEAR)


def test_an_added_section_is_printed_and_bookmarked(year, group, monkeypatch, tmp_path):
    """The extension point for notices, leave and 补学: a builder adds a numbered part."""
    from reports.selectors import archive as archive_selectors

    def notices(*, group, year, terms):
        return archive_selectors.ArchiveSection(
            key="notices", title="学习通知", template="reports/archive/_missing.html",
            data=None,
        )

    monkeypatch.setattr(archive_selectors, "SECTION_BUILDERS", [notices])
    archive = year_archive(group=group, year=2020, today=END_OF_YEAR)
    assert [p.title for p in archive.parts][-3:] == ["五、学习通知", "六、审核审定记录",
                                                     "七、缺项清单"]


# --- The PDF ---------------------------------------------------------------------------------


def outline(pdf: bytes) -> list[tuple[int, str, int]]:
    """(level, title, page number from 1) of every bookmark, in order."""
    reader = PdfReader(io.BytesIO(pdf))
    found = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 1)
    return found


def page_text(pdf: bytes, page: int, tmp_path) -> str:
    path = tmp_path / "archive.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout


@pytest.fixture
def built(year, group):
    archive = year_archive(group=group, year=2020, today=END_OF_YEAR)
    return archive, year_archive_pdf(archive)


def test_pdf_outline_has_the_parts_documents_sessions_and_essays(built):
    _archive, pdf = built
    marks = outline(pdf)
    titles = [(level, title) for level, title, _page in marks]
    assert titles[0] == (1, "示例县党委理论学习中心组2020年学习档案专卷")
    assert (1, "一、学习计划") in titles
    assert (2, "示例县党委理论学习中心组2020年上半年学习计划") in titles
    assert (2, "示例县党委理论学习中心组2020年上半年总结及下半年学习计划") in titles
    sessions = titles.index((1, "三、学习记录、考勤和心得体会"))
    assert titles[sessions + 1: sessions + 3] == [
        (2, "第1次集中学习：2020年3月10日 学习一"), (3, "张成员：学习心得甲"),
    ]
    assert titles[-1] == (1, "六、缺项清单")
    pages = [page for _level, _title, page in marks]
    assert pages == sorted(pages)  # in reading order


def test_pdf_pages_are_numbered_and_the_contents_give_them(built, tmp_path):
    _archive, pdf = built
    marks = {title: page for _level, title, page in outline(pdf)}
    session_page = marks["第1次集中学习：2020年3月10日 学习一"]
    assert f"— {session_page} —" in page_text(pdf, session_page, tmp_path)
    contents = page_text(pdf, 2, tmp_path)
    assert "目录" in contents
    line = next(ln for ln in contents.splitlines() if "第1次集中学习" in ln)
    assert line.rstrip().endswith(str(session_page))


def test_pdf_prints_the_records_and_the_missing_items_last(built, tmp_path):
    archive, pdf = built
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    marks = {title: page for _level, title, page in outline(pdf)}
    session_text = page_text(pdf, marks["第2次集中学习：2020年4月15日 研讨/二：专题*"], tmp_path)
    assert "出差" in session_text and "2020年4月20日 自学讲话原文" in session_text
    essay_text = page_text(pdf, marks["张成员：学习心得甲"], tmp_path)
    assert "第一段心得。" in essay_text and "第二段心得。" in essay_text
    last = page_text(pdf, pages, tmp_path)
    assert "缺项清单" in last
    for item in archive.missing:
        assert item.text[:12] in last.replace(" ", "").replace("\n", "")


# --- The .zip --------------------------------------------------------------------------------


def test_zip_has_the_pdf_word_files_and_the_uploads_by_session(built, year):
    archive, pdf = built
    handle = io.BytesIO()
    year_archive_zip(archive, pdf=pdf, handle=handle)
    with zipfile.ZipFile(handle) as z:
        names = z.namelist()
        top = "示例县党委理论学习中心组2020年学习档案专卷"
        assert f"{top}/{top}.pdf" in names
        assert z.read(f"{top}/{top}.pdf") == pdf
        assert f"{top}/学习计划/示例县党委理论学习中心组2020年上半年学习计划.docx" in names
        summary = "示例县党委理论学习中心组2020年上半年总结及下半年学习计划"
        assert f"{top}/半年总结/{summary}.docx" in names
        first = f"{top}/集中学习/01 2020-03-10 学习一"
        assert f"{first}/学习记录.docx" in names
        # The uploads, byte for byte, in their session's folder under their own names.
        assert z.read(f"{first}/材料/讲话原文.pdf") == MATERIAL_FILE
        assert z.read(f"{first}/心得体会和调研报告/张成员-我的心得.docx") == ESSAY_FILE
        # A topic's slash and asterisk cannot make folders or break Windows.
        assert f"{top}/集中学习/02 2020-04-15 研讨_二：专题_/学习记录.docx" in names
        assert f"{top}/集中学习/03 2020-09-09 学习三/学习记录.docx" in names
        # Names are stored as UTF-8 (flag bit 11), so every unzip tool shows the Chinese.
        assert all(info.flag_bits & 0x800 for info in z.infolist())
        assert not any(".." in n.split("/") for n in names)


def test_zip_notes_an_upload_missing_from_storage(built, year):
    archive, pdf = built
    year.material.file.storage.delete(year.material.file.name)
    handle = io.BytesIO()
    year_archive_zip(archive, pdf=pdf, handle=handle)
    with zipfile.ZipFile(handle) as z:
        top = "示例县党委理论学习中心组2020年学习档案专卷"
        notes = z.read(f"{top}/说明.txt").decode()
        assert "讲话原文.pdf" in notes
        assert not any(n.endswith("/材料/讲话原文.pdf") for n in z.namelist())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("研讨/二：专题*", "研讨_二：专题_"),
        ('a\\b:c*d?e"f<g>h|i', "a_b_c_d_e_f_g_h_i"),
        ("..", "_"),
        (" .隐藏. ", "隐藏"),
        ("换\x00行\u202e", "换行"),
        ("长" * 90 + ".docx", "长" * 75 + ".docx"),
    ],
)
def test_zip_name_part(text, expected):
    assert zip_name_part(text) == expected


# --- Builds ----------------------------------------------------------------------------------


def test_a_build_runs_and_stores_both_files(year, group, secretary,
                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        build = archive_build_request(member=secretary, year=2020, kind=ArchiveBuild.Kind.YEAR)
        build.refresh_from_db()
        assert build.status == ArchiveBuild.Status.PENDING  # queued, not built in the request
    assert len(queued) == 1
    build.refresh_from_db()  # eager: the task ran after the service's commit
    assert build.status == ArchiveBuild.Status.DONE
    assert build.progress == 100
    assert build.missing_count == 4
    assert build.pdf_pages == len(PdfReader(build.pdf.open("rb")).pages) > 10
    with zipfile.ZipFile(build.zip.open("rb")) as z:
        assert any(n.endswith("/学习记录.docx") for n in z.namelist())


def test_a_failed_build_says_why_and_keeps_no_file(year, group, secretary, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    def broken(html):
        raise ReportRenderError("字体缺失")

    monkeypatch.setattr(archive_services, "render_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        build = archive_build_request(member=secretary, year=2020, kind=ArchiveBuild.Kind.YEAR)
    build.refresh_from_db()
    assert build.status == ArchiveBuild.Status.FAILED
    assert build.error == "字体缺失"
    assert not build.pdf and not build.zip


def test_only_managers_build_and_only_years_with_terms(group, term, member, secretary):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        archive_build_request(member=member, year=2020, kind="year")
    with pytest.raises(ValidationError):
        archive_build_request(member=secretary, year=2031, kind="year")
    with pytest.raises(ValidationError):
        archive_build_request(member=secretary, year=2020, kind="everything")
    assert not ArchiveBuild.objects.exists()


def test_archive_build_run_leaves_a_done_build_alone(year, group, secretary,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build = archive_build_request(member=secretary, year=2020, kind="year")
    build.refresh_from_db()
    pdf_name = build.pdf.name
    assert build.is_done and pdf_name
    archive_build_run(archive_build_id=build.pk)
    build.refresh_from_db()
    assert build.pdf.name == pdf_name


# --- A member's 学习档案 --------------------------------------------------------------------------


def test_member_archive_figures_against_the_rules(year, member, leader):
    mine = member_archive(member=member, year=2020, today=END_OF_YEAR)
    assert mine.title == "张成员2020年学习档案"
    assert [(line.topic, line.status_label) for line in mine.lines] == [
        ("学习一", "出席"), ("研讨/二：专题*", "请假"), ("学习三", "出席")
    ]
    assert (mine.attended, mine.recorded, str(mine.rate)) == (2, 3, "66.7")
    # Below the rule on the year's last day: behind; from the next day, not met.
    assert mine.attendance_met is False and mine.attendance_state == RuleState.BEHIND
    after = member_archive(member=member, year=2020, today=dt.date(2021, 1, 1))
    assert after.attendance_state == RuleState.NOT_MET
    assert [(m.makeup_on, m.makeup_note) for m in mine.makeups] == [
        (dt.date(2020, 4, 20), "自学讲话原文")
    ]
    assert [e.title for e in mine.essays] == ["学习心得甲"]
    assert (mine.essays_counted, mine.essays_required, mine.essay_state) == (1, 1, RuleState.MET)
    hers = member_archive(member=leader, year=2020, today=dt.date(2020, 6, 30))
    assert (hers.essays_counted, hers.essay_state) == (0, RuleState.IN_PROGRESS)


def test_member_archive_lists_only_sessions_of_their_membership(group, term, year):
    late = MemberFactory(group=group, joined_on=dt.date(2020, 6, 1), display_name="新成员")
    mine = member_archive(member=late, year=2020, today=END_OF_YEAR)
    assert [line.topic for line in mine.lines] == ["学习三"]
    assert mine.lines[0].status is None and mine.recorded == 0 and mine.rate is None


def test_members_zip_has_a_pdf_per_member_of_the_year(year, group, term):
    MemberFactory(group=group, joined_on=dt.date(2019, 1, 1), left_on=dt.date(2020, 1, 1))
    handle = io.BytesIO()
    count = members_archive_zip(group=group, year=2020, handle=handle, today=END_OF_YEAR)
    members = members_for_archive(group=group, year=2020)
    assert count == len(members) == 3
    with zipfile.ZipFile(handle) as z:
        names = [n.rsplit("/", 1)[-1] for n in z.namelist()]
        assert names == [f"{n:02d} {m.display_name}.pdf" for n, m in enumerate(members, 1)]
        assert all(z.read(n).startswith(b"%PDF") for n in z.namelist())


def test_another_years_terms_stay_out(year, group):
    TermFactory(group=group, year=2019, half=2)
    archive = year_archive(group=group, year=2020, today=END_OF_YEAR)
    assert {t.year for t in archive.terms} == {2020}
