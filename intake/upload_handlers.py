"""Upload files stop being kept once they pass the upload limit, while the request still arrives.

Django otherwise receives a whole upload into memory or a temporary file before any form can
look at its size, so a 2 GB "essay" would fill the temporary directory. This handler runs first
(settings.FILE_UPLOAD_HANDLERS): past settings.ESSAY_MAX_UPLOAD_BYTES it drops what the later
handlers kept of the file, passes them nothing more, and hands the form an empty file that
still reports the size it had, so the form says "too large" (intake.limits.read_limited).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(UploadedFile):
    """A file that passed the upload limit: its name and size, none of its bytes."""

    def __init__(self, *, name: str, size: int, content_type: str | None) -> None:
        super().__init__(io.BytesIO(), name=name, content_type=content_type, size=size)


class UploadLimitHandler(FileUploadHandler):
    """Counts each uploaded file's bytes and stops keeping it past the upload limit."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        already_over = self.received > settings.ESSAY_MAX_UPLOAD_BYTES
        self.received += len(raw_data)
        if self.received <= settings.ESSAY_MAX_UPLOAD_BYTES:
            return raw_data
        if not already_over:
            self._discard_kept_parts()
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received > settings.ESSAY_MAX_UPLOAD_BYTES:
            return OversizedUpload(
                name=self.file_name, size=self.received, content_type=self.content_type
            )
        return None

    def _discard_kept_parts(self) -> None:
        """Close (and so delete) what the memory and temporary-file handlers kept so far."""
        later = self.request.upload_handlers if self.request is not None else []
        for handler in later:
            if handler is not self and hasattr(handler, "file"):
                handler.file.close()
