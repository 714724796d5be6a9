"""What each reminder says, in Chinese or English: a title and a plain-text body per kind.

compose() renders one message in one language; the words are gettext strings (locale/), so the
Chinese text is the zh_Hans catalogue's. Dates are formatted in the message's language
(2020年3月15日 / March 15, 2020), rates as 93.5%. Robots' markdown adds the title in bold and a
link back to the app (robot_markdown).
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from notices.delivery_models import DeliveryKind
from sessions_app.models import Term


class _Words:
    """One language's words as compose writes them: its gettext (called as ``_``), its dates
    (day) and its times (when), each looked up once per process and language. A scan composes
    thousands of messages, and every gettext or date_format call asks again which language is
    active (a context-local). day and when format in the active language: compose activates
    this one."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._said: dict[str, str] = {}
        self._days: dict[dt.date, str] = {}

    def __call__(self, message: str) -> str:
        if message not in self._said:
            with translation.override(self.language):
                self._said[message] = gettext(message)
        return self._said[message]

    def day(self, day: dt.date | None) -> str:
        if not day:
            return ""
        if day not in self._days:
            self._days[day] = date_format(day)
        return self._days[day]

    def when(self, day: dt.date, start: dt.time | None) -> str:
        return f"{self.day(day)} {time_format(start, 'H:i')}" if start else self.day(day)


def _rate(rate: Decimal) -> str:
    return f"{rate}%"


def compose(kind: str, params: dict, *, language: str) -> tuple[str, str]:
    """The (title, body) of a message of `kind` (DeliveryKind) in `language` (a code of
    settings.LANGUAGES). params holds the facts the kind names:

    - notice kinds: topic, date, start_time, place; robots' notice_unread also unread (a count);
    - essay kinds: topic, date, due_on; robots' also missing (a count);
    - attendance kinds: term (a Term, named by Term.label_of), rate and rule (Decimal percent);
      the secretary's also name;
    - submission kinds: document (its lazy label), term (a Term), organisation (name), due_on.
    ``robot=True`` in params: the group's chat, which names nobody.
    Raises KeyError for a kind it has no words for.
    """
    said = _words_in(language)
    term = params.get("term")
    if isinstance(term, Term):
        params = {**params, "term": _term_label(term.year, term.half, language)}
    if translation.get_language() == language:  # a scan composes thousands in one language
        return _COMPOSERS[kind](params, said)
    with translation.override(language):
        return _COMPOSERS[kind](params, said)


@functools.cache
def _words_in(language: str) -> _Words:
    return _Words(language)


@functools.lru_cache(maxsize=1024)
def _term_label(year: int, half: int, language: str) -> str:
    with translation.override(language):
        return Term.label_of(year=year, half=half)


def _notice(p: dict, _: _Words) -> tuple[str, str]:
    title = _("Notice of study: %(topic)s") % {"topic": p["topic"]}
    body = _("When: %(when)s. Where: %(place)s. Please read the notice and confirm you have "
             "read it.") % {"when": _.when(p["date"], p["start_time"]), "place": p["place"] or "—"}
    return title, body


def _notice_unread(p: dict, _: _Words) -> tuple[str, str]:
    title = _("Tomorrow's study: %(topic)s") % {"topic": p["topic"]}
    if p.get("robot"):
        body = _("The session is at %(when)s, %(place)s. %(unread)s members have not yet "
                 "confirmed reading its notice.") % {
            "when": _.when(p["date"], p["start_time"]), "place": p["place"] or "—",
            "unread": p["unread"],
        }
    else:
        body = _("The session is at %(when)s, %(place)s. You have not yet confirmed reading its "
                 "notice: please read it.") % {
            "when": _.when(p["date"], p["start_time"]), "place": p["place"] or "—",
        }
    return title, body


def _essay_due(p: dict, _: _Words) -> tuple[str, str]:
    title = _("Reflection essay due %(due)s") % {"due": _.day(p["due_on"])}
    if p.get("robot"):
        body = _("Reflection essays on “%(topic)s” (%(date)s) are due %(due)s; %(missing)s "
                 "members have not yet submitted one.") % {
            "topic": p["topic"], "date": _.day(p["date"]), "due": _.day(p["due_on"]),
            "missing": p["missing"],
        }
    else:
        body = _("Your reflection essay on “%(topic)s” (%(date)s) is due %(due)s.") % {
            "topic": p["topic"], "date": _.day(p["date"]), "due": _.day(p["due_on"]),
        }
    return title, body


def _essay_overdue(p: dict, _: _Words) -> tuple[str, str]:
    title = _("Reflection essay overdue since %(due)s") % {"due": _.day(p["due_on"])}
    if p.get("robot"):
        body = _("Reflection essays on “%(topic)s” (%(date)s) were due %(due)s; %(missing)s "
                 "members have not yet submitted one.") % {
            "topic": p["topic"], "date": _.day(p["date"]), "due": _.day(p["due_on"]),
            "missing": p["missing"],
        }
    else:
        body = _("Your reflection essay on “%(topic)s” (%(date)s) was due %(due)s. Please "
                 "submit it.") % {
            "topic": p["topic"], "date": _.day(p["date"]), "due": _.day(p["due_on"]),
        }
    return title, body


def _attendance_low(p: dict, _: _Words) -> tuple[str, str]:
    title = _("Your attendance rate is below the group's rule")
    body = _("Your attendance rate in %(term)s is %(rate)s, below the group's rule of "
             "%(rule)s.") % {"term": p["term"], "rate": _rate(p["rate"]), "rule": _rate(p["rule"])}
    return title, body


def _attendance_low_secretary(p: dict, _: _Words) -> tuple[str, str]:
    title = _("%(name)s's attendance rate is below the group's rule") % {"name": p["name"]}
    body = _("%(name)s's attendance rate in %(term)s is %(rate)s, below the group's rule of "
             "%(rule)s.") % {
        "name": p["name"], "term": p["term"], "rate": _rate(p["rate"]), "rule": _rate(p["rule"])
    }
    return title, body


def _makeup(p: dict, _: _Words) -> tuple[str, str]:
    if p["overdue"]:
        title = _("Your make-up study is overdue")
        body = _("Your make-up study (补学) for “%(topic)s” (%(date)s) was due %(due)s. Please "
                 "submit your notes.")
    else:
        title = _("Your make-up study is due soon")
        body = _("Your make-up study (补学) for “%(topic)s” (%(date)s) is due %(due)s.")
    return title, body % {
        "topic": p["topic"], "date": _.day(p["date"]), "due": _.day(p["makeup_due_on"]),
    }


def _submission(p: dict, _: _Words, *, overdue: bool) -> tuple[str, str]:
    facts = {
        "document": p["document"], "term": p["term"], "organisation": p["organisation"],
        "due": _.day(p["due_on"]),
    }
    if overdue:
        title = _("The %(document)s is overdue to %(organisation)s") % facts
        body = _("The %(document)s of %(term)s was due to %(organisation)s on %(due)s and has "
                 "not been submitted. Please approve and submit it.") % facts
    else:
        title = _("The %(document)s is due to %(organisation)s on %(due)s") % facts
        body = _("The %(document)s of %(term)s is due to %(organisation)s on %(due)s and has "
                 "not been submitted yet.") % facts
    return title, body


_COMPOSERS = {
    DeliveryKind.NOTICE: _notice,
    DeliveryKind.NOTICE_UNREAD: _notice_unread,
    DeliveryKind.ESSAY_DUE: _essay_due,
    DeliveryKind.ESSAY_OVERDUE: _essay_overdue,
    DeliveryKind.ATTENDANCE_LOW: _attendance_low,
    DeliveryKind.ATTENDANCE_LOW_SECRETARY: _attendance_low_secretary,
    DeliveryKind.MAKEUP: _makeup,
    DeliveryKind.SUBMISSION_DUE: functools.partial(_submission, overdue=False),
    DeliveryKind.SUBMISSION_OVERDUE: functools.partial(_submission, overdue=True),
}


def absolute_link(path: str) -> str:
    """The app's address of a path, from SITE_URL ("" when SITE_URL is not set: a message
    that leaves the app then carries no link)."""
    if not path or not settings.SITE_URL:
        return ""
    return settings.SITE_URL + path


def plain_text(*, body: str, link: str, language: str) -> str:
    """An e-mail's text: the body, then the link back to the app when there is one."""
    url = absolute_link(link)
    if not url:
        return body
    with translation.override(language):
        return f"{body}\n\n{_('Open in the app:')} {url}"


def robot_markdown(*, title: str, body: str, link: str, language: str) -> str:
    """A robot's markdown (WeCom's and DingTalk's subset): the title in bold, the body, and a
    link back to the app when SITE_URL is set."""
    text = f"**{title}**\n\n{body}"
    url = absolute_link(link)
    if url:
        with translation.override(language):
            text += f"\n\n[{_('Open in the app')}]({url})"
    return text
