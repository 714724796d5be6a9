"""Every group's summary and plan of a term as one .zip: started from the county table by its
administrators and inspectors, followed on a progress page, downloaded when ready."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from oversight.models import SummaryBundle
from oversight.selectors.access import organisation_get_for_user
from oversight.selectors.summary_bundles import summary_bundle_failures, summary_bundle_get
from oversight.selectors.terms import half_chosen
from oversight.services.summary_bundles import (
    bundle_title,
    summary_bundle_progress,
    summary_bundle_request,
)
from reports.services.archive import zip_name_part
from sessions_app.views.downloads import attachment_response


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
@login_required
def start(request, org_slug):
    """Start the term's .zip (or join the one under way); then its progress page."""
    access = organisation_get_for_user(user=request.user, slug=org_slug)
    year, half = half_chosen(code=request.POST.get("term"), today=timezone.localdate())
    try:
        bundle, created = summary_bundle_request(
            access=access, user=request.user, year=year, half=half
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('oversight:table', args=[org_slug])}?term={year}H{half}")
    bundle.refresh_from_db()  # without a broker the chord has already run
    if bundle.is_done:
        messages.success(request, _("The .zip is ready to download."))
    elif bundle.is_failed:
        messages.error(request, bundle.error or _("The .zip could not be made."))
    elif created:
        messages.success(
            request,
            ngettext(
                "Packing %(count)d study group…",
                "Packing %(count)d study groups…",
                bundle.group_count,
            )
            % {"count": bundle.group_count},
        )
    else:
        messages.info(request, _("This .zip is already being made: here is its progress."))
    return redirect("oversight:summary_bundle", org_slug, bundle.pk)


def progress_text(bundle: SummaryBundle, done: int, total: int) -> str:
    """What the page says about a bundle."""
    if bundle.is_done:
        return _("The .zip is ready.")
    if bundle.is_failed:
        return _("The .zip could not be made.")
    if bundle.status == SummaryBundle.Status.PENDING and not done:
        return _("Waiting for a worker to start.")
    if done >= total:
        return _("Writing the .zip.")
    return ngettext(
        "%(done)d of %(total)d study group done",
        "%(done)d of %(total)d study groups done",
        total,
    ) % {"done": done, "total": total}


def _percent(bundle: SummaryBundle, done: int, total: int) -> int:
    if bundle.is_done:
        return 100
    # 99 at most until the .zip is written.
    return min(99, 100 * done // max(total, 1))


def _payload(bundle: SummaryBundle, org_slug: str) -> dict:
    done, total = summary_bundle_progress(bundle)
    return {
        "id": bundle.pk,
        "status": bundle.status,
        "progress": _percent(bundle, done, total),
        "done": done,
        "total": total,
        "text": progress_text(bundle, done, total),
        "error": bundle.error if bundle.is_failed else "",
        "zip_url": reverse("oversight:summary_bundle_download", args=[org_slug, bundle.pk])
        if bundle.is_done
        else None,
    }


@require_GET
@never_cache
@login_required
def page(request, org_slug, pk):
    """A .zip's progress page: polls its status (static/reports/archive-progress.js, or
    refreshes itself without script); when done, the download and the groups that failed."""
    access = organisation_get_for_user(user=request.user, slug=org_slug)
    bundle = summary_bundle_get(access=access, pk=pk)
    payload = _payload(bundle, org_slug)
    return render(
        request,
        "oversight/summary_bundle.html",
        {
            "access": access,
            "bundle": bundle,
            "title": bundle_title(bundle),
            "payload": payload,
            "failures": summary_bundle_failures(bundle=bundle) if bundle.is_done else [],
            "status_url": reverse("oversight:summary_bundle_status", args=[org_slug, bundle.pk]),
        },
    )


@require_GET
@never_cache
@login_required
def status(request, org_slug, pk):
    """A .zip's progress as JSON: status, progress (percent), done, total, text, zip_url."""
    access = organisation_get_for_user(user=request.user, slug=org_slug)
    bundle = summary_bundle_get(access=access, pk=pk)
    return JsonResponse(_payload(bundle, org_slug))


@require_GET
@login_required
def download(request, org_slug, pk):
    """The finished .zip; its progress page until then (and after its file was replaced by a
    newer .zip of the same term)."""
    access = organisation_get_for_user(user=request.user, slug=org_slug)
    bundle = summary_bundle_get(access=access, pk=pk)
    if not bundle.is_done or not bundle.zip:
        return HttpResponseRedirect(reverse("oversight:summary_bundle", args=[org_slug, bundle.pk]))
    return attachment_response(
        bundle.zip,
        filename=f"{zip_name_part(bundle_title(bundle), limit=120)}.zip",
        content_type="application/zip",
    )
