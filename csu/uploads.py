"""Upload size enforced while the body arrives, not after it is spooled to disk (finding 10).

Two layers:

* ``UploadLimitMiddleware`` refuses a POST to an upload route whose declared ``Content-Length``
  exceeds ``CSU_UPLOAD_MAX_BYTES`` (plus ``CSU_UPLOAD_OVERHEAD_BYTES`` for the form fields and
  multipart framing) with 413, before anything reads the body. It runs in ``__call__``, so before
  any ``process_view`` (the CSRF check reads ``request.POST``, which would parse the body).
* ``UploadLimitHandler``, first in ``FILE_UPLOAD_HANDLERS``, counts the file bytes of every
  multipart request on every route and stops the parse (``StopUpload(connection_reset=True)``:
  the rest of the body is never read) once they pass ``CSU_UPLOAD_MAX_BYTES``. It covers what the
  header cannot: routes without the middleware check and a length within the framing allowance.
  The view then sees no file; the middleware answers 413 instead of whatever the view said.

Django never reads past ``Content-Length`` (``LimitedStream``), so a body cannot be longer than
it declares.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

# URL names of the views that take an extract: the import page and ``POST /api/v1/imports/``.
UPLOAD_ROUTES = frozenset({"intel:import-list", "import-list"})
_STOPPED = "csu_upload_stopped"


def _is_upload_route(request: HttpRequest) -> bool:
    try:
        return resolve(request.path_info).view_name in UPLOAD_ROUTES
    except Resolver404:
        return False


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # Django reads such a body as empty


def _too_large(request: HttpRequest) -> HttpResponse:
    limit = settings.CSU_UPLOAD_MAX_BYTES
    size = f"{limit >> 20} MB" if limit >= 1 << 20 else f"{limit >> 10} kB"
    message = f"This file is larger than the {size} limit for an extract."
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"message": message, "code": "too_large", "extra": {"max_bytes": limit}}, status=413
        )
    return render(request, "errors/413.html", {"message": message}, status=413)


class UploadLimitMiddleware:
    """413 for an upload whose declared or received size is over the limit (see module doc)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in ("POST", "PUT", "PATCH")
            and _declared_length(request)
            > settings.CSU_UPLOAD_MAX_BYTES + settings.CSU_UPLOAD_OVERHEAD_BYTES
            and _is_upload_route(request)
        ):
            return _too_large(request)
        response = self.get_response(request)
        if getattr(request, _STOPPED, False):
            return _too_large(request)
        return response


class UploadLimitHandler(FileUploadHandler):
    """Stops reading a multipart body once its files pass ``CSU_UPLOAD_MAX_BYTES`` in total."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.CSU_UPLOAD_MAX_BYTES:
            if self.request is not None:
                setattr(self.request, _STOPPED, True)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler stores the file
