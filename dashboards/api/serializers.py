"""Input and output of the analysis API. Inputs are read from the query string (a plain dict,
so a missing flag is absent rather than false); outputs keep the names partner systems use."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from dashboards.analysis.hotspots import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESOLUTION,
    MIN_RESOLUTION,
    STORED_RESOLUTION,
)
from intel.choices import OffenseCategory

# The default hotspot map: the last 90 days, as the supervisors' weekly meeting reads it.
DEFAULT_DAYS = 90


def _today() -> Any:
    return timezone.localdate()


class CompStatInputSerializer(serializers.Serializer[Any]):
    layer = serializers.SlugField(max_length=64, help_text="The boundary layer's name.")
    as_of = serializers.DateField(
        default=_today, help_text="The last day counted (local); today by default."
    )


class SpikeInputSerializer(CompStatInputSerializer):
    window_days = serializers.IntegerField(min_value=7, max_value=366, default=28)


class HotspotInputSerializer(serializers.Serializer[Any]):
    # "from" is a Python keyword: declared as from_ and renamed in get_fields.
    from_ = serializers.DateField(
        required=False, help_text=f"First day (local); {DEFAULT_DAYS} days before `to` by default."
    )
    to = serializers.DateField(required=False, help_text="Last day (local); today by default.")
    category = serializers.ChoiceField(choices=OffenseCategory.choices, required=False)
    firearm = serializers.BooleanField(required=False, allow_null=True, default=None)
    zone = serializers.IntegerField(required=False, min_value=1, help_text="A zone's id.")
    include_bad_geocodes = serializers.BooleanField(required=False, default=False)
    resolution = serializers.IntegerField(
        min_value=MIN_RESOLUTION, max_value=STORED_RESOLUTION, default=DEFAULT_RESOLUTION
    )
    confidence = serializers.FloatField(default=DEFAULT_CONFIDENCE)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate_confidence(self, value: float) -> float:
        if not 0.0 < value < 1.0:
            raise serializers.ValidationError("Must be between 0 and 1, both excluded.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        last = attrs.get("to") or timezone.localdate()
        first = attrs.get("from") or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise serializers.ValidationError({"from": ["Must not be after `to`."]})
        return {**attrs, "from": first, "to": last}


class CompStatRowOutputSerializer(serializers.Serializer[Any]):
    zone = serializers.CharField()
    category = serializers.CharField()
    wtd = serializers.IntegerField()
    wtd_prior = serializers.IntegerField()
    d28 = serializers.IntegerField()
    d28_prior = serializers.IntegerField()
    ytd = serializers.IntegerField()
    ytd_prior = serializers.IntegerField()


class SpikeRowOutputSerializer(serializers.Serializer[Any]):
    zone = serializers.CharField()
    category = serializers.CharField()
    observed = serializers.IntegerField()
    expected = serializers.FloatField()
    p_value = serializers.FloatField()
    q_value = serializers.FloatField()
    flagged = serializers.BooleanField()
