"""Word (.docx) downloads of the documents: the summary, the plan, a session's 学习记录 and
签到表; and the 签到表 as a PDF, made the same way. An approved summary or plan is served from
the file made ahead at approval (reports.services.report_files); anything else is made at once
(python-docx takes well under a second, see reports.word; the one-table PDF under a second of
CPU, see reports.pdf.sign_in_sheet_pdf), with the group's Word template for the summary and
plan, and with the same access rules as the PDFs and the session page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reports import pdf, word
from reports.models import ReportFile
from reports.pdf import PLAN, SUMMARY
from reports.selectors.plan import study_plan_document
from reports.selectors.report_files import ready_file_for_member
from reports.selectors.session_record import session_record, sign_in_sheet
from reports.selectors.summary import half_year_summary_for_member
from reports.selectors.word_templates import word_template_content, word_template_current
from sessions_app.selectors.access import term_get
from sessions_app.selectors.sessions import session_get
from sessions_app.views.common import group_view
from sessions_app.views.downloads import attachment_response


def _safe_stem(stem: str) -> str:
    """A file name's stem without path separators (the topic is user text)."""
    return "".join("_" if ch in '/\\\0' else ch for ch in stem).strip() or "document"


def _docx_response(content: bytes, stem: str):
    return attachment_response(
        ContentFile(content),
        filename=f"{_safe_stem(stem)}.docx",
        content_type=word.DOCX_CONTENT_TYPE,
    )


@require_GET
@group_view()
def docx_download(request, term_code: str, kind: str):
    """The summary or plan as .docx, as the member may read it: secretary and leaders the
    draft, other members only an approved document (403 otherwise). The approved document's
    file made ahead when there is one, with nothing built."""
    if kind not in (SUMMARY, PLAN):
        raise Http404("No such report")
    member = request.member
    term = term_get(group_id=member.group_id, code=term_code)
    ready = ready_file_for_member(
        member=member, term=term, kind=kind, file_format=ReportFile.Format.DOCX
    )
    if ready is not None:
        return attachment_response(
            ready.file,
            filename=f"{_safe_stem(ready.title or kind)}.docx",
            content_type=word.DOCX_CONTENT_TYPE,
        )
    current = word_template_current(group_id=member.group_id)
    template = word_template_content(current) if current is not None else None
    if kind == SUMMARY:
        summary = half_year_summary_for_member(member=member, term=term)
        try:
            content = word.summary_docx(summary, template=template)
        except word.ApprovedFiguresChanged:
            messages.error(
                request,
                _(
                    "The records have changed since this summary was approved, so a Word file "
                    "made from them would not show the approved figures. Download the PDF, which "
                    "keeps the approved version, or have the summary approved again."
                ),
            )
            return redirect("reports:summary", member.group.slug, term.code)
        return _docx_response(content, summary.title)
    plan = study_plan_document(group=member.group, term=term)
    if not plan.is_approved and not member.can_manage_records:
        raise PermissionDenied
    return _docx_response(word.plan_docx(plan, template=template), plan.title)


@require_GET
@group_view()
def session_record_docx(request, pk: int):
    """The session's 学习记录 as .docx, for whoever may read the session page."""
    session = session_get(group_id=request.member.group_id, pk=pk)
    record = session_record(session=session)
    return _docx_response(word.session_record_docx(record), record.filename_stem)


@require_GET
@group_view()
def sign_in_sheet_pdf(request, pk: int):
    """The session's 签到表 as a PDF (reports.pdf.sign_in_sheet_pdf), made at once, for
    whoever may read the session page."""
    session = session_get(group_id=request.member.group_id, pk=pk)
    sheet = sign_in_sheet(session=session)
    try:
        content = pdf.sign_in_sheet_pdf(sheet)
    except pdf.ReportRenderError as exc:
        messages.error(request, str(exc))
        return redirect("sessions_app:session_detail", request.member.group.slug, session.pk)
    return attachment_response(
        ContentFile(content), filename=f"{_safe_stem(sheet.filename_stem)}.pdf",
        content_type="application/pdf",
    )


@require_GET
@group_view()
def sign_in_sheet_docx(request, pk: int):
    """The session's 签到表 as .docx, for whoever may read the session page."""
    session = session_get(group_id=request.member.group_id, pk=pk)
    sheet = sign_in_sheet(session=session)
    return _docx_response(word.sign_in_sheet_docx(sheet), sheet.filename_stem)
