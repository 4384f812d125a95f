"""The analysis pages' filters: one GET form, so a filtered page is a URL to share and works
without JavaScript. An empty field means "any"; the layer defaults to the first one (the
layer that wins where layers overlap) and the day to today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from csu.models import User
from dashboards.analysis.scope import zone_list
from dashboards.analysis.trends import INTERVALS
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
