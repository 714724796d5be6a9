"""The members page's forms: add, edit, leave, order, and a new sign-in link."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions_app.forms.sessions import DateInput
from sessions_app.forms.text import SingleLineTextField
from sessions_app.models import Member


class MemberForm(forms.Form):
    """A member's details, as member_update takes them."""

    display_name = SingleLineTextField(label=_("Name"), max_length=100)
    position = SingleLineTextField(
        label=_("Position (职务)"), max_length=200, required=False,
        help_text=_("As on official lists, e.g. 县委副书记."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Member.Role.choices)
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput())
    email = forms.EmailField(
        label=_("E-mail"), required=False, help_text=_("Optional: only for sending sign-in links.")
    )
    sort_order = forms.IntegerField(
        label=_("Order"), min_value=0, required=False,
        help_text=_("Lists, sign-in sheets and reports go by this number, smallest first."),
    )


class MemberAddForm(MemberForm):
    """A new member with a new account: member_add's arguments."""

    username = forms.CharField(
        label=_("User name"), max_length=150, required=False,
        help_text=_("Leave empty to use the phone number. Letters, digits and @ . + - _ only."),
    )
    phone = forms.CharField(
        label=_("Phone number"), max_length=30, required=False,
        help_text=_("Used as the user name when none is typed."),
    )

    field_order = ["display_name", "position", "role", "username", "phone", "email", "joined_on"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("joined_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = Member.Role.MEMBER
        self.fields["sort_order"].help_text = _("Leave empty to put the member at the end.")


class MemberLeaveForm(forms.Form):
    left_on = forms.DateField(
        label=_("Leaves on"), widget=DateInput(),
        help_text=_("From this day the member is out: not on sign-in sheets or in the figures."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("left_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class MemberOrderForm(forms.Form):
    """One order number per member (order-<id>), as the list page shows them."""

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        for m in members:
            self.fields[f"order-{m.pk}"] = forms.IntegerField(
                label=_("Order of %(name)s") % {"name": m.display_name},
                min_value=0, max_value=1_000_000, initial=m.sort_order,
            )

    def sort_orders(self) -> dict[int, int]:
        return {int(name[6:]): value for name, value in self.cleaned_data.items()}


class SigninLinkForm(forms.Form):
    send_email = forms.BooleanField(label=_("Also send it by e-mail"), required=False)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        if not (settings.EMAIL_ENABLED and email):
            del self.fields["send_email"]
