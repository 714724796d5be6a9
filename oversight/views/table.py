"""Pages above the group: the organisations a user oversees and the county table."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from oversight.exports import county_table_xlsx
from oversight.models import OrganisationRole
from oversight.selectors.access import (
    group_overseen_get,
    organisation_get_for_user,
    organisations_for_user,
)
from oversight.selectors.chart import county_chart
from oversight.selectors.sittings import sittings_by_session
from oversight.selectors.table import SORTS, STATE_FILTERS, county_table, rows_arranged
from oversight.selectors.terms import half_chosen, halves_overseen
from oversight.services.sittings import session_is_over
from reports.selectors.summary import half_year_summary
from sessions_app.selectors.rules import RuleState
from sessions_app.selectors.sessions import session_rows_for_term


@login_required
def index(request):
    """One organisation: straight to its table. Several: a list. None: 404 (nothing above)."""
    reach = organisations_for_user(user=request.user)
    if len(reach) == 1:
        return redirect("oversight:table", org_slug=reach[0].organisation.slug)
    return render(request, "oversight/index.html", {"reach": reach})


def _table(request, org_slug):
    access = organisation_get_for_user(user=request.user, slug=org_slug)
    today = timezone.localdate()
    year, half = half_chosen(code=request.GET.get("term"), today=today)
    table = county_table(organisation=access.organisation, year=year, half=half, today=today)
    return access, table, today


@login_required
def table(request, org_slug):
    access, table, today = _table(request, org_slug)
    sort = request.GET.get("sort", "name")
    state = request.GET.get("state", "")
    rows = rows_arranged(table.rows, sort=sort, state=state)
    return render(
        request,
        "oversight/table.html",
        {
            "access": access,
            "table": table,
            "rows": rows,
            "chart": county_chart(rows),
            "halves": halves_overseen(organisation=access.organisation),
            "sort": sort if sort in SORTS else "name",
            "state": state if state in STATE_FILTERS else "",
            "states": [RuleState(s) for s in STATE_FILTERS],
        },
    )


@login_required
def table_xlsx(request, org_slug):
    access, table, _today = _table(request, org_slug)
    response = HttpResponse(
        county_table_xlsx(table),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{access.organisation.slug}-{table.code}.xlsx"'
    )
    return response


@login_required
def group_page(request, org_slug, group_slug):
    """One overseen group, read-only: its row of the table, its sessions of the term and its
    approved half-year summary as the leader approved it."""
    access = organisation_get_for_user(user=request.user, slug=org_slug)
    group = group_overseen_get(access=access, group_slug=group_slug)
    today = timezone.localdate()
    year, half = half_chosen(code=request.GET.get("term"), today=today)
    table = county_table(
        organisation=access.organisation, year=year, half=half, today=today, only=group
    )
    row = table.rows[0]
    sessions = session_rows_for_term(group_id=group.pk, term=row.term) if row.term else []
    sitting = sittings_by_session(session_ids=[r.session.pk for r in sessions])
    return render(
        request,
        "oversight/group.html",
        {
            "access": access,
            "group": group,
            "table": table,
            "row": row,
            "sessions": [
                (r, sitting.get(r.session.pk, []), not session_is_over(r.session)) for r in sessions
            ],
            "is_inspector": access.role == OrganisationRole.Role.INSPECTOR,
            # The latest approved version as approved; live figures only where none is.
            "summary": (
                half_year_summary(group=group, term=row.term, today=today) if row.term else None
            ),
        },
    )
