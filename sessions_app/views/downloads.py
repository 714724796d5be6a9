"""Private files leave only through here: as attachments, never rendered by the browser."""

from django.http import FileResponse, Http404


def attachment_response(field_file, *, filename: str) -> FileResponse:
    """Stream a stored file as a download under filename (RFC 5987 encoded for Chinese names)."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("File missing") from exc
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
