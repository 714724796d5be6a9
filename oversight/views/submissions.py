"""报送 pages: the group's (send up, see what came of it) and the organisation's inbox (签收)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oversight.models import GroupPlacement, Submission
from oversight.selectors.access import organisation_get_for_user
from oversight.selectors.submissions import (
    submission_get_for_organisation,
    submissions_of_group,
    submissions_to,
)
from oversight.selectors.terms import half_chosen
from oversight.services.submissions import (
    submission_receive,
    submission_return,
    submission_submit,
)
from sessions_app.selectors.access import term_get, terms_for_group
from sessions_app.views.common import group_view


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@group_view(managers_only=True)
def group_submissions(request):
    """The group's 报送: each term's documents to send, and every submission with its state."""
    group = request.member.group
    placement = GroupPlacement.objects.filter(group=group).select_related("organisation").first()
    return render(
        request,
        "oversight/group_submissions.html",
        {
            "placement": placement,
            "terms": terms_for_group(group_id=group.pk),
            "submissions": submissions_of_group(group_id=group.pk),
            "kinds": Submission.Kind.choices,
        },
    )


@require_POST
@group_view(managers_only=True)
def group_submit(request):
    term = term_get(group_id=request.member.group_id, code=request.POST.get("term", ""))
    kind = request.POST.get("kind", "")
    if kind not in Submission.Kind.values:
        messages.error(request, _("Choose the summary or the plan to submit."))
        return redirect("submissions:list", group_slug=request.member.group.slug)
    try:
        submission = submission_submit(term=term, kind=kind, member=request.member)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("%(document)s of %(term)s submitted to %(organisation)s.")
            % {
                "document": submission.get_kind_display(),
                "term": term.label,
                "organisation": submission.organisation.name,
            },
        )
    return redirect("submissions:list", group_slug=request.member.group.slug)


@login_required
def inbox(request, org_slug):
    """What the organisation's groups submitted for a term, newest first."""
    access = organisation_get_for_user(user=request.user, slug=org_slug)
    year, half = half_chosen(code=request.GET.get("term"), today=timezone.localdate())
    return render(
        request,
        "oversight/inbox.html",
        {
            "access": access,
            "code": f"{year}H{half}",
            "submissions": list(
                submissions_to(organisation=access.organisation, year=year, half=half)
            ),
        },
    )


def _decided(request, org_slug, pk, decide, done):
    access = organisation_get_for_user(user=request.user, slug=org_slug)
    submission = submission_get_for_organisation(access=access, pk=pk)
    try:
        decide(submission)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, done % {"group": submission.group.name})
    return redirect(f"{_inbox_url(org_slug)}?term={submission.term.year}H{submission.term.half}")


def _inbox_url(org_slug):
    return reverse("oversight:inbox", args=[org_slug])


@require_POST
@login_required
def receive(request, org_slug, pk):
    return _decided(
        request,
        org_slug,
        pk,
        lambda s: submission_receive(submission=s, user=request.user),
        _("Received from %(group)s."),
    )


@require_POST
@login_required
def return_(request, org_slug, pk):
    return _decided(
        request,
        org_slug,
        pk,
        lambda s: submission_return(
            submission=s, user=request.user, comment=request.POST.get("comment", "")
        ),
        _("Returned to %(group)s with your comment."),
    )
