"""Building the year's study archive (学习档案专卷) and the members' 学习档案 as files.

archive_build_request makes an ArchiveBuild row and queues archive_build_task after commit;
the task calls archive_build_run, which gathers the year once (reports.selectors.archive),
renders one PDF with its outline and page numbers (reports.pdf.render_pdf, the documents'
stylesheet and static/reports/archive.css) and packs the .zip, saying how far it has got in
the row's progress (percent) and step as it goes.

The year archive's .zip holds, under one folder named after the archive:
  the PDF;
  学习计划/ and 半年总结/: the plans and the approved summaries as .docx (reports.word);
  集中学习/<NN 日期 专题>/: each session's 学习记录.docx, its materials (材料/) and its essays'
    and reports' uploaded files (心得体会和调研报告/), byte for byte as uploaded;
  心得体会和调研报告（未关联集中学习）/: the uploads of essays tied to a planned topic only;
  说明.txt when something could not be included (a summary whose records changed since its
    approval has no .docx; an upload missing from storage), saying what and why.
Names are the users' (Chinese kept, in UTF-8 as the zip format flags them), with path
separators and characters Windows refuses replaced (zip_name_part), and numbered when two
would be the same.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import tempfile
import unicodedata
import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reports import word
from reports.models import ArchiveBuild
from reports.pdf import ReportRenderError, render_pdf
from reports.selectors.archive import (
    ArchiveFile,
    MemberArchive,
    YearArchive,
    archive_title,
    archive_years,
    member_archives,
    members_for_archive,
    year_archive,
)
from sessions_app.models import Member, StudyGroup

logger = logging.getLogger(__name__)

YEAR_TEMPLATE = "reports/archive/year.html"
MEMBER_TEMPLATE = "reports/archive/member.html"
#: Characters Windows refuses in a name, path separators among them.
_REFUSED = re.compile(r'[\\/:*?"<>|]')


def zip_name_part(text: str, *, limit: int = 80, fallback: str = "_") -> str:
    """One folder or file name of a .zip made from user text: control and format characters
    dropped, path separators and characters Windows refuses (\\ / : * ? " < > |) as "_",
    leading and trailing dots and spaces trimmed (no "..", no hidden files), at most `limit`
    characters keeping the extension of a file name; `fallback` when nothing is left."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _REFUSED.sub("_", text).strip(" .")
    if len(text) > limit:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 8:
            text = stem[: limit - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            text = text[:limit].rstrip(" .")
    return text or fallback


class ZipWriter:
    """A .zip under one top folder: names made unique by numbering, what was left out noted
    (in 说明.txt at close). Also writes oversight's summaries .zip."""

    def __init__(self, handle, top: str) -> None:
        self.zip = zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED)
        self.top = top
        self.used: set[str] = set()
        self.notes: list[str] = []

    def path(self, *parts: str) -> str:
        path = "/".join([self.top, *parts])
        if path.lower() not in self.used:
            self.used.add(path.lower())
            return path
        folder, _slash, name = path.rpartition("/")
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        n = 2
        while True:
            candidate = f"{folder}/{stem}（{n}）{'.' + ext if ext else ''}"
            if candidate.lower() not in self.used:
                self.used.add(candidate.lower())
                return candidate
            n += 1

    def write(self, parts: tuple[str, ...], content: bytes, *, compress: bool = True) -> str:
        """Add a file under the top folder; returns its path in the .zip (numbered if taken)."""
        path = self.path(*parts)
        self.zip.writestr(
            path,
            content,
            compress_type=zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED,
        )
        return path

    def write_upload(self, parts: tuple[str, ...], upload: ArchiveFile) -> None:
        """Copy an uploaded file byte for byte, or note that storage has lost it."""
        try:
            with default_storage.open(upload.storage_name, "rb") as handle:
                content = handle.read()
        except (FileNotFoundError, OSError):
            self.notes.append(
                _("%(name)s: the uploaded file is missing from storage.") % {"name": upload.name}
            )
            return
        self.write(parts, content)

    def close(self) -> None:
        if self.notes:
            text = "\r\n".join(self.notes) + "\r\n"
            self.write((pgettext("archive file", "Notes") + ".txt",), text.encode())
        self.zip.close()


def _document_html(template: str, **context) -> str:
    return render_to_string(template, context)


def year_archive_html(archive: YearArchive) -> str:
    """The archive as one HTML document for the PDF, in the group's report language."""
    with translation.override(archive.language):
        return _document_html(YEAR_TEMPLATE, archive=archive, document_title=archive.title,
                              group_name=archive.group_name)


def year_archive_pdf(archive: YearArchive) -> bytes:
    """The archive as one PDF: cover, contents with page numbers, the parts with an outline
    (bookmarks), page numbers "— 1 —", the 缺项清单 last. Raises ReportRenderError."""
    return render_pdf(year_archive_html(archive))


def year_archive_zip(archive: YearArchive, *, pdf: bytes, handle) -> None:
    """Write the archive's .zip (see the module docstring) into the open binary handle."""
    with translation.override(archive.language):
        top = zip_name_part(archive.title)
        out = ZipWriter(handle, top)
        out.write((f"{top}.pdf",), pdf, compress=False)
        plans_folder = zip_name_part(pgettext("archive folder", "Study plans"))
        for plan in archive.plans:
            out.write((plans_folder, zip_name_part(plan.title) + ".docx"), word.plan_docx(plan))
        summaries_folder = zip_name_part(pgettext("archive folder", "Half-year summaries"))
        for summary in archive.summaries:
            try:
                content = word.summary_docx(summary)
            except word.ApprovedFiguresChanged:
                out.notes.append(
                    _(
                        "%(title)s: the records have changed since it was approved, so no Word "
                        "file is made from them; the PDF keeps the approved version."
                    )
                    % {"title": summary.title}
                )
                continue
            out.write((summaries_folder, zip_name_part(summary.title) + ".docx"), content)
        sessions_folder = zip_name_part(pgettext("archive folder", "Sessions"))
        materials_folder = zip_name_part(pgettext("archive folder", "Materials"))
        essays_folder = zip_name_part(pgettext("archive folder", "Essays and research reports"))
        record_name = zip_name_part(pgettext("archive file", "Session record")) + ".docx"
        for s in archive.sessions:
            folder = zip_name_part(
                f"{s.number:02d} {s.record.date.isoformat()} {s.record.topic}", limit=60
            )
            out.write((sessions_folder, folder, record_name), word.session_record_docx(s.record))
            for material in s.materials:
                out.write_upload(
                    (sessions_folder, folder, materials_folder, zip_name_part(material.name)),
                    material,
                )
            for essay in s.essays:
                if essay.file is not None:
                    out.write_upload(
                        (sessions_folder, folder, essays_folder,
                         zip_name_part(f"{essay.author}-{essay.file.name}")),
                        essay.file,
                    )
        other_folder = zip_name_part(
            pgettext("archive folder", "Essays and research reports on planned topics")
        )
        for essay in archive.other_essays:
            if essay.file is not None:
                out.write_upload(
                    (other_folder, zip_name_part(f"{essay.author}-{essay.file.name}")), essay.file
                )
        out.close()


def member_archive_html(archive: MemberArchive) -> str:
    """A member's 学习档案 as an HTML document for the PDF, in the group's report language."""
    with translation.override(archive.language):
        return _document_html(MEMBER_TEMPLATE, archives=[archive], document_title=archive.title,
                              group_name=archive.group_name)


def member_archive_pdf(archive: MemberArchive) -> bytes:
    """A member's 学习档案 as a PDF. Raises ReportRenderError."""
    return render_pdf(member_archive_html(archive))


def members_archive_zip(
    *, group: StudyGroup, year: int, handle, today: dt.date | None = None, on_progress=None
) -> int:
    """Every member's 学习档案 for the year (reports.selectors.archive.members_for_archive) as
    PDFs in one .zip written into handle, named "NN 姓名.pdf" in the group's order. on_progress,
    if given, is called with (done, total) after each PDF. Returns the number of members."""
    members = members_for_archive(group=group, year=year)
    archives = member_archives(group=group, year=year, members=members, today=today)
    with translation.override(group.report_language):
        top = zip_name_part(
            _("%(archive)s: members") % {"archive": archive_title(group_name=group.name,
                                                                 year=year)}
        )
        out = ZipWriter(handle, top)
        for n, archive in enumerate(archives, 1):
            out.write((zip_name_part(f"{n:02d} {archive.name}") + ".pdf",),
                      member_archive_pdf(archive), compress=False)
            if on_progress:
                on_progress(n, len(archives))
        out.close()
    return len(archives)


# --- The build -------------------------------------------------------------------------------


@transaction.atomic
def archive_build_request(*, member: Member, year: int, kind: str) -> ArchiveBuild:
    """Queue a build of the group's archive for year (kind: ArchiveBuild.Kind), for the
    secretary or a leader; the task runs after commit (inline without a broker).

    Raises PermissionDenied for any other member, ValidationError when the group has no term
    in that year or the kind is unknown (nothing is saved then).
    """
    from reports.tasks import archive_build_task

    if not member.can_manage_records:
        raise PermissionDenied
    if kind not in ArchiveBuild.Kind.values:
        raise ValidationError(_("Unknown kind of archive."))
    if year not in archive_years(group_id=member.group_id):
        raise ValidationError(
            _("The group has no term in %(year)s: there is nothing to archive.") % {"year": year}
        )
    build = ArchiveBuild(
        group_id=member.group_id,
        year=year,
        kind=kind,
        requested_by=member,
        step=str(_("Waiting for a worker")),
        created_by=member.user,
        updated_by=member.user,
    )
    build.full_clean()
    build.save()
    transaction.on_commit(lambda: archive_build_task.delay(build.pk))
    return build


def _progress(build: ArchiveBuild, percent: int, step: str) -> None:
    """Say how far the build has got: written at once (outside any transaction) for the page."""
    build.progress, build.step = percent, step
    ArchiveBuild.objects.filter(pk=build.pk).update(progress=percent, step=step)


def archive_build_run(*, archive_build_id: int, today: dt.date | None = None) -> None:
    """Build a queued archive and store its files; a failure is recorded on the row (status
    failed, error) rather than raised. A build already done is left alone."""
    build = ArchiveBuild.objects.select_related("group").filter(pk=archive_build_id).first()
    if build is None or build.is_done:
        return
    group = build.group
    build.status = ArchiveBuild.Status.RUNNING
    build.started_at = timezone.now()
    build.save(update_fields=["status", "started_at", "updated_at"])
    try:
        with translation.override(group.report_language):
            if build.kind == ArchiveBuild.Kind.YEAR:
                _build_year(build, group=group, today=today)
            else:
                _build_members(build, group=group, today=today)
    except Exception as exc:
        logger.exception("Archive build %s failed", build.pk)
        message = str(exc) if isinstance(exc, ReportRenderError) else _(
            "The archive could not be built. The error has been logged."
        )
        ArchiveBuild.objects.filter(pk=build.pk).update(
            status=ArchiveBuild.Status.FAILED, error=message, finished_at=timezone.now(),
            step=str(_("Failed")),
        )
        return
    build.status = ArchiveBuild.Status.DONE
    build.progress = 100
    build.step = str(_("Ready"))
    build.finished_at = timezone.now()
    build.save()


def _build_year(build: ArchiveBuild, *, group: StudyGroup, today: dt.date | None) -> None:
    _progress(build, 5, _("Gathering the year's records"))
    archive = year_archive(group=group, year=build.year, today=today)
    _progress(build, 20, _("Typesetting the PDF"))
    pdf = year_archive_pdf(archive)
    _progress(build, 75, _("Packing the Word files and the uploads"))
    build.pdf.save(f"{zip_name_part(archive.title)}.pdf", ContentFile(pdf), save=False)
    build.pdf_pages = _page_count(pdf)
    build.missing_count = len(archive.missing)
    with tempfile.TemporaryFile() as handle:
        year_archive_zip(archive, pdf=pdf, handle=handle)
        handle.seek(0)
        build.zip.save(f"{zip_name_part(archive.title)}.zip", File(handle), save=False)


def _build_members(build: ArchiveBuild, *, group: StudyGroup, today: dt.date | None) -> None:
    _progress(build, 5, _("Gathering the year's records"))

    def on_progress(done: int, total: int) -> None:
        _progress(build, 5 + 90 * done // max(total, 1),
                  _("%(done)s of %(total)s members' archives made") % {"done": done,
                                                                      "total": total})

    with tempfile.TemporaryFile() as handle:
        members_archive_zip(group=group, year=build.year, handle=handle, today=today,
                            on_progress=on_progress)
        handle.seek(0)
        build.zip.save(f"members-{build.year}.zip", File(handle), save=False)


def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)
