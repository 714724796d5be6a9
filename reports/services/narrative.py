"""Drafting and approving a report's narrative, in versions."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from audit.stale import check_fresh
from reports.models import ReportNarrative
from reports.selectors.summary import half_year_summary, half_year_summary_live, narrative_view
from reports.selectors.summary_types import HalfYearSummary
from reports.services.report_files import report_document_prepare_on_commit
from sessions_app.models import Member, StudyGroup, Term


@dataclass(frozen=True)
class NarrativeText:
    """The drafter's text: what the form gives and a version stores."""

    preamble: str = ""
    practices: list[dict] = field(default_factory=list)
    problems: str = ""
    causes: str = ""
    measures: str = ""

    @classmethod
    def from_narrative(cls, narrative: ReportNarrative | None) -> NarrativeText:
        if narrative is None:
            return cls()
        return cls(
            preamble=narrative.preamble,
            practices=narrative.practice_items,
            problems=narrative.problems,
            causes=narrative.causes,
            measures=narrative.measures,
        )

    def apply_to(self, narrative: ReportNarrative) -> None:
        narrative.preamble = self.preamble
        narrative.practices = [
            {"heading": p.get("heading", ""), "body": p.get("body", "")} for p in self.practices
        ]
        narrative.problems = self.problems
        narrative.causes = self.causes
        narrative.measures = self.measures


def narrative_latest(
    *, group: StudyGroup, term: Term, kind: str = ReportNarrative.Kind.SUMMARY
) -> ReportNarrative | None:
    """The newest version (draft or approved) of the group's narrative for the term and kind."""
    return (
        ReportNarrative.objects.filter(group=group, term=term, kind=kind)
        .select_related("approved_by")
        .order_by("-version")
        .first()
    )


def _draft_to_write(versions, *, group: StudyGroup, term: Term, kind: str) -> ReportNarrative:
    """The version the drafter's text goes into: the open draft if there is one, else a new,
    unsaved draft numbered one past the last version (1 for the first). versions is the term's
    versions of the kind, locked by the caller who saves."""
    draft = versions.filter(status=ReportNarrative.Status.DRAFT).first()
    if draft is not None:
        return draft
    last = versions.aggregate(last=Max("version"))["last"] or 0
    return ReportNarrative(group=group, term=term, kind=kind, version=last + 1)


def narrative_preview(
    *, group: StudyGroup, term: Term, text: NarrativeText, member: Member
) -> HalfYearSummary:
    """The summary's figures (drafts included) with the drafter's unsaved text as its narrative,
    numbered as narrative_save_draft would number it. Saves nothing. Secretary or leaders of the
    group only (PermissionDenied)."""
    _check_drafter(member, group)
    kind = ReportNarrative.Kind.SUMMARY
    versions = ReportNarrative.objects.filter(group=group, term=term, kind=kind)
    unsaved = ReportNarrative(
        group=group,
        term=term,
        kind=kind,
        version=_draft_to_write(versions, group=group, term=term, kind=kind).version,
        status=ReportNarrative.Status.DRAFT,
    )
    text.apply_to(unsaved)
    summary = half_year_summary(group=group, term=term, include_draft=True)
    return summary.with_narrative(narrative_view(unsaved, is_preview=True))


def _check_drafter(member: Member, group: StudyGroup) -> None:
    if member.group_id != group.pk or not member.can_manage_records:
        raise PermissionDenied


@transaction.atomic
def narrative_save_draft(
    *,
    group: StudyGroup,
    term: Term,
    text: NarrativeText,
    member: Member,
    user: AbstractBaseUser,
    kind: str = ReportNarrative.Kind.SUMMARY,
    seen: str | None = None,
) -> ReportNarrative:
    """Save the drafter's text as the draft: the existing draft is updated in place; when the
    latest version is approved (or none exists) a new draft version is started, so approved
    versions never change. Secretary or leaders of the group only.

    seen is the latest version's audit.stale.version_of when the form was opened ("" when
    there was none): when someone saved or approved a version since, raises
    audit.stale.StaleEdit and saves nothing.
    """
    _check_drafter(member, group)
    if term.group_id != group.pk:
        raise ValidationError(_("The term belongs to another group."))
    versions = ReportNarrative.objects.select_for_update().filter(group=group, term=term, kind=kind)
    latest = versions.order_by("-version").first()
    if latest is not None:
        check_fresh(locked=latest, seen=seen, group_id=group.pk)
    draft = _draft_to_write(versions, group=group, term=term, kind=kind)
    if draft.pk is None:
        draft.created_by = user
    text.apply_to(draft)
    draft.updated_by = user
    draft._history_user = user
    draft.full_clean()
    draft.save()
    return draft


def summary_body_html(summary: HalfYearSummary) -> str:
    """The report body (templates/reports/_summary_body.html) in the report's language, as the
    page and the PDF include it. Autoescaped: user text in it is escaped."""
    with translation.override(summary.language):
        return render_to_string("reports/_summary_body.html", {"summary": summary})


@transaction.atomic
def narrative_approve(
    *, narrative: ReportNarrative, member: Member, user: AbstractBaseUser
) -> ReportNarrative:
    """Approve a draft: it becomes the version every member of the group reads. Leaders only.

    Refused (ValidationError, nothing saved) while a required section is blank (see
    ReportNarrative.missing_for_approval). A summary's document is frozen with it: the body
    rendered from the records as they are now, and the hash of those figures, so what the
    leader approved stays what members read and download when the records change later.
    Its PDF and .docx are made in the background once the approval commits
    (reports.services.report_files.report_document_prepare), ready before anyone asks.
    """
    if member.group_id != narrative.group_id or not member.is_leader:
        raise PermissionDenied
    narrative = (
        ReportNarrative.objects.select_for_update(of=("self",))
        .select_related("group", "term")
        .get(pk=narrative.pk)
    )
    if narrative.is_approved:
        raise ValidationError(_("This version is already approved."))
    narrative.status = ReportNarrative.Status.APPROVED
    narrative.approved_by = member
    narrative.approved_at = timezone.now()
    narrative.updated_by = user
    narrative.full_clean()
    if narrative.kind == ReportNarrative.Kind.SUMMARY:
        summary = half_year_summary_live(narrative=narrative)
        narrative.approved_body_html = summary_body_html(summary)
        narrative.approved_figures_hash = summary.figures_hash
    narrative.save()
    audit_record(
        action=AuditEvent.Action.APPROVED,
        actor=user,
        actor_name=member.display_name,
        group_id=narrative.group_id,
        obj=narrative,
        details={"kind": narrative.kind, "version": narrative.version},
    )
    report_document_prepare_on_commit(
        group_id=narrative.group_id, term_id=narrative.term_id, kind=narrative.kind
    )
    return narrative
