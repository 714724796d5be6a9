"""Importing a group's members and its records so far from spreadsheets: preview, then apply.

Each import is two steps. *_import_preview reads the sheets (intake.spreadsheets.Sheet) against
the group as it is and returns an ImportPreview: every row new, changed (old → new), unchanged
or in error, each error next to its row and column. It writes nothing. *_import_apply runs the
same preview again inside one transaction, refuses (ValidationError) when it finds any error,
and otherwise writes every row and one audit event (IMPORTED) with the file's name, its sha256
and the row counts. The view keeps the uploaded file between the two steps and hands the same
bytes to both: nothing the browser sends back is trusted.

Members: 姓名, 职务, 角色, 手机号, 邮箱, 加入日期. A row is matched to a member by name (spaces
ignored, as lists pad two-character names); a blank cell leaves an existing member's value as it
is. New members get accounts as member_add makes them (user name from the phone number, no usable
password), written in bulk so that the number of queries does not grow with the rows.

Records so far: the first sheet lists the term's sessions (日期, 开始时间, 地点, 形式, 专题,
主持人), the second their attendance (姓名, then one column per session headed by its date, or
date and topic, with 出席/迟到/请假/缺席 or √/迟/假/×). Sessions are written by
services.sessions.session_record and session_update, so every rule of a session applies.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.models import AuditEvent
from audit.services import audit_record, audit_record_many
from intake.spreadsheets import Sheet
from sessions_app.models import (
    Attendance,
    Member,
    SessionFormat,
    StudyGroup,
    StudySession,
    record_date_error,
)
from sessions_app.services.members import KEPT_ROLES, phone_username, signin_link_refusal
from sessions_app.services.sessions import AttendanceEntry, session_record, session_update
from sessions_app.services.terms import half_dates, half_of

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"

# Column headers as the templates write them, with the English ones also understood.
MEMBER_COLUMNS = {
    "name": ("姓名", "name"),
    "position": ("职务", "position"),
    "role": ("角色", "role"),
    "phone": ("手机号", "手机", "手机号码", "phone"),
    "email": ("邮箱", "电子邮箱", "email", "e-mail"),
    "joined_on": ("加入日期", "joined on"),
}
SESSION_COLUMNS = {
    "date": ("日期", "date"),
    "start_time": ("开始时间", "时间", "start time"),
    "place": ("地点", "place"),
    "format": ("形式", "format"),
    "topic": ("专题", "主题", "topic"),
    "host": ("主持人", "host"),
}
COLUMN_LABELS = {
    "name": gettext_lazy("name"),
    "position": gettext_lazy("position"),
    "role": gettext_lazy("role"),
    "phone": gettext_lazy("phone"),
    "email": gettext_lazy("e-mail"),
    "joined_on": gettext_lazy("joined on"),
    "date": gettext_lazy("date"),
    "start_time": gettext_lazy("start time"),
    "place": gettext_lazy("place"),
    "format": gettext_lazy("format"),
    "topic": gettext_lazy("topic"),
    "host": gettext_lazy("host"),
}
# How paper sign-in sheets mark attendance, besides the words themselves.
STATUS_MARKS = {
    "√": Attendance.Status.PRESENT,
    "✓": Attendance.Status.PRESENT,
    "✔": Attendance.Status.PRESENT,
    "到": Attendance.Status.PRESENT,
    "迟": Attendance.Status.LATE,
    "假": Attendance.Status.LEAVE,
    "×": Attendance.Status.ABSENT,
    "x": Attendance.Status.ABSENT,
    "✗": Attendance.Status.ABSENT,
    "缺": Attendance.Status.ABSENT,
}
_SPACES = re.compile(r"[\s\u3000]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_TIME = re.compile(r"^(\d{1,2})\s*[:：点时]\s*(\d{2})?\s*分?$")
_LEAVE_REASON = re.compile(r"^(.+?)\s*[（(:：]\s*(.*?)\s*[)）]?$")


@dataclass
class PreviewRow:
    """One row of the file as the preview shows it.

    number: the row's number in its sheet (the header is row 1); label: who or what it is;
    status: NEW, CHANGED, UNCHANGED or ERROR; cells: (column label, value) as read;
    changes: (column label, old, new) for a changed row; errors: (column label, message).
    """

    number: int
    label: str
    status: str = NEW
    cells: list[tuple[str, str]] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append((str(column), str(message)))
        self.status = ERROR


@dataclass
class ImportPreview:
    """What an import would do. file_errors: problems with the file as a whole (a missing
    column, a missing sheet); sheets: (title, rows) per sheet shown; plan: what apply writes,
    for this module only. ok is True when nothing at all is in error."""

    kind: str
    sheets: list[tuple[str, list[PreviewRow]]]
    file_errors: list[str] = field(default_factory=list)
    plan: dict = field(default_factory=dict, repr=False)

    @property
    def rows(self) -> list[PreviewRow]:
        return [row for _title, rows in self.sheets for row in rows]

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.status for row in self.rows)
        return {status: counted.get(status, 0) for status in (NEW, CHANGED, UNCHANGED, ERROR)}

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.counts[ERROR]

    @property
    def changes_anything(self) -> bool:
        counts = self.counts
        return bool(counts[NEW] or counts[CHANGED])


def name_key(name: str) -> str:
    """A name as it is matched: without any spaces ("王  伟" is "王伟")."""
    return _SPACES.sub("", name or "")


def parse_date(text: str) -> dt.date | None:
    """2020-03-05, 2020/3/5, 2020.3.5 or 2020年3月5日 as a date; None when it is none of these
    or no such day."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_time(text: str) -> dt.time | None:
    """09:30, 9：30, 9点30 or 14点 as a time; None when it is none of these or no such time."""
    match = _TIME.match(text.strip())
    if not match:
        return None
    try:
        return dt.time(int(match.group(1)), int(match.group(2) or 0))
    except ValueError:
        return None


def _labels(choices, extra: dict | None = None) -> dict[str, str]:
    """Each choice's label in Chinese and in English (lower case), mapped to its value."""
    found = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in choices:
                found[str(label).strip().lower()] = value
    found.update(extra or {})
    return found


def role_values() -> dict[str, str]:
    """组长, 副组长, 学习秘书, 成员 (and the English names) → Member.Role."""
    return _labels(Member.Role.choices, {"秘书": Member.Role.SECRETARY})


def format_values() -> dict[str, str]:
    """The session formats' names in Chinese and English → SessionFormat; 专题学习 (topic
    study, DESIGN.md's Words) and 集中学习 (the umbrella word) are the same format."""
    return _labels(SessionFormat.choices, {"专题学习": SessionFormat.TOPIC_STUDY,
                                           "集中学习": SessionFormat.TOPIC_STUDY})


def status_values() -> dict[str, str]:
    """出席, 迟到, 请假, 缺席 (and English, and the paper marks √ 迟 假 ×) → Attendance.Status."""
    return _labels(Attendance.Status.choices, STATUS_MARKS)


HEADER_SEARCH_ROWS = 5  # an exported sheet has its title above the header row


def _header_map(
    sheet: Sheet, columns: dict, preview: ImportPreview, title: str
) -> tuple[dict, int] | None:
    """Column index of each known column in the sheet's header row (the first of its first
    HEADER_SEARCH_ROWS rows that has the key column: an export's title may stand above it) and
    that row's index; records a file error and returns None when there is no such row."""
    if not sheet.rows:
        preview.file_errors.append(
            _("The sheet “%(sheet)s” is empty: copy the template's header row into it.")
            % {"sheet": title}
        )
        return None
    wanted = {key: {name_key(n).lower() for n in names} for key, names in columns.items()}
    first_key = next(iter(columns))
    for header_index, cells in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        headers = [name_key(cell).lower() for cell in cells]
        found = {}
        for key, names in wanted.items():
            for index, header in enumerate(headers):
                if header in names:
                    found[key] = index
                    break
        if first_key in found:
            return found, header_index
    preview.file_errors.append(
        _("The sheet “%(sheet)s” has no column “%(column)s” in its header row: start from "
          "the template.") % {"sheet": title, "column": columns[first_key][0]}
    )
    return None


def _cell(row: tuple[str, ...], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def _name_index(members) -> dict[str, list[Member]]:
    index = defaultdict(list)
    for member in members:
        index[name_key(member.display_name)].append(member)
    return index


# --- Members ---------------------------------------------------------------------------------


def _role_label(role: str) -> str:
    return str(Member.Role(role).label)


def members_import_preview(*, group: StudyGroup, sheets: list[Sheet]) -> ImportPreview:
    """What importing the members sheet (the first sheet) would do to the group; writes nothing.

    Errors, each at its row and column: no name; a name twice in the file; a name that matches
    two of the group's members; an unknown role; a bad phone number, or none for a new member
    (it becomes their user name), or one whose user name is taken; a bad e-mail address; a date
    that is not a date or out of range. A change that would leave the group without a leader or
    a secretary it had is a file error. Queries: three, at any size.
    """
    preview = ImportPreview(kind="members", sheets=[])
    sheet = sheets[0]
    title = sheet.name or _("members")
    found = _header_map(sheet, MEMBER_COLUMNS, preview, title)
    if found is None:
        return preview
    header, header_index = found
    members = list(
        Member.objects.filter(group=group).select_related("user").in_rank_order()
    )
    by_name = _name_index(members)
    roles = role_values()
    today = timezone.localdate()
    label = {key: str(COLUMN_LABELS[key]) for key in MEMBER_COLUMNS}
    rows: list[PreviewRow] = []
    seen: dict[str, int] = {}
    wanted_usernames: dict[str, PreviewRow] = {}
    plan_new, plan_changed = [], []
    for number, cells in enumerate(sheet.rows[header_index + 1:], start=header_index + 2):
        if not any(cells):
            continue
        values = {key: _cell(cells, header.get(key)) for key in MEMBER_COLUMNS}
        name = _SPACES.sub(" ", values["name"]).strip()
        row = PreviewRow(
            number=number,
            label=name,
            cells=[(label[key], values[key]) for key in MEMBER_COLUMNS if key in header],
        )
        rows.append(row)
        if not name:
            row.error(label["name"], _("Enter the member's name."))
            continue
        # The limits the members page's form keeps (the model's), told at their cell here rather
        # than as the database's refusal on confirm.
        for column, text, field_name in (
            ("name", name, "display_name"),
            ("position", values["position"], "position"),
        ):
            limit = Member._meta.get_field(field_name).max_length
            if len(text) > limit:
                row.error(
                    label[column],
                    ngettext(
                        "Write at most %(limit)d character here; this has %(n)d.",
                        "Write at most %(limit)d characters here; this has %(n)d.",
                        limit,
                    )
                    % {"limit": limit, "n": len(text)},
                )
        key = name_key(name)
        if key in seen:
            row.error(label["name"], _("This name is already on row %(row)s of the file.")
                      % {"row": seen[key]})
            continue
        seen[key] = number
        matches = by_name.get(key, [])
        if len(matches) > 1:
            row.error(label["name"], _("Two members of the group are called %(name)s: change "
                                        "one of them on the members page first.")
                      % {"name": name})
            continue
        existing = matches[0] if matches else None
        role = None
        if values["role"]:
            role = roles.get(values["role"].lower())
            if role is None:
                row.error(label["role"], _("Unknown role “%(role)s”: write 组长, 副组长, 学习秘书 "
                                            "or 成员.") % {"role": values["role"]})
        joined_on = None
        if values["joined_on"]:
            joined_on = parse_date(values["joined_on"])
            if joined_on is None:
                row.error(label["joined_on"], _("“%(value)s” is not a date: write it as "
                                                 "2020-03-05.") % {"value": values["joined_on"]})
            elif problem := record_date_error(joined_on):
                row.error(label["joined_on"], problem)
        email = values["email"]
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.error(label["email"], _("“%(value)s” is not an e-mail address.")
                          % {"value": email})
        if existing is None:
            username = ""
            if not values["phone"]:
                row.error(label["phone"], _("Enter the new member's phone number: it becomes "
                                             "their user name."))
            else:
                try:
                    username = phone_username(values["phone"])
                except ValidationError as error:
                    row.error(label["phone"], " ".join(error.messages))
                else:
                    if username.lower() in wanted_usernames:
                        row.error(label["phone"], _("This phone number is already on row "
                                                     "%(row)s of the file.")
                                  % {"row": wanted_usernames[username.lower()].number})
                    else:
                        wanted_usernames[username.lower()] = row
            if row.status != ERROR:
                plan_new.append({
                    "row": row,
                    "display_name": name,
                    "role": role or Member.Role.MEMBER,
                    "position": values["position"],
                    "joined_on": joined_on or today,
                    "username": username,
                    "email": email,
                })
            continue
        # An existing member: blank cells leave their values as they are.
        changes = {}
        if role and role != existing.role:
            changes["role"] = (_role_label(existing.role), _role_label(role))
        if values["position"] and values["position"] != existing.position:
            changes["position"] = (existing.position, values["position"])
        if joined_on and joined_on != existing.joined_on:
            changes["joined_on"] = (existing.joined_on.isoformat(), joined_on.isoformat())
        if email and email.lower() != existing.user.email.lower():
            if refusal := signin_link_refusal(existing):
                row.error(label["email"], refusal)
            changes["email"] = (existing.user.email, email)
        if row.status == ERROR:
            continue
        if changes:
            row.status = CHANGED
            row.changes = [(label[k], old, new) for k, (old, new) in changes.items()]
            plan_changed.append({
                "member": existing,
                "role": role or existing.role,
                "position": values["position"] or existing.position,
                "joined_on": joined_on or existing.joined_on,
                "email": email if "email" in changes else None,
            })
        else:
            row.status = UNCHANGED
    if wanted_usernames:
        User = get_user_model()
        taken = set(
            User.objects.annotate(lowered=Lower("username"))
            .filter(lowered__in=list(wanted_usernames))
            .values_list("lowered", flat=True)
        )
        for username in taken:
            row = wanted_usernames[username]
            row.error(label["phone"], _("The user name %(username)s (from this phone number) is "
                                         "already taken on this site: add this person on the "
                                         "members page with another user name.")
                      % {"username": username})
        plan_new = [item for item in plan_new if item["row"].status != ERROR]
    _check_kept_roles(preview, members, plan_changed, today)
    preview.sheets.append((title, rows))
    preview.plan = {"new": plan_new, "changed": plan_changed, "members": members}
    return preview


def _check_kept_roles(preview, members, plan_changed, today) -> None:
    """A file error when the changed roles would leave the group, today, without a leader or a
    secretary it has (services.members' rule, judged on the rows in memory)."""
    new_roles = {item["member"].pk: item["role"] for item in plan_changed}
    for role in KEPT_ROLES:
        holders = [m for m in members if m.role == role and m.is_in_group_on(today)]
        after = [m for m in holders if new_roles.get(m.pk, m.role) == role]
        if holders and not after:
            if role == Member.Role.LEADER:
                preview.file_errors.append(_("The file takes the role of leader (组长) from "
                                             "every leader: the group must keep one."))
            else:
                preview.file_errors.append(_("The file takes the role of secretary (学习秘书) "
                                             "from every secretary: the group must keep one."))


def _refuse(preview: ImportPreview) -> None:
    if not preview.ok:
        raise ValidationError(
            _("The file has errors: nothing was imported. Correct them and upload it again."),
            code="import_errors",
        )


def _audit_import(*, group, actor, request, kind, file_name, sha256, preview) -> None:
    audit_record(
        action=AuditEvent.Action.IMPORTED,
        actor=actor,
        group_id=group.pk,
        description=file_name,
        request=request,
        details={"kind": kind, "file_name": file_name, "sha256": sha256,
                 "rows": preview.counts},
    )


# Set by this code, and their keys checked by the database: full_clean would query each row's.
_STAMPED = ["group", "user", "created_by", "updated_by"]


@transaction.atomic
def members_import_apply(
    *,
    group: StudyGroup,
    sheets: list[Sheet],
    file_name: str,
    sha256: str,
    actor: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> ImportPreview:
    """Import the members sheet: check it again (members_import_preview) and, when nothing is
    in error, add the new members with their accounts (as member_add: no usable password, a
    sign-in link to hand over; after every member, in the file's order) and change the changed
    ones, in one transaction. Every role given is audited (ROLE_CHANGED), and the import once
    (IMPORTED, with file_name, sha256 and the row counts). Returns the preview it applied.

    Raises ValidationError (code "import_errors") when the file has any error; nothing is
    written. The queries do not grow with the number of rows, but for one per existing member
    whose e-mail address the file changes (signin_link_refusal).
    """
    # Lock the group's rows so that two imports (or an import and an edit) do not interleave.
    list(Member.objects.select_for_update().filter(group=group).values_list("pk", flat=True))
    preview = members_import_preview(group=group, sheets=sheets)
    _refuse(preview)
    plan = preview.plan
    now = timezone.now()
    User = get_user_model()
    users = []
    for item in plan["new"]:
        user = User(username=item["username"], email=item["email"])
        user.set_unusable_password()
        user.full_clean(exclude=["password"], validate_unique=False)
        users.append(user)
    User.objects.bulk_create(users)
    if users and users[0].pk is None:  # a database that does not return ids on bulk insert
        ids = dict(User.objects.filter(username__in=[u.username for u in users])
                   .values_list("username", "pk"))
        for user in users:
            user.pk = ids[user.username]
    top = max((m.sort_order for m in plan["members"]), default=0)
    new_members = []
    for offset, (item, user) in enumerate(zip(plan["new"], users, strict=True), start=1):
        member = Member(
            group=group,
            user=user,
            display_name=item["display_name"],
            role=item["role"],
            position=item["position"],
            joined_on=item["joined_on"],
            sort_order=top + 10 * offset,
            created_by=actor,
            updated_by=actor,
        )
        member.full_clean(exclude=_STAMPED, validate_unique=False, validate_constraints=False)
        new_members.append(member)
    Member.objects.bulk_create(new_members)
    role_events = [(m, {"role_from": None, "role_to": m.role}) for m in new_members]
    changed_members, changed_users = [], []
    for item in plan["changed"]:
        member = item["member"]
        if member.role != item["role"]:
            role_events.append((member, {"role_from": member.role, "role_to": item["role"]}))
        member.role, member.position, member.joined_on = (
            item["role"], item["position"], item["joined_on"])
        member.updated_by, member.updated_at = actor, now
        member.full_clean(exclude=_STAMPED, validate_unique=False, validate_constraints=False)
        changed_members.append(member)
        if item["email"] is not None:
            member.user.email = item["email"]
            changed_users.append(member.user)
    Member.objects.bulk_update(
        changed_members, ["role", "position", "joined_on", "updated_by", "updated_at"])
    User.objects.bulk_update(changed_users, ["email"])
    audit_record_many(action=AuditEvent.Action.ROLE_CHANGED, actor=actor, group_id=group.pk,
                      objects=role_events, request=request)
    _audit_import(group=group, actor=actor, request=request, kind="members",
                  file_name=file_name, sha256=sha256, preview=preview)
    return preview


# --- The records so far: sessions and attendance -------------------------------------------


def records_term_dates(today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the current term (the half-year containing today)."""
    return half_dates(*half_of(today))


def _session_label(day: dt.date, topic: str) -> str:
    return f"{day.isoformat()} {topic}".strip()


def records_import_preview(*, group: StudyGroup, sheets: list[Sheet]) -> ImportPreview:
    """What importing the records so far would do; writes nothing.

    sheets[0] lists the sessions of the current term, sheets[1] (optional) their attendance.
    A session is matched to a recorded one by its date and topic. Errors, at their row and
    column: a date that is not a date or outside the current term, a time, format or host not
    understood, no topic, a session twice; on the attendance sheet: a column whose header names
    no session of the first sheet, a name that matches no member or two, a member not in the
    group on the session's day, a status not understood. Queries: four, at any size.
    """
    preview = ImportPreview(kind="records", sheets=[])
    today = timezone.localdate()
    start, end = records_term_dates(today)
    members = list(Member.objects.filter(group=group).in_rank_order())
    by_name = _name_index(members)
    formats = format_values()
    sessions_sheet = sheets[0]
    title = sessions_sheet.name or _("sessions")
    found = _header_map(sessions_sheet, SESSION_COLUMNS, preview, title)
    if found is None:
        return preview
    header, header_index = found
    recorded = {
        (s.date, name_key(s.topic)): s
        for s in StudySession.objects.filter(group=group, date__range=(start, end))
        .select_related("host")
    }
    label = {key: str(COLUMN_LABELS[key]) for key in SESSION_COLUMNS}
    session_rows: list[PreviewRow] = []
    planned: list[dict] = []  # one per good session row, in file order
    seen: dict[tuple, int] = {}
    for number, cells in enumerate(sessions_sheet.rows[header_index + 1:],
                                   start=header_index + 2):
        if not any(cells):
            continue
        values = {key: _cell(cells, header.get(key)) for key in SESSION_COLUMNS}
        row = PreviewRow(
            number=number,
            label=f"{values['date']} {values['topic']}".strip(),
            cells=[(label[key], values[key]) for key in SESSION_COLUMNS if key in header],
        )
        session_rows.append(row)
        day = parse_date(values["date"])
        if day is None:
            row.error(label["date"], _("“%(value)s” is not a date: write it as 2020-03-05.")
                      % {"value": values["date"]})
        elif not start <= day <= end:
            row.error(label["date"], _("The date is outside the current term (%(start)s to "
                                        "%(end)s): only this term's sessions are imported.")
                      % {"start": start.isoformat(), "end": end.isoformat()})
        elif problem := record_date_error(day):
            row.error(label["date"], problem)
        start_time = None
        if values["start_time"]:
            start_time = parse_time(values["start_time"])
            if start_time is None:
                row.error(label["start_time"], _("“%(value)s” is not a time: write it as 09:30.")
                          % {"value": values["start_time"]})
        session_format = SessionFormat.TOPIC_STUDY
        if values["format"]:
            session_format = formats.get(values["format"].lower())
            if session_format is None:
                row.error(label["format"], _(
                    "Unknown format “%(value)s”: write 专题学习, 专题研讨, 专家辅导, 视频学习, "
                    "扩大会议 or 读书班.")
                          % {"value": values["format"]})
        topic = values["topic"]
        if not topic:
            row.error(label["topic"], _("Enter the session's topic."))
        host = None
        if values["host"]:
            host = _one_member(row, label["host"], values["host"], by_name)
            if host is not None and day and not host.is_in_group_on(day):
                row.error(label["host"], _("%(name)s was not in the group on that day.")
                          % {"name": host.display_name})
        if day and topic:
            key = (day, name_key(topic))
            if key in seen:
                row.error(label["topic"], _("This session is already on row %(row)s.")
                          % {"row": seen[key]})
            seen[key] = number
        fields = {"date": day, "start_time": start_time, "place": values["place"],
                  "format": session_format, "topic": topic, "host": host}
        if row.status == ERROR:
            if day and topic:  # its attendance column is still checked
                planned.append({"row": row, "fields": fields, "existing": None, "entries": {}})
            continue
        existing = recorded.get((day, name_key(topic)))
        if existing is not None:
            # As for members: a blank cell leaves the recorded session's value as it is.
            for key in ("start_time", "place", "format", "host"):
                if not values[key]:
                    fields[key] = getattr(existing, key)
            changes = _session_changes(existing, fields, label)
            row.status = CHANGED if changes else UNCHANGED
            row.changes = changes
        planned.append({"row": row, "fields": fields, "existing": existing, "entries": {}})
    preview.sheets.append((title, session_rows))
    attendance_rows: list[PreviewRow] = []
    if len(sheets) > 1 and sheets[1].rows:
        attendance_rows = _attendance_preview(
            preview, sheets[1], planned, session_rows, by_name)
        preview.sheets.append((sheets[1].name or _("attendance"), attendance_rows))
    elif len(sheets) > 1:
        preview.sheets.append((sheets[1].name or _("attendance"), []))
    # A session row whose attendance changes is a changed session.
    for item in planned:
        if item["row"].status == UNCHANGED and item.get("attendance_changed"):
            item["row"].status = CHANGED
    preview.plan = {"sessions": planned}
    return preview


def _one_member(row: PreviewRow, column: str, name: str, by_name) -> Member | None:
    matches = by_name.get(name_key(name), [])
    if not matches:
        row.error(column, _("No member of the group is called %(name)s: add them on the members "
                            "page first, or correct the name.") % {"name": name})
        return None
    if len(matches) > 1:
        row.error(column, _("Two members of the group are called %(name)s: the import cannot "
                            "tell which; record this one by hand.") % {"name": name})
        return None
    return matches[0]


def _session_changes(existing: StudySession, fields: dict, label) -> list[tuple[str, str, str]]:
    def shown(key, value):
        if value is None:
            return ""
        if key == "start_time":
            return value.strftime("%H:%M")
        if key == "format":
            return str(SessionFormat(value).label)
        if key == "host":
            return value.display_name
        return str(value)

    changes = []
    for key in ("start_time", "place", "format", "host"):
        old, new = getattr(existing, key), fields[key]
        if key == "host":
            old, new = existing.host_id, new.pk if new else None
        if old != new:
            changes.append((label[key], shown(key, getattr(existing, key)),
                            shown(key, fields[key])))
    return changes


def _match_column(text: str, planned: list[dict]) -> tuple[dict | None, str | None]:
    """The session a column header names: by its date when one session of the file has that
    date, else by date and topic (“2020-03-05 专题”). Returns (session, error)."""
    text = text.strip()
    day = parse_date(text)
    topic = ""
    if day is None:
        match = re.match(r"^(\S+)\s+(.+)$", text)
        if match:
            day, topic = parse_date(match.group(1)), match.group(2)
    if day is None:
        return None, _("“%(value)s” is not a session's date (or date and topic).") % {
            "value": text}
    same_day = [item for item in planned if item["fields"]["date"] == day]
    if topic:
        same_day = [item for item in same_day
                    if name_key(item["fields"]["topic"]) == name_key(topic)]
    if len(same_day) == 1:
        return same_day[0], None
    if not same_day:
        return None, _("No session of the first sheet matches “%(value)s”.") % {"value": text}
    return None, _("Two sessions are on %(date)s: head the column with the date and the topic.") \
        % {"date": day.isoformat()}


def _status_of(text: str, statuses: dict) -> tuple[str | None, str]:
    """A cell's status and leave reason: "请假（出差）" is on leave, because of 出差."""
    word, reason = text, ""
    if text.lower() not in statuses and (match := _LEAVE_REASON.match(text)):
        word, reason = match.group(1), match.group(2)
    return statuses.get(word.strip().lower()), reason


def _attendance_preview(preview, sheet, planned, session_rows, by_name) -> list[PreviewRow]:
    title = sheet.name or _("attendance")
    header = sheet.rows[0]
    if not header or name_key(header[0]).lower() not in ("姓名", "name"):
        preview.file_errors.append(
            _("The sheet “%(sheet)s” must begin with the column “姓名” and then one column per "
              "session: start from the template.") % {"sheet": title})
        return []
    statuses = status_values()
    columns: dict[int, dict] = {}
    header_row = PreviewRow(number=1, label=_("header"), status=UNCHANGED)
    for index, text in enumerate(header[1:], start=1):
        if not text.strip():
            continue
        item, problem = _match_column(text, planned)
        if problem:
            header_row.error(text, problem)
        else:
            columns[index] = item
    rows = [header_row] if header_row.errors else []
    existing_ids = [item["existing"].pk for item in planned if item["existing"] is not None]
    recorded = {
        (a.session_id, a.member_id): a
        for a in Attendance.objects.filter(session_id__in=existing_ids)
    }
    seen: dict[int, int] = {}
    name_column = str(COLUMN_LABELS["name"])
    for number, cells in enumerate(sheet.rows[1:], start=2):
        if not any(cells):
            continue
        name = _cell(cells, 0)
        row = PreviewRow(number=number, label=name,
                         cells=[(header[i], _cell(cells, i)) for i in columns])
        rows.append(row)
        if not name:
            row.error(name_column, _("Enter the member's name."))
            continue
        member = _one_member(row, name_column, name, by_name)
        if member is None:
            continue
        if member.pk in seen:
            row.error(name_column, _("This member is already on row %(row)s.")
                      % {"row": seen[member.pk]})
            continue
        seen[member.pk] = number
        entries = []
        for index, item in columns.items():
            text = _cell(cells, index)
            if not text:
                continue
            status, reason = _status_of(text, statuses)
            column = header[index]
            if status is None:
                row.error(column, _("“%(value)s” is not an attendance: write 出席, 迟到, 请假 or "
                                    "缺席 (or √, 迟, 假, ×).") % {"value": text})
                continue
            day = item["fields"]["date"]
            if not member.is_in_group_on(day):
                row.error(column, _("%(name)s was not in the group on %(date)s.")
                          % {"name": member.display_name, "date": day.isoformat()})
                continue
            if status == Attendance.Status.LEAVE and not reason:
                reason = _("recorded from the paper sign-in sheet")
            entries.append((item, column, status, reason))
        if row.status == ERROR:
            continue
        changed = False
        for item, column, status, reason in entries:
            item["entries"][member.pk] = AttendanceEntry(
                member=member, status=status, leave_reason=reason)
            old = recorded.get((item["existing"].pk, member.pk)) if item["existing"] else None
            if old is None:
                changed = True
                item["attendance_changed"] = True
                row.changes.append((column, "", str(Attendance.Status(status).label)))
            elif old.status != status:
                changed = True
                item["attendance_changed"] = True
                row.changes.append((column, str(old.get_status_display()),
                                    str(Attendance.Status(status).label)))
        if not entries:
            row.status = UNCHANGED
        elif all(item["existing"] is None for item, *_rest in entries):
            row.status = NEW
        else:
            row.status = CHANGED if changed else UNCHANGED
    return rows


@transaction.atomic
def records_import_apply(
    *,
    group: StudyGroup,
    sheets: list[Sheet],
    file_name: str,
    sha256: str,
    actor: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> ImportPreview:
    """Import the records so far: check the file again (records_import_preview) and, when
    nothing is in error, record each new session with its attendance (session_record) and
    update each changed one (session_update; only the attendance cells filled in are
    written), in one transaction; the import is audited once (IMPORTED). Returns the preview
    it applied.

    Raises ValidationError (code "import_errors") when the file has any error, or the one a
    session service raises; nothing is written. Queries grow with the sessions, not with the
    members or cells.
    """
    list(Member.objects.select_for_update().filter(group=group).values_list("pk", flat=True))
    preview = records_import_preview(group=group, sheets=sheets)
    _refuse(preview)
    for item in preview.plan["sessions"]:
        if item["row"].status == UNCHANGED:
            continue
        entries = list(item["entries"].values())
        if item["existing"] is None:
            session_record(group=group, actor=actor, fields=item["fields"], attendance=entries)
        else:
            session_update(session=item["existing"], actor=actor, fields=item["fields"],
                           attendance=entries)
    _audit_import(group=group, actor=actor, request=request, kind="records",
                  file_name=file_name, sha256=sha256, preview=preview)
    return preview


__all__ = [
    "CHANGED",
    "ERROR",
    "NEW",
    "UNCHANGED",
    "ImportPreview",
    "PreviewRow",
    "members_import_apply",
    "members_import_preview",
    "records_import_apply",
    "records_import_preview",
]
