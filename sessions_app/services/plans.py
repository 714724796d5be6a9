"""Writing the study plan (学习计划): start it, save its topics, approve it, mark research done.

Editing an approved plan is allowed (plans change during a term) but returns it to draft, so
what a leader approved is always what the plan says.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from audit.models import AuditEvent
from audit.services import audit_record
from audit.stale import check_fresh
from sessions_app.models import Member, PlannedTopic, StudyGroup, StudyPlan, Term
from sessions_app.services.terms import term_get_or_create

# Fields a topic's form sets, per kind; completed_on is set only by planned_topic_mark_done.
STUDY_FIELDS = ("title", "planned_month", "format", "lead_speaker", "readings")
RESEARCH_FIELDS = ("title", "due_date")
# Checked once by the caller (the plan) or not user-set: validating them would query per topic.
_CLEAN_EXCLUDE = ["plan", "created_by", "updated_by"]


@dataclass
class TopicInput:
    """One topic as the form gives it: id None for a new topic."""

    kind: str
    title: str
    id: int | None = None
    planned_month: int | None = None
    format: str = ""
    lead_speaker: str = ""
    readings: str = ""
    due_date: dt.date | None = None
    assignees: list[Member] = field(default_factory=list)


@dataclass(frozen=True)
class PlanSaveResult:
    added: int
    changed: int
    removed: int
    returned_to_draft: bool


def term_months(term: Term) -> list[int]:
    """The months (1–12) a term covers, in order."""
    return list(range(term.start_date.month, term.end_date.month + 1))


def planned_topic_errors(
    *,
    term: Term,
    group_id: int,
    kind: str,
    planned_month: int | None = None,
    due_date: dt.date | None = None,
    assignees: list[Member] | None = None,
) -> dict[str, str]:
    """The rules a topic must keep within its plan, as {field: message}; empty when it keeps them.

    Forms call this to put each message next to its field; the services call it again.
    """
    errors: dict[str, str] = {}
    if planned_month is not None and planned_month not in term_months(term):
        errors["planned_month"] = _("Choose a month within %(term)s.") % {"term": term.label}
    if due_date is not None and due_date < term.start_date:
        errors["due_date"] = _("The due date cannot be before %(term)s starts.") % {
            "term": term.label
        }
    if kind == PlannedTopic.Kind.RESEARCH and any(m.group_id != group_id for m in assignees or []):
        errors["assignees"] = _("Only members of this study group can be assigned.")
    return errors


@transaction.atomic
def plan_start(
    *, group: StudyGroup, year: int, half: int, user: AbstractBaseUser
) -> tuple[StudyPlan, bool]:
    """The group's plan for the half-year, creating the term and the draft plan if missing.

    Returns (plan, created); starting a plan that exists changes nothing.
    """
    term = term_get_or_create(group=group, year=year, half=half, user=user)
    existing = StudyPlan.objects.filter(term=term).first()
    if existing is not None:
        return existing, False
    plan = StudyPlan(group=group, term=term, created_by=user, updated_by=user)
    plan.full_clean()
    plan.save()
    return plan, True


def _apply(topic: PlannedTopic, data: TopicInput, fields: tuple[str, ...]) -> None:
    for name in fields:
        setattr(topic, name, getattr(data, name))


@transaction.atomic
def plan_topics_save(
    *,
    plan: StudyPlan,
    user: AbstractBaseUser,
    topics: list[TopicInput],
    removed_ids: list[int] | tuple[int, ...] = (),
    notes: str | None = None,
    seen: str | None = None,
) -> PlanSaveResult:
    """Save the plan's topics as listed (in this order), remove the given ones, update the notes.

    Runs a fixed number of queries however many topics there are (bulk writes). Raises
    ValidationError if a topic breaks a rule or is not the plan's. An approved plan returns to
    draft, its approval cleared. seen is the plan's version the form was opened at
    (audit.stale.version_of): when someone saved the plan since, raises
    audit.stale.StaleEdit and changes nothing. Every topic written keeps a history row.
    """
    plan = StudyPlan.objects.select_for_update().select_related("term").get(pk=plan.pk)
    check_fresh(locked=plan, seen=seen, group_id=plan.group_id)
    term = plan.term
    existing = {t.pk: t for t in PlannedTopic.objects.filter(plan=plan)}
    removed = set(removed_ids)
    if not removed <= existing.keys():
        raise ValidationError(_("A topic to remove is not in this plan."))

    now = timezone.now()
    to_update: dict[str, list[PlannedTopic]] = {
        PlannedTopic.Kind.STUDY: [],
        PlannedTopic.Kind.RESEARCH: [],
    }
    to_create: list[PlannedTopic] = []
    assigned: list[tuple[PlannedTopic, list[Member]]] = []
    for position, data in enumerate(topics):
        if data.kind not in PlannedTopic.Kind.values:
            raise ValidationError(_("Unknown kind of topic."))
        errors = planned_topic_errors(
            term=term,
            group_id=plan.group_id,
            kind=data.kind,
            planned_month=data.planned_month,
            due_date=data.due_date,
            assignees=data.assignees,
        )
        if errors:
            raise ValidationError(errors)
        fields = STUDY_FIELDS if data.kind == PlannedTopic.Kind.STUDY else RESEARCH_FIELDS
        if data.id is None:
            topic = PlannedTopic(plan=plan, kind=data.kind, created_by=user)
            to_create.append(topic)
        else:
            topic = existing.get(data.id)
            if topic is None or topic.kind != data.kind or data.id in removed:
                raise ValidationError(_("A topic to save is not in this plan."))
            to_update[data.kind].append(topic)
        _apply(topic, data, fields)
        topic.sort_order = position
        topic.updated_by = user
        topic.updated_at = now  # bulk_update skips auto_now
        topic.full_clean(exclude=_CLEAN_EXCLUDE)
        if data.kind == PlannedTopic.Kind.RESEARCH:
            assigned.append((topic, data.assignees))

    if removed:
        for topic_id in sorted(removed):
            audit_record(
                action=AuditEvent.Action.DELETED,
                actor=user,
                group_id=plan.group_id,
                obj=existing[topic_id],
                details={"plan": plan.pk},
            )
        PlannedTopic.objects.filter(plan=plan, pk__in=removed).delete()
    extra = ("sort_order", "updated_by", "updated_at")
    history = {"default_user": user, "default_date": now}
    if to_update[PlannedTopic.Kind.STUDY]:
        bulk_update_with_history(
            to_update[PlannedTopic.Kind.STUDY], PlannedTopic, [*STUDY_FIELDS, *extra], **history
        )
    if to_update[PlannedTopic.Kind.RESEARCH]:
        bulk_update_with_history(
            to_update[PlannedTopic.Kind.RESEARCH],
            PlannedTopic,
            [*RESEARCH_FIELDS, *extra],
            **history,
        )
    if to_create:
        bulk_create_with_history(to_create, PlannedTopic, **history)

    if assigned:
        through = PlannedTopic.assignees.through
        through.objects.filter(plannedtopic_id__in=[t.pk for t, _m in assigned]).delete()
        through.objects.bulk_create(
            [
                through(plannedtopic_id=topic.pk, member_id=member_id)
                for topic, members in assigned
                for member_id in sorted({m.pk for m in members})
            ]
        )

    was_approved = plan.is_approved
    if was_approved:
        plan.status = StudyPlan.Status.DRAFT
        plan.approved_at = None
        plan.approved_by = None
    if notes is not None:
        plan.notes = notes
    plan.updated_by = user
    plan._history_user = user
    plan.full_clean()
    plan.save()
    return PlanSaveResult(
        added=len(to_create),
        changed=sum(len(v) for v in to_update.values()),
        removed=len(removed),
        returned_to_draft=was_approved,
    )


@transaction.atomic
def plan_approve(*, plan: StudyPlan, member: Member) -> StudyPlan:
    """Approve the plan as a leader or deputy of its group, recording who and when.

    Raises PermissionDenied for other roles or groups, ValidationError for a plan with no topics.
    Approving an approved plan changes nothing. The plan's PDF and .docx are made in the
    background once the approval commits (reports.services.report_files).
    """
    from reports.services.report_files import report_document_prepare_on_commit

    if member.group_id != plan.group_id or not member.is_leader:
        raise PermissionDenied
    plan = StudyPlan.objects.select_for_update().select_related("term").get(pk=plan.pk)
    if plan.is_approved:
        return plan
    if not PlannedTopic.objects.filter(plan=plan).exists():
        raise ValidationError(_("Add at least one topic before approving the plan."))
    plan.status = StudyPlan.Status.APPROVED
    plan.approved_at = timezone.now()
    plan.approved_by = member
    plan.updated_by = member.user
    plan.full_clean()
    plan.save()
    audit_record(
        action=AuditEvent.Action.APPROVED,
        actor=member.user,
        actor_name=member.display_name,
        group_id=plan.group_id,
        obj=plan,
    )
    report_document_prepare_on_commit(group_id=plan.group_id, term_id=plan.term_id, kind="plan")
    return plan


@transaction.atomic
def planned_topic_mark_done(
    *, topic: PlannedTopic, member: Member, done_on: dt.date | None
) -> PlannedTopic:
    """Record that a research topic was completed on a day, or (done_on None) that it is not.

    Progress on the plan, not a change to it: an approved plan stays approved.
    Raises PermissionDenied unless the member keeps the records of the topic's group, and
    ValidationError for a study topic or a day after today (work is recorded once done).
    """
    if not member.can_manage_records or member.group_id != topic.plan.group_id:
        raise PermissionDenied
    if topic.kind != PlannedTopic.Kind.RESEARCH:
        raise ValidationError(_("Only research topics are marked as done."))
    if done_on is not None and done_on > timezone.localdate():
        raise ValidationError({"completed_on": _("The completion date cannot be in the future.")})
    topic.completed_on = done_on
    topic.updated_by = member.user
    topic.full_clean(exclude=_CLEAN_EXCLUDE)
    topic.save(update_fields=["completed_on", "updated_by", "updated_at"])
    return topic
