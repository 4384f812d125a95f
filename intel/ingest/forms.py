"""Forms of imports: uploading an extract and confirming its column mapping."""

from __future__ import annotations

from typing import Any

from django import forms

from intel.ingest.fields import FIELDS, KINDS
from intel.models import Agency, ImportKind

NOT_IN_FILE = ""
US_TIME_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
]


class ExtractUploadForm(forms.Form):
    file = forms.FileField(
        label="Extract (CSV or XLSX)",
        help_text="As the agency exported it: any columns, date formats, encodings.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    kind = forms.ChoiceField(choices=ImportKind.choices, label="What it holds")
    agency = forms.CharField(
        max_length=200, label="From agency", widget=forms.TextInput(attrs={"list": "agencies"})
    )
    sheet = forms.CharField(
        max_length=100,
        required=False,
        label="Sheet (XLSX only)",
        help_text="Leave empty for the first sheet with data.",
    )
    time_zone = forms.CharField(
        max_length=64,
        required=False,
        label="Agency's time zone",
        widget=forms.TextInput(attrs={"list": "time-zones"}),
        help_text="Where the agency's local times are, e.g. America/Chicago; remembered for the "
        "agency. Leave empty to keep the agency's (or the office's) zone.",
    )

    def time_zones(self) -> list[str]:
        return US_TIME_ZONES

    def agencies(self) -> list[str]:
        return list(Agency.objects.order_by("name").values_list("name", flat=True))


class MappingForm(forms.Form):
    """One select per field of the kind, each offering the file's headers."""

    save_profile = forms.BooleanField(
        required=False, label="Save as a mapping profile for this agency and kind"
    )
    profile_name = forms.CharField(
        max_length=100, required=False, initial="default", label="Profile name"
    )
    xy_epsg = forms.IntegerField(
        required=False,
        min_value=1024,
        max_value=999999,
        label="EPSG code of projected X/Y (only if no lat/lon)",
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        headers: list[str],
        initial_columns: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [(NOT_IN_FILE, "— not in this file —"), *[(h, h) for h in headers]]
        self.kind = kind
        spec = KINDS[kind]
        for name in spec.fields:
            label = FIELDS[name].label + (" *" if name in spec.required else "")
            self.fields[f"col_{name}"] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=label,
                initial=initial_columns.get(name, NOT_IN_FILE),
            )
        self.order_fields([f"col_{n}" for n in spec.fields])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        spec = KINDS[self.kind]
        chosen: dict[str, str] = {n: data[f"col_{n}"] for n in spec.fields if data.get(f"col_{n}")}
        for name in spec.required:
            if name not in chosen:
                self.add_error(f"col_{name}", f"{FIELDS[name].label} is required for {self.kind}.")
        used: dict[str, str] = {}
        for name, header in chosen.items():
            if header in used:
                self.add_error(
                    f"col_{name}", f'"{header}" is already used for {FIELDS[used[header]].label}.'
                )
            used[header] = name
        if data.get("save_profile") and not data.get("profile_name"):
            self.add_error("profile_name", "Name the profile.")
        data["columns"] = chosen
        return data

    def mapping_rows(self) -> list[tuple[str, forms.BoundField]]:
        return [(name, self[f"col_{name}"]) for name in KINDS[self.kind].fields]
