"""Pages of the records package: boundary layers (the list for everyone who reads zones, the
upload for analysts) and the offense lookup (how offense texts map to categories and NIBRS
codes, extendable)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from csu.types import AuthedHttpRequest
from intel.models import ZoneLayer
from intel.records import selectors, services
from intel.records.boundaries import boundary_layer_import
from intel.records.forms import BoundaryUploadForm, OffenseMappingForm


def _import_upload(request: AuthedHttpRequest, form: BoundaryUploadForm) -> ZoneLayer:
    """Spool the upload to a private temporary file (never served) and import it."""
    upload = form.cleaned_data["file"]
    with tempfile.TemporaryDirectory(prefix="csu-boundaries-") as folder:
        path = Path(folder) / f"upload{Path(upload.name).suffix.lower()}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return boundary_layer_import(
            actor=request.user,
            path=path,
            layer=form.cleaned_data["layer"],
            key_field=form.cleaned_data["key_field"] or None,
            label=form.cleaned_data["label"] or None,
            priority=form.cleaned_data["priority"],
        )


@require_http_methods(["GET", "POST"])
@permission_required("intel.view_zonelayer", raise_exception=True)
def boundary_layer_list_view(request: AuthedHttpRequest) -> HttpResponse:
    """The boundary layers and their zones; analysts upload a new or replacement layer."""
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not request.user.has_perms(["intel.add_zonelayer", "intel.change_zonelayer"]):
            raise PermissionDenied
        if form.is_valid():
            try:
                layer = _import_upload(request, form)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                s = layer.import_summary  # type: ignore[attr-defined]
                how = " (given)" if s["key_field_reason"] == "given" else " (detected)"
                messages.success(
                    request,
                    f'Imported "{layer.label}": {s["zones"]} zones keyed by "{s["key_field"]}"'
                    f"{how} ({s['created']} new, {s['updated']} changed, {s['removed']} removed); "
                    f"{sum(s['reassigned'].values())} records moved to a new zone.",
                )
                return redirect("intel:boundary-list")
    return render(
        request,
        "intel/boundaries/list.html",
        {
            "layers": selectors.zone_layer_list(actor=request.user),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@permission_required("intel.view_offensemapping", raise_exception=True)
def offense_mapping_list_view(request: AuthedHttpRequest) -> HttpResponse:
    form = OffenseMappingForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("intel.add_offensemapping"):
            return HttpResponse(status=403)
        if form.is_valid():
            row = services.offense_mapping_save(actor=request.user, **form.cleaned_data)
            messages.success(
                request,
                f"“{row.pattern}” now maps to {row.get_category_display()}"
                "; it applies to the next imports.",
            )
            return redirect("intel:offense-list")
    return render(
        request,
        "intel/offenses/list.html",
        {"form": form, "rows": selectors.offense_mapping_list(actor=request.user)},
        status=400 if form.errors else 200,
    )
