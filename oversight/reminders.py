"""Reminders of 报送 deadlines, sent through the notices app's channels (in the app, e-mail,
the group's WeCom and DingTalk robots).

submission_deadlines is a source of notices.dispatch.sources (registered by OversightConfig.ready):
from SUBMISSION_DUE_DAYS_AHEAD days before an organisation's deadline (ReportingDeadline) to the
day itself, the secretaries of each group that has not submitted the document tell "due soon";
after it, within the overdue window, "overdue", once each. The deadline that applies to a group is
the one deadline_for finds (its organisation's, or the nearest above it); a group counts as not
submitted by the rule the county table uses (submitted_late: nothing, or only a returned version).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import reduce
from operator import or_

from django.db.models import Q
from django.urls import reverse

from notices.delivery_models import Channel, Delivery, DeliveryKind
from notices.dispatch.sources import ESSAY_OVERDUE_WINDOW_DAYS, Due, Scan
from oversight.models import GroupPlacement, ReportingDeadline, Submission
from oversight.selectors.submissions import latest_submissions, nearest_deadline
from sessions_app.models import Member, StudyGroup, Term

#: Deadline reminders start this many days before the due day.
SUBMISSION_DUE_DAYS_AHEAD = 3


def submission_deadlines(scan: Scan) -> list[Due]:
    """A reminder to the secretaries (and the group's robots) of every group whose summary or
    plan is due to its organisation within SUBMISSION_DUE_DAYS_AHEAD days and not yet submitted
    (DeliveryKind.SUBMISSION_DUE), and once more after the day, within the overdue window
    (SUBMISSION_OVERDUE). object_id is the ReportingDeadline's id. Groups without that term, or
    without a secretary in the group today, get none. Eight queries (one when no deadline is
    near)."""
    near = list(
        ReportingDeadline.objects.filter(
            due_on__lte=scan.today + dt.timedelta(days=SUBMISSION_DUE_DAYS_AHEAD),
            due_on__gte=scan.today - dt.timedelta(days=ESSAY_OVERDUE_WINDOW_DAYS),
        ).select_related("organisation")
    )
    if not near:
        return []
    # Every deadline of the same terms and kinds, near or not: a nearer organisation's deadline
    # overrides one set above it for its groups.
    combos = {(d.year, d.half, d.kind) for d in near}
    deadlines = list(
        ReportingDeadline.objects.filter(
            reduce(or_, (Q(year=y, half=h, kind=k) for y, h, k in combos))
        ).select_related("organisation")
    )
    placements = list(
        GroupPlacement.objects.filter(
            reduce(or_, (Q(organisation__path__startswith=d.organisation.path) for d in near))
        ).values_list("group_id", "organisation__path")
    )
    near_ids = {d.pk for d in near}
    by_combo = defaultdict(list)
    for d in deadlines:
        by_combo[(d.year, d.half, d.kind)].append(d)
    applies = []  # (deadline, group id)
    for group_id, path in placements:
        for same in by_combo.values():
            deadline = nearest_deadline(same, path=path)
            if deadline is not None and deadline.pk in near_ids:
                applies.append((deadline, group_id))
    if not applies:
        return []
    # One deadline reaches many groups: a robot's row is told apart by its group, not by the
    # deadline alone (scan.decided's keys would let one group's chat stand for all).
    decided = set(
        Delivery.objects.filter(
            kind__in=(DeliveryKind.SUBMISSION_DUE, DeliveryKind.SUBMISSION_OVERDUE),
            object_id__in=near_ids,
        )
        .filter(Q(member__isnull=False, channel=Channel.IN_APP) | Q(member__isnull=True))
        .order_by()
        .values_list("kind", "object_id", "member_id", "group_id")
    )
    terms = {
        (t.group_id, t.year, t.half): t
        for t in Term.objects.filter(
            group_id__in={g for _d, g in applies},
            year__in={d.year for d in near},
            half__in={d.half for d in near},
        )
    }
    latest = {
        kind: latest_submissions(term_ids=[t.pk for t in terms.values()], kind=kind)
        for kind in {d.kind for d in near}
    }
    owing = []  # (kind, deadline, term)
    for deadline, group_id in applies:
        term = terms.get((group_id, deadline.year, deadline.half))
        if term is None:
            continue
        sent = latest[deadline.kind].get(term.pk)
        if sent is not None and sent.status != Submission.Status.RETURNED:
            continue
        kind = (
            DeliveryKind.SUBMISSION_DUE if deadline.due_on >= scan.today
            else DeliveryKind.SUBMISSION_OVERDUE
        )
        owing.append((kind, deadline, term))
    if not owing:
        return []
    secretaries = defaultdict(list)
    for pk, group_id in (
        Member.objects.in_group_on(scan.today)
        .filter(
            group_id__in={t.group_id for _k, _d, t in owing}, role=Member.Role.SECRETARY,
            user__is_active=True,
        )
        .order_by("sort_order", "pk")
        .values_list("pk", "group_id")
    ):
        secretaries[group_id].append(pk)
    groups = StudyGroup.objects.only("pk", "slug", "report_language").in_bulk(secretaries)
    dues = []
    for kind, deadline, term in owing:
        people = secretaries[term.group_id]
        if not people:
            continue
        group = groups[term.group_id]
        link = reverse("submissions:list", args=[group.slug])
        params = {
            "document": Submission.Kind(deadline.kind).label, "term": term,
            "organisation": deadline.organisation.name, "due_on": deadline.due_on,
        }
        told = tuple(pk for pk in people if (kind, deadline.pk, pk, group.pk) not in decided)
        if told:
            dues.append(Due(kind, deadline.pk, group, told, params, link))
        if group.pk in scan.robots and (kind, deadline.pk, None, group.pk) not in decided:
            dues.append(Due(kind, deadline.pk, group, None, params, link))
    return dues

