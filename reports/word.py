"""The documents as editable Word files (.docx), laid out as a 公文 for Word and WPS.

One builder per document, each reading the same plain structure the HTML page and the PDF read
(never the HTML): the half-year summary (reports.selectors.summary_types.HalfYearSummary), the
study plan (reports.selectors.plan.PlanDocument), a session's 学习记录 and 签到表
(reports.selectors.session_record). Made with python-docx; every function returns the file's
bytes.

The layout follows GB/T 9704-2012 《党政机关公文格式》:
- 5.2.1 and 5.2.2: A4 paper (210 mm × 297 mm); 天头 (top margin) 37 mm, 订口 (left) 28 mm, and
  a text area of 156 mm × 225 mm, which leaves 26 mm on the right and 35 mm at the foot.
- 5.2.3: 3号仿宋 for the body (16 pt; 仿宋_GB2312 here), 22 lines of 28 characters: the
  lines are set at a fixed 28 pt (225 mm / 22 lines ≈ 28.9 pt), each paragraph's first line
  indented by two characters (w:firstLineChars="200").
- 7.3.1: the title in 2号小标宋 (22 pt, 方正小标宋简体), centred, one blank line below.
- 7.3.3: headings of the first level (一、) in 黑体, of the second level (（一）) in 楷体
  (楷体_GB2312), in the body's size, indented like the body.
- 7.3.4: the 附件说明 (附件：1．…) below the body, two characters in, later names aligned under
  the first.
- 7.3.5.1, as the PDF places them (templates/reports/_summary_closing.html): the date
  (成文日期, in Arabic numerals, 2020年7月10日) right-aligned four characters from the right
  margin, the issuing body's name (落款, the group's name) centred above it, out to the right
  margin at most.
- 7.5: page numbers in 4号半角宋体 (14 pt) Arabic numerals with a dash on either side
  (— 1 —), about 7 mm below the text area; odd pages at the right one character in, even
  pages at the left one character in (odd and even footers; Word and WPS honour them,
  LibreOffice too).
- 8: each appendix starts on a new page with 附件1 in 黑体 at the top left and its title set
  like the document's title. The sessions appendix is landscape, as in the PDF.

Fonts are named for East Asian text (w:rFonts w:eastAsia) so that Word and WPS use the Chinese
faces, with Times New Roman for Latin letters and digits (w:ascii, w:hAnsi); a machine without
a named face substitutes its own, as it does for any 公文. The attendance chart of the PDF is
not drawn: the Word file carries the same figures in its tables.

A group's own Word template (its letterhead, styles and page setup) can stand in for the default
layout of the summary and the plan: see PLACEHOLDERS, word_template_check and
default_template_docx (the default layout as a template, to start one from).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator

from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.selectors import wording
from reports.selectors.plan import PlanDocument
from reports.selectors.session_record import SessionRecord, SignInSheet
from reports.selectors.summary_types import HalfYearSummary
from reports.templatetags.reports_tags import percent

#: The 公文's faces (GB/T 9704-2012 5.2.3, 7.3.1, 7.3.3, 7.5) and the Latin fallback.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
LEVEL1_FONT = "黑体"
LEVEL2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
TABLE_SIZE = Pt(12)  # 小四: the appendix tables
LINE_PITCH = Pt(28)

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
#: The page number's top 7 mm below the text area (GB/T 9704-2012 7.5).
FOOTER_DISTANCE = Mm(35 - 7) - PAGE_NUMBER_SIZE

#: Our paragraph styles: name → (face, size, level of the outline or None).
STYLE_BODY = "Normal"
STYLE_TITLE = "Title"
STYLE_LEVEL1 = "Heading 1"
STYLE_LEVEL2 = "Heading 2"
STYLE_TABLE = "公文表格"
STYLE_TABLE_ID = "GongwenTable"
STYLE_MARK = "公文附件标识"

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Characters XML 1.0 cannot hold (control characters but tab and newlines): dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text) -> str:
    """User text as Word can hold it: literal characters, control characters dropped."""
    return _NOT_XML.sub("", str(text or ""))


def _lines(text: str) -> list[str]:
    """One paragraph per non-blank line, as the page's |paragraphs filter does."""
    return [line.strip() for line in _clean(text).splitlines() if line.strip()]


# --- A group's template ----------------------------------------------------------------------

#: The placeholders a group's template may hold, in any paragraph of its body, tables, headers
#: and footers, written {{ name }} (spaces inside the braces optional). {{ body }} is required,
#: once, on a line of its own in the body outside any table: the document goes there.
PLACEHOLDERS = {
    "title": "the document's title on one line (for a header, say; the body starts with it too)",
    "body": "where the document goes: a paragraph of its own, once, outside tables",
    "group": "the study group's name",
    "date": "成文日期 of an approved document (2020年7月10日); a draft's: the day it was made",
}
BODY_PLACEHOLDER = "body"
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")

#: Largest template accepted, in bytes: a letterhead with a logo is well under it.
TEMPLATE_MAX_BYTES = 5 * 1024 * 1024


class WordTemplateError(ValueError):
    """An uploaded file cannot be a Word template; the message says why, for the uploader."""


def _paragraph_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def _template_parts(document) -> Iterator:
    """The XML roots that hold text: the body, then every header and footer part."""
    yield document.element.body
    for part in document.part.package.iter_parts():
        name = str(part.partname)
        if "/header" in name or "/footer" in name:
            yield part.element


def _open_template(content: bytes):
    """The template as a python-docx Document; WordTemplateError when it is not a .docx."""
    if len(content) > TEMPLATE_MAX_BYTES:
        raise WordTemplateError(
            _("The template is larger than %(limit)d MB.") % {"limit": TEMPLATE_MAX_BYTES >> 20}
        )
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise WordTemplateError(
            _("This is not a Word (.docx) file. Save the template in Word or WPS as .docx.")
        )
    try:
        return Document(io.BytesIO(content))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, SyntaxError) as exc:
        # ValueError: another Office file (.xlsx, .pptx, a macro-enabled .docm); SyntaxError:
        # lxml's XMLSyntaxError, broken XML inside the archive.
        raise WordTemplateError(
            _("This is not a Word (.docx) file. Save the template in Word or WPS as .docx.")
        ) from exc


def _body_placeholder(document):
    """The body's {{ body }} paragraph (a w:p, a direct child of w:body); WordTemplateError
    when it is missing, repeated, inside a table or not on a line of its own."""
    found = []
    for root in _template_parts(document):
        for p in root.iter(qn("w:p")):
            names = _PLACEHOLDER.findall(_paragraph_text(p))
            unknown = sorted(set(names) - set(PLACEHOLDERS))
            if unknown:
                raise WordTemplateError(
                    _("The template has unknown placeholders: %(names)s. Known: %(known)s.")
                    % {
                        "names": ", ".join(f"{{{{ {n} }}}}" for n in unknown),
                        "known": ", ".join(f"{{{{ {n} }}}}" for n in PLACEHOLDERS),
                    }
                )
            if BODY_PLACEHOLDER in names:
                found.append((root, p))
    if not found:
        raise WordTemplateError(
            _("The template has no {{ body }} placeholder: write {{ body }} on a line of its "
              "own where the document should go.")
        )
    if len(found) > 1:
        raise WordTemplateError(_("The template has {{ body }} more than once: keep one."))
    root, p = found[0]
    body = document.element.body
    if root is not body or p.getparent() is not body:
        raise WordTemplateError(
            _("Put {{ body }} in the main text, outside tables, headers and footers.")
        )
    if _PLACEHOLDER.sub("", _paragraph_text(p)).strip():
        raise WordTemplateError(_("Put {{ body }} on a line of its own, with nothing else."))
    return p


def word_template_check(content: bytes) -> None:
    """Check an uploaded template: a .docx (at most TEMPLATE_MAX_BYTES) that python-docx opens,
    with {{ body }} once on a line of its own in the main text and no unknown placeholder.

    Raises WordTemplateError with a message for the uploader; returns None when it will do.
    """
    _body_placeholder(_open_template(content))


def _replace_placeholders(document, values: dict[str, str]) -> None:
    """Every {{ name }} in the body, headers and footers replaced by values[name]. A paragraph
    with a placeholder keeps the formatting of its first run (Word often splits a typed
    placeholder over several runs, so the text is joined first)."""
    for root in _template_parts(document):
        for p in root.iter(qn("w:p")):
            texts = list(p.iter(qn("w:t")))
            full = "".join(t.text or "" for t in texts)
            if not _PLACEHOLDER.search(full):
                continue
            new = _PLACEHOLDER.sub(lambda m: _clean(values.get(m.group(1), "")), full)
            texts[0].text = new
            texts[0].set(qn("xml:space"), "preserve")
            for t in texts[1:]:
                t.text = ""


def _open_for_building(template: bytes):
    """The template opened for a document: the {{ body }} paragraph and everything after it
    taken out (kept on the document, put back after the body by _finish_template), our styles
    added where the template lacks them (its own are kept)."""
    document = _open_template(template)
    placeholder = _body_placeholder(document)
    body = document.element.body
    children = list(body.iterchildren())
    tail = [c for c in children[children.index(placeholder) + 1 :] if c.tag != qn("w:sectPr")]
    for element in [placeholder, *tail]:
        body.remove(element)
    document._template_tail = tail
    _add_styles(document, keep_existing=True)
    return document


def _finish_template(document, values: dict[str, str]) -> None:
    tail = getattr(document, "_template_tail", None)
    if tail is None:
        return
    body = document.element.body
    sect_pr = body.find(qn("w:sectPr"))
    for element in tail:
        if sect_pr is not None:
            sect_pr.addprevious(element)
        else:
            body.append(element)
    _replace_placeholders(document, values)


def default_template_docx() -> bytes:
    """The default layout as a template to start from: our styles, A4 with the 公文's margins,
    page numbers, and one paragraph {{ body }}. Uploaded unchanged, it gives the same documents
    as no template."""
    document = new_document()
    _plain(document, "{{ body }}")
    return document_bytes(document, title="")


# --- Styles and page -------------------------------------------------------------------------


def set_run_fonts(rpr_owner, *, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Name the faces on a style's or run's w:rPr: w:eastAsia for Chinese, w:ascii and w:hAnsi
    for Latin; theme fonts removed so that they do not override the names."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def _style(document, name: str, *, font: str, size, bold: bool = False, base=None):
    styles = document.styles
    try:
        style = styles[name]
    except KeyError:
        from docx.enum.style import WD_STYLE_TYPE

        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = base or styles[STYLE_BODY]
    set_run_fonts(style.element, east_asian=font)
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = None
    rpr = style.element.get_or_add_rPr()
    color = rpr.find(qn("w:color"))
    if color is not None:
        rpr.remove(color)
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    return style


def _indent_chars(paragraph_format_owner, chars: int, size=BODY_SIZE) -> None:
    """First-line indent of chars characters: w:firstLineChars for Word and WPS, and the same
    in points (w:firstLine) for readers that ignore it."""
    fmt = paragraph_format_owner.paragraph_format
    fmt.first_line_indent = Pt(size.pt * chars)
    ind = paragraph_format_owner.element.get_or_add_pPr().find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def _add_styles(document, *, keep_existing: bool = False) -> None:
    """Our paragraph styles (body, title, two heading levels, table, attachment mark) and
    Table Grid. keep_existing: a style the document already has (a group's template) is left
    as it is; only missing ones are added."""

    def wanted(name: str) -> bool:
        if not keep_existing:
            return True
        try:
            document.styles[name]
        except KeyError:
            return True
        return False

    try:
        document.styles["Table Grid"]
    except KeyError:
        grid = Document().styles["Table Grid"].element
        document.styles.element.append(copy.deepcopy(grid))
    if wanted(STYLE_BODY):
        body = _style(document, STYLE_BODY, font=BODY_FONT, size=BODY_SIZE)
        body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        body.paragraph_format.widow_control = False
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        body.element.get_or_add_rPr().append(lang)
        _indent_chars(body, 2)
    if wanted(STYLE_TITLE):
        title = _style(document, STYLE_TITLE, font=TITLE_FONT, size=TITLE_SIZE)
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.first_line_indent = Pt(0)
        title.paragraph_format.line_spacing = Pt(35)
        title.paragraph_format.space_after = LINE_PITCH
        _remove_borders(title)
    for name, font in ((STYLE_LEVEL1, LEVEL1_FONT), (STYLE_LEVEL2, LEVEL2_FONT)):
        if wanted(name):
            _style(document, name, font=font, size=BODY_SIZE)
            _indent_chars(document.styles[name], 2)
            document.styles[name].paragraph_format.keep_with_next = True
    if wanted(STYLE_TABLE):
        table = _style(document, STYLE_TABLE, font=BODY_FONT, size=TABLE_SIZE)
        table.style_id = STYLE_TABLE_ID
        table.paragraph_format.first_line_indent = Pt(0)
        table.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        table.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    if wanted(STYLE_MARK):
        mark = _style(document, STYLE_MARK, font=LEVEL1_FONT, size=BODY_SIZE)
        mark.paragraph_format.first_line_indent = Pt(0)
        mark.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT


def new_document(template: bytes | None = None):
    """An empty A4 公文: styles, page setup, the footer's page numbers; or, given a group's
    template, that template ready to take the document where its {{ body }} was."""
    if template is not None:
        return _open_for_building(template)
    document = Document()
    _add_styles(document)
    section = document.sections[0]
    _page_setup(section, landscape=False)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number_footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    return document


def _remove_borders(style) -> None:
    ppr = style.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:
        ppr.remove(border)


def _page_setup(section, *, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (
        (PAGE_HEIGHT, PAGE_WIDTH) if landscape else (PAGE_WIDTH, PAGE_HEIGHT)
    )
    section.top_margin = MARGIN_TOP
    section.bottom_margin = MARGIN_BOTTOM
    section.left_margin = MARGIN_LEFT
    section.right_margin = MARGIN_RIGHT
    section.header_distance = Mm(15)
    section.footer_distance = FOOTER_DISTANCE


def _page_number_footer(footer, alignment) -> None:
    """— PAGE — in 4号半角宋体, one character in from the outer side (GB/T 9704-2012 7.5)."""
    paragraph = footer.paragraphs[0]
    fmt = paragraph.paragraph_format
    fmt.alignment = alignment
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = PAGE_NUMBER_SIZE
    else:
        fmt.left_indent = PAGE_NUMBER_SIZE

    def run(text: str = ""):
        r = paragraph.add_run(text)
        r.font.size = PAGE_NUMBER_SIZE
        set_run_fonts(r._r, east_asian=PAGE_NUMBER_FONT, latin=PAGE_NUMBER_FONT)
        return r

    run("— ")
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"),
                       ("end", None)):
        r = run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._r.append(instr)
        elif kind == "text":
            r.text = text
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            r._r.append(char)
    run(" —")


def _new_section(document, *, landscape: bool):
    section = document.add_section(WD_SECTION.NEW_PAGE)
    if getattr(document, "_template_tail", None) is None:
        _page_setup(section, landscape=landscape)
    else:
        # A group's template: its paper and margins, turned for a landscape appendix.
        width, height = section.page_width, section.page_height
        if (width > height) != landscape:
            section.page_width, section.page_height = height, width
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    return section


def document_bytes(document, *, title: str, values: dict[str, str] | None = None) -> bytes:
    """The finished file: a template's tail put back and its placeholders filled (values),
    fixed core properties so that the same records give the same bytes."""
    _finish_template(document, {"title": title, **(values or {})})
    document.core_properties.title = _clean(title)
    document.core_properties.author = ""
    document.core_properties.comments = ""
    # Fixed times: the same records give the same file.
    fixed = dt.datetime(2000, 1, 1)
    document.core_properties.created = fixed
    document.core_properties.modified = fixed
    document.core_properties.last_modified_by = ""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- Blocks ----------------------------------------------------------------------------------


def add_paragraph(document, text: str = "", style: str = STYLE_BODY):
    """A paragraph of text (characters Word cannot hold removed) in style, added to document;
    returns it."""
    return document.add_paragraph(_clean(text), style=style)


def add_title(document, lines: Iterable[str]) -> None:
    """The title in the title style, one line per item (a line break between them)."""
    paragraph = document.add_paragraph(style=STYLE_TITLE)
    runs = [paragraph.add_run(_clean(line)) for line in lines]
    for run in runs[:-1]:
        run.add_break()


def add_text_block(document, text: str) -> None:
    """text's lines as body paragraphs, one per non-empty line."""
    for line in _lines(text):
        add_paragraph(document, line)


def _plain(document, text: str, *, indent: bool = False, align=None) -> None:
    paragraph = add_paragraph(document, text)
    if not indent:
        paragraph.paragraph_format.first_line_indent = Pt(0)
        ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
        if ind is not None:
            ind.set(qn("w:firstLineChars"), "0")
    if align is not None:
        paragraph.paragraph_format.alignment = align
    return paragraph


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


#: Column widths in millimetres, each table's summing to the text area's width: 156 mm across
#: a portrait page (210 − 28 − 26), 243 mm across a landscape one (297 − 28 − 26). A column
#: must hold its header in 小四 (12 pt ≈ 4.23 mm a character) plus the cell's padding
#: (2 × 1.9 mm): 2 characters need 12.5 mm, 4 need 21 mm. Word's default, equal columns,
#: broke names and rates mid-word ("张建/国", "100./0%") and tripled the tables' length.
PLAN_WIDTHS = (18, 80, 26, 32)
RESEARCH_WIDTHS = (80, 46, 30)
SESSIONS_WIDTHS = (14, 24, 22, 50, 18, 46, 24, 23, 22)
ATTENDANCE_WIDTHS = (17, 30, 12.5, 12.5, 12.5, 12.5, 12.5, 22, 12.5, 12)
SIGN_IN_WIDTHS = (13, 30, 49, 38, 26)


def _set_widths(table, widths_mm) -> None:
    """Fixed column widths: the table grid (w:gridCol, which LibreOffice and WPS read) and every
    cell (w:tcW, which Word reads), with autofit off so that no reader redistributes them."""
    table.autofit = False
    layout = table._tbl.tblPr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        table._tbl.tblPr.append(layout)
    layout.set(qn("w:type"), "fixed")
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        start = 0
        for tc in row._tr.tc_lst:
            # A merged cell spans grid columns: its width is theirs together.
            tc.width = Mm(sum(widths_mm[start : start + tc.grid_span]))
            start += tc.grid_span


def add_table(document, header: list[str], rows: list[list[str]], footer: list | None = None,
           *, widths=None):
    """A ruled table in the table style: the header row repeats on every page; widths: the
    columns' widths in millimetres."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_text(cell, text, bold=True)
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _cell_text(cell, text)
    if footer:
        cells = table.add_row().cells
        span, values = footer[0], footer[1:]
        merged = cells[0].merge(cells[span - 1]) if span > 1 else cells[0]
        _cell_text(merged, values[0], bold=True)
        for cell, text in zip(cells[span:], values[1:], strict=True):
            _cell_text(cell, text)
    if widths:
        _set_widths(table, widths)
    return table


def _cell_text(cell, text: str, *, bold: bool = False) -> None:
    """The cell's text in the table style, one paragraph per line. The style is set by its id:
    python-docx looks a style up by name through every style, which for the 1,000 cells of a
    60-member summary took 2.5 s of its 3.6 s."""
    lines = _clean(text).split("\n") or [""]
    first = cell.paragraphs[0]
    first._p.style = STYLE_TABLE_ID
    run = first.add_run(lines[0])
    run.bold = bold or None
    for line in lines[1:]:
        cell.add_paragraph(line)._p.style = STYLE_TABLE_ID


def _short_date(value: dt.date | None, words) -> str:
    return dateformat.format(value, words.short_date) if value else ""


def _width_in_em(text: str) -> float:
    """How wide text sets in the body face, in ems: a wide (CJK, full-width) character one em,
    any other half (Unicode's East Asian Width, UAX #11)."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


chinese_date = wording.chinese_date


def _local_date(value: dt.datetime | None) -> dt.date | None:
    if value is None:
        return None
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


# --- The plan --------------------------------------------------------------------------------


def _plan_body(document, plan: PlanDocument, *, embedded: bool) -> None:
    """The plan's three parts, as _plan_body.html prints them: level-1 headings in the plan's
    own document, level-2 headings inside the summary's 三、."""
    w = plan.words
    style = STYLE_LEVEL2 if embedded else STYLE_LEVEL1
    number = wording.paragraph_number if embedded else wording.section_number

    add_paragraph(document, number(1) + w.topics_by_month, style)
    if plan.months:
        table = document.add_table(rows=1, cols=4)
        table.style = document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(
            table.rows[0].cells, [_("Month"), _("Topic"), _("Format"), _("Lead speaker")],
            strict=True,
        ):
            _cell_text(cell, text, bold=True)
        _repeat_header(table.rows[0])
        for month in plan.months:
            first_row = None
            for t in month.topics:
                cells = table.add_row().cells
                first_row = first_row or cells[0]
                topic = t.title + (f"\n{w.readings}{t.readings}" if t.readings else "")
                _cell_text(cells[1], topic)
                _cell_text(cells[2], t.format_label)
                _cell_text(cells[3], t.lead_speaker)
                last = cells[0]
            merged = first_row.merge(last) if last is not first_row else first_row
            _cell_text(merged, month.label, bold=True)
        _set_widths(table, PLAN_WIDTHS)
    else:
        add_paragraph(document, w.no_topics)

    add_paragraph(document, number(2) + w.formats_and_speakers, style)
    if plan.topics_count:
        add_paragraph(document, plan.formats_text)
    add_paragraph(document, w.speakers + w.colon + (w.list_sep.join(plan.speakers) or "—"))

    add_paragraph(document, number(3) + w.research, style)
    if plan.research:
        add_table(
            document,
            [_("Research topic"), _("Assignees"), _("Due")],
            [
                [r.title, w.list_sep.join(r.assignees), _short_date(r.due_date, w)]
                for r in plan.research
            ],
            widths=RESEARCH_WIDTHS,
        )
    else:
        add_paragraph(document, w.no_research)


def _document_date(approved_at: dt.datetime | None) -> str:
    """{{ date }}: the approval day (成文日期), else today, in the 公文's form."""
    return chinese_date(_local_date(approved_at) or timezone.localdate())


def plan_docx(plan: PlanDocument, *, template: bytes | None = None) -> bytes:
    """The study plan as a .docx: title, a draft's mark, the notes, then its three parts.
    template: a group's Word template (checked by word_template_check), else the default."""
    with translation.override(plan.language):
        document = new_document(template)
        add_title(document, plan.title_lines)
        if plan.has_plan and not plan.is_approved:
            _plain(document, plan.words.draft_mark, align=WD_ALIGN_PARAGRAPH.RIGHT)
        add_text_block(document, plan.notes)
        _plan_body(document, plan, embedded=False)
        return document_bytes(
            document,
            title=plan.title,
            values={
                "group": plan.group_name,
                "date": _document_date(plan.approved_at if plan.is_approved else None),
            },
        )


# --- The summary -----------------------------------------------------------------------------


class ApprovedFiguresChanged(Exception):
    """The approved summary's frozen document no longer matches the records: the .docx, made
    from the records, would not show the figures the leader approved."""


def summary_docx(summary: HalfYearSummary, *, template: bytes | None = None) -> bytes:
    """The half-year summary as a .docx, in the order of _summary_body.html: title, preamble,
    一、 with the figures and the practices, 二、 problems and causes, 三、 next term's plan and
    the measures, the 附件说明, then (approved versions) 落款 and 成文日期, then the two
    appendices, each on its own page (the sessions landscape).

    An approved version's PDF shows the body frozen at approval (HTML); only its figures' hash
    is kept, not the figures. The .docx is built from the records, so it is made only while
    they still give that hash (then its figures are the approved ones); otherwise
    ApprovedFiguresChanged is raised. Versions approved before documents were frozen, and
    drafts, show the live figures, as their PDF does.

    template: a group's Word template (checked by word_template_check), else the default.
    """
    n = summary.narrative
    if n is not None and n.is_frozen and n.frozen_figures_hash != summary.figures_hash:
        raise ApprovedFiguresChanged
    with translation.override(summary.language):
        document = new_document(template)
        n, w = summary.narrative, summary.words
        add_title(document, summary.title_lines)
        if n and not n.is_approved:
            _plain(document, w.draft_mark, align=WD_ALIGN_PARAGRAPH.RIGHT)
        if n:
            add_text_block(document, n.preamble)

        add_paragraph(document, wording.section_number(1) + w.practices, STYLE_LEVEL1)
        add_paragraph(document, summary.figures_text)
        for i, practice in enumerate(n.practices if n else (), start=1):
            add_paragraph(document, wording.paragraph_number(i) + practice.heading, STYLE_LEVEL2)
            add_text_block(document, practice.body)

        add_paragraph(document, wording.section_number(2) + w.problems, STYLE_LEVEL1)
        if n and n.problems:
            add_paragraph(document, wording.paragraph_number(1) + w.problems_found, STYLE_LEVEL2)
            add_text_block(document, n.problems)
        if n and n.causes:
            number = 2 if n.problems else 1
            add_paragraph(document, wording.paragraph_number(number) + w.causes, STYLE_LEVEL2)
            add_text_block(document, n.causes)

        add_paragraph(document, wording.section_number(3) + w.plan, STYLE_LEVEL1)
        if summary.next_plan:
            _plan_body(document, summary.next_plan, embedded=True)
        else:
            add_paragraph(document, w.plan_not_approved)
        if n and n.measures:
            number = 4 if summary.next_plan else 1
            add_paragraph(document, wording.paragraph_number(number) + w.measures, STYLE_LEVEL2)
            add_text_block(document, n.measures)

        label = w.attachments + w.colon
        first = add_paragraph(document, label + wording.attachment_number(1) + w.appendix_sessions)
        first.paragraph_format.space_before = LINE_PITCH
        second = _plain(document, wording.attachment_number(2) + w.appendix_attendance)
        second.paragraph_format.left_indent = Pt(BODY_SIZE.pt * (2 + len(label)))

        approved_on = _local_date(n.approved_at) if n and n.is_approved else None
        if approved_on is not None:
            closing_docx(document, name=summary.group_name, on=approved_on)

        _summary_appendices(document, summary)
        return document_bytes(
            document,
            title=summary.title,
            values={
                "group": summary.group_name,
                "date": _document_date(n.approved_at if approved_on else None),
            },
        )


def closing_docx(document, *, name: str, on: dt.date) -> None:
    """The 落款 (name) and 成文日期 (on) of an approved document, placed as GB/T 9704-2012
    7.3.5.1 places them: the date right-aligned four characters in from the text's edge, the
    name centred above it. The summary and the county's bulletin end with it."""
    date_text = chinese_date(on)
    # Centred on the date: the name ends half the difference of their widths further in.
    name_in = 4 + (_width_in_em(date_text) - _width_in_em(name)) / 2
    signature = _plain(document, name, align=WD_ALIGN_PARAGRAPH.RIGHT)
    signature.paragraph_format.space_before = LINE_PITCH
    signature.paragraph_format.right_indent = Pt(BODY_SIZE.pt * max(name_in, 0))
    dated = _plain(document, date_text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    dated.paragraph_format.right_indent = Pt(BODY_SIZE.pt * 4)


def _appendix_head(document, number: int, title: str) -> None:
    add_paragraph(document, wording.attachment_mark(number), STYLE_MARK)
    add_paragraph(document, title, STYLE_TITLE)


def _summary_appendices(document, summary: HalfYearSummary) -> None:
    w, a = summary.words, summary.attendance
    _new_section(document, landscape=True)
    _appendix_head(document, 1, w.appendix_sessions)
    if summary.sessions:
        add_table(
            document,
            [_("No."), _("Date"), _("Format"), _("Topic"), _("Host"), _("Speakers"),
             _("Attended"), _("Attendance rate"), _("Essays")],
            [
                [str(i), _short_date(s.date, w), s.format_label, s.topic, s.host, s.speakers,
                 f"{s.attended}/{s.total}", percent(s.rate), str(s.essays)]
                for i, s in enumerate(summary.sessions, start=1)
            ],
            footer=[6, w.total, f"{a.attended}/{a.total}", percent(a.rate),
                    str(summary.essays_in_sessions)],
            widths=SESSIONS_WIDTHS,
        )
    else:
        add_paragraph(document, _("No sessions were held in this term."))

    _new_section(document, landscape=False)
    _appendix_head(document, 2, w.appendix_attendance)
    if summary.members:
        add_table(
            document,
            [_("Name"), _("Position"), _("Present"), _("Late"), _("On leave"), _("Absent"),
             _("Made up"), _("Attendance rate"), _("Reflection essays"), _("Research reports")],
            [
                [m.name, m.position, str(m.attendance.present), str(m.attendance.late),
                 str(m.attendance.leave), str(m.attendance.absent), str(m.attendance.made_up),
                 percent(m.rate), str(m.reflections), str(m.research_reports)]
                for m in summary.members
            ],
            footer=[2, w.total, str(a.present), str(a.late), str(a.leave), str(a.absent),
                    str(a.made_up), percent(a.rate), str(summary.reflections),
                    str(summary.research_reports)],
            widths=ATTENDANCE_WIDTHS,
        )
    else:
        add_paragraph(document, _("The group has no members in this term."))


# --- A session's record and sign-in sheet ----------------------------------------------------


_session_time = wording.session_time


def session_record_docx(record: SessionRecord) -> bytes:
    """The session's 学习记录: the group and title, then one labelled paragraph for each of
    time, place, format, host, attendees, absentees (with status and reason), topic and
    speakers; the minutes under their heading, paragraph by paragraph; the materials' titles."""
    with translation.override(record.language):
        document = new_document()
        add_title(document, [record.group_name, record.title])
        colon = wording.document_words(language=record.language, half=1).colon
        sep = wording.document_words(language=record.language, half=1).list_sep

        def line(label: str, value: str) -> None:
            paragraph = _plain(document, "")
            label_run = paragraph.add_run(_clean(label + colon))
            set_run_fonts(label_run._r, east_asian=LEVEL1_FONT)
            paragraph.add_run(_clean(value or "—"))

        line(_("Time"), _session_time(record.date, record.start_time, record.end_time))
        line(_("Place"), record.place)
        line(_("Format"), record.format_label)
        line(_("Host"), record.host)
        line(_("Attendees"), sep.join(record.attendees))
        line(
            _("Not attending"),
            sep.join(
                f"{a.name}（{a.status_label}{colon if a.reason else ''}{a.reason}）"
                for a in record.absentees
            ),
        )
        line(_("Topic"), record.topic)
        line(_("Speakers"), record.speakers)
        add_paragraph(document, wording.section_number(1) + _("Minutes"), STYLE_LEVEL1)
        if _lines(record.minutes):
            add_text_block(document, record.minutes)
        else:
            add_paragraph(document, "—")
        add_paragraph(document, wording.section_number(2) + _("Materials"), STYLE_LEVEL1)
        for i, title in enumerate(record.materials, start=1):
            add_paragraph(document, wording.attachment_number(i) + title)
        if not record.materials:
            add_paragraph(document, "—")
        return document_bytes(document, title=record.filename_stem)


def sign_in_sheet_docx(sheet: SignInSheet) -> bytes:
    """The session's 签到表 for printing, as its PDF (reports.pdf.sign_in_sheet_pdf) has it: the
    session named at the top, then a table of the members in rank order (No., name, position)
    with blank columns to sign in and for the time; rows tall enough to sign, the header
    repeated on every page; then a line for 列席人员 (observers) to write in."""
    with translation.override(sheet.language):
        document = new_document()
        add_title(document, [sheet.group_name, sheet.title])
        colon = wording.document_words(language=sheet.language, half=1).colon
        _plain(document, _("Topic") + colon + _clean(sheet.topic))
        _plain(
            document,
            _("Time") + colon + _session_time(sheet.date, sheet.start_time, sheet.end_time),
        )
        _plain(document, _("Place") + colon + (_clean(sheet.place) or "—"))
        table = add_table(
            document,
            [_("No."), _("Name"), _("Position"), _("Signature"), _("Check-in time")],
            [[str(i), r.name, r.position, "", ""] for i, r in enumerate(sheet.rows, start=1)],
            widths=SIGN_IN_WIDTHS,
        )
        for row in table.rows[1:]:
            row.height = Mm(12)
        observers = _plain(document, _("Observers") + colon)
        observers.paragraph_format.space_before = LINE_PITCH
        return document_bytes(document, title=sheet.filename_stem)
