"""Forms of the reminders: a member's preferences, a group's robots."""

from django import forms
from django.utils.translation import gettext_lazy as _

from notices.delivery_models import GroupRobots, ReminderPreference
from notices.dispatch.channels import webhook_problem


class ReminderPreferenceForm(forms.ModelForm):
    class Meta:
        model = ReminderPreference
        fields = ["email_enabled", "language"]
        help_texts = {
            "email_enabled": _("Messages in the app always come; untick to receive no e-mail."),
        }


class GroupRobotsForm(forms.Form):
    """The group's robot webhooks. The DingTalk secret is never shown again: left blank, the
    secret already set is kept."""

    wecom_webhook = forms.URLField(
        label=GroupRobots._meta.get_field("wecom_webhook").verbose_name,
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("From the WeCom group's “Group robot” settings, e.g. "
                    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"),
    )
    dingtalk_webhook = forms.URLField(
        label=GroupRobots._meta.get_field("dingtalk_webhook").verbose_name,
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("From the DingTalk group's custom robot, e.g. "
                    "https://oapi.dingtalk.com/robot/send?access_token=…"),
    )
    dingtalk_secret = forms.CharField(
        label=GroupRobots._meta.get_field("dingtalk_secret").verbose_name,
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("The robot's “Sign” (加签) secret, starting SEC. Leave blank to keep the one "
                    "already saved."),
    )

    def clean(self):
        cleaned = super().clean()
        for name in ("wecom_webhook", "dingtalk_webhook"):
            url = cleaned.get(name)
            if url and (problem := webhook_problem(url)):
                self.add_error(name, problem)
        return cleaned
