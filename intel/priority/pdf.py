"""HTML to PDF with WeasyPrint, without the network: the only URLs it may load are the
application's own static files, read from disk through the staticfiles finders. Anything else
(an ``http://`` image in a narrative, a stylesheet on another host, ``file:`` paths) is refused
before a connection is made, so a brief can neither leak who is reading it nor pull in
content from outside."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

# The origin the brief's relative URLs resolve against when rendered to PDF. ``.invalid`` never
# resolves (RFC 2606), so even a fetcher that forgot its rules could not reach a host.
STATIC_ORIGIN = "https://csu-static.invalid"


class StaticOnlyFetcher(URLFetcher):
    """Serves ``STATIC_ORIGIN`` + ``STATIC_URL`` paths from the staticfiles finders; refuses
    every other URL with ``ValueError`` (WeasyPrint then leaves the resource out)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("https",), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        static = settings.STATIC_URL or "/static/"
        if (
            f"{parts.scheme}://{parts.netloc}" != STATIC_ORIGIN
            or not parts.path.startswith(static)
            or ".." in parts.path
        ):
            self.refused.append(url)
            raise ValueError(f"Refused to fetch {url!r}: only the application's static files.")
        found = finders.find(unquote(parts.path.removeprefix(static)))
        if not found:
            self.refused.append(url)
            raise ValueError(f"No static file at {url!r}.")
        path = Path(found if isinstance(found, str) else found[0])
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


def html_to_pdf(html: str, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """The PDF of ``html``, its relative URLs resolved against ``STATIC_ORIGIN``."""
    document = HTML(
        string=html, base_url=STATIC_ORIGIN + "/", url_fetcher=fetcher or StaticOnlyFetcher()
    )
    pdf = document.write_pdf()
    assert pdf is not None
    return pdf
