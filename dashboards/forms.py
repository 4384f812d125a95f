"""The analysis pages' filters, as GET forms: a filtered page is a URL to share and works
without JavaScript. ``AnalysisFilterForm`` serves the trends, GunStat and timeline pages (an
empty field means "any"; the layer defaults to the first one, the layer that wins where layers
overlap, and the day to today); ``MapFilterForm`` serves the crime map.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from csu.models import User
from dashboards.analysis.hotspots import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESOLUTION,
    MIN_RESOLUTION,
    STORED_RESOLUTION,
    HotspotFilter,
)
from dashboards.analysis.scope import zone_list
from dashboards.analysis.trends import INTERVALS, TrendFilter
from intel.choices import OffenseCategory
from intel.models import Zone, ZoneLayer

FIREARM_CHOICES = [("", "Firearm or not"), ("yes", "Firearm involved"), ("no", "No firearm")]


@dataclass(frozen=True)
class AnalysisFilters:
    """What the pages were asked for, parsed: ``layer`` is None only when no layer exists."""

    layer: ZoneLayer | None
    zones: list[Zone]
    zone: Zone | None
    category: str | None
    firearm: bool | None
    interval: str
    as_of: date

    def trend_filter(self) -> TrendFilter:
        """What the trend counts: the zone, else the layer, with category and firearm."""
        return TrendFilter(
            layer=self.layer,
            zone_id=self.zone.pk if self.zone else None,
            category=self.category,
            firearm=self.firearm,
        )


class AnalysisFilterForm(forms.Form):
    layer = forms.ChoiceField(required=False, label="Boundary layer")
    zone = forms.IntegerField(required=False, min_value=1, label="Zone")
    category = forms.ChoiceField(
        required=False, choices=[("", "All categories"), *OffenseCategory.choices]
    )
    firearm = forms.ChoiceField(required=False, choices=FIREARM_CHOICES)
    interval = forms.ChoiceField(
        required=False, choices=[(k, f"{k.capitalize()}ly") for k in INTERVALS]
    )
    as_of = forms.DateField(
        required=False,
        label="As of",
        help_text="The last day counted; empty for today.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, data: Any, *, actor: User, layers: list[ZoneLayer]) -> None:
        super().__init__(data)
        self.actor = actor
        self.layers = layers
        layer_field = self.fields["layer"]
        assert isinstance(layer_field, forms.ChoiceField)
        layer_field.choices = [(layer.name, layer.label or layer.name) for layer in layers]

    def clean_as_of(self) -> date:
        day: date | None = self.cleaned_data.get("as_of")
        today = timezone.localdate()
        if day is not None and day > today:
            raise forms.ValidationError("Choose today or an earlier day.")
        return day or today

    def filters(self) -> AnalysisFilters:
        """The parsed filters (after ``is_valid``)."""
        return self._filters

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        by_name = {layer.name: layer for layer in self.layers}
        layer = by_name.get(data.get("layer") or "") or (self.layers[0] if self.layers else None)
        zones = zone_list(actor=self.actor, layer=layer) if layer is not None else []
        zone = None
        if data.get("zone") is not None:
            zone = next((z for z in zones if z.pk == data["zone"]), None)
            if zone is None:
                self.add_error("zone", "Choose a zone of the chosen boundary layer.")
        firearm = {"yes": True, "no": False}.get(data.get("firearm") or "")
        self._filters = AnalysisFilters(
            layer=layer,
            zones=zones,
            zone=zone,
            category=data.get("category") or None,
            firearm=firearm,
            interval=data.get("interval") or "week",
            as_of=data.get("as_of") or timezone.localdate(),
        )
        return data


# ---- the crime map ----------------------------------------------------------------------

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366
CONFIDENCES = (("0.90", "90 %"), ("0.95", "95 %"), ("0.99", "99 %"))
FIREARM = (("", "Any"), ("yes", "Firearm involved"), ("no", "No firearm"))


@dataclass(frozen=True)
class MapFilters:
    """What the page draws: the records (``where``), the boundary layer the zones come from,
    and the hexagon resolution and confidence of the hotspots."""

    where: HotspotFilter
    layer: ZoneLayer | None
    zone: Zone | None
    resolution: int
    confidence: float


class MapFilterForm(forms.Form):
    """Dates (last 90 days by default), categories, a boundary layer and one of its zones,
    firearm involvement, bad geocodes (left out by default), resolution and confidence."""

    category = forms.MultipleChoiceField(
        label="Categories",
        choices=OffenseCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every category.",
    )
    layer = forms.ChoiceField(label="Zone layer", required=False)
    zone = forms.ChoiceField(label="Zone", required=False)
    firearm = forms.ChoiceField(label="Firearm", choices=FIREARM, required=False)
    include_bad_geocodes = forms.BooleanField(
        label="Include records with a bad geocode flag", required=False
    )
    resolution = forms.TypedChoiceField(
        label="Hexagon size",
        choices=[
            (r, f"H3 resolution {r}") for r in range(MIN_RESOLUTION + 1, STORED_RESOLUTION + 1)
        ],
        coerce=int,
        required=False,
        empty_value=None,
    )
    confidence = forms.TypedChoiceField(
        label="Confidence",
        choices=CONFIDENCES,
        coerce=float,
        required=False,
        empty_value=None,
    )

    def __init__(
        self,
        data: Any,
        *,
        zone_choices: list[tuple[ZoneLayer, list[Zone]]],
        today: date,
    ) -> None:
        # Missing filters take their defaults, shown in the form as if chosen.
        data = data.copy()
        for name, value in (
            ("from", today - timedelta(days=DEFAULT_DAYS - 1)),
            ("to", today),
            ("resolution", DEFAULT_RESOLUTION),
            ("confidence", f"{DEFAULT_CONFIDENCE:.2f}"),
        ):
            if not data.get(name):
                data[name] = str(value)
        # The API's spelling of firearm (true/false) opens the same map.
        aliases = {"true": "yes", "1": "yes", "false": "no", "0": "no"}
        if (firearm := str(data.get("firearm", "")).lower()) in aliases:
            data["firearm"] = aliases[firearm]
        super().__init__(data)
        self.today = today
        self._layers = {layer.name: layer for layer, _ in zone_choices}
        self._zones = {str(z.pk): z for _, zones in zone_choices for z in zones}
        # "from" and "to" are the API's names too; Python keeps them out of a class body.
        self.fields["from"] = forms.DateField(
            label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["to"] = forms.DateField(
            label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        self.order_fields(["from", "to", "category", "firearm", "layer", "zone"])
        cast(forms.ChoiceField, self.fields["layer"]).choices = [
            (layer.name, layer.label) for layer, _ in zone_choices
        ]
        cast(forms.ChoiceField, self.fields["zone"]).choices = [("", "Whole jurisdiction")] + [
            (layer.label, [(str(z.pk), f"{z.key} {z.name}".strip()) for z in zones])
            for layer, zones in zone_choices
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        last = data.get("to") or self.today
        first = data.get("from") or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise ValidationError("The first day comes after the last.")
        if (last - first).days > MAX_DAYS:
            raise ValidationError(f"Choose at most {MAX_DAYS} days.")
        data["from"], data["to"] = first, last
        zone = self._zones.get(data.get("zone") or "")
        layer = self._layers.get(data.get("layer") or "")
        if zone is not None and layer is not None and zone.layer_id != layer.pk:
            self.add_error("zone", "That zone is not in the chosen layer.")
        data["zone_obj"] = zone
        data["layer_obj"] = layer or (
            next((x for x in self._layers.values() if x.pk == zone.layer_id), None)
            if zone
            else next(iter(self._layers.values()), None)
        )
        return data

    def filters(self) -> MapFilters:
        """The filters of a valid form (call ``is_valid`` first)."""
        data = self.cleaned_data
        firearm = {"yes": True, "no": False}.get(data.get("firearm") or "")
        zone: Zone | None = data["zone_obj"]
        return MapFilters(
            where=HotspotFilter(
                first=data["from"],
                last=data["to"],
                categories=tuple(sorted(data.get("category") or ())),
                firearm=firearm,
                zone_id=zone.pk if zone else None,
                include_bad_geocodes=bool(data.get("include_bad_geocodes")),
            ),
            layer=data["layer_obj"],
            zone=zone,
            resolution=data.get("resolution") or DEFAULT_RESOLUTION,
            confidence=data.get("confidence") or DEFAULT_CONFIDENCE,
        )
