"""The group's Word template page (a group setting): upload a version, see the history, go back
to the default layout, download the default as a starting point. Secretary and leaders."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports import word
from reports.forms import WordTemplateForm
from reports.selectors.word_templates import word_template_versions
from reports.services.word_templates import word_template_upload, word_template_use_default
from sessions_app.views.common import group_view
from sessions_app.views.downloads import attachment_response


@group_view(managers_only=True)
def word_template(request):
    """GET: the template in use, the placeholders, the history and the upload form.
    POST: upload a new version (400 with the reason when it is not a Word template)."""
    member = request.member
    form = WordTemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = word_template_upload(
                group=member.group,
                member=member,
                user=request.user,
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("file", exc.messages):
                form.add_error("file", message)
        else:
            messages.success(
                request,
                _(
                    "Version %(version)s of the Word template is saved. The summary and the "
                    "plan are now made with it."
                )
                % {"version": template.version},
            )
            return redirect("reports:word_template", member.group.slug)
    versions = word_template_versions(group_id=member.group_id)
    current = next((v for v in versions if not v.is_retired), None)
    return render(
        request,
        "reports/word_template.html",
        {
            "form": form,
            "versions": versions,
            "current": current,
            "placeholders": [f"{{{{ {name} }}}}" for name in word.PLACEHOLDERS],
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@group_view(managers_only=True)
def word_template_reset(request):
    """Go back to the default layout; the uploaded versions stay in the history."""
    member = request.member
    if word_template_use_default(group=member.group, member=member, user=request.user):
        messages.success(
            request, _("The default layout is used again. Earlier templates stay in the history.")
        )
    else:
        messages.info(request, _("The default layout was already in use."))
    return redirect("reports:word_template", member.group.slug)


@require_GET
@group_view(managers_only=True)
def word_template_default(request):
    """The default layout as a .docx template to start one from."""
    return attachment_response(
        ContentFile(word.default_template_docx()),
        filename=_("word-template") + ".docx",
        content_type=word.DOCX_CONTENT_TYPE,
    )
