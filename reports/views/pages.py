"""The report pages: the index, the summary and its versions, drafting, approval, the plan."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.stale import VERSION_FIELD, StaleEdit, field_differences, version_of
from reports.forms import narrative_forms, narrative_text_from
from reports.models import ReportNarrative
from reports.selectors.index import narrative_versions, reports_index
from reports.selectors.plan import study_plan_document
from reports.selectors.summary import (
    half_year_summary,
    half_year_summary_for_member,
    summary_records_changed,
)
from reports.services.narrative import (
    NarrativeText,
    narrative_approve,
    narrative_latest,
    narrative_preview,
    narrative_save_draft,
)
from sessions_app.selectors.access import term_get
from sessions_app.views.common import group_view


@group_view()
def index(request):
    member = request.member
    return render(request, "reports/index.html", {"rows": reports_index(member=member)})


def _summary_page(request, term_code: str, version: int | None):
    member = request.member
    term = term_get(group_id=member.group_id, code=term_code)
    summary = half_year_summary_for_member(member=member, term=term, version=version)
    versions = narrative_versions(member=member, term=term)
    return render(
        request,
        "reports/summary.html",
        {
            "term": term,
            "summary": summary,
            "versions": versions,
            "has_approved": any(v.is_approved for v in versions),
            "viewing_version": version,
            "records_changed": summary_records_changed(
                member=member, summary=summary, versions=versions
            ),
        },
    )


@group_view()
def summary(request, term_code: str):
    return _summary_page(request, term_code, None)


@group_view()
def summary_version(request, term_code: str, version: int):
    return _summary_page(request, term_code, version)


@group_view(managers_only=True)
def summary_edit(request, term_code: str):
    member = request.member
    term = term_get(group_id=member.group_id, code=term_code)
    if request.method == "POST":
        form, formset = narrative_forms(data=request.POST)
        if form.is_valid() and formset.is_valid():
            text = narrative_text_from(form, formset)
            if "preview" not in request.POST:
                try:
                    narrative = narrative_save_draft(
                        group=member.group,
                        term=term,
                        text=text,
                        member=member,
                        user=request.user,
                        seen=request.POST.get(VERSION_FIELD),
                    )
                except StaleEdit as stale:
                    return _stale_narrative_page(request, term, form, formset, text, stale)
                messages.success(
                    request,
                    _("The draft (version %(version)s) is saved.") % {"version": narrative.version},
                )
                missing = narrative.missing_for_approval()
                if missing:
                    messages.warning(
                        request,
                        _("Before a leader can approve it: %(missing)s")
                        % {"missing": " ".join(str(m) for m in missing.values())},
                    )
                return redirect("reports:summary", member.group.slug, term.code)
            summary = narrative_preview(group=member.group, term=term, text=text, member=member)
        else:
            summary = half_year_summary(group=member.group, term=term, include_draft=True)
        version = request.POST.get(VERSION_FIELD, "")
    else:
        latest = narrative_latest(group=member.group, term=term)
        form, formset = narrative_forms(initial=NarrativeText.from_narrative(latest))
        summary = half_year_summary(group=member.group, term=term, include_draft=True)
        version = version_of(latest)
    return render(
        request,
        "reports/summary_edit.html",
        {
            "term": term,
            "summary": summary,
            "form": form,
            "formset": formset,
            "record_version": version,
        },
    )


def _stale_narrative_page(request, term, form, formset, text, stale: StaleEdit):
    """The edit page again with the typed text, the refusal naming who saved and when, and the
    differences between the latest saved version and the typed text."""
    member = request.member
    saved = NarrativeText.from_narrative(narrative_latest(group=member.group, term=term))

    def practices(value):
        return "\n".join(f"{p['heading']} {p['body']}".strip() for p in value)

    def label(name):
        return ReportNarrative._meta.get_field(name).verbose_name

    pairs = [
        (label(name), getattr(saved, name), getattr(text, name))
        for name in ("preamble", "problems", "causes", "measures")
    ]
    pairs.insert(1, (label("practices"), practices(saved.practices), practices(text.practices)))
    return render(
        request,
        "reports/summary_edit.html",
        {
            "term": term,
            "summary": half_year_summary(group=member.group, term=term, include_draft=True),
            "form": form,
            "formset": formset,
            "record_version": stale.current_version,
            "stale": stale,
            "differences": field_differences(pairs),
        },
        status=409,
    )


@require_POST
@group_view(managers_only=True)
def summary_preview(request, term_code: str):
    """The report body with the posted, unsaved text: the edit page's live preview."""
    member = request.member
    term = term_get(group_id=member.group_id, code=term_code)
    form, formset = narrative_forms(data=request.POST)
    if not (form.is_valid() and formset.is_valid()):
        return HttpResponse(
            render_to_string("reports/_preview_invalid.html", request=request), status=400
        )
    summary = narrative_preview(
        group=member.group, term=term, text=narrative_text_from(form, formset), member=member
    )
    return HttpResponse(
        render_to_string("reports/_summary_body.html", {"summary": summary}, request=request)
    )


@group_view(leaders_only=True)
def summary_approve(request, term_code: str):
    member = request.member
    term = term_get(group_id=member.group_id, code=term_code)
    latest = narrative_latest(group=member.group, term=term)
    if latest is None or latest.is_approved:
        messages.info(
            request, _("There is no draft to approve. The secretary drafts the summary first.")
        )
        return redirect("reports:summary", member.group.slug, term.code)
    errors = list(latest.missing_for_approval().values())
    if request.method == "POST":
        try:
            narrative = narrative_approve(narrative=latest, member=member, user=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                _("Version %(version)s of the summary is approved. Every member can now read it.")
                % {"version": narrative.version},
            )
            return redirect("reports:summary", member.group.slug, term.code)
    return render(
        request,
        "reports/summary_approve.html",
        {"term": term, "narrative": latest, "errors": errors},
        status=400 if request.method == "POST" else 200,
    )


@group_view()
def plan_document(request, term_code: str):
    member = request.member
    term = term_get(group_id=member.group_id, code=term_code)
    plan_doc = study_plan_document(group=member.group, term=term)
    if plan_doc.has_plan and not plan_doc.is_approved and not member.can_manage_records:
        raise PermissionDenied
    return render(request, "reports/plan_document.html", {"term": term, "plan_doc": plan_doc})
