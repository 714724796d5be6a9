"""Private files leave only through here: as attachments, never rendered by the browser."""

from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control


def attachment_response(
    field_file, *, filename: str, content_type: str | None = None
) -> FileResponse:
    """Stream a stored file as a download under filename (RFC 5987 encoded for Chinese names).

    The caller has already checked that the user may read it; 404 if storage has lost it.
    """
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("The file is missing from storage") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, private=True, no_store=True)
    return response
