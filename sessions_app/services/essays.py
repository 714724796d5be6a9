"""Writes for reflection essays (心得体会) and research reports (调研报告).

Submit, revise, review.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.originality.services import essay_originality_check_queue
from audit.services import audit_record
from audit.stale import check_fresh
from intake.count import count_characters, count_words, strip_invisible
from intake.essays import EssayFile
from sessions_app.models import Member, PlannedTopic, ReflectionEssay, StudySession
from sessions_app.selectors.essays import sessions_for_outlines


def _check_subject(
    *,
    author: Member,
    kind: str,
    session: StudySession | None,
    planned_topic: PlannedTopic | None,
) -> None:
    if (session is None) == (planned_topic is None):
        raise ValidationError(_("Choose either the session or the topic the essay is for."))
    if session is not None and session.group_id != author.group_id:
        raise ValidationError({"session": _("The session belongs to another group.")})
    if planned_topic is not None and planned_topic.plan.group_id != author.group_id:
        raise ValidationError({"planned_topic": _("The topic belongs to another group.")})
    if kind == ReflectionEssay.Kind.OUTLINE and (
        session is None or not sessions_for_outlines(member=author).filter(pk=session.pk).exists()
    ):
        raise ValidationError(
            {
                "session": _(
                    "A speaking outline is for a session whose notice names you as a key speaker."
                )
            }
        )


def _set_content(essay: ReflectionEssay, *, body: str, essay_file: EssayFile | None) -> None:
    """Put the text (typed, or extracted from the file) and the file on the essay; no save.

    Invisible characters (intake.count.strip_invisible) are taken out of typed text as they are
    of a file's; the essay keeps the 字数 (word_count) and 字符数（不计空格） (char_count) of
    that text.
    """
    text = essay_file.text if essay_file is not None else strip_invisible(body).strip()
    if count_characters(text) == 0:
        raise ValidationError({"body": _("Type the text of the essay or upload a file.")})
    essay.body = text
    essay.word_count = count_words(text)
    essay.char_count = count_characters(text)
    if essay_file is not None:
        essay.original_filename = essay_file.original_filename
        # A generated name: the user's file name never reaches the storage path.
        essay.file.save(
            f"{uuid.uuid4().hex}{essay_file.extension}",
            ContentFile(essay_file.content),
            save=False,
        )
    else:
        essay.file = None
        essay.original_filename = ""


def _save_or_discard_file(essay: ReflectionEssay, *, new_file: bool) -> None:
    """full_clean and save; if that fails, delete the file just stored so nothing is left over."""
    try:
        essay.full_clean()
        essay.save()
    except Exception:
        if new_file and essay.file:
            essay.file.storage.delete(essay.file.name)
        raise


def _delete_file_after_commit(storage, name: str) -> None:
    transaction.on_commit(lambda: storage.delete(name))


def _check_originality_after_commit(essay: ReflectionEssay) -> None:
    """Queue the essay's originality check (audit.originality) for when this transaction
    commits: the member's submission neither waits for the check on a worker nor fails with
    it, and the check sees the committed text. Eagerly, with no broker, it runs right after."""
    essay_originality_check_queue(essay=essay)


@transaction.atomic
def essay_submit(
    *,
    author: Member,
    title: str,
    kind: str,
    session: StudySession | None = None,
    planned_topic: PlannedTopic | None = None,
    body: str = "",
    essay_file: EssayFile | None = None,
) -> ReflectionEssay:
    """Submit an essay by author for one session or one planned topic of their group, or a
    speaking outline (kind OUTLINE) for a session whose notice names author a key speaker.

    The text is essay_file's extracted text when a checked file is given (see
    intake.essays.essay_file_read), else the typed body. The file is stored under a generated name;
    if the row cannot be saved, the stored file is removed again. Raises ValidationError.
    Once committed, the essay's originality check is queued (audit.originality).
    """
    _check_subject(author=author, kind=kind, session=session, planned_topic=planned_topic)
    essay = ReflectionEssay(
        group_id=author.group_id,
        author=author,
        kind=kind,
        title=title.strip(),
        session=session,
        planned_topic=planned_topic,
        submitted_at=timezone.now(),
        status=ReflectionEssay.Status.SUBMITTED,
        created_by=author.user,
        updated_by=author.user,
    )
    _set_content(essay, body=body, essay_file=essay_file)
    _save_or_discard_file(essay, new_file=essay_file is not None)
    _check_originality_after_commit(essay)
    return essay


@transaction.atomic
def essay_revise(
    *,
    essay: ReflectionEssay,
    author: Member,
    title: str,
    kind: str,
    session: StudySession | None = None,
    planned_topic: PlannedTopic | None = None,
    body: str = "",
    essay_file: EssayFile | None = None,
    keep_file: bool = False,
) -> ReflectionEssay:
    """The author revises an essay not yet accepted, which submits it again for review.

    A new file replaces the old one (deleted after commit); keep_file keeps the current file and
    its text; otherwise the typed body replaces file and text. The earlier review comment stays
    for reference, and the status goes back to submitted. When the text changed, its
    originality check is queued again once committed (audit.originality).
    """
    if essay.author_id != author.pk:
        raise PermissionDenied
    if not essay.is_revisable:
        raise ValidationError(_("An accepted essay can no longer be changed."))
    _check_subject(author=author, kind=kind, session=session, planned_topic=planned_topic)
    old_file_name = essay.file.name if essay.file else ""
    old_storage = essay.file.storage
    old_body = essay.body
    essay.title = title.strip()
    essay.kind = kind
    essay.session = session
    essay.planned_topic = planned_topic
    if not (keep_file and old_file_name and essay_file is None):
        _set_content(essay, body=body, essay_file=essay_file)
    essay.status = ReflectionEssay.Status.SUBMITTED
    essay.submitted_at = timezone.now()
    essay.updated_by = author.user
    _save_or_discard_file(essay, new_file=essay_file is not None)
    if old_file_name and essay.file.name != old_file_name:
        _delete_file_after_commit(old_storage, old_file_name)
    if essay.body != old_body:
        _check_originality_after_commit(essay)
    return essay


@transaction.atomic
def essay_review(
    *,
    essay: ReflectionEssay,
    reviewer: Member,
    status: str,
    comment: str = "",
    seen: str | None = None,
) -> ReflectionEssay:
    """A secretary or leader of the essay's group accepts it or returns it with a comment.

    Returning requires a comment (ReflectionEssay.clean); raises ValidationError otherwise.
    Raises PermissionDenied when the reviewer may not review this group's essays, and, with a
    message, when the reviewer is the essay's author: nobody reviews their own essay
    (ReflectionEssay.check_reviewer). seen is the essay's version the review form was opened at
    (audit.stale.version_of): when someone saved the essay since (another review, a revision),
    raises audit.stale.StaleEdit. Nothing changes then. The audit event names the reviewer (its
    actor) and, in its details, both the author and the reviewer.
    """
    essay.check_reviewer(reviewer)
    locked = ReflectionEssay.objects.select_for_update().get(pk=essay.pk)
    check_fresh(locked=locked, seen=seen, group_id=essay.group_id)
    if status not in (ReflectionEssay.Status.ACCEPTED, ReflectionEssay.Status.RETURNED):
        raise ValidationError({"status": _("Accept the essay or return it.")})
    essay.status = status
    essay.review_comment = comment.strip()
    essay.reviewed_by = reviewer
    essay.reviewed_at = timezone.now()
    essay.updated_by = reviewer.user
    essay._history_user = reviewer.user
    essay.full_clean()
    essay.save()
    audit_record(
        action=(
            AuditEvent.Action.APPROVED
            if status == ReflectionEssay.Status.ACCEPTED
            else AuditEvent.Action.RETURNED
        ),
        actor=reviewer.user,
        actor_name=reviewer.display_name,
        group_id=essay.group_id,
        obj=essay,
        # Not "author": audit_record drops keys naming a secret, and AUTH is one of them.
        details={
            "written_by": essay.author.display_name,
            "written_by_member_id": essay.author_id,
            "reviewed_by": reviewer.display_name,
            "reviewed_by_member_id": reviewer.pk,
        },
    )
    return essay
