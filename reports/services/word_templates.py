"""A group's own Word template: uploaded by those who keep the records, in versions."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import word
from reports.models import WordTemplate
from sessions_app.models import Member, StudyGroup


def _check_keeper(member: Member, group: StudyGroup) -> None:
    if member.group_id != group.pk or not member.can_manage_records:
        raise PermissionDenied


@transaction.atomic
def word_template_upload(
    *, group: StudyGroup, member: Member, user: AbstractBaseUser, upload: UploadedFile
) -> WordTemplate:
    """Save an uploaded .docx as the group's Word template, the next version; from now on the
    group's summary and plan .docx are made with it (its approved documents' files are made
    again after a quiet minute: reports.receivers).

    Secretary and leaders of the group only (PermissionDenied). A file that is not a Word
    template (reports.word.word_template_check: a real .docx with {{ body }} on a line of its
    own) raises ValidationError on "file" with the reason, and nothing is saved.
    """
    _check_keeper(member, group)
    if upload.size is not None and upload.size > word.TEMPLATE_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The template is larger than %(limit)d MB.")
                % {"limit": word.TEMPLATE_MAX_BYTES >> 20}
            }
        )
    content = upload.read()
    try:
        word.word_template_check(content)
    except word.WordTemplateError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    # Versions are numbered per group: the group row is the lock.
    StudyGroup.objects.select_for_update().filter(pk=group.pk).first()
    last = WordTemplate.objects.filter(group=group).aggregate(last=Max("version"))["last"] or 0
    template = WordTemplate(
        group=group,
        version=last + 1,
        original_name=(upload.name or "template.docx")[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        created_by=user,
        updated_by=user,
    )
    template._history_user = user
    template.file.save("template.docx", ContentFile(content), save=False)
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def word_template_use_default(
    *, group: StudyGroup, member: Member, user: AbstractBaseUser
) -> int:
    """Go back to the app's default layout: every version of the group's template is marked no
    longer used (and kept, with its file, in the history). Secretary and leaders of the group
    only (PermissionDenied). Returns how many versions were in use (0 or 1)."""
    _check_keeper(member, group)
    retired = 0
    for template in WordTemplate.objects.select_for_update().filter(
        group=group, retired_at__isnull=True
    ):
        template.retired_at = timezone.now()
        template.updated_by = user
        template._history_user = user
        template.full_clean()
        template.save()
        retired += 1
    return retired
