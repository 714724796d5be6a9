"""Essays: members submit and revise their own; the secretary and leaders see all and review."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from audit.originality.selectors import essay_originality_report
from audit.originality.services import essay_originality_check_queue
from audit.stale import VERSION_FIELD, StaleEdit, model_differences, version_of
from sessions_app.forms.essays import EssayFilterForm, EssayForm, EssayReviewForm
from sessions_app.models import ReflectionEssay
from sessions_app.selectors.access import terms_for_group
from sessions_app.selectors.essays import (
    essay_get_for_author,
    essay_get_for_member,
    essay_get_for_review,
    essay_page_for_member,
)
from sessions_app.services.essays import essay_review, essay_revise, essay_submit
from sessions_app.text import book_title
from sessions_app.views.common import group_view
from sessions_app.views.downloads import attachment_response

CONTENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
}


@group_view()
def essay_list(request):
    member = request.member
    filter_form = None
    filters = {}
    if member.can_manage_records:
        filter_form = EssayFilterForm(
            request.GET or None,
            terms=terms_for_group(group_id=member.group_id),
            group_id=member.group_id,
        )
        filters = filter_form.filters() if request.GET else {}
    page = essay_page_for_member(member=member, page_number=request.GET.get("page"), **filters)
    # The page links keep the filters that apply (not a value the form dropped).
    query = QueryDict(mutable=True)
    if filter_form is not None and filter_form.is_bound:
        query = filter_form.data.copy()
        query.pop("page", None)
    return render(
        request,
        "sessions_app/essays/list.html",
        {
            "page": page,
            "filter_form": filter_form,
            "filtered": any(filters.values()),
            "query": query.urlencode(),
        },
    )


def _add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError next to the form field it names, else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        name = {"review_comment": "comment"}.get(name, name)
        form.add_error(name if name in form.fields else None, errors)


def _essay_form_fields(form: EssayForm) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "kind": data["kind"],
        "session": data.get("session"),
        "planned_topic": data.get("planned_topic"),
        "body": data.get("body", ""),
        "essay_file": form.essay_file,
    }


@group_view()
@require_http_methods(["GET", "POST"])
def essay_create(request):
    member = request.member
    if request.method == "POST":
        form = EssayForm(request.POST, request.FILES, member=member)
        if form.is_valid():
            try:
                essay = essay_submit(author=member, **_essay_form_fields(form))
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                if essay.kind == ReflectionEssay.Kind.OUTLINE:
                    # Translators: %(title)s comes with its marks (《…》 or “…”); the count is 字数.
                    text = ngettext(
                        "Your speaking outline %(title)s has been handed in (%(count)s word).",
                        "Your speaking outline %(title)s has been handed in (%(count)s words).",
                        essay.word_count,
                    )
                else:
                    # Translators: %(title)s comes with its marks (《…》 or “…”); the count is 字数.
                    text = ngettext(
                        "Your essay %(title)s has been submitted (%(count)s word).",
                        "Your essay %(title)s has been submitted (%(count)s words).",
                        essay.word_count,
                    )
                messages.success(
                    request, text % {"title": book_title(essay.title), "count": essay.word_count}
                )
                return redirect("sessions_app:essay_detail", member.group.slug, essay.pk)
    else:
        initial = {}
        if request.GET.get("session", "").isdigit():
            initial["session"] = int(request.GET["session"])
        # The notice page's "hand in your speaking outline" link asks for kind=outline.
        if request.GET.get("kind") in ReflectionEssay.Kind.values:
            initial["kind"] = request.GET["kind"]
        form = EssayForm(member=member, initial=initial)
    # With no session held and no planned topic, no essay could be saved: say what to wait for.
    return render(
        request,
        "sessions_app/essays/form.html",
        {"form": form, "essay": None, "nothing_to_write_for": not form.has_subjects},
    )


@group_view()
@require_http_methods(["GET", "POST"])
def essay_edit(request, pk: int):
    member = request.member
    essay = essay_get_for_author(member=member, pk=pk)
    if not essay.is_revisable:
        messages.info(request, _("This essay has been accepted and can no longer be changed."))
        return redirect("sessions_app:essay_detail", member.group.slug, essay.pk)
    if request.method == "POST":
        form = EssayForm(request.POST, request.FILES, member=member, essay=essay)
        if form.is_valid():
            try:
                essay = essay_revise(
                    essay=essay,
                    author=member,
                    keep_file=form.keep_file,
                    **_essay_form_fields(form),
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    # Translators: %(title)s comes with its marks (《…》 or “…”).
                    _("Your essay %(title)s has been revised and submitted again.")
                    % {"title": book_title(essay.title)},
                )
                return redirect("sessions_app:essay_detail", member.group.slug, essay.pk)
    else:
        form = EssayForm(member=member, essay=essay)
    return render(request, "sessions_app/essays/form.html", {"form": form, "essay": essay})


@group_view()
def essay_detail(request, pk: int):
    essay = essay_get_for_member(member=request.member, pk=pk)
    return render(request, "sessions_app/essays/detail.html", {"essay": essay})


@group_view()
def essay_file(request, pk: int):
    """The essay's file, only to those who may read the essay, always as a download."""
    essay = essay_get_for_member(member=request.member, pk=pk)
    if not essay.file:
        raise Http404("The essay has no file")
    extension = "." + essay.file.name.rsplit(".", 1)[-1].lower() if "." in essay.file.name else ""
    return attachment_response(
        essay.file,
        filename=essay.original_filename or f"essay{extension}",
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )


@group_view(managers_only=True)
@require_http_methods(["GET", "POST"])
def essay_review_view(request, pk: int):
    member = request.member
    essay = essay_get_for_review(reviewer=member, pk=pk)
    if request.method == "POST":
        form = EssayReviewForm(request.POST, essay=essay)
        if form.is_valid():
            try:
                essay = essay_review(
                    essay=essay,
                    reviewer=member,
                    status=form.cleaned_data["status"],
                    comment=form.cleaned_data["comment"],
                    seen=request.POST.get(VERSION_FIELD),
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            except StaleEdit as stale:
                essay.refresh_from_db()
                context = {
                    "essay": essay,
                    "report": essay_originality_report(essay=essay, viewer=member),
                    "form": form,
                    "stale": stale,
                    "record_version": stale.current_version,
                    "differences": model_differences(
                        essay,
                        {
                            "status": form.cleaned_data["status"],
                            "review_comment": form.cleaned_data["comment"],
                        },
                        ["status", "review_comment"],
                    ),
                }
                return render(request, "sessions_app/essays/review.html", context, status=409)
            else:
                if essay.status == ReflectionEssay.Status.ACCEPTED:
                    # Translators: %(title)s comes with its marks (《…》 or “…”).
                    text = _("%(title)s by %(author)s has been accepted.")
                else:
                    # Translators: %(title)s comes with its marks (《…》 or “…”).
                    text = _("%(title)s has been returned to %(author)s with your comment.")
                title = book_title(essay.title)
                messages.success(request, text % {"title": title, "author": essay.author})
                return redirect("sessions_app:essay_list", member.group.slug)
    else:
        form = EssayReviewForm(essay=essay)
    version = request.POST.get(VERSION_FIELD) if request.method == "POST" else version_of(essay)
    report = essay_originality_report(essay=essay, viewer=member)
    if not report.checked:
        # An essay never checked (older than the check, imported): check it now. Inline with
        # no broker, so the page shows the result; on a worker, the next visit does.
        essay_originality_check_queue(essay=essay)
        report = essay_originality_report(essay=essay, viewer=member)
    return render(
        request,
        "sessions_app/essays/review.html",
        {
            "essay": essay,
            "report": report,
            "form": form,
            "record_version": version,
        },
    )
