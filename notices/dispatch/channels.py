"""How a message travels: e-mail through Django's e-mail backend, and the group-robot webhooks
of WeCom (企业微信) and DingTalk (钉钉). In-app messages need no sending: the Delivery row is
the message.

Robots' payloads, as their documentation gives them:
- WeCom group robot ("群机器人配置说明"): POST JSON {"msgtype": "markdown", "markdown":
  {"content": "..."}} to the webhook (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...);
  content at most 4096 bytes of UTF-8.
- DingTalk custom robot ("自定义机器人安全设置: 加签"): POST JSON {"msgtype": "markdown",
  "markdown": {"title": "...", "text": "..."}} to the webhook
  (https://oapi.dingtalk.com/robot/send?access_token=...) with &timestamp=<ms>&sign=<sign>,
  sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))); the
  timestamp must be within an hour of DingTalk's clock.
Both answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; any other errcode is a failure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from notices.delivery_models import Channel, Delivery
from notices.dispatch.messages import plain_text, robot_markdown

#: WeCom's limit on a markdown message's content, in bytes of UTF-8.
WECOM_MARKDOWN_MAX_BYTES = 4096


class ChannelError(Exception):
    """A channel refused or failed a message; str() says why, as the secretary sees it."""


def webhook_problem(url: str) -> str | None:
    """Why a robot webhook address cannot be used, or None when it can: https (http only when
    ROBOT_WEBHOOK_ALLOW_HTTP, for local stand-ins) on one of ROBOT_WEBHOOK_HOSTS. Keeps the
    app from posting to an arbitrary address inside the network."""
    parts = urllib.parse.urlsplit(url)
    schemes = ("https", "http") if settings.ROBOT_WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in schemes:
        return _("The webhook address must begin with https://.")
    if (parts.hostname or "") not in settings.ROBOT_WEBHOOK_HOSTS:
        return _("The webhook address must be on %(hosts)s.") % {
            "hosts": ", ".join(settings.ROBOT_WEBHOOK_HOSTS)
        }
    return None


def dingtalk_sign(*, secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature of a timestamp (milliseconds): base64 of HMAC-SHA256 keyed with the
    secret over "timestamp\\nsecret", URL-encoded (quote_plus), as DingTalk's custom-robot
    documentation computes it."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def dingtalk_signed_url(url: str, *, secret: str, timestamp_ms: int) -> str:
    """The webhook with &timestamp= and &sign= added (unchanged when there is no secret)."""
    if not secret:
        return url
    sign = dingtalk_sign(secret=secret, timestamp_ms=timestamp_ms)
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign}"


def post_json(url: str, payload: dict) -> None:
    """POST payload as JSON to a robot; ChannelError unless it answers 200 with errcode 0."""
    if problem := webhook_problem(url):
        raise ChannelError(problem)
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.REMINDER_SEND_TIMEOUT) as response:
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise ChannelError(str(getattr(exc, "reason", exc))) from exc
    try:
        answer = json.loads(body)
    except ValueError as exc:
        raise ChannelError(f"not JSON: {body[:200]!r}") from exc
    if answer.get("errcode") != 0:
        raise ChannelError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


def _truncate_utf8(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


def _robot_address(delivery: Delivery, field: str) -> str:
    robots = getattr(delivery.group, "robots", None)
    url = getattr(robots, field, "") if robots else ""
    if not url:
        raise ChannelError(_("The group's robot webhook is no longer set."))
    return url


def send_wecom(delivery: Delivery) -> None:
    content = robot_markdown(
        title=delivery.title, body=delivery.body, link=delivery.link, language=delivery.language
    )
    post_json(
        _robot_address(delivery, "wecom_webhook"),
        {"msgtype": "markdown",
         "markdown": {"content": _truncate_utf8(content, WECOM_MARKDOWN_MAX_BYTES)}},
    )


def send_dingtalk(delivery: Delivery) -> None:
    text = robot_markdown(
        title=delivery.title, body=delivery.body, link=delivery.link, language=delivery.language
    )
    url = dingtalk_signed_url(
        _robot_address(delivery, "dingtalk_webhook"),
        secret=delivery.group.robots.dingtalk_secret,
        timestamp_ms=int(time.time() * 1000),
    )
    post_json(url, {"msgtype": "markdown", "markdown": {"title": delivery.title, "text": text}})


def send_email(delivery: Delivery) -> None:
    send_mail(
        delivery.title,
        plain_text(body=delivery.body, link=delivery.link, language=delivery.language),
        settings.DEFAULT_FROM_EMAIL,
        [delivery.address],
        fail_silently=False,
    )


#: How each channel that leaves the app sends one Delivery (raises on failure).
SENDERS = {
    Channel.EMAIL: send_email,
    Channel.WECOM: send_wecom,
    Channel.DINGTALK: send_dingtalk,
}
