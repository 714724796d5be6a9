"""Writes of the reminders: deciding what is due (once), sending one message (once), opening
an in-app message, a member's reminder preferences and a group's robots.

Exactly once: deliveries_decide_due inserts the sent-log rows in one statement that skips rows
already there (the unique constraint per kind, object, recipient and channel), inside the scan's
transaction, and returns only the rows its own insert made (RETURNING; by its batch token on
SQLite); a concurrent or repeated scan gets none of them. delivery_send claims a row with one
conditional UPDATE (pending -> sending) before sending, so a task delivered twice, or queued by a
scan and by a retry at once, sends once. A send interrupted after the claim (the worker killed)
is never repeated: the row is marked failed as interrupted (deliveries_scan), since the message
may have left.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from notices.delivery_models import (
    Channel,
    Delivery,
    GroupRobots,
    ReminderPreference,
)
from notices.dispatch.channels import SENDERS
from notices.dispatch.messages import compose
from notices.dispatch.sources import (
    SOURCES,
    Due,
    Recipient,
    Scan,
    recipient_languages,
    recipient_rows,
    recipients,
)
from sessions_app.models import Member, StudyGroup

logger = logging.getLogger(__name__)

#: Delivery.error of a send whose worker stopped after claiming it (shown translated).
INTERRUPTED = "interrupted"
#: A pending row this long past its time is queued again by the scan (its task was lost).
REQUEUE_AFTER = dt.timedelta(minutes=2)


#: The sent-log columns a scan writes per row, in the rows' order; the rest are the scan's own
#: (batch, created_at) or defaults (attempts 0, no error, not claimed, not read).
_ROW_FIELDS = (
    "group_id", "kind", "object_id", "about_id", "member_id", "channel", "address", "language",
    "title", "body", "link", "status", "next_attempt_at", "sent_at",
)


def _words(due: Due, language: str, *, composed: dict) -> tuple[str, str]:
    """The (title, body) of a Due in language, composed once per params dict, language and
    audience (a group's chat reads other words than a member)."""
    robot = due.members is None
    key = (due.kind, id(due.params), language, robot)
    if key not in composed:
        params = {**due.params, "robot": True} if robot else due.params
        composed[key] = compose(due.kind, params, language=language)
    return composed[key]


def _robot_rows(due: Due, *, scan: Scan, composed: dict) -> list[tuple]:
    """The rows (tuples of _ROW_FIELDS) of a Due to the group's chat: one per robot it has set,
    pending, in the group's report language."""
    language = due.group.report_language
    title, body = _words(due, language, composed=composed)
    return [
        (due.group.pk, due.kind, due.object_id, due.about_id, None, channel, "", language,
         title, body, due.link, Delivery.Status.PENDING, scan.now, None)
        for channel in scan.robots[due.group.pk].channels
    ]


def _member_rows(due: Due, member: Recipient, *, now: dt.datetime, composed: dict) -> list[tuple]:
    """The rows of a Due to one member: in the app (sent as it is written) and, when they take
    e-mail and have an address, by e-mail (pending). On PostgreSQL the insert applies the same
    rule in SQL (_insert_postgresql); tests run on both."""
    title, body = _words(due, member.language, composed=composed)
    key = (due.group.pk, due.kind, due.object_id, due.about_id, member.pk)
    rows = [(*key, Channel.IN_APP, "", member.language, title, body, due.link,
             Delivery.Status.SENT, None, now)]
    if member.email_enabled and member.email:
        rows.append((*key, Channel.EMAIL, member.email, member.language, title, body, due.link,
                     Delivery.Status.PENDING, now, None))
    return rows


def _insert_rows(dues: list[Due], *, scan: Scan, batch: str, composed: dict) -> list[int]:
    """Write the Dues' rows the sent-log's unique constraints let in (elsewhere than on
    PostgreSQL: SQLite): the members' recipient_rows are read, every row is built here and
    inserted with bulk_create(ignore_conflicts=True), then the batch's pending rows are read
    back. Returns their ids in order."""
    rows = [row for due in dues if due.members is None
            for row in _robot_rows(due, scan=scan, composed=composed)]
    told = [due for due in dues if due.members is not None]
    if told:
        people = {
            member.pk: member
            for member in recipients(Member.objects.filter(group_id__in={d.group.pk for d in told}))
        }
        rows += [
            row for due in told for pk in due.members if pk in people
            for row in _member_rows(due, people[pk], now=scan.now, composed=composed)
        ]
    if not rows:
        return []
    Delivery.objects.bulk_create(
        [Delivery(**dict(zip(_ROW_FIELDS, row, strict=True)), batch=batch, created_at=scan.now)
         for row in rows],
        ignore_conflicts=True,
    )
    return list(
        Delivery.objects.filter(batch=batch, status=Delivery.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _unnest(types: tuple[str, ...], rows: list[tuple]) -> tuple[str, list]:
    """SQL that reads rows sent as one array per column: ``unnest(%b::type[], ...)``, and its
    parameters; types are the columns' SQL types, rows tuples in their order. Sends thousands of
    rows as a few arrays, not as a parameter per value."""
    columns = [list(column) for column in zip(*rows, strict=True)] or [[] for _t in types]
    # %b: psycopg sends each array in binary, not as text it would quote element by element.
    sql = ", ".join(f"%b::{sql_type}[]" for sql_type in types)
    return f"unnest({sql})", columns


@contextmanager
def _server_bound_cursor():
    """A Django cursor (logged and wrapped as every other) whose parameters psycopg binds on
    the server."""
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as raw:
        if connection.queries_logged:
            yield connection.make_debug_cursor(raw)
        else:
            yield connection.make_cursor(raw)


def _insert_postgresql(dues: list[Due], *, scan: Scan, batch: str, composed: dict) -> list[int]:
    """Write the Dues' rows the sent-log's unique constraints let in, on PostgreSQL: one INSERT
    ... SELECT ... ON CONFLICT DO NOTHING RETURNING, whose rows the database builds. The members
    told are joined to recipient_rows there (who can be told, their address, whether they take
    e-mail, their language), so a scan telling thousands of members loads none of them: Python
    composes each Due's words once in each language a member may read (recipient_languages) and
    sends them, the Dues and the (Due, member) pairs as arrays. The robots' few rows are
    built here and sent as arrays too. Returns the ids of the pending rows it inserted, in order.
    """
    meta = Delivery._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in _ROW_FIELDS)
    own = f"{quote('attempts')}, {quote('error')}, {quote('batch')}, {quote('created_at')}"
    words_query, words_params, selects, params = "", [], [], []

    rows = [row for due in dues if due.members is None
            for row in _robot_rows(due, scan=scan, composed=composed)]
    if rows:
        types = tuple(meta.get_field(name).db_type(connection) for name in _ROW_FIELDS)
        source, values = _unnest(types, rows)
        selects.append(f"SELECT *, 0, '', %s, %s FROM {source}")
        params += [batch, scan.now, *values]

    told = [due for due in dues if due.members is not None]
    if told:
        default = ReminderPreference().language
        languages = recipient_languages()
        words = [
            (n, language, *_words(due, language, composed=composed))
            for n, due in enumerate(told)
            for language in languages
        ]
        pairs = [(n, pk) for n, due in enumerate(told) for pk in due.members]
        people = recipient_rows(Member.objects.filter(group_id__in={d.group.pk for d in told}))
        who, who_params = people.values_list(
            "pk", "to_address", "takes_email", "in_language"
        ).query.sql_with_params()
        words_sql, words_params = _unnest(("int", "text", "text", "text"), words)
        dues_sql, dues_params = _unnest(
            ("int", "bigint", "text", "bigint", "bigint", "text"),
            [(n, d.group.pk, d.kind, d.object_id, d.about_id, d.link) for n, d in enumerate(told)],
        )
        pairs_sql, pairs_params = _unnest(("int", "bigint"), pairs)
        in_app, email = Channel.IN_APP, Channel.EMAIL
        sent, pending = Delivery.Status.SENT, Delivery.Status.PENDING
        words_query = f"words (n, language, title, body) AS (SELECT * FROM {words_sql}), "
        # The same rule as _member_rows: in the app, sent; by e-mail when they take it and have
        # an address, pending. A member whose language has no words (they chose it since the
        # languages were asked) reads the default language's.
        selects.append(
            f"SELECT d.group_id, d.kind, d.object_id, d.about_id, r.pk, c.channel, "
            f"CASE WHEN c.channel = %s THEN r.address ELSE '' END, "
            f"COALESCE(w.language, w0.language), COALESCE(w.title, w0.title), "
            f"COALESCE(w.body, w0.body), d.link, "
            f"CASE WHEN c.channel = %s THEN %s ELSE %s END, "
            f"CASE WHEN c.channel = %s THEN NULL ELSE %s::timestamptz END, "
            f"CASE WHEN c.channel = %s THEN %s::timestamptz END, "
            f"0, '', %s, %s "
            f"FROM {pairs_sql} AS t(n, member_id) "
            f"JOIN {dues_sql} AS d(n, group_id, kind, object_id, about_id, link) ON d.n = t.n "
            f"JOIN ({who}) AS r(pk, address, takes_email, language) ON r.pk = t.member_id "
            f"JOIN words AS w0 ON w0.n = t.n AND w0.language = %s "
            f"LEFT JOIN words AS w ON w.n = t.n AND w.language = r.language "
            f"JOIN (VALUES (%s), (%s)) AS c(channel) "
            f"ON c.channel = %s OR (r.takes_email AND r.address <> '')"
        )
        params += [email, in_app, sent, pending, in_app, scan.now, in_app, scan.now,
                   batch, scan.now, *pairs_params, *dues_params, *who_params,
                   default, in_app, email, in_app]
    if not selects:
        return []
    # Bound on the server (Django's cursors bind on the client), so that the arrays travel in
    # binary instead of as SQL text to be quoted here and parsed there.
    with _server_bound_cursor() as cursor:
        # Only the pending rows' ids come back (the in-app rows, most of them, are sent).
        cursor.execute(
            f"WITH {words_query}made AS ("
            f"INSERT INTO {quote(meta.db_table)} ({columns}, {own}) "
            + " UNION ALL ".join(selects)
            + f" ON CONFLICT DO NOTHING RETURNING {quote('id')}, {quote('status')}) "
            f"SELECT {quote('id')} FROM made WHERE {quote('status')} = %s ORDER BY 1",
            [*words_params, *params, Delivery.Status.PENDING],
        )
        return [pk for (pk,) in cursor.fetchall()]


@contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off for the block, then as it was. A first scan
    allocates some 300,000 tuples, lists and dicts, none of them in a cycle, and each few
    hundred set off a collection that also walks every long-lived object of the process (about
    170,000 in a worker): a fifth of the scan's Python time, and its slowest runs. Reference
    counting still frees what the scan drops; the next collection after it finds the rest."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@transaction.atomic
def deliveries_decide_due(*, now: dt.datetime | None = None) -> list[int]:
    """Decide every message due at `now` (default: now) from SOURCES and write its sent-log
    rows: in-app rows as sent, e-mail and robot rows as pending. Returns the ids of the pending
    rows this call created (to be sent by delivery_send), never one another call created.

    A fixed number of queries whatever the data's size (pinned in
    tests/notices/test_delivery_scan.py); on PostgreSQL the rows are written by one INSERT that
    builds them in the database (_insert_postgresql); elsewhere they are built here and
    inserted in batches of the database's parameter limit (_insert_rows).
    """
    now = now or timezone.now()
    scan = Scan(
        now=now,
        today=timezone.localdate(now),
        robots={
            robots.group_id: robots
            for robots in GroupRobots.objects.exclude(wecom_webhook="", dingtalk_webhook="")
        },
    )
    insert = _insert_postgresql if connection.vendor == "postgresql" else _insert_rows
    with _collector_paused():
        dues = [due for source in SOURCES for due in source(scan)]
        if not dues:
            return []
        return insert(dues, scan=scan, batch=uuid.uuid4().hex, composed={})


def deliveries_scan(*, now: dt.datetime | None = None) -> list[int]:
    """One scan: decide what is due (deliveries_decide_due), mark sends interrupted past the
    task time limit as failed (never resent), and return the ids to send now: the new rows and
    pending ones whose next attempt is due and whose task seems lost (REQUEUE_AFTER). A fixed
    number of queries."""
    now = now or timezone.now()
    new = deliveries_decide_due(now=now)
    Delivery.objects.filter(
        status=Delivery.Status.SENDING,
        claimed_at__lt=now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
    ).update(status=Delivery.Status.FAILED, error=INTERRUPTED)
    again = Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=now - REQUEUE_AFTER
    ).exclude(pk__in=new)
    return new + list(again.order_by("pk").values_list("pk", flat=True))


@dataclass(frozen=True)
class SendOutcome:
    """What delivery_send did: sent it; or not (claimed elsewhere, already sent or failed);
    retry_in: seconds until a failed attempt may be tried again (None: no retry)."""

    sent: bool
    retry_in: float | None = None


def delivery_send(*, delivery_id: int, now: dt.datetime | None = None) -> SendOutcome:
    """Send one pending message whose time has come, once.

    Claims the row (pending -> sending, one conditional UPDATE; nothing happens when another
    worker has it or it is done), sends it on its channel (notices.dispatch.channels), then
    marks it sent. A failure is kept in error: the row goes back to pending, to be tried
    REMINDER_RETRY_BACKOFF seconds later (doubled each time), or, once REMINDER_MAX_RETRIES
    retries have failed too, to failed, which the secretary's reminders page shows. Not one
    transaction: the claim commits before the network is used, so it survives a crash mid-send.
    """
    now = now or timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .exclude(channel=Channel.IN_APP)
        .update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return SendOutcome(sent=False)
    delivery = Delivery.objects.select_related("group__robots").get(pk=delivery_id)
    try:
        SENDERS[delivery.channel](delivery)
    except Exception as exc:  # any failure is the secretary's to see, not a stuck row
        logger.warning("Reminder %s on %s failed: %s", delivery.pk, delivery.channel, exc)
        error = str(exc) or exc.__class__.__name__
        if delivery.attempts > settings.REMINDER_MAX_RETRIES:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.FAILED, error=error
            )
            return SendOutcome(sent=False)
        wait = settings.REMINDER_RETRY_BACKOFF * 2 ** (delivery.attempts - 1)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING, error=error,
            next_attempt_at=now + dt.timedelta(seconds=wait),
        )
        return SendOutcome(sent=False, retry_in=wait)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), error=""
    )
    return SendOutcome(sent=True)


def delivery_open(*, member: Member, pk: int) -> Delivery:
    """The member's in-app message, marked read the first time it is opened (read_at); 404
    for anyone else's."""
    delivery = Delivery.objects.inbox_of(member).filter(pk=pk).first()
    if delivery is None:
        raise Http404("No such message")
    if delivery.read_at is None:
        delivery.read_at = timezone.now()
        Delivery.objects.filter(pk=delivery.pk, read_at__isnull=True).update(
            read_at=delivery.read_at
        )
    return delivery


@transaction.atomic
def reminder_preference_update(*, user, email_enabled: bool, language: str) -> ReminderPreference:
    """Set whether the user's reminders also come by e-mail (in-app ones always do) and their
    language. Messages already decided keep theirs. Raises ValidationError for an unknown
    language."""
    preference, _created = ReminderPreference.objects.get_or_create(user=user)
    preference.email_enabled = email_enabled
    preference.language = language
    preference.full_clean()
    preference._history_user = user
    preference.save()
    return preference


@transaction.atomic
def group_robots_update(
    *, group: StudyGroup, actor, wecom_webhook: str, dingtalk_webhook: str,
    dingtalk_secret: str | None,
) -> GroupRobots:
    """Set the group's robot webhooks (blank: not used). dingtalk_secret None keeps the secret
    already set; clearing the DingTalk webhook clears its secret. Raises ValidationError for an
    address webhook_problem refuses."""
    from notices.dispatch.channels import webhook_problem

    errors = {}
    for field, url in (("wecom_webhook", wecom_webhook), ("dingtalk_webhook", dingtalk_webhook)):
        if url and (problem := webhook_problem(url)):
            errors[field] = problem
    if errors:
        raise ValidationError(errors)
    robots, created = GroupRobots.objects.get_or_create(
        group=group, defaults={"created_by": actor, "updated_by": actor}
    )
    robots.wecom_webhook = wecom_webhook
    robots.dingtalk_webhook = dingtalk_webhook
    if dingtalk_secret is not None:
        robots.dingtalk_secret = dingtalk_secret
    if not dingtalk_webhook:
        robots.dingtalk_secret = ""
    robots.updated_by = actor
    robots.full_clean()
    robots._history_user = actor
    robots.save()
    return robots
