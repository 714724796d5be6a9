"""The upload size limit (settings.ESSAY_MAX_UPLOAD_BYTES), for essays and materials alike."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _


def max_upload_megabytes() -> str:
    """The upload limit in MB (1 MB = 1024 × 1024 bytes) as people write it: '10', or '2.5'."""
    megabytes = settings.ESSAY_MAX_UPLOAD_BYTES / (1024 * 1024)
    return f"{megabytes:.1f}".removesuffix(".0")


def too_large_error() -> ValidationError:
    """The one message for a file over settings.ESSAY_MAX_UPLOAD_BYTES (essays and materials)."""
    return ValidationError(
        _("The file is larger than the %(limit)s MB limit. Upload a smaller file.")
        % {"limit": max_upload_megabytes()},
        code="too_large",
    )


def read_limited(uploaded: UploadedFile) -> bytes:
    """All of the upload's bytes, read from its start: at most settings.ESSAY_MAX_UPLOAD_BYTES.

    Raises too_large_error() (ValidationError, code "too_large") when the declared size or the
    bytes read pass the limit; never reads more than the limit plus one byte.
    """
    limit = settings.ESSAY_MAX_UPLOAD_BYTES
    if uploaded.size is not None and uploaded.size > limit:
        raise too_large_error()
    uploaded.seek(0)
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise too_large_error()
    return content
