"""The reports index: every term of the group, with the state of its summary and its plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from reports.models import ReportNarrative
from sessions_app.models import Member, StudyPlan, StudySession, Term


@dataclass(frozen=True)
class NarrativeVersionRow:
    version: int
    status: str
    status_label: str
    is_approved: bool
    approved_by: str
    approved_at: dt.datetime | None
    updated_at: dt.datetime


@dataclass(frozen=True)
class TermReportsRow:
    term_code: str
    term_label: str
    sessions: int
    approved_version: int | None
    approved_at: dt.datetime | None
    draft_version: int | None
    plan_status: str
    plan_status_label: str

    @property
    def summary_visible_to_all(self) -> bool:
        return self.approved_version is not None


def narrative_versions(
    *, member: Member, term: Term, kind: str = ReportNarrative.Kind.SUMMARY
) -> list[NarrativeVersionRow]:
    """The versions of the term's narrative this member may read, newest first (1 query).

    Secretary and leaders see drafts too; other members only approved versions.
    """
    qs = ReportNarrative.objects.filter(group_id=member.group_id, term=term, kind=kind)
    if not member.can_manage_records:
        qs = qs.filter(status=ReportNarrative.Status.APPROVED)
    return [
        NarrativeVersionRow(
            version=n.version,
            status=n.status,
            status_label=str(n.get_status_display()),
            is_approved=n.is_approved,
            approved_by=n.approved_by.display_name if n.approved_by else "",
            approved_at=n.approved_at,
            updated_at=n.updated_at,
        )
        # The frozen documents are large and not needed for the list.
        for n in qs.select_related("approved_by").defer("approved_body_html").order_by("-version")
    ]


def reports_index(*, member: Member) -> list[TermReportsRow]:
    """Every term of the member's group, newest first, with its reports' states (4 queries).

    Drafts are shown to secretary and leaders only.
    """
    group_id = member.group_id
    terms = list(Term.objects.filter(group_id=group_id).order_by("-start_date"))
    approved: dict[int, tuple[int, dt.datetime | None]] = {}
    drafts: dict[int, int] = {}
    for term_id, version, status, approved_at in (
        ReportNarrative.objects.filter(group_id=group_id, kind=ReportNarrative.Kind.SUMMARY)
        .order_by("version")
        .values_list("term_id", "version", "status", "approved_at")
    ):
        if status == ReportNarrative.Status.APPROVED:
            approved[term_id] = (version, approved_at)
        elif member.can_manage_records:
            drafts[term_id] = version
    plans = dict(StudyPlan.objects.filter(group_id=group_id).values_list("term_id", "status"))
    status_labels = dict(StudyPlan.Status.choices)
    sessions = dict(
        StudySession.objects.filter(group_id=group_id)
        .values("term_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("term_id", "n")
    )
    rows = []
    for t in terms:
        version, approved_at = approved.get(t.pk, (None, None))
        plan_status = plans.get(t.pk, "")
        if plan_status == StudyPlan.Status.DRAFT and not member.can_manage_records:
            plan_status = ""
        rows.append(
            TermReportsRow(
                term_code=t.code,
                term_label=str(t.label),
                sessions=sessions.get(t.pk, 0),
                approved_version=version,
                approved_at=approved_at,
                draft_version=drafts.get(t.pk),
                plan_status=plan_status,
                plan_status_label=str(status_labels.get(plan_status, "")),
            )
        )
    return rows


def narratives_awaiting_approval(*, group_id: int) -> list[ReportNarrative]:
    """Drafted summaries a leader has yet to approve, oldest term first."""
    return list(
        ReportNarrative.objects.filter(
            group_id=group_id,
            kind=ReportNarrative.Kind.SUMMARY,
            status=ReportNarrative.Status.DRAFT,
        )
        .select_related("term")
        .defer("approved_body_html")
        .order_by("term__start_date")
    )
