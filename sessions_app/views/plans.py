"""Study plan pages: the group's plans, one plan, its edit page, approval, research done."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.stale import VERSION_FIELD, StaleEdit, field_differences, version_of
from sessions_app.forms.plans import PlanEditForms, TopicDoneForm
from sessions_app.models import StudyPlan
from sessions_app.selectors import plans as plan_selectors
from sessions_app.selectors.access import term_get
from sessions_app.services import plans as plan_services
from sessions_app.views.common import group_view


def _plan_for(request, term_code: str):
    term = term_get(group_id=request.member.group_id, code=term_code)
    return plan_selectors.plan_get(group_id=request.member.group_id, term=term)


def _to_detail(plan):
    return redirect(
        "sessions_app:plan_detail", group_slug=plan.group.slug, term_code=plan.term.code
    )


def _messages_from(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@group_view()
def plan_current(request):
    """The group's plans, next term's first; managers may start next term's. Creates nothing."""
    overview = plan_selectors.plans_overview(
        group_id=request.member.group_id, today=timezone.localdate()
    )
    return render(request, "sessions_app/plans/list.html", {"overview": overview})


@group_view(managers_only=True)
def plan_create(request):
    """POST: start the plan of next term (or this term), then edit it."""
    if request.method != "POST":
        return redirect("sessions_app:plan_current", group_slug=request.member.group.slug)
    allowed = {
        f"{y}H{h}": (y, h)
        for y, h in plan_selectors.plan_startable_halves(today=timezone.localdate())
    }
    code = request.POST.get("term", "").upper()
    if code not in allowed:
        raise Http404("A plan can be started for this term or the next only")
    year, half = allowed[code]
    plan, created = plan_services.plan_start(
        group=request.member.group, year=year, half=half, user=request.user
    )
    if created:
        messages.success(
            request,
            _("The study plan for %(term)s was started. Add its topics below.")
            % {"term": plan.term.label},
        )
    else:
        messages.info(
            request, _("The study plan for %(term)s already exists.") % {"term": plan.term.label}
        )
    return redirect("sessions_app:plan_edit", group_slug=plan.group.slug, term_code=plan.term.code)


@group_view()
def plan_detail(request, term_code: str):
    plan = _plan_for(request, term_code)
    return render(
        request,
        "sessions_app/plans/detail.html",
        {"detail": plan_selectors.plan_detail(plan=plan)},
    )


@group_view(managers_only=True)
def plan_edit(request, term_code: str):
    plan = _plan_for(request, term_code)
    forms = PlanEditForms(plan=plan, data=request.POST if request.method == "POST" else None)
    context = {
        "plan": plan,
        "forms": forms,
        "confirm_remove": [],
        "record_version": request.POST.get(VERSION_FIELD, "")
        if request.method == "POST"
        else version_of(plan),
    }
    if request.method == "POST" and forms.is_valid():
        if not forms.has_changed():
            messages.info(request, _("Nothing was changed, so nothing was saved."))
            return _to_detail(plan)
        removed = forms.removed_topics()
        if removed and not request.POST.get("confirm_remove"):
            # Removing topics is destructive: show which, and save only when asked again.
            context["confirm_remove"] = removed
            return render(request, "sessions_app/plans/edit.html", context)
        try:
            result = plan_services.plan_topics_save(
                plan=plan,
                user=request.user,
                topics=forms.topic_inputs(),
                removed_ids=[t.pk for t in removed],
                notes=forms.notes_text,
                seen=request.POST.get(VERSION_FIELD),
            )
        except ValidationError as error:
            _messages_from(request, error)
            return render(request, "sessions_app/plans/edit.html", context)
        except StaleEdit as stale:
            return _stale_plan_page(request, context, forms, stale)
        messages.success(
            request,
            _(
                "The study plan for %(term)s was saved "
                "(topics added: %(added)d, kept: %(changed)d, removed: %(removed)d)."
            )
            % {
                "term": plan.term.label,
                "added": result.added,
                "changed": result.changed,
                "removed": result.removed,
            },
        )
        if result.returned_to_draft:
            messages.warning(
                request,
                _("The plan was returned to draft. A leader must approve it again."),
            )
        if "add_more" in request.POST:
            return redirect(
                "sessions_app:plan_edit", group_slug=plan.group.slug, term_code=plan.term.code
            )
        return _to_detail(plan)
    return render(request, "sessions_app/plans/edit.html", context)


@group_view(leaders_only=True)
def plan_approve(request, term_code: str):
    """GET asks to confirm; POST approves."""
    plan = _plan_for(request, term_code)
    if request.method == "POST":
        if plan.is_approved:
            messages.info(request, _("The plan was already approved."))
            return _to_detail(plan)
        try:
            plan_services.plan_approve(plan=plan, member=request.member)
        except ValidationError as error:
            _messages_from(request, error)
            return _to_detail(plan)
        messages.success(
            request, _("The study plan for %(term)s was approved.") % {"term": plan.term.label}
        )
        return _to_detail(plan)
    detail = plan_selectors.plan_detail(plan=plan)
    return render(request, "sessions_app/plans/approve.html", {"detail": detail})


@group_view(managers_only=True)
@require_POST
def plan_topic_done(request, term_code: str, topic_id: int):
    """Record a research topic as done on a day, or (an empty day) as not done."""
    plan = _plan_for(request, term_code)
    topic = plan_selectors.planned_topic_get(plan=plan, topic_id=topic_id)
    form = TopicDoneForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return _to_detail(plan)
    try:
        plan_services.planned_topic_mark_done(
            topic=topic, member=request.member, done_on=form.cleaned_data["completed_on"]
        )
    except ValidationError as error:
        _messages_from(request, error)
        return _to_detail(plan)
    if topic.is_done:
        message = _("“%(title)s” was marked as done.")
    else:
        message = _("“%(title)s” was marked as not done.")
    messages.success(request, message % {"title": topic.title})
    return _to_detail(plan)


def _stale_plan_page(request, context, forms, stale: StaleEdit):
    """The edit page again with what was typed, the refusal naming who saved and when, and the
    differences between the saved plan (notes, topics in order) and the form."""
    plan = context["plan"]
    plan.refresh_from_db()
    saved = [t.title for t in plan.topics.order_by("kind", "sort_order", "id")]
    typed = [t.title for t in sorted(forms.topic_inputs(), key=lambda t: t.kind)]
    notes_label = StudyPlan._meta.get_field("notes").verbose_name
    context.update(
        stale=stale,
        record_version=stale.current_version,
        differences=field_differences(
            [
                (notes_label, plan.notes, forms.notes_text),
                (_("Topics"), "\n".join(saved), "\n".join(typed)),
            ]
        ),
    )
    return render(request, "sessions_app/plans/edit.html", context, status=409)
