"""The term bulletin: read by the organisation's people; written and approved by its
administrators; downloaded as PDF and .docx."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oversight.forms import BulletinForm
from oversight.selectors.access import organisation_get_for_user
from oversight.selectors.bulletin import bulletin_document
from oversight.selectors.terms import half_chosen
from oversight.services.bulletin import bulletin_approve, bulletin_save
from oversight.word import bulletin_docx
from reports.pdf import render_pdf
from reports.word import DOCX_CONTENT_TYPE
from sessions_app.views.downloads import attachment_response

# The bulletin is written in Chinese, as the county's offices read and file it.
BULLETIN_LANGUAGE = "zh-hans"


def _context(request, org_slug):
    access = organisation_get_for_user(user=request.user, slug=org_slug)
    year, half = half_chosen(code=request.GET.get("term"), today=timezone.localdate())
    return access, year, half


def _document(access, year, half):
    with translation.override(BULLETIN_LANGUAGE):
        return bulletin_document(
            organisation=access.organisation, year=year, half=half, today=timezone.localdate()
        )


@login_required
def bulletin(request, org_slug):
    """The bulletin as it stands; administrators write its words and approve it here."""
    access, year, half = _context(request, org_slug)
    if request.method == "POST" and not access.is_administrator:
        raise PermissionDenied
    doc = _document(access, year, half)
    form = None
    if access.is_administrator:
        words = doc.bulletin
        form = BulletinForm(
            request.POST or None,
            initial={
                "preamble": words.preamble if words else "",
                "findings": words.findings if words else "",
                "requirements": words.requirements if words else "",
            },
        )
        if request.method == "POST" and form.is_valid():
            bulletin_save(
                access=access, year=year, half=half, user=request.user, **form.cleaned_data
            )
            messages.success(request, _("The bulletin's draft is saved."))
            return redirect(_page(org_slug, year, half))
    return render(request, "oversight/bulletin.html", {"access": access, "doc": doc, "form": form})


def _page(org_slug, year, half) -> str:
    return f"{reverse('oversight:bulletin', args=[org_slug])}?term={year}H{half}"


@require_POST
@login_required
def approve(request, org_slug):
    access, year, half = _context(request, org_slug)
    try:
        bulletin_approve(access=access, year=year, half=half, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The bulletin is approved."))
    return redirect(_page(org_slug, year, half))


@login_required
def pdf(request, org_slug):
    access, year, half = _context(request, org_slug)
    doc = _document(access, year, half)
    with translation.override(BULLETIN_LANGUAGE):
        html = render_to_string(
            "oversight/bulletin_pdf.html",
            {"doc": doc, "document_title": doc.title, "kind": "bulletin"},
        )
    return attachment_response(
        ContentFile(render_pdf(html)), filename=f"{doc.title}.pdf", content_type="application/pdf"
    )


@login_required
def docx(request, org_slug):
    access, year, half = _context(request, org_slug)
    doc = _document(access, year, half)
    with translation.override(BULLETIN_LANGUAGE):
        data = bulletin_docx(doc)
    return attachment_response(
        ContentFile(data), filename=f"{doc.title}.docx", content_type=DOCX_CONTENT_TYPE
    )
