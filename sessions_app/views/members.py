"""The members page (secretary and leaders): add, edit, order, leave, rejoin, sign-in links."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions_app.forms.members import (
    MemberAddForm,
    MemberForm,
    MemberLeaveForm,
    MemberOrderForm,
    SigninLinkForm,
)
from sessions_app.selectors.members import (
    member_get,
    members_awaiting_first_signin,
    members_for_group,
)
from sessions_app.services.members import (
    member_add,
    member_leave,
    member_rejoin,
    member_reorder,
    member_update,
    signin_link_issue,
    signin_link_refusal,
)
from sessions_app.signin import signin_link_path, signin_link_qr_svg
from sessions_app.views.common import group_view


def _add_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: by field where it names one the form has."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _list_url(group):
    return redirect("sessions_app:member_list", group.slug)


@group_view(managers_only=True)
def member_list(request):
    group = request.member.group
    members = members_for_group(group_id=group.pk)
    today = timezone.localdate()
    current = [m for m in members if m.is_in_group_on(today) or m.joined_on > today]
    past = [m for m in members if m.left_on is not None and m.left_on <= today]
    return render(
        request,
        "sessions_app/members/list.html",
        {
            "current": current,
            "past": past,
            "order_form": MemberOrderForm(members=current),
            "awaiting": sum(
                1 for m in current if not m.user.has_usable_password() and not m.user.last_login
            ),
        },
    )


@require_POST
@group_view(managers_only=True)
def member_order(request):
    group = request.member.group
    today = timezone.localdate()
    members = [
        m for m in members_for_group(group_id=group.pk)
        if m.is_in_group_on(today) or m.joined_on > today
    ]
    form = MemberOrderForm(request.POST, members=members)
    if form.is_valid():
        try:
            member_reorder(group=group, sort_orders=form.sort_orders(), actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The order was saved: lists, sign-in sheets and reports "
                                        "now follow it."))
    else:
        messages.error(request, _("The order was not saved: enter a whole number of 0 or more "
                                  "for every member."))
    return _list_url(group)


@group_view(managers_only=True)
def member_create(request):
    group = request.member.group
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = member_add(
                group=group,
                display_name=data["display_name"],
                position=data["position"],
                role=data["role"],
                joined_on=data["joined_on"],
                username=data["username"],
                phone=data["phone"],
                email=data["email"],
                sort_order=data["sort_order"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was added with the user name %(username)s. Hand them their sign-in "
                  "link below.") % {"name": member.display_name,
                                    "username": member.user.get_username()},
            )
            return redirect("sessions_app:member_link", group.slug, member.pk)
    status = 400 if form.is_bound else 200
    return render(request, "sessions_app/members/form.html", {"form": form, "adding": True},
                  status=status)


@group_view(managers_only=True)
def member_edit(request, pk):
    group = request.member.group
    member = member_get(group_id=group.pk, pk=pk)
    initial = {
        "display_name": member.display_name,
        "position": member.position,
        "role": member.role,
        "joined_on": member.joined_on,
        "email": member.user.email,
        "sort_order": member.sort_order,
    }
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member_update(
                member=member,
                display_name=data["display_name"],
                position=data["position"],
                role=data["role"],
                joined_on=data["joined_on"],
                email=data["email"],
                sort_order=data["sort_order"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(name)s's details were saved.")
                             % {"name": data["display_name"]})
            return _list_url(group)
    status = 400 if form.is_bound else 200
    return render(request, "sessions_app/members/form.html",
                  {"form": form, "adding": False, "subject": member}, status=status)


@group_view(managers_only=True)
def member_leave_confirm(request, pk):
    group = request.member.group
    member = member_get(group_id=group.pk, pk=pk)
    form = MemberLeaveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            member_leave(member=member, on=form.cleaned_data["left_on"], actor=request.user,
                         request=request)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s leaves the group on %(date)s. Their past records are kept.")
                % {"name": member.display_name, "date": date_format(form.cleaned_data["left_on"])},
            )
            return _list_url(group)
    status = 400 if form.is_bound else 200
    return render(request, "sessions_app/members/leave.html", {"form": form, "subject": member},
                  status=status)


@group_view(managers_only=True)
def member_rejoin_confirm(request, pk):
    group = request.member.group
    member = member_get(group_id=group.pk, pk=pk)
    if request.method == "POST":
        try:
            member_rejoin(member=member, actor=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s is in the group again.")
                             % {"name": member.display_name})
        return _list_url(group)
    return render(request, "sessions_app/members/rejoin.html", {"subject": member})


def _link_and_qr(request, member) -> dict:
    link = request.build_absolute_uri(signin_link_path(member.user))
    return {"member": member, "link": link, "qr": mark_safe(signin_link_qr_svg(link))}  # noqa: S308 - segno's own markup of our URL


@group_view(managers_only=True)
def member_link(request, pk):
    """One member's sign-in link (GET), or a new one that replaces every older link (POST)."""
    group = request.member.group
    member = member_get(group_id=group.pk, pk=pk)
    form = SigninLinkForm(
        request.POST if request.method == "POST" else None, email=member.user.email
    )
    if request.method == "POST" and form.is_valid():
        try:
            signin_link_issue(
                member=member,
                actor=request.user,
                base_url=request.build_absolute_uri("/"),
                send_email=form.cleaned_data.get("send_email", False),
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if form.cleaned_data.get("send_email"):
                messages.success(request, _("A new sign-in link was issued and sent to %(email)s; "
                                            "older links no longer work.")
                                 % {"email": member.user.email})
            else:
                messages.success(request, _("A new sign-in link was issued; older links no "
                                            "longer work. Hand this one to %(name)s.")
                                 % {"name": member.display_name})
        return redirect("sessions_app:member_link", group.slug, member.pk)
    refusal = signin_link_refusal(member)
    context = {"member": member, "refusal": refusal, "form": form,
               "valid_days": settings.SIGNIN_LINK_VALID_DAYS}
    if not refusal:
        context["link_card"] = _link_and_qr(request, member)
    return render(request, "sessions_app/members/link.html", context)


@group_view(managers_only=True)
def member_links_print(request):
    """A printable page of the sign-in links of every member who has not signed in yet."""
    group = request.member.group
    awaiting = members_awaiting_first_signin(group_id=group.pk, day=timezone.localdate())
    return render(
        request,
        "sessions_app/members/links_print.html",
        {"cards": [_link_and_qr(request, m) for m in awaiting],
         "valid_days": settings.SIGNIN_LINK_VALID_DAYS},
    )
