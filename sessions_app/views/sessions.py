from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from audit.promptness import session_dates
from audit.stale import VERSION_FIELD, StaleEdit, field_differences, model_differences
from intake.materials import material_content_type
from oversight.selectors.sittings import evaluations_for_session
from sessions_app.forms.sessions import AttendanceSheetForm, SessionMaterialForm, StudySessionForm
from sessions_app.models import Attendance, SessionMaterial
from sessions_app.selectors.access import term_current, term_get, terms_for_group
from sessions_app.selectors.leave import leave_askable, leave_request_live
from sessions_app.selectors.sessions import (
    attendance_sheet,
    session_attendance,
    session_essays,
    session_get,
    session_rows_for_term,
)
from sessions_app.services.sessions import (
    SESSION_FIELDS,
    material_add,
    material_delete,
    session_delete,
    session_record,
    session_update,
    session_version,
)
from sessions_app.text import book_title
from sessions_app.views.common import group_view
from sessions_app.views.downloads import attachment_response


@group_view()
def session_list(request):
    member = request.member
    code = request.GET.get("term")
    today = timezone.localdate()
    term = (
        term_get(group_id=member.group_id, code=code)
        if code
        else term_current(group_id=member.group_id, today=today)
    )
    rows = session_rows_for_term(group_id=member.group_id, term=term) if term else []
    return render(
        request,
        "sessions_app/sessions/list.html",
        {"term": term, "terms": terms_for_group(group_id=member.group_id), "rows": rows},
    )


@group_view()
def session_detail(request, pk):
    member = request.member
    session = session_get(group_id=member.group_id, pk=pk)
    form = SessionMaterialForm() if member.can_manage_records else None
    return _detail_page(request, session=session, material_form=form)


def _detail_page(request, *, session, material_form, status=200):
    attendance = session_attendance(session=session)
    member = request.member
    can_ask_leave = leave_askable(session=session, member=member)
    return render(
        request,
        "sessions_app/sessions/detail.html",
        {
            "session": session,
            "attendance": attendance,
            "attended": sum(1 for a in attendance if a.attended),
            "materials": list(session.materials.all()),
            "material_form": material_form,
            "essays": session_essays(session=session, viewer=request.member),
            "dates": session_dates(session=session),
            "can_ask_leave": can_ask_leave,
            "my_leave": (
                leave_request_live(session=session, member=member) if can_ask_leave else None
            ),
            # Inspectors' evaluations (oversight) are for those who keep the records.
            "sittings_in": (
                evaluations_for_session(session=session)
                if request.member.can_manage_records
                else []
            ),
            "today": timezone.localdate(),
            "now": timezone.now(),
        },
        status=status,
    )


def _session_form_page(request, *, session=None):
    member = request.member
    group = member.group
    initial = {} if session else {"date": timezone.localdate()}
    form = StudySessionForm(request.POST or None, group=group, instance=session, initial=initial)
    day = session.date if session else timezone.localdate()
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["date"]
    lines = attendance_sheet(group_id=group.pk, day=day, session=session)
    sheet = AttendanceSheetForm(request.POST or None, lines=lines, session_date=day)
    context = {"record_version": session_version(session) if session else ""}
    if session is not None and request.method == "POST":
        context["record_version"] = request.POST.get(VERSION_FIELD, "")
    if request.method == "POST":
        form_ok = form.is_valid()
        sheet_ok = sheet.is_valid()
        if form_ok and sheet_ok:
            try:
                if session is None:
                    session = session_record(
                        group=group,
                        actor=request.user,
                        fields=form.cleaned_data,
                        attendance=sheet.entries(),
                    )
                    message = ngettext(
                        "Session “%(topic)s” on %(date)s saved with attendance for %(n)d member.",
                        "Session “%(topic)s” on %(date)s saved with attendance for %(n)d members.",
                        len(sheet.rows),
                    )
                else:
                    session = session_update(
                        session=session,
                        actor=request.user,
                        fields=form.cleaned_data,
                        attendance=sheet.entries(),
                        seen=request.POST.get(VERSION_FIELD),
                    )
                    message = ngettext(
                        "Session “%(topic)s” on %(date)s updated with attendance for "
                        "%(n)d member.",
                        "Session “%(topic)s” on %(date)s updated with attendance for "
                        "%(n)d members.",
                        len(sheet.rows),
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            except StaleEdit as stale:
                return _stale_session_page(request, session, form, sheet, stale)
            else:
                messages.success(
                    request,
                    message
                    % {
                        "topic": session.topic,
                        "date": date_format(session.date),
                        "n": len(sheet.rows),
                    },
                )
                _warn_if_topic_of_another_term(request, session)
                return redirect("sessions_app:session_detail", group.slug, session.pk)
        messages.error(request, _("The session was not saved: please correct the errors shown."))
    return render(
        request,
        "sessions_app/sessions/form.html",
        {"form": form, "sheet": sheet, "session": session, **context},
    )


def _stale_session_page(request, session, form, sheet, stale: StaleEdit):
    """The edit form again with what was typed, the refusal naming who saved and when, and the
    differences between the saved session (and attendance) and the form."""
    session.refresh_from_db()
    differences = model_differences(session, form.cleaned_data, SESSION_FIELDS)
    labels = dict(Attendance.Status.choices)
    saved = {a.member_id: a.status for a in Attendance.objects.filter(session=session)}
    differences += field_differences(
        [
            (
                entry.member.display_name,
                labels.get(saved.get(entry.member.pk), ""),
                labels.get(entry.status, entry.status),
            )
            for entry in sheet.entries()
        ]
    )
    return render(
        request,
        "sessions_app/sessions/form.html",
        {
            "form": form,
            "sheet": sheet,
            "session": session,
            "record_version": stale.current_version,
            "stale": stale,
            "differences": differences,
        },
        status=409,
    )


def _warn_if_topic_of_another_term(request, session) -> None:
    """A saved session may follow a topic planned for another term (a topic carried over), but
    more often the date or the topic was mistyped: say so, and keep what was saved."""
    topic = session.planned_topic
    if topic is None or topic.plan.term_id == session.term_id:
        return
    messages.warning(
        request,
        _(
            "The planned topic “%(topic)s” is in the plan for %(topic_term)s, but the session "
            "on %(date)s belongs to %(term)s. Check the date and the topic."
        )
        % {
            "topic": topic.title,
            "topic_term": topic.plan.term.label,
            "date": date_format(session.date),
            "term": session.term.label,
        },
    )


@group_view(managers_only=True)
def session_create(request):
    return _session_form_page(request)


@group_view(managers_only=True)
def session_edit(request, pk):
    session = session_get(group_id=request.member.group_id, pk=pk)
    return _session_form_page(request, session=session)


@group_view(managers_only=True)
def session_delete_confirm(request, pk):
    member = request.member
    session = session_get(group_id=member.group_id, pk=pk)
    if request.method == "POST":
        topic, term_code = session.topic, session.term.code
        session_delete(session=session, member=member)
        messages.success(request, _("Session “%(topic)s” was deleted.") % {"topic": topic})
        list_url = reverse("sessions_app:session_list", args=[member.group.slug])
        return redirect(f"{list_url}?term={term_code}")
    return render(request, "sessions_app/sessions/confirm_delete.html", {"session": session})


@require_POST
@group_view(managers_only=True)
def material_upload(request, pk):
    member = request.member
    session = session_get(group_id=member.group_id, pk=pk)
    form = SessionMaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            material = material_add(
                session=session,
                actor=request.user,
                title=form.cleaned_data["title"],
                material_file=form.material_file,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                # Translators: %(title)s comes with its marks (《…》 or “…”).
                _("Material %(title)s (%(filename)s) added.")
                % {"title": book_title(material.title), "filename": material.original_filename},
            )
            return redirect("sessions_app:session_detail", member.group.slug, session.pk)
    messages.error(request, _("The material was not added: please correct the errors shown."))
    return _detail_page(request, session=session, material_form=form, status=400)


def _material_get(request, pk, material_pk) -> SessionMaterial:
    session = session_get(group_id=request.member.group_id, pk=pk)
    return get_object_or_404(
        SessionMaterial.objects.select_related("session"), session=session, pk=material_pk
    )


@group_view()
def material_download(request, pk, material_pk):
    material = _material_get(request, pk, material_pk)
    stored_name = material.file.name.rsplit("/", 1)[-1]
    return attachment_response(
        material.file,
        filename=material.original_filename or stored_name,
        content_type=material_content_type(stored_name),
    )


@group_view(managers_only=True)
def material_delete_confirm(request, pk, material_pk):
    material = _material_get(request, pk, material_pk)
    detail_url = reverse(
        "sessions_app:session_detail", args=[request.member.group.slug, material.session_id]
    )
    if request.method == "POST":
        title = material.title
        material_delete(material=material, member=request.member)
        messages.success(
            # Translators: %(title)s comes with its marks (《…》 or “…”).
            request,
            _("Material %(title)s was deleted.") % {"title": book_title(title)},
        )
        return redirect(f"{detail_url}#materials-heading")
    return render(
        request,
        "sessions_app/sessions/material_confirm_delete.html",
        {"material": material, "session": material.session},
    )
