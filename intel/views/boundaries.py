"""Boundary layers: the list for everyone who reads zones, the upload for analysts."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from intel.boundaries import SUFFIXES, boundary_layer_import, zone_layer_list
from intel.models import ZoneLayer

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        help_text="GeoJSON (.geojson, .json) or a zipped shapefile (.zip), any coordinate "
        "system, up to 50 MB."
    )
    layer = forms.SlugField(
        max_length=64, label="Layer name",
        help_text='Short name, e.g. "precincts". Uploading to an existing layer replaces its '
        "boundaries.",
    )
    label = forms.CharField(max_length=120, required=False, help_text='e.g. "Police precincts".')
    key_field = forms.CharField(
        max_length=64, required=False, label="Key field",
        help_text="The property that identifies each zone. Leave empty to detect it.",
    )
    priority = forms.IntegerField(
        min_value=0, max_value=32767, required=False,
        help_text="Where layers overlap, the lower number wins (default 100).",
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in SUFFIXES:
            raise ValidationError("Upload a .geojson, .json or .zip file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The file is larger than 50 MB.")
        return upload


def _import_upload(request: HttpRequest, form: BoundaryUploadForm) -> ZoneLayer:
    """Spool the upload to a private temporary file (never served) and import it."""
    upload = form.cleaned_data["file"]
    with tempfile.TemporaryDirectory(prefix="csu-boundaries-") as folder:
        path = Path(folder) / f"upload{Path(upload.name).suffix.lower()}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return boundary_layer_import(
            actor=request.user, path=path, layer=form.cleaned_data["layer"],
            key_field=form.cleaned_data["key_field"] or None,
            label=form.cleaned_data["label"] or None, priority=form.cleaned_data["priority"],
        )


@require_http_methods(["GET", "POST"])
@permission_required("intel.view_zonelayer", raise_exception=True)
def boundary_layer_list_view(request: HttpRequest) -> HttpResponse:
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
    return render(request, "intel/boundaries/list.html", {
        "layers": zone_layer_list(actor=request.user), "form": form,
    }, status=400 if form.errors else 200)
