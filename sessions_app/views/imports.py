"""Imports (members, the records so far) and exports (members, the attendance ledger).

An import is upload → preview → confirm. The uploaded bytes are kept in the file storage under
a random token until the secretary confirms, with their sha256 in her session; the confirm
reads them back, checks the hash, and the service checks every row again. Nothing the browser
posts back but the token is used, and a token works only in the session that uploaded it.
"""

import hashlib
import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from intake.names import file_extension, sanitise_filename
from intake.spreadsheets import (
    XLSX_CONTENT_TYPE,
    import_limit_text,
    import_upload_read,
    spreadsheet_read,
)
from sessions_app.selectors.access import term_current, term_get
from sessions_app.selectors.ledger import attendance_ledger
from sessions_app.selectors.members import members_for_group
from sessions_app.services.imports import (
    members_import_apply,
    members_import_preview,
    records_import_apply,
    records_import_preview,
    records_term_dates,
)
from sessions_app.sheets import (
    ledger_csv,
    ledger_xlsx,
    members_csv,
    members_template_xlsx,
    members_xlsx,
    records_template_xlsx,
)
from sessions_app.views.common import group_view
from sessions_app.views.downloads import attachment_response

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# kind → (preview, apply, whether CSV is accepted, the page the import ends on)
IMPORTS = {
    "members": (members_import_preview, members_import_apply, True, "sessions_app:member_list"),
    "records": (records_import_preview, records_import_apply, False,
                "sessions_app:session_list"),
}


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet"))


class ConfirmForm(forms.Form):
    token = forms.CharField(max_length=64)


def _kind(kind: str):
    if kind not in IMPORTS:
        raise Http404("No such import")
    return IMPORTS[kind]


def _pending_key(kind: str) -> str:
    return f"import-{kind}"


def _forget(request, kind: str) -> None:
    """Drop the session's pending import of this kind and its stored file."""
    pending = request.session.pop(_pending_key(kind), None)
    if pending:
        default_storage.delete(pending["path"])


def _keep(request, kind: str, *, content: bytes, name: str) -> str:
    """Store the upload under a new random token, remembered in the session; returns it."""
    _forget(request, kind)
    token = secrets.token_urlsafe(24)
    path = default_storage.save(
        f"imports/{request.member.group_id}/{token}.bin", ContentFile(content)
    )
    request.session[_pending_key(kind)] = {
        "token": token,
        "path": path,
        "name": name,
        "sha256": hashlib.sha256(content).hexdigest(),
        "group": request.member.group_id,
    }
    return token


def _context(kind: str, **extra) -> dict:
    start, end = records_term_dates(timezone.localdate())
    return {"kind": kind, "limit": import_limit_text(), "term_start": start, "term_end": end,
            **extra}


@group_view(managers_only=True)
def import_upload(request, import_kind):
    """The upload form (GET), or the preview of an uploaded file (POST)."""
    kind = import_kind
    preview_of, _apply, csv_allowed, _done = _kind(kind)
    group = request.member.group
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            content = import_upload_read(uploaded)
            sheets = spreadsheet_read(content, filename=uploaded.name, csv_allowed=csv_allowed)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            name = sanitise_filename(uploaded.name, extension=file_extension(uploaded.name),
                                     fallback=_("import"))
            preview = preview_of(group=group, sheets=sheets)
            token = None
            if preview.ok and preview.changes_anything:
                token = _keep(request, kind, content=content, name=name)
            else:
                _forget(request, kind)
            return render(
                request,
                "sessions_app/imports/preview.html",
                _context(kind, preview=preview, token=token, file_name=name,
                         form=ImportForm()),
            )
    status = 400 if form.is_bound else 200
    return render(request, "sessions_app/imports/upload.html", _context(kind, form=form),
                  status=status)


@require_POST
@group_view(managers_only=True)
def import_confirm(request, import_kind):
    """Write the previewed file: the bytes kept at upload, checked again by the service."""
    kind = import_kind
    _preview, apply, csv_allowed, done = _kind(kind)
    group = request.member.group
    form = ConfirmForm(request.POST)
    pending = request.session.get(_pending_key(kind))
    if (
        not form.is_valid()
        or not pending
        or pending["group"] != group.pk
        or not secrets.compare_digest(pending["token"], form.cleaned_data["token"])
    ):
        messages.error(request, _("This preview is no longer open (it was imported, replaced by "
                                  "another file, or your session ended). Upload the file again."))
        return redirect("sessions_app:import_upload", group.slug, kind)
    try:
        with default_storage.open(pending["path"], "rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError):
        content = b""
    if hashlib.sha256(content).hexdigest() != pending["sha256"]:
        _forget(request, kind)
        messages.error(request, _("The uploaded file could not be read back. Upload it again."))
        return redirect("sessions_app:import_upload", group.slug, kind)
    sheets = None
    try:
        sheets = spreadsheet_read(content, filename=pending["name"], csv_allowed=csv_allowed)
        preview = apply(group=group, sheets=sheets, file_name=pending["name"],
                        sha256=pending["sha256"], actor=request.user, request=request)
    except ValidationError as error:
        # The group changed since the preview (a member added, a name taken): show it again.
        _forget(request, kind)
        messages.error(request, " ".join(error.messages))
        if sheets is None:
            return redirect("sessions_app:import_upload", group.slug, kind)
        preview = _preview(group=group, sheets=sheets)
        return render(request, "sessions_app/imports/preview.html",
                      _context(kind, preview=preview, token=None, file_name=pending["name"],
                               form=ImportForm()), status=400)
    _forget(request, kind)
    counts = preview.counts
    messages.success(
        request,
        ngettext("%(file)s was imported: %(new)s new row, %(changed)s changed, %(unchanged)s "
                 "unchanged.",
                 "%(file)s was imported: %(new)s new rows, %(changed)s changed, %(unchanged)s "
                 "unchanged.", counts["new"])
        % {"file": pending["name"], **counts},
    )
    return redirect(done, group.slug)


@group_view(managers_only=True)
def import_template(request, import_kind):
    """The .xlsx to fill in: the header and an example row (and, for the records, the
    attendance sheet with the group's members)."""
    kind = import_kind
    _kind(kind)
    if kind == "members":
        content, name = members_template_xlsx(), "成员导入模板.xlsx"
    else:
        content, name = records_template_xlsx(group=request.member.group), "学习记录导入模板.xlsx"
    return attachment_response(ContentFile(content), filename=name,
                               content_type=XLSX_CONTENT_TYPE)


def _export(content: bytes, *, name: str, fmt: str):
    content_type = XLSX_CONTENT_TYPE if fmt == "xlsx" else CSV_CONTENT_TYPE
    return attachment_response(ContentFile(content), filename=f"{name}.{fmt}",
                               content_type=content_type)


@group_view(managers_only=True)
def member_export(request, fmt):
    """The group's members, present and past, in rank order, as .xlsx or CSV."""
    group = request.member.group
    members = members_for_group(group_id=group.pk)
    content = (members_xlsx if fmt == "xlsx" else members_csv)(group=group, members=members)
    return _export(content, name=f"{group.slug}-成员名单-{timezone.localdate():%Y%m%d}", fmt=fmt)


@group_view(managers_only=True)
def ledger_export(request, fmt):
    """The attendance ledger of the term (?term=2020H1; default the current term) as .xlsx or
    CSV; 404 when the group has no term yet."""
    group = request.member.group
    code = request.GET.get("term")
    term = (term_get(group_id=group.pk, code=code) if code
            else term_current(group_id=group.pk, today=timezone.localdate()))
    if term is None:
        raise Http404("No term yet")
    ledger = attendance_ledger(group_id=group.pk, term=term)
    content = (ledger_xlsx if fmt == "xlsx" else ledger_csv)(group=group, ledger=ledger)
    return _export(content, name=f"{group.slug}-考勤台账-{term.code}", fmt=fmt)
