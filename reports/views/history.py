"""修改记录 of the half-year summary's narrative: every version's every change."""

from django.urls import reverse
from django.utils.translation import gettext as _

from reports.models import ReportNarrative
from sessions_app.selectors.access import term_get
from sessions_app.views.common import group_view
from sessions_app.views.history import history_page


@group_view(managers_only=True)
def summary_history(request, term_code: str):
    member = request.member
    term = term_get(group_id=member.group_id, code=term_code)
    return history_page(
        request,
        title=_("Half-year summary, %(term)s") % {"term": term.label},
        back_url=reverse("reports:summary", args=[member.group.slug, term.code]),
        parts=[
            (
                ReportNarrative,
                ReportNarrative.history.filter(group_id=member.group_id, term_id=term.pk),
                "version",
            )
        ],
    )
