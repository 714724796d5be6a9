"""补学 (make-up study): the member's duty and notes, the secretary's list and review."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sessions_app.forms.makeup import MakeupNotesForm, MakeupReviewForm
from sessions_app.models import MakeupDuty
from sessions_app.selectors.access import term_current
from sessions_app.selectors.makeup import makeup_counts, makeup_duties_for_review, makeup_duty_get
from sessions_app.selectors.members import members_for_group
from sessions_app.services.makeup import makeup_review, makeup_submit
from sessions_app.text import book_title
from sessions_app.views.common import group_view
from sessions_app.views.downloads import attachment_response
from sessions_app.views.essays import CONTENT_TYPES


@group_view(managers_only=True)
def makeup_list(request):
    """The term's 补学 figures, per member, and the notes to review and duties still owed."""
    member = request.member
    today = timezone.localdate()
    term = term_current(group_id=member.group_id, today=today)
    counts = makeup_counts(group=member.group, term=term, today=today) if term else None
    per_member = []
    if counts is not None and counts.by_member:
        per_member = [
            (m, counts.for_member(m.pk))
            for m in members_for_group(group_id=member.group_id)
            if m.pk in counts.by_member
        ]
    context = {
        "term": term,
        "counts": counts,
        "per_member": per_member,
        "duties": makeup_duties_for_review(group_id=member.group_id),
        "today": today,
    }
    return render(request, "sessions_app/makeup/list.html", context)


def _detail_page(request, duty, *, notes_form=None, review_form=None, status=200):
    member = request.member
    is_owner = duty.member_id == member.pk
    if notes_form is None and is_owner and duty.is_submittable:
        notes_form = MakeupNotesForm()
    can_review = (
        member.can_manage_records and not is_owner and duty.status == MakeupDuty.Status.SUBMITTED
    )
    if review_form is None and can_review:
        review_form = MakeupReviewForm()
    session = duty.attendance.session
    context = {
        "duty": duty,
        "session": session,
        "materials": list(session.materials.all()),
        "notes_form": notes_form if is_owner else None,
        "review_form": review_form if can_review else None,
        "is_owner": is_owner,
        "is_overdue": duty.is_overdue(timezone.localdate()),
    }
    return render(request, "sessions_app/makeup/detail.html", context, status=status)


@group_view()
@require_http_methods(["GET", "POST"])
def makeup_detail(request, pk: int):
    """The duty with the session's materials; its member submits notes here (POST)."""
    member = request.member
    duty = makeup_duty_get(member=member, pk=pk)
    if request.method == "GET":
        return _detail_page(request, duty)
    if duty.member_id != member.pk:
        raise PermissionDenied
    form = MakeupNotesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            makeup_submit(
                duty=duty,
                member=member,
                body=form.cleaned_data.get("body", ""),
                notes_file=form.notes_file,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Your make-up notes for %(topic)s have been submitted to the secretary.")
                % {"topic": book_title(duty.attendance.session.topic)},
            )
            return redirect("sessions_app:my_record", member.group.slug)
    return _detail_page(request, duty, notes_form=form, status=400)


@require_POST
@group_view(managers_only=True)
def makeup_review_view(request, pk: int):
    """Accept or return submitted notes (POST from the duty's page); a return without a
    comment shows the page again with the error (400) and changes nothing."""
    member = request.member
    duty = makeup_duty_get(member=member, pk=pk)
    form = MakeupReviewForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, duty, review_form=form, status=400)
    try:
        duty = makeup_review(
            duty=duty,
            reviewer=member,
            status=form.cleaned_data["status"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("sessions_app:makeup_detail", member.group.slug, duty.pk)
    values = {
        "name": duty.member.display_name,
        "topic": book_title(duty.attendance.session.topic),
        "date": date_format(duty.attendance.session.date),
    }
    if duty.status == MakeupDuty.Status.ACCEPTED:
        text = _("%(name)s has made up %(topic)s of %(date)s: recorded in the attendance.")
    else:
        text = _("The make-up notes have been returned to %(name)s with your comment.")
    messages.success(request, text % values)
    return redirect("sessions_app:makeup_list", member.group.slug)


@group_view()
def makeup_file(request, pk: int):
    """The notes' file, to their member and the group's secretary and leaders, as a download."""
    duty = makeup_duty_get(member=request.member, pk=pk)
    if not duty.file:
        raise Http404("The notes have no file")
    name = duty.file.name
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return attachment_response(
        duty.file,
        filename=duty.original_filename or f"makeup{extension}",
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
