"""The only way WeasyPrint may read anything while rendering a report: the app's own static files.

WeasyPrint's default fetcher opens file://, http(s):// and data: addresses and embeds the target
of every <link rel="attachment"> in the PDF. A report carries text written by users, so a stray
address in it must never read the server's files or reach the network. This fetcher answers only
for addresses under the app's static URL and refuses every other address.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.utils._os import safe_join
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

#: The document's base URL. ".invalid" never resolves (RFC 2606), so even a bug that let a
#: request through could not reach a real host.
DOCUMENT_BASE_URL = "https://report.invalid/"


class FetchRefused(ValueError):
    """An address outside the app's static files; WeasyPrint logs it and renders without it."""


class StaticFilesFetcher(URLFetcher):
    """Serve `{% static %}` addresses from the app's static files; refuse everything else.

    `refused` and `served` record the addresses asked for, so tests (and logs) can show that
    nothing else was read. fail_on_errors stays off: WeasyPrint would turn a refusal into a
    BaseException that kills a solo Celery worker.
    """

    def __init__(self, base_url: str = DOCUMENT_BASE_URL, **kwargs) -> None:
        kwargs["fail_on_errors"] = False
        super().__init__(**kwargs)
        self.static_prefix = urljoin(base_url, settings.STATIC_URL)
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        path = self._static_path(url)
        if path is None:
            self.refused.append(url)
            logger.warning("Report renderer refused to fetch %.200s", url)
            raise FetchRefused(f"Only the app's static files may be fetched, not {url[:200]}")
        self.served.append(url)
        content_type, _encoding = mimetypes.guess_type(path.name)
        headers = {"Content-Type": content_type or "application/octet-stream"}
        return URLFetcherResponse(url, path.read_bytes(), headers)

    def _static_path(self, url: str) -> Path | None:
        """The file behind a static address, or None for any other address."""
        if not url.startswith(self.static_prefix):
            return None
        parts = urlsplit(url)
        if parts.query or parts.fragment or parts.username or parts.password:
            return None
        relative = unquote(url[len(self.static_prefix) :])
        if not relative or "\\" in relative or "\x00" in relative:
            return None
        segments = relative.split("/")
        if relative.startswith("/") or any(s in ("", ".", "..") for s in segments):
            return None
        found = finders.find(relative)
        if found:
            return Path(found)
        # In production the files are collected (with hashed names) under STATIC_ROOT.
        if settings.STATIC_ROOT:
            try:
                candidate = Path(safe_join(str(settings.STATIC_ROOT), relative))
            except SuspiciousFileOperation:
                return None
            if candidate.is_file():
                return candidate
        return None
