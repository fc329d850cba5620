"""The only way a PDF render may reach anything outside its own HTML: this URL fetcher.

WeasyPrint fetches stylesheets, images, fonts, SVG references and `<link rel=attachment>` files
through the fetcher it is given (HTML, CSS and attachments alike). This one serves:

- `data:` URLs (inline charts and images), up to MAX_DATA_URL_BYTES;
- the app's own static files, ONLY through the private scheme `sendreview-static:/<path>`, found with
  Django's staticfiles finders; the path must be a plain relative path (no `..`, no backslash, no
  percent-encoded tricks) and must resolve (symlinks followed) inside one of the static directories.

Everything else — `file:`, `http(s):`, `ftp:`, metadata addresses, relative URLs that did not resolve
to the private scheme — is refused with an exception, which WeasyPrint turns into a warning and a
missing resource. Nothing here opens a socket, so there are no redirects to follow.

WeasyPrint 66+ expects a `weasyprint.urls.URLFetcher` instance (it reads `_fail_on_errors` from it and
wants a `URLFetcherResponse` back), so this subclasses it and overrides `fetch()`; the parent's
urllib opener is never used. Every URL asked for is recorded on the instance (`asked`, `served`,
`refused`) so tests can assert exactly what a render tried to reach.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote
from urllib.request import DataHandler, Request

from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger("sendreview.reports")

STATIC_SCHEME = "sendreview-static"
STATIC_BASE = f"{STATIC_SCHEME}:/"
MAX_DATA_URL_BYTES = 2_000_000
MAX_STATIC_BYTES = 5_000_000
ALLOWED_STATIC_SUFFIXES = {
    ".css",
    ".svg",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".ttf",
    ".otf",
    ".woff",
    ".woff2",
}
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$")


class RefusedURL(ValueError):
    """A render asked for something outside data: URLs and the app's own static files."""


def static_url(path: str) -> str:
    """The URL a PDF template uses for one of the app's static files."""
    return STATIC_BASE + path.lstrip("/")


def static_roots() -> list[Path]:
    """Every directory the staticfiles finders look in (STATICFILES_DIRS and apps' static/)."""
    roots = []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location).resolve())
    return roots


def resolve_static(path: str) -> Path:
    """The real file for a static path, or RefusedURL. Never leaves the static directories."""
    decoded = unquote(path)
    if (
        decoded != path
        or not _SAFE_PATH.match(path)
        or any(part in ("", ".", "..") for part in path.split("/"))
    ):
        raise RefusedURL(f"not a plain static path: {path!r}")
    if Path(path).suffix.lower() not in ALLOWED_STATIC_SUFFIXES:
        raise RefusedURL(f"static file type not served to PDFs: {path!r}")
    found = finders.find(path)
    if not found:
        raise RefusedURL(f"no such static file: {path!r}")
    real = Path(found).resolve()
    if not any(real.is_relative_to(root) for root in static_roots()):
        raise RefusedURL(f"static path leaves the static directories: {path!r}")
    if not real.is_file() or real.stat().st_size > MAX_STATIC_BYTES:
        raise RefusedURL(f"not a servable file: {path!r}")
    return real


class SafeURLFetcher(URLFetcher):
    """Serves data: URLs and `sendreview-static:/…` only; refuses (and records) everything else."""

    def __init__(self) -> None:
        super().__init__(
            timeout=1, allowed_protocols=(), allow_redirects=False, fail_on_errors=False
        )
        self.asked: list[str] = []
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        self.asked.append(url)
        try:
            response = self._fetch(url)
        except Exception:
            self.refused.append(url)
            log.warning("PDF render refused a URL: %.200s", url)
            raise
        self.served.append(url)
        return response

    def _fetch(self, url: str) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            if len(url) > MAX_DATA_URL_BYTES:
                raise RefusedURL("data: URL too large")
            opened = DataHandler().data_open(Request(url))  # noqa: S310 - data: URLs only, checked above
            body = opened.read()
            return URLFetcherResponse(
                url, body=body, headers={"Content-Type": opened.headers["Content-type"]}
            )
        prefix = STATIC_SCHEME + ":"
        if url.startswith(prefix):
            rest = url[len(prefix) :]
            if not rest.startswith("/") or rest.startswith("//") or "?" in rest or "#" in rest:
                raise RefusedURL(f"not a plain static URL: {url[:80]!r}")
            real = resolve_static(rest[1:])
            content_type = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=real.read_bytes(), headers={"Content-Type": content_type}
            )
        raise RefusedURL(f"scheme not allowed in PDFs: {url[:80]!r}")

    # WeasyPrint calls the instance; urllib-style open() must not reach the parent's opener either.
    def __call__(self, url):
        return self.fetch(url)

    def open(self, url, data=None, timeout=None):
        return self.fetch(url.full_url if isinstance(url, Request) else url)
