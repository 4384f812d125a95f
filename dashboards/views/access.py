"""What every analysis page shares: who may open it and how its filters are read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from csu.exports import csv_bytes
from csu.types import AuthedHttpRequest
from dashboards.forms import AnalysisFilterForm
from dashboards.permissions import may_analyse
from intel.records.selectors import zone_layer_list

View = Callable[..., HttpResponse]


def analysis_page(view: View) -> View:
    """A GET-only page for the roles that may analyse (``dashboards.permissions``: analysts
    and supervisors); every other signed-in role is refused (403)."""

    @require_GET
    @wraps(view)
    def wrapped(request: AuthedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_analyse(request.user):
            raise PermissionDenied("Your role does not include crime analysis.")
        return view(request, *args, **kwargs)

    return wrapped


def filter_form(request: AuthedHttpRequest) -> AnalysisFilterForm:
    """The page's filters from the query string, checked (``is_valid`` already called)."""
    form = AnalysisFilterForm(
        request.GET, actor=request.user, layers=list(zone_layer_list(actor=request.user))
    )
    form.is_valid()
    return form


def csv_download(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """A formula-safe CSV attachment (``csu.exports``): a zone called "=HYPERLINK(...)" stays
    text in a spreadsheet."""
    response = HttpResponse(csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
