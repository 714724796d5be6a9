"""Writes of the reminders: deciding what is due (once), sending one message (once), opening
an in-app message, a member's reminder preferences and a group's robots.

Exactly once: deliveries_decide_due inserts the sent-log rows in one statement that skips rows
already there (the unique constraint per kind, object, recipient and channel), inside the scan's
transaction, and returns only the rows its own insert made (RETURNING; by its batch token on
SQLite); a concurrent or
repeated scan gets none of them. delivery_send claims a row with one conditional UPDATE (pending
-> sending) before sending, so a task delivered twice, or queued by a scan and by a retry at
once, sends once. A send interrupted after the claim (the worker killed) is never repeated: the
row is marked failed as interrupted (deliveries_scan), since the message may have left.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
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
from notices.dispatch.sources import SOURCES, Due, Scan
from sessions_app.models import Member, StudyGroup

logger = logging.getLogger(__name__)

#: Delivery.error of a send whose worker stopped after claiming it (shown translated).
INTERRUPTED = "interrupted"
#: A pending row this long past its time is queued again by the scan (its task was lost).
REQUEUE_AFTER = dt.timedelta(minutes=2)


#: The sent-log columns a scan writes per row, in _rows_for's order; the rest are the scan's own
#: (batch, created_at) or defaults (attempts 0, no error, not claimed, not read).
_ROW_FIELDS = (
    "group_id", "kind", "object_id", "about_id", "member_id", "channel", "address", "language",
    "title", "body", "link", "status", "next_attempt_at", "sent_at",
)


def _rows_for(due: Due, *, scan: Scan, composed: dict) -> list[tuple]:
    """The sent-log rows of one Due as tuples of _ROW_FIELDS: the robots' rows for a group's
    chat; a member's in-app row (sent) and e-mail row (pending) when they take e-mail."""

    def words(language: str, robot: bool) -> tuple[str, str]:
        # A session's members share one params dict: its words are composed once per language.
        key = (due.kind, id(due.params), language, robot)
        if key not in composed:
            params = {**due.params, "robot": True} if robot else due.params
            composed[key] = compose(due.kind, params, language=language)
        return composed[key]

    pending, sent, now = Delivery.Status.PENDING, Delivery.Status.SENT, scan.now
    if due.member is None:
        language = due.group.report_language
        title, body = words(language, True)
        return [
            (due.group.pk, due.kind, due.object_id, due.about_id, None, channel, "", language,
             title, body, due.link, pending, now, None)
            for channel in scan.robots[due.group.pk].channels
        ]
    member = due.member
    title, body = words(member.language, False)
    rows = [(due.group.pk, due.kind, due.object_id, due.about_id, member.pk, Channel.IN_APP, "",
             member.language, title, body, due.link, sent, None, now)]
    if member.email_enabled and member.email:
        rows.append((due.group.pk, due.kind, due.object_id, due.about_id, member.pk,
                     Channel.EMAIL, member.email, member.language, title, body, due.link,
                     pending, now, None))
    return rows


def _insert_new(rows: list[tuple], *, batch: str, now: dt.datetime) -> list[int]:
    """Insert the rows (tuples of _ROW_FIELDS) that the sent-log's unique constraints let in,
    skipping those already decided, all marked with batch and created at now. Returns the ids
    of the pending rows it inserted, in order.

    On PostgreSQL the rows are copied (COPY, binary-fast) into a temporary table dropped at
    commit, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING moves them over:
    Django's bulk_create sends one parameter per value, and 23,919 rows took 10 s to build and
    send. Elsewhere (SQLite) bulk_create with ignore_conflicts, then the batch's rows are read."""
    if connection.vendor != "postgresql":
        Delivery.objects.bulk_create(
            [Delivery(**dict(zip(_ROW_FIELDS, row, strict=True)), batch=batch, created_at=now)
             for row in rows],
            ignore_conflicts=True,
        )
        return list(
            Delivery.objects.filter(batch=batch, status=Delivery.Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    meta = Delivery._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in _ROW_FIELDS)
    scratch = quote(f"delivery_decided_{batch}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS "
            f"SELECT {columns} FROM {quote(meta.db_table)} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {scratch} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}, {quote('attempts')}, "
            f"{quote('error')}, {quote('batch')}, {quote('created_at')}) "
            f"SELECT {columns}, 0, '', %s, %s FROM {scratch} "
            f"ON CONFLICT DO NOTHING RETURNING {quote('id')}, {quote('status')}",
            [batch, now],
        )
        made = cursor.fetchall()
    return sorted(pk for pk, status in made if status == Delivery.Status.PENDING)


@transaction.atomic
def deliveries_decide_due(*, now: dt.datetime | None = None) -> list[int]:
    """Decide every message due at `now` (default: now) from SOURCES and write its sent-log
    rows: in-app rows as sent, e-mail and robot rows as pending. Returns the ids of the pending
    rows this call created (to be sent by delivery_send), never one another call created.

    A fixed number of queries whatever the data's size (pinned in
    tests/notices/test_delivery_scan.py); the insert is one COPY and one INSERT on PostgreSQL
    (_insert_new; SQLite splits a very large insert into batches of its parameter limit).
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
    batch = uuid.uuid4().hex
    composed = {}
    rows = [row for source in SOURCES for due in source(scan)
            for row in _rows_for(due, scan=scan, composed=composed)]
    if not rows:
        return []
    return _insert_new(rows, batch=batch, now=now)


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
