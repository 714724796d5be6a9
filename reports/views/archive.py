"""The study archive pages: the year's 学习档案专卷 (completeness check, build, progress,
downloads) for the secretary and leaders, and each member's own 学习档案 (page and PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from reports.models import ArchiveBuild
from reports.pdf import ReportRenderError
from reports.selectors.archive import (
    archive_build_get,
    archive_builds_recent,
    archive_member_get,
    archive_missing_items,
    archive_title,
    archive_years,
    member_archive,
    members_for_archive,
)
from reports.services.archive import archive_build_request, member_archive_pdf, zip_name_part
from sessions_app.views.common import group_view
from sessions_app.views.downloads import attachment_response


def _year_or_404(group_id: int, year: int) -> None:
    if year not in archive_years(group_id=group_id):
        raise Http404("No such year")


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_GET
@group_view()
def archive_index(request):
    """The years an archive can be built for; every member's own 学习档案 of each year."""
    member = request.member
    return render(request, "reports/archive/index.html",
                  {"years": archive_years(group_id=member.group_id)})


@require_GET
@group_view(managers_only=True)
def archive_year(request, year: int):
    """The year's archive page: what is missing (缺项清单), the build buttons, the latest builds
    and the members' archives."""
    member = request.member
    group = member.group
    _year_or_404(group.pk, year)
    return render(
        request,
        "reports/archive/year_page.html",
        {
            "year": year,
            "title": archive_title(group_name=group.name, year=year),
            "missing": archive_missing_items(group=group, year=year),
            "builds": archive_builds_recent(group_id=group.pk, year=year),
            "members": members_for_archive(group=group, year=year),
        },
    )


def _build_urls(build: ArchiveBuild, group_slug: str) -> dict[str, str | None]:
    args = [group_slug, build.pk]
    return {
        "page_url": reverse("reports:archive_build", args=args),
        "status_url": reverse("reports:archive_build_status", args=args),
        "pdf_url": reverse("reports:archive_download", args=[*args, "pdf"])
        if build.is_done and build.pdf else None,
        "zip_url": reverse("reports:archive_download", args=[*args, "zip"])
        if build.is_done and build.zip else None,
    }


def build_progress_text(build: ArchiveBuild) -> str:
    """What the page says about a build."""
    if build.is_done:
        return _("The archive is ready.")
    if build.is_failed:
        return _("The archive could not be built.")
    if build.status == ArchiveBuild.Status.PENDING:
        return _("Waiting for a worker to start the archive.")
    return _("%(step)s (%(progress)s%%)") % {"step": build.step, "progress": build.progress}


@require_POST
@group_view(managers_only=True)
def archive_build_start(request, year: int, kind: str):
    """Build the year's archive (kind "year") or every member's 学习档案 in one .zip
    ("members") in the background; then its progress page."""
    member = request.member
    _year_or_404(member.group_id, year)
    if kind not in ArchiveBuild.Kind.values:
        raise Http404("No such archive")
    try:
        build = archive_build_request(member=member, year=year, kind=kind)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reports:archive_year", member.group.slug, year)
    build.refresh_from_db()  # without a broker the task has already run
    if _wants_json(request):
        return JsonResponse(_status_payload(build, member.group.slug))
    if build.is_done:
        messages.success(request, _("The archive has been built and is ready to download."))
    elif build.is_failed:
        messages.error(request, build.error or build_progress_text(build))
    else:
        messages.success(request, _("The archive is being built. This page shows its progress."))
    return redirect("reports:archive_build", member.group.slug, build.pk)


def _status_payload(build: ArchiveBuild, group_slug: str) -> dict:
    return {
        "id": build.pk,
        "status": build.status,
        "progress": build.progress,
        "text": build_progress_text(build),
        "error": build.error if build.is_failed else "",
        **_build_urls(build, group_slug),
    }


@require_GET
@never_cache
@group_view(managers_only=True)
def archive_build(request, build_id: int):
    """A build's progress page: polls its status (static/reports/archive-progress.js, or
    refreshes itself without script) and offers the downloads when ready."""
    member = request.member
    build = archive_build_get(member=member, build_id=build_id)
    return render(
        request,
        "reports/archive/build.html",
        {
            "build": build,
            "title": archive_title(group_name=member.group.name, year=build.year),
            "progress_text": build_progress_text(build),
            **_build_urls(build, member.group.slug),
        },
    )


@require_GET
@never_cache
@group_view(managers_only=True)
def archive_build_status(request, build_id: int):
    """A build's progress as JSON: status, progress (percent), text, the download URLs."""
    member = request.member
    build = archive_build_get(member=member, build_id=build_id)
    return JsonResponse(_status_payload(build, member.group.slug))


@require_GET
@group_view(managers_only=True)
def archive_download(request, build_id: int, fmt: str):
    """A finished build's PDF or .zip; its progress page until then."""
    member = request.member
    build = archive_build_get(member=member, build_id=build_id)
    if fmt not in ("pdf", "zip"):
        raise Http404("No such file")
    if not build.is_done:
        return HttpResponseRedirect(reverse("reports:archive_build",
                                            args=[member.group.slug, build.pk]))
    field = build.pdf if fmt == "pdf" else build.zip
    if not field:
        raise Http404("No such file")
    title = archive_title(group_name=member.group.name, year=build.year)
    if build.kind == ArchiveBuild.Kind.MEMBERS:
        title = _("%(archive)s: members") % {"archive": title}
    return attachment_response(
        field,
        filename=f"{zip_name_part(title, limit=120)}.{fmt}",
        content_type="application/pdf" if fmt == "pdf" else "application/zip",
    )


@require_GET
@group_view()
def member_archive_page(request, year: int, member_id: int):
    """A member's 学习档案 for the year: their own for a member, anyone's in the group for the
    secretary and leaders (404 otherwise, as another member's essay is)."""
    viewer = request.member
    _year_or_404(viewer.group_id, year)
    subject = archive_member_get(viewer=viewer, member_id=member_id)
    return render(
        request,
        "reports/archive/member_page.html",
        {"archive": member_archive(member=subject, year=year, today=timezone.localdate()),
         "year": year},
    )


@require_GET
@group_view()
def member_archive_download(request, year: int, member_id: int):
    """A member's 学习档案 as a PDF, made on request (a few pages), for whoever may read the
    page."""
    viewer = request.member
    _year_or_404(viewer.group_id, year)
    subject = archive_member_get(viewer=viewer, member_id=member_id)
    archive = member_archive(member=subject, year=year)
    try:
        pdf = member_archive_pdf(archive)
    except ReportRenderError as exc:
        messages.error(request, str(exc))
        return redirect("reports:member_archive", viewer.group.slug, year, subject.pk)
    return attachment_response(
        ContentFile(pdf),
        filename=f"{zip_name_part(archive.title, limit=120)}.pdf",
        content_type="application/pdf",
    )
