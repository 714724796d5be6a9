"""列席旁听 pages: take a session, the inspector's sessions, the evaluation, the materials."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intake.materials import material_content_type
from oversight.forms import EvaluationForm
from oversight.selectors.access import organisation_get_for_user
from oversight.selectors.sittings import (
    session_overseen_get,
    sitting_get_for_user,
    sittings_of,
)
from oversight.services.sittings import sitting_in_add, sitting_in_evaluate
from sessions_app.models import SessionMaterial
from sessions_app.views.downloads import attachment_response


@require_POST
@login_required
def sit_in(request, org_slug, pk):
    access = organisation_get_for_user(user=request.user, slug=org_slug)
    session = session_overseen_get(access=access, pk=pk)
    try:
        sitting_in_add(access=access, session=session, inspector=request.user, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(
            reverse("oversight:group", args=[org_slug, session.group.slug])
            + f"?term={session.term.code}"
        )
    messages.success(
        request,
        _("You sit in on %(topic)s of %(group)s on %(date)s.")
        % {"topic": session.topic, "group": session.group.name, "date": date_format(session.date)},
    )
    return redirect("oversight:sittings", org_slug=org_slug)


@login_required
def sittings(request, org_slug):
    """The sessions the user sits in on, with their materials and the evaluations to file."""
    access = organisation_get_for_user(user=request.user, slug=org_slug)
    mine = sittings_of(user=request.user, access=access)
    materials = {}
    for material in SessionMaterial.objects.filter(session__in=[s.session for s in mine]):
        materials.setdefault(material.session_id, []).append(material)
    return render(
        request,
        "oversight/sittings.html",
        {
            "access": access,
            "rows": [(s, materials.get(s.session_id, [])) for s in mine],
        },
    )


@login_required
def evaluate(request, org_slug, pk):
    access = organisation_get_for_user(user=request.user, slug=org_slug)
    sitting = sitting_get_for_user(user=request.user, access=access, pk=pk)
    form = EvaluationForm(
        request.POST or None,
        initial={
            "evaluation": sitting.evaluation,
            "highlights": sitting.highlights,
            "problems": sitting.problems,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            sitting_in_evaluate(sitting=sitting, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Your evaluation of %(topic)s is filed; the group's leaders and secretary "
                    "read it on the session's page."
                )
                % {"topic": sitting.session.topic},
            )
            return redirect("oversight:sittings", org_slug=org_slug)
    return render(
        request, "oversight/evaluate.html", {"access": access, "sitting": sitting, "form": form}
    )


@login_required
def material(request, org_slug, pk, material_pk):
    """A material of a session the user sits in on (the pre-meeting pack reaches them too)."""
    access = organisation_get_for_user(user=request.user, slug=org_slug)
    sitting = sitting_get_for_user(user=request.user, access=access, pk=pk)
    item = SessionMaterial.objects.filter(session=sitting.session, pk=material_pk).first()
    if item is None:
        raise Http404("No such material")
    stored_name = item.file.name.rsplit("/", 1)[-1]
    return attachment_response(
        item.file,
        filename=item.original_filename or stored_name,
        content_type=material_content_type(stored_name),
    )
