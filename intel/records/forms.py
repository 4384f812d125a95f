"""Forms of the records package: a boundary layer upload and a row of the offense lookup."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError

from intel.choices import OffenseCategory
from intel.models import Agency
from intel.records.boundaries import SUFFIXES

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        help_text="GeoJSON (.geojson, .json) or a zipped shapefile (.zip), any coordinate "
        "system, up to 50 MB."
    )
    layer = forms.SlugField(
        max_length=64,
        label="Layer name",
        help_text='Short name, e.g. "precincts". Uploading to an existing layer replaces its '
        "boundaries.",
    )
    label = forms.CharField(max_length=120, required=False, help_text='e.g. "Police precincts".')
    key_field = forms.CharField(
        max_length=64,
        required=False,
        label="Key field",
        help_text="The property that identifies each zone. Leave empty to detect it.",
    )
    priority = forms.IntegerField(
        min_value=0,
        max_value=32767,
        required=False,
        help_text="Where layers overlap, the lower number wins (default 100).",
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in SUFFIXES:
            raise ValidationError("Upload a .geojson, .json or .zip file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The file is larger than 50 MB.")
        return upload


class OffenseMappingForm(forms.Form):
    pattern = forms.CharField(
        max_length=120,
        help_text='Text the offense contains, e.g. "CARJACKING" (case does not matter).',
    )
    category = forms.ChoiceField(choices=OffenseCategory.choices)
    nibrs_code = forms.CharField(max_length=8, required=False, label="NIBRS code")
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.order_by("name"), required=False, empty_label="All agencies"
    )
