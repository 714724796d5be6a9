"""The report documents (half-year summary, study plan) as HTML and PDF: one renderer for the
download task, the render_report command and the tests.

The document templates (templates/reports/pdf/*.html) include the same body partials as the
HTML pages, so the page and the PDF cannot drift.

The content hash (document_hash) is the SHA-256 of everything the PDF is made from: the rendered
HTML document (every figure, the narrative's version and text), the PDF stylesheet, the source of
the document templates (the kind's template and every template it extends or includes, so a new
release of the templates makes new files whether or not this document's HTML shows the change),
WeasyPrint's version and RENDERER_VERSION. RENDERER_VERSION is bumped by hand for changes none of
these show (render_pdf's options, the missing-character replacement). Nothing time-dependent may
go into the document, or every request would render again.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import weasyprint
from django.contrib.staticfiles import finders
from django.template import engines
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import ExtendsNode, IncludeNode
from django.utils import translation
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont, TTLibError
from weasyprint.urls import FatalURLFetchingError

from reports import cjk_justify, line_edges
from reports.checks import CJK_FONTS
from reports.fetcher import DOCUMENT_BASE_URL, StaticFilesFetcher
from reports.selectors import wording
from reports.selectors.session_record import SignInSheet
from sessions_app.models import StudyGroup, Term

logger = logging.getLogger(__name__)

# Chinese lines justified between characters, not only at spaces (see reports/cjk_justify.py).
cjk_justify.install()

#: Our renderer's version: bump when the PDF output changes in a way that neither the HTML
#: document, the stylesheet, the templates nor WeasyPrint's version shows (render_pdf's code,
#: reports/cjk_justify.py and reports/line_edges.py).
RENDERER_VERSION = "2"

SUMMARY = "summary"
PLAN = "plan"
DOCUMENT_TEMPLATES = {SUMMARY: "reports/pdf/summary.html", PLAN: "reports/pdf/plan.html"}
STYLESHEET = "reports/pdf.css"


#: A session's 签到表, rendered on request (sign_in_sheet_pdf), not through ReportFile.
SIGN_IN_SHEET_TEMPLATE = "reports/pdf/sign_in_sheet.html"


class ReportRenderError(Exception):
    """The document could not be rendered; the message says why, for the person who asked."""


class MissingGlyphsError(ReportRenderError):
    """WeasyPrint drew empty boxes (.notdef) because no installed font has the characters."""


@dataclass(frozen=True)
class ReportDocument:
    """A report rendered to HTML, ready to be turned into a PDF or written out."""

    kind: str
    html: str
    content_hash: str
    approved: bool
    filename_stem: str


def _is_approved(kind: str, data) -> bool:
    """Whether the report is approved: the summary's narrative, or the plan itself."""
    if hasattr(data, "is_approved"):
        return bool(data.is_approved)
    narrative = getattr(data, "narrative", None)
    return bool(narrative is not None and getattr(narrative, "is_approved", False))


def document_data(*, group: StudyGroup, term: Term, kind: str, include_draft: bool = False):
    """The report's typed structure from the reports selectors (one builder per report).

    The summary carries its latest approved narrative, or with include_draft the draft if one
    exists (as secretary and leaders see it). The plan is the term's plan, draft or approved.
    """
    if kind == SUMMARY:
        from reports.selectors.summary import half_year_summary

        return half_year_summary(group=group, term=term, include_draft=include_draft)
    if kind == PLAN:
        from reports.selectors.plan import study_plan_document

        return study_plan_document(group=group, term=term)
    raise ValueError(f"Unknown report kind: {kind!r}")


@cache
def _stylesheet_bytes() -> bytes:
    path = finders.find(STYLESHEET)
    if not path:
        raise ReportRenderError(f"The PDF stylesheet static/{STYLESHEET} is missing.")
    with open(path, "rb") as handle:
        return handle.read()


def _constant_name(expression) -> str | None:
    """The template name of an {% extends %} or {% include %} given as a string literal."""
    var = getattr(expression, "var", None)
    return var if isinstance(var, str) else None


def document_template_sources(kind: str) -> tuple[tuple[str, str], ...]:
    """(name, source) of the kind's document template and of every template it extends or
    includes by a constant name, recursively, sorted by name. Not cached: the template loader
    caches the templates, and a template reloaded in development counts at once.
    Raises ValueError for an unknown kind."""
    if kind not in DOCUMENT_TEMPLATES:
        raise ValueError(f"Unknown report kind: {kind!r}")
    sources: dict[str, str] = {}
    pending = [DOCUMENT_TEMPLATES[kind]]
    while pending:
        name = pending.pop()
        if name in sources:
            continue
        template = get_template(name).template
        sources[name] = template.source
        for node in template.nodelist.get_nodes_by_type(ExtendsNode):
            pending.append(_constant_name(node.parent_name))
        for node in template.nodelist.get_nodes_by_type(IncludeNode):
            pending.append(_constant_name(node.template))
        pending = [n for n in pending if n]
    return tuple(sorted(sources.items()))


def document_hash(html: str, *, kind: str) -> str:
    """The key under which a rendered PDF is stored (64 hex digits): see the module docstring."""
    digest = hashlib.sha256()
    templates = [f"{name}\0{source}".encode() for name, source in document_template_sources(kind)]
    for part in (
        RENDERER_VERSION.encode(),
        weasyprint.__version__.encode(),
        _stylesheet_bytes(),
        *templates,
        html.encode("utf-8"),
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def document_title(data) -> str:
    """The report's title (the selectors write it in the report language): also the file name."""
    return str(getattr(data, "title", "") or "report")


def render_document_html(
    *,
    group: StudyGroup,
    term: Term,
    kind: str,
    data=None,
    include_draft: bool = False,
    inline_css: bool = False,
) -> str:
    """The report as a complete HTML document in the group's report language.

    inline_css puts the stylesheet in the document (for a standalone .html file); the PDF
    links it, and WeasyPrint reads it through StaticFilesFetcher.
    """
    if kind not in DOCUMENT_TEMPLATES:
        raise ValueError(f"Unknown report kind: {kind!r}")
    if data is None:
        data = document_data(group=group, term=term, kind=kind, include_draft=include_draft)
    context = {
        "group": group,
        "term": term,
        "kind": kind,
        "approved": _is_approved(kind, data),
        "document_title": document_title(data),
        # Our own static file, never user text.
        "inline_css": _stylesheet_bytes().decode("utf-8") if inline_css else "",
        "summary" if kind == SUMMARY else "plan_doc": data,
    }
    with translation.override(group.report_language):
        return render_to_string(DOCUMENT_TEMPLATES[kind], context)


def report_document_build(
    *, group: StudyGroup, term: Term, kind: str, include_draft: bool = False
) -> ReportDocument:
    """Gather the report's data once and render it to HTML, with its content hash."""
    data = document_data(group=group, term=term, kind=kind, include_draft=include_draft)
    html = render_document_html(group=group, term=term, kind=kind, data=data)
    return ReportDocument(
        kind=kind,
        html=html,
        content_hash=document_hash(html, kind=kind),
        approved=_is_approved(kind, data),
        filename_stem=document_title(data),
    )


class _MissingGlyphCatcher(logging.Handler):
    """Collects WeasyPrint's '.notdef glyph rendered' warnings raised by this thread's render."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread and str(record.msg).startswith(".notdef glyph"):
            self.messages.append(record.getMessage())


_level_lock = threading.Lock()
_renders_running = 0
_saved_level = logging.NOTSET


@contextmanager
def _catch_missing_glyphs() -> Iterator[_MissingGlyphCatcher]:
    """WeasyPrint reports missing glyphs only as a warning, which settings silence: listen."""
    global _renders_running, _saved_level
    weasy_logger = logging.getLogger("weasyprint")
    catcher = _MissingGlyphCatcher()
    with _level_lock:
        if _renders_running == 0:
            _saved_level = weasy_logger.level
        _renders_running += 1
        if weasy_logger.getEffectiveLevel() > logging.WARNING:
            weasy_logger.setLevel(logging.WARNING)
    weasy_logger.addHandler(catcher)
    try:
        yield catcher
    finally:
        weasy_logger.removeHandler(catcher)
        with _level_lock:
            _renders_running -= 1
            if _renders_running == 0:
                weasy_logger.setLevel(_saved_level)


#: What a character no font has prints as: the geta mark, the typesetter's sign for a missing sort.
MISSING_CHARACTER_MARK = "〓"


@cache
def _printable_codepoints() -> frozenset[int] | None:
    """The characters the named CJK fonts have; None when fontconfig cannot find them."""
    codepoints: set[int] = set()
    for family in CJK_FONTS:
        try:
            found = subprocess.run(
                ["fc-match", "-f", "%{file}\n%{index}", family],
                capture_output=True,
                text=True,
                timeout=20,
                check=True,
            ).stdout.split("\n")
            font = TTFont(found[0], fontNumber=int(found[1] or 0), lazy=True)
            codepoints.update(font.getBestCmap())
        except (OSError, subprocess.SubprocessError, ValueError, IndexError, TTLibError):
            return None
    return frozenset(codepoints)


def printable_html(html: str) -> tuple[str, list[str]]:
    """The document with every visible character the fonts lack (an emoji in a topic, say)
    replaced by 〓, and the characters replaced; unchanged when the fonts cannot be read."""
    codepoints = _printable_codepoints()
    if codepoints is None:
        return html, []
    missing = sorted(
        {
            ch
            for ch in set(html)
            if ord(ch) > 127 and ord(ch) not in codepoints and unicodedata.category(ch)[0] in "LNPS"
        }
    )
    for ch in missing:
        html = html.replace(ch, MISSING_CHARACTER_MARK)
    return html, missing


def render_pdf(html: str, *, fetcher: StaticFilesFetcher | None = None) -> bytes:
    """Render an HTML document to PDF bytes: A4, CJK fonts embedded and subset.

    Only the app's static files are fetched (StaticFilesFetcher). Raises ReportRenderError,
    an ordinary Exception, for any failure, and MissingGlyphsError when a character had no font.
    """
    fetcher = fetcher or StaticFilesFetcher()
    html, replaced = printable_html(html)
    if replaced:
        logger.warning(
            "Report PDF: printed %s as %s: no font has them",
            ", ".join(f"{ch} ({unicodedata.name(ch, hex(ord(ch)))})" for ch in replaced),
            MISSING_CHARACTER_MARK,
        )
    with _catch_missing_glyphs() as catcher:
        try:
            document = weasyprint.HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=fetcher)
            line_edges.prepare_tree(document.etree_element)
            pdf = document.write_pdf()
        except FatalURLFetchingError as exc:
            # A BaseException in WeasyPrint: it would kill a solo Celery worker.
            raise ReportRenderError(_("The PDF could not read a file it needs.")) from exc
        except Exception as exc:
            logger.exception("WeasyPrint failed")
            raise ReportRenderError(
                _("The PDF could not be rendered. The error has been logged.")
            ) from exc
    if catcher.messages:
        logger.error("Missing glyphs in report PDF: %s", "; ".join(catcher.messages[:5]))
        raise MissingGlyphsError(
            _(
                "The PDF would show empty boxes: no installed font has some of its characters. "
                "Install the fonts %(fonts)s (Debian: fonts-noto-cjk)."
            )
            % {"fonts": ", ".join(CJK_FONTS)}
        )
    return pdf


def sign_in_sheet_pdf(sheet: SignInSheet) -> bytes:
    """A session's 签到表 (reports.selectors.session_record.sign_in_sheet) as a PDF, in the
    layout and fonts of the reports (reports/pdf.css): the group and title, the session's
    topic, time and place, a table of the members in rank order with blank columns for the
    signature and the time, and a line for 列席人员 (observers). In the group's report language.

    Rendered at once, not by the PDF task: one table of a page or two, about 0.6 s of CPU for
    30 members and 0.75 s for 60 in a warm process (WeasyPrint's layout and the CJK font
    subsets); a process's first render also pays renderer_warm_up's costs (about 0.9 s).
    Raises ReportRenderError as render_pdf does."""
    with translation.override(sheet.language):
        html = render_to_string(
            SIGN_IN_SHEET_TEMPLATE,
            {
                "sheet": sheet,
                "group": {"name": sheet.group_name},
                "kind": "sign-in-sheet",
                "document_title": sheet.filename_stem,
                "when": wording.session_time(sheet.date, sheet.start_time, sheet.end_time),
                "colon": wording.document_words(language=sheet.language, half=1).colon,
            },
        )
    return render_pdf(html)


#: The document template with a few lines in each of the stylesheet's typefaces (the title in
#: bold serif, 一、 headings and tables in sans, （一） headings in kai, the body in serif) and
#: an SVG like the attendance chart's, for renderer_warm_up.
_WARM_UP_TEMPLATE = (
    '{% extends "reports/pdf/document.html" %}{% block body %}'
    '<h1 class="title">理论学习中心组</h1><h2>上半年学习情况</h2>'
    "<h3>（一）坚持领导带头学</h3><p>集中学习、<strong>专题研讨</strong>。</p>"
    "<table><tr><th>成员</th><td>出勤率 100.0%</td></tr></table>"
    '<figure class="report-chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 60 40" '
    'width="60" height="40" font-size="10" font-family="Noto Sans CJK SC, sans-serif">'
    '<line x1="0" x2="60" y1="20" y2="20" stroke="#000000" stroke-dasharray="4 3"/>'
    '<rect x="10" y="5" width="8" height="15" fill="#a4161a"/>'
    '<text x="10" y="30" text-anchor="end" transform="rotate(-55 10 30)">3月</text></svg>'
    "<figcaption>出勤率</figcaption></figure>{% endblock %}"
)


def renderer_warm_up() -> None:
    """Pay the first render's costs now: the report selectors imported and the document
    templates compiled; Pango and fontconfig loading the CJK fonts; the stylesheet read and
    parsed; the fonts' character sets read (_printable_codepoints).

    Called when a worker process starts (studygroup.celery), so that its first job is as fast
    as the next ones.
    """
    import reports.selectors.plan  # noqa: F401  (document_data imports them on first use)
    import reports.selectors.summary  # noqa: F401

    for name in DOCUMENT_TEMPLATES.values():
        get_template(name)
    _stylesheet_bytes()
    _printable_codepoints()
    with translation.override("zh-hans"):
        html = engines["django"].from_string(_WARM_UP_TEMPLATE).render({"document_title": "预热"})
    render_pdf(html)
