"""Every overseen group's half-year summary and plan of a term as one .zip (汇总下载).

summary_bundle_request makes a SummaryBundle with one outcome row per group and, after commit,
sends a Celery chord: its header one task per group (summary_bundle_group_run: the group's
approved summary and plan as PDF and .docx, reusing every file whose hash already has a done
ReportFile, rendering the others), its body the task that writes the .zip
(summary_bundle_zip_write). Without a broker the chord runs eagerly, inline.

A group's failure never fails the chord: its task records the error on the group's row and
returns, and the .zip's index (目录.html) lists it with the error. Only approved documents go
into the .zip: a draft is the group's own business until a leader approves it, so the index
lists it as not approved (that is also what the county wants to know at the deadline).

Both formats are made: the .docx costs a few per cent of the PDF's time (python-docx, no
layout engine) and the offices above the group edit and quote from Word.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from dataclasses import asdict

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oversight.models import SummaryBundle, SummaryBundleGroup
from oversight.selectors.access import OrganisationAccess, groups_overseen
from reports.models import ReportFile
from reports.pdf import PLAN, SUMMARY
from reports.services.archive import ZipWriter, zip_name_part
from reports.services.report_files import report_document_files_make
from sessions_app.models import StudyGroup, Term

logger = logging.getLogger(__name__)

#: The .zip and its index are in Chinese, as the offices above the groups file them.
BUNDLE_LANGUAGE = "zh-hans"
INDEX_TEMPLATE = "oversight/zip/index.html"
KINDS = (SUMMARY, PLAN)


def _lost_after() -> dt.timedelta:
    """A waiting bundle none of whose groups finished for this long has lost its chord (a worker
    killed mid-task): a new request starts afresh instead of joining it."""
    return dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT * 2)


def _is_lost(bundle: SummaryBundle, *, now: dt.datetime) -> bool:
    latest = bundle.outcomes.aggregate(latest=Max("finished_at"))["latest"] or bundle.created_at
    return latest < now - _lost_after()


@transaction.atomic
def summary_bundle_request(
    *,
    access: OrganisationAccess,
    user: AbstractBaseUser,
    year: int,
    half: int,
    group_ids: list[int] | None = None,
) -> tuple[SummaryBundle, bool]:
    """Start the .zip of the term's summaries and plans of every group the organisation
    oversees (group_ids: only those of them; the benchmark's subset). Returns (bundle, created):
    a build of the same organisation and term still under way is returned instead of a second
    one (created False). Administrators and inspectors alike may ask: both may read the groups'
    documents. Raises ValidationError when no group is overseen (nothing is saved then).

    The chord is sent after commit; eagerly, inline, without a broker.
    """
    organisation = access.organisation
    now = timezone.now()
    running = (
        SummaryBundle.objects.select_for_update()
        .filter(
            organisation=organisation,
            year=year,
            half=half,
            status__in=[SummaryBundle.Status.PENDING, SummaryBundle.Status.RUNNING],
        )
        .first()
    )
    if running is not None:
        if not _is_lost(running, now=now):
            return running, False
        _fail(running.pk, _("The build stopped without finishing. It has been started again."))
    groups = groups_overseen(organisation=organisation)
    if group_ids is not None:
        groups = groups.filter(pk__in=group_ids)
    group_pks = list(groups.values_list("pk", flat=True))
    if not group_pks:
        raise ValidationError(_("No study group is placed in this organisation: nothing to pack."))
    bundle = SummaryBundle(
        organisation=organisation,
        year=year,
        half=half,
        group_count=len(group_pks),
        created_by=user,
        updated_by=user,
    )
    bundle.full_clean()
    bundle.save()
    SummaryBundleGroup.objects.bulk_create(
        SummaryBundleGroup(bundle=bundle, group_id=pk) for pk in group_pks
    )
    transaction.on_commit(lambda: _send(bundle.pk))
    return bundle, True


def _send(bundle_id: int) -> None:
    # Imported here: the task module imports this one.
    from celery import chord

    from oversight.tasks import (
        summary_bundle_failed_task,
        summary_bundle_group_task,
        summary_bundle_zip_task,
    )

    outcome_ids = list(
        SummaryBundleGroup.objects.filter(bundle_id=bundle_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    body = summary_bundle_zip_task.si(bundle_id).on_error(summary_bundle_failed_task.si(bundle_id))
    try:
        chord(summary_bundle_group_task.si(pk) for pk in outcome_ids)(body)
    except Exception:
        logger.exception("Could not send the summaries .zip %s", bundle_id)
        _fail(
            bundle_id,
            _("The .zip could not be started: the background worker is not reachable. Try again."),
        )


def _fail(bundle_id: int, error: str) -> None:
    SummaryBundle.objects.filter(pk=bundle_id).exclude(status=SummaryBundle.Status.DONE).update(
        status=SummaryBundle.Status.FAILED,
        error=error,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def summary_bundle_failed(*, bundle_id: int) -> None:
    """The chord failed (a group's task died outside its own error handling: the worker killed
    at the hard time limit): the bundle fails with a message asking to start again."""
    _fail(bundle_id, _("The .zip could not be finished: a worker stopped. Start it again."))


def summary_bundle_group_run(*, outcome_id: int) -> None:
    """One group's part: its approved summary and plan of the bundle's term as PDF and .docx
    (reports.services.report_files.report_document_files_make: reused when unchanged, rendered
    otherwise), recorded on the outcome row. Never raises for the group's own faults: the error
    is recorded and the row marked failed, so the other groups' .zip is still written. A row
    already finished (a task delivered twice) is left alone."""
    outcome = (
        SummaryBundleGroup.objects.select_related("bundle", "group")
        .filter(pk=outcome_id, finished_at__isnull=True)
        .first()
    )
    if outcome is None:
        return
    bundle = outcome.bundle
    SummaryBundle.objects.filter(pk=bundle.pk, status=SummaryBundle.Status.PENDING).update(
        status=SummaryBundle.Status.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
    )
    documents, error, no_term = [], "", False
    try:
        term = Term.objects.filter(group=outcome.group, year=bundle.year, half=bundle.half).first()
        if term is None:
            no_term = True
        else:
            documents = [
                _document_entry(group=outcome.group, term=term, kind=kind) for kind in KINDS
            ]
    except Exception:
        logger.exception(
            "The summaries .zip %s could not read group %s", bundle.pk, outcome.group_id
        )
        error = _("The group's documents could not be made. The error has been logged.")
    failed = bool(error) or any(not f["done"] for document in documents for f in document["files"])
    SummaryBundleGroup.objects.filter(pk=outcome.pk).update(
        documents=documents,
        error=error,
        no_term=no_term,
        failed=failed,
        finished_at=timezone.now(),
    )


def _document_entry(*, group: StudyGroup, term: Term, kind: str) -> dict:
    # The outcome row's JSON: {"kind", "title", "approved", "files": [{"format", ...}]}.
    return asdict(report_document_files_make(group=group, term=term, kind=kind))


def summary_bundle_progress(bundle: SummaryBundle) -> tuple[int, int]:
    """(groups finished, groups in all) of a bundle; one query while it is under way."""
    if bundle.is_done:
        return bundle.group_count, bundle.group_count
    done = SummaryBundleGroup.objects.filter(bundle=bundle, finished_at__isnull=False).count()
    return done, bundle.group_count


def bundle_title(bundle: SummaryBundle) -> str:
    """The .zip's name: "<organisation> 2020年上半年 半年总结和学习计划"."""
    return _("%(organisation)s %(period)s half-year summaries and study plans") % {
        "organisation": bundle.organisation.name,
        "period": Term.label_of(year=bundle.year, half=bundle.half),
    }


def summary_bundle_zip_write(*, bundle_id: int) -> None:
    """The chord's body: write every group's files and the index (目录.html) into the .zip,
    store it, mark the bundle done with its counts. Files of earlier .zips of the same
    organisation and term are deleted (the newest holds everything they held). A failure here
    fails the bundle with a message rather than raising."""
    bundle = SummaryBundle.objects.select_related("organisation").filter(pk=bundle_id).first()
    if bundle is None or bundle.is_done:
        return
    try:
        with translation.override(BUNDLE_LANGUAGE):
            counts = _write_zip(bundle)
    except Exception:
        logger.exception("The summaries .zip %s could not be written", bundle_id)
        _fail(bundle_id, _("The .zip could not be written. The error has been logged."))
        return
    bundle.files_reused, bundle.files_rendered, bundle.groups_failed = counts
    bundle.status = SummaryBundle.Status.DONE
    bundle.finished_at = timezone.now()
    bundle.error = ""
    bundle.save()
    for old in SummaryBundle.objects.filter(
        organisation=bundle.organisation, year=bundle.year, half=bundle.half, pk__lt=bundle.pk
    ).exclude(zip=""):
        old.zip.delete(save=False)
        SummaryBundle.objects.filter(pk=old.pk).update(zip="")


def _write_zip(bundle: SummaryBundle) -> tuple[int, int, int]:
    outcomes = list(
        SummaryBundleGroup.objects.filter(bundle=bundle)
        .select_related("group")
        .order_by("group__name", "group__pk")
    )
    file_ids = [
        f["report_file_id"] for o in outcomes for d in o.documents for f in d["files"] if f["done"]
    ]
    files = ReportFile.objects.in_bulk(file_ids)
    kind_labels = dict(ReportFile.Kind.choices)
    format_labels = dict(ReportFile.Format.choices)
    title = bundle_title(bundle)
    reused = rendered = failed_groups = 0
    rows = []
    with tempfile.TemporaryFile() as handle:
        top = zip_name_part(title, limit=120)
        out = ZipWriter(handle, top)
        for number, outcome in enumerate(outcomes, 1):
            folder = zip_name_part(f"{number:03d} {outcome.group.name}", limit=60)
            errors = [outcome.error] if outcome.error else []
            documents = []
            for entry in outcome.documents:
                links = []
                for f in entry["files"]:
                    label = format_labels.get(f["format"], f["format"])
                    row = files.get(f["report_file_id"]) if f["done"] else None
                    if row is None:
                        errors.append(f"{entry['title']}（{label}）：{f['error']}")
                        continue
                    try:
                        with row.file.open("rb") as stored:
                            content = stored.read()
                    except OSError:
                        errors.append(
                            f"{entry['title']}（{label}）："
                            + _("the file is missing from storage.")
                        )
                        continue
                    name = zip_name_part(f"{entry['title']}.{f['format']}")
                    path = out.write((folder, name), content, compress=False)
                    links.append(
                        {"label": label, "href": path[len(top) + 1 :], "reused": f["reused"]}
                    )
                    if f["reused"]:
                        reused += 1
                    else:
                        rendered += 1
                documents.append(
                    {
                        "kind": kind_labels.get(entry["kind"], entry["kind"]),
                        "title": entry["title"],
                        "approved": entry["approved"],
                        "links": links,
                    }
                )
            if outcome.failed or errors:
                failed_groups += 1
            rows.append(
                {
                    "number": number,
                    "name": outcome.group.name,
                    "no_term": outcome.no_term,
                    "documents": documents,
                    "errors": errors,
                }
            )
        index = render_to_string(
            INDEX_TEMPLATE,
            {
                "title": title,
                "rows": rows,
                "made_at": timezone.localtime(),
                "reused": reused,
                "rendered": rendered,
                "failed": failed_groups,
            },
        )
        out.write((_("Index") + ".html",), index.encode("utf-8"))
        out.close()
        handle.seek(0)
        bundle.zip.save(f"{bundle.code}.zip", File(handle), save=False)
    return reused, rendered, failed_groups
