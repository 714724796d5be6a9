"""The notice pages: members read a session's notice and confirm it (已阅); the secretary and
leaders publish and change it and see who has read it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from notices.forms import NoticeForm
from notices.models import Notice
from notices.selectors.notice import notice_get_for_member, notice_page
from notices.services.notice import notice_publish, notice_read_confirm, notice_update
from sessions_app.selectors.leave import leave_askable
from sessions_app.selectors.sessions import session_get
from sessions_app.views.common import group_view


@group_view()
def notice_detail(request, session_pk: int):
    """The notice of a session: anyone of the group once published; managers also before."""
    now = timezone.now()
    notice = notice_get_for_member(member=request.member, session_pk=session_pk, now=now)
    page = notice_page(notice=notice, viewer=request.member, now=now)
    return render(
        request,
        "notices/detail.html",
        {
            "page": page,
            # Asking for leave from the notice in one step (issue 14's request form).
            "can_ask_leave": leave_askable(session=notice.session, member=request.member, now=now),
        },
    )


def _add_service_errors(form: NoticeForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@group_view(managers_only=True)
@require_http_methods(["GET", "POST"])
def notice_edit(request, session_pk: int):
    """Publish a session's notice, or change it (managers only; a held session has none)."""
    member = request.member
    session = session_get(group_id=member.group_id, pk=session_pk)
    notice = Notice.objects.filter(session=session).first()
    if session.date < timezone.localdate():
        messages.info(
            request,
            _("A notice is for a session still to come; this session was held on %(date)s.")
            % {"date": date_format(session.date)},
        )
        return redirect("sessions_app:session_detail", member.group.slug, session.pk)
    form = NoticeForm(request.POST or None, session=session, notice=notice)
    if request.method == "POST" and form.is_valid():
        fields = {
            "actor": member,
            "discussion_questions": form.cleaned_data["discussion_questions"],
            "key_speakers": list(form.cleaned_data["key_speakers"]),
            "at_once": form.at_once,
        }
        try:
            if notice is None:
                notice = notice_publish(session=session, **fields)
            else:
                notice = notice_update(notice=notice, **fields)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            when = timezone.localtime(notice.publish_at)
            if notice.publish_at <= timezone.now():
                text = _("The notice is published: members see it on their dashboard now.")
            else:
                text = _(
                    "The notice is saved: members see it on their dashboard from %(date)s at "
                    "%(time)s."
                ) % {"date": date_format(when.date()), "time": when.strftime("%H:%M")}
            messages.success(request, text)
            return redirect("notices:notice_detail", member.group.slug, session.pk)
    return render(
        request, "notices/form.html", {"form": form, "session": session, "notice": notice}
    )


@group_view()
@require_POST
def notice_read(request, session_pk: int):
    """Confirm 已阅 (POST); a second confirm keeps the first time."""
    member = request.member
    now = timezone.now()
    notice = notice_get_for_member(member=member, session_pk=session_pk, now=now)
    try:
        read = notice_read_confirm(notice=notice, member=member, now=now)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        when = timezone.localtime(read.read_at)
        messages.success(
            request,
            _("Marked as read (已阅) at %(time)s on %(date)s.")
            % {"date": date_format(when.date()), "time": when.strftime("%H:%M")},
        )
    return redirect("notices:notice_detail", member.group.slug, session_pk)
