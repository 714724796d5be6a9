"""Pages of the reminders: a member's inbox and reminder settings; the secretary's record of
what was sent or failed, and the group's chat robots."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from notices.delivery_models import GroupRobots, ReminderPreference
from notices.dispatch.forms import GroupRobotsForm, ReminderPreferenceForm
from notices.dispatch.selectors import group_deliveries, inbox_page
from notices.services.delivery import (
    delivery_open,
    group_robots_update,
    reminder_preference_update,
)
from sessions_app.views.common import group_view


@require_http_methods(["GET"])
@group_view()
def inbox(request):
    page = inbox_page(member=request.member, page_number=request.GET.get("page"))
    return render(request, "notices/delivery/inbox.html", {"page": page})


@require_http_methods(["GET"])
@group_view()
def inbox_message(request, pk: int):
    message = delivery_open(member=request.member, pk=pk)
    return render(request, "notices/delivery/message.html", {"message": message})


@require_http_methods(["GET", "POST"])
@group_view()
def reminder_settings(request):
    # Until chosen, reminders come in the language the member reads the app in.
    preference = ReminderPreference.objects.filter(user=request.user).first() or (
        ReminderPreference(user=request.user, language=request.LANGUAGE_CODE)
    )
    form = ReminderPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        reminder_preference_update(
            user=request.user,
            email_enabled=form.cleaned_data["email_enabled"],
            language=form.cleaned_data["language"],
        )
        if form.cleaned_data["email_enabled"]:
            messages.success(request, _("Saved: reminders come in the app and by e-mail."))
        else:
            messages.success(request, _("Saved: reminders come in the app only, no e-mail."))
        return redirect("notices:inbox", request.member.group.slug)
    return render(
        request,
        "notices/delivery/settings.html",
        {"form": form, "has_email": bool(request.user.email)},
    )


@require_http_methods(["GET"])
@group_view(managers_only=True)
def deliveries(request):
    overview = group_deliveries(group=request.member.group)
    return render(request, "notices/delivery/deliveries.html", {"overview": overview})


@require_http_methods(["GET", "POST"])
@group_view(managers_only=True)
def group_robots(request):
    group = request.member.group
    current = GroupRobots.objects.filter(group=group).first()
    initial = {
        "wecom_webhook": current.wecom_webhook if current else "",
        "dingtalk_webhook": current.dingtalk_webhook if current else "",
    }
    form = GroupRobotsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            group_robots_update(
                group=group,
                actor=request.user,
                wecom_webhook=form.cleaned_data["wecom_webhook"],
                dingtalk_webhook=form.cleaned_data["dingtalk_webhook"],
                dingtalk_secret=form.cleaned_data["dingtalk_secret"] or None,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request, _("The group's robots were saved: the next reminders go to them too.")
            )
            return redirect("notices:deliveries", group.slug)
    has_secret = bool(current and current.dingtalk_secret)
    return render(
        request, "notices/delivery/robots.html", {"form": form, "has_secret": has_secret}
    )
