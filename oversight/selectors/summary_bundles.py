"""The summaries .zips an organisation's people may see."""

from __future__ import annotations

from django.http import Http404

from oversight.models import SummaryBundle, SummaryBundleGroup
from oversight.selectors.access import OrganisationAccess


def summary_bundle_get(*, access: OrganisationAccess, pk: int) -> SummaryBundle:
    """A .zip of the reached organisation itself (not one of an organisation below it: its
    page is under that organisation's address); Http404 otherwise. One query."""
    bundle = (
        SummaryBundle.objects.select_related("organisation")
        .filter(pk=pk, organisation=access.organisation)
        .first()
    )
    if bundle is None:
        raise Http404("No such .zip")
    return bundle


def summary_bundle_failures(*, bundle: SummaryBundle) -> list[SummaryBundleGroup]:
    """The groups of a bundle whose documents could not all be made, with their groups, by
    group name; one query whatever their number."""
    return list(
        SummaryBundleGroup.objects.filter(bundle=bundle, failed=True)
        .select_related("group")
        .order_by("group__name", "group__pk")
    )
