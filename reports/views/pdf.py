"""Report PDFs: start one, follow its progress (JSON for the page's script, or a self-refreshing
page without script), download it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from reports.models import ReportFile
from reports.selectors.report_files import ready_file_for_member, report_file_get_for_member
from reports.services.report_files import report_file_progress, report_file_request
from sessions_app.selectors.access import term_get
from sessions_app.views.common import group_view
from sessions_app.views.downloads import attachment_response

#: Seconds between refreshes of the no-script progress page.
REFRESH_SECONDS = 2

#: The progress page's query that makes it start the download once the PDF is ready: set when
#: the browser arrives from the PDF button, so that opening the page again later does not.
AUTO_DOWNLOAD = "download=auto"


def _check_kind(kind: str) -> None:
    if kind not in ReportFile.Kind.values:
        raise Http404("No such report")


def _report_file(member, term_code: str, kind: str, report_file_id: int) -> ReportFile:
    """The member's group's generated file named by the URL; 404 for anything else."""
    _check_kind(kind)
    term = term_get(group_id=member.group_id, code=term_code)
    return report_file_get_for_member(
        member=member, term=term, kind=kind, report_file_id=report_file_id
    )


def _urls(report_file: ReportFile, group_slug: str) -> dict[str, str]:
    args = [group_slug, report_file.term.code, report_file.kind, report_file.pk]
    return {
        "page_url": reverse("reports:pdf_progress", args=args),
        "status_url": reverse("reports:pdf_status", args=args),
        "download_url": reverse("reports:pdf_download", args=args),
    }


def _status_payload(report_file: ReportFile, group_slug: str) -> dict:
    urls = _urls(report_file, group_slug)
    return {
        "id": report_file.pk,
        "status": report_file.status,
        "progress": report_file_progress(report_file),
        "error": report_file.error if report_file.is_failed else "",
        "download_url": urls["download_url"] if report_file.is_done else None,
        "status_url": urls["status_url"],
        "page_url": f"{urls['page_url']}?{AUTO_DOWNLOAD}",
    }


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
@group_view()
def pdf_start(request, term_code: str, kind: str):
    """Ask for the report's PDF: an approved document's file made ahead is given at once, with
    nothing built; otherwise served again when unchanged, else made in the background."""
    _check_kind(kind)
    member = request.member
    term = term_get(group_id=member.group_id, code=term_code)
    report_file = ready_file_for_member(
        member=member, term=term, kind=kind, file_format=ReportFile.Format.PDF
    )
    if report_file is None:
        report_file = report_file_request(member=member, term=term, kind=kind)
        # With no broker the task has already run, after the service's commit.
        report_file.refresh_from_db()
    if _wants_json(request):
        return JsonResponse(_status_payload(report_file, member.group.slug))
    if report_file.is_done:
        messages.success(request, _("The PDF is ready to download."))
    elif report_file.is_failed:
        messages.error(request, report_file_progress(report_file))
    else:
        messages.success(
            request, _("The PDF has been started. Its download starts here when it is ready.")
        )
    return redirect(f"{_urls(report_file, member.group.slug)['page_url']}?{AUTO_DOWNLOAD}")


@require_GET
@never_cache
@group_view()
def pdf_status(request, term_code: str, kind: str, report_file_id: int):
    """The PDF's progress as JSON: status, progress text, download_url when done, error."""
    member = request.member
    report_file = _report_file(member, term_code, kind, report_file_id)
    return JsonResponse(_status_payload(report_file, member.group.slug))


@require_GET
@never_cache
@group_view()
def pdf_progress(request, term_code: str, kind: str, report_file_id: int):
    """The PDF's progress as a page that refreshes itself until the file is ready or failed;
    reached from the PDF button (AUTO_DOWNLOAD), it then starts the download by itself."""
    member = request.member
    report_file = _report_file(member, term_code, kind, report_file_id)
    return render(
        request,
        "reports/pdf_progress.html",
        {
            "auto_download": request.GET.get("download") == "auto",
            "report_file": report_file,
            "term": report_file.term,
            "kind": kind,
            "progress": report_file_progress(report_file),
            "refresh_seconds": REFRESH_SECONDS,
            **_urls(report_file, member.group.slug),
        },
    )


@require_GET
@group_view()
def pdf_download(request, term_code: str, kind: str, report_file_id: int):
    """The finished PDF as an attachment named after the report; the progress page until then."""
    member = request.member
    report_file = _report_file(member, term_code, kind, report_file_id)
    if not report_file.is_done:
        return HttpResponseRedirect(_urls(report_file, member.group.slug)["page_url"])
    return attachment_response(
        report_file.file,
        filename=f"{report_file.title or kind}.pdf",
        content_type="application/pdf",
    )
