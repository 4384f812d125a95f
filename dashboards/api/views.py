"""The analysis endpoints: each parses its query string, calls one selector and shapes rows.

Who may call them: the API's default rule (signed in, verified, ``view_incident``) and
``dashboards.permissions.may_analyse`` (every record kind the analysis counts). Reads are
audited by ``csu.audit_reads`` like every other API read."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from csu.models import User
from dashboards.analysis.compstat import compstat_list
from dashboards.analysis.hotspots import HotspotFilter, hotspot_geojson_text
from dashboards.analysis.spikes import spike_list
from dashboards.api.serializers import (
    CompStatInputSerializer,
    CompStatRowOutputSerializer,
    HotspotInputSerializer,
    SpikeInputSerializer,
    SpikeRowOutputSerializer,
)
from dashboards.permissions import may_analyse
from intel.models import Incident


class MayAnalyse(permissions.BasePermission):
    """The role holds every read permission the analysis needs (analysts, supervisors)."""

    message = "Your role does not include crime analysis."

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and may_analyse(request.user))


class _AnalysisApi(generics.GenericAPIView[Incident]):
    # For the default permission class: the analysis reads incidents (view_incident).
    queryset = Incident.objects.none()
    permission_classes = [
        *cast(list[type[permissions.BasePermission]], api_settings.DEFAULT_PERMISSION_CLASSES),
        MayAnalyse,
    ]
    filter_backends: list[Any] = []

    def _input(self, serializer_class: type[Any]) -> dict[str, Any]:
        data = serializer_class(data=self.request.query_params.dict())
        data.is_valid(raise_exception=True)
        return cast(dict[str, Any], data.validated_data)


class CompStatApi(_AnalysisApi):
    """Incidents per zone and category: week to date, 28 days and year to date ending
    ``as_of``, each with the same period a year earlier (364 days back for week and 28 days,
    so weekdays match; calendar-aligned for the year to date)."""

    serializer_class = CompStatRowOutputSerializer

    @extend_schema(
        parameters=[CompStatInputSerializer], responses=CompStatRowOutputSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        params = self._input(CompStatInputSerializer)
        rows = compstat_list(
            actor=cast(User, request.user), layer=params["layer"], as_of=params["as_of"]
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class SpikeApi(_AnalysisApi):
    """(category, zone) pairs tested for a rise over the last ``window_days`` against their
    own seasonal baseline (Poisson, one-sided), with Benjamini-Hochberg q-values across every
    pair; flagged ones first."""

    serializer_class = SpikeRowOutputSerializer

    @extend_schema(parameters=[SpikeInputSerializer], responses=SpikeRowOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = self._input(SpikeInputSerializer)
        rows = spike_list(
            actor=cast(User, request.user),
            layer=params["layer"],
            as_of=params["as_of"],
            window_days=params["window_days"],
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class HotspotApi(_AnalysisApi):
    """Getis-Ord Gi* hotspots on H3 cells as a GeoJSON FeatureCollection; records with a bad
    geocode are left out unless asked for, and counted in ``meta``."""

    @extend_schema(parameters=[HotspotInputSerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> HttpResponse:
        params = self._input(HotspotInputSerializer)
        where = HotspotFilter(
            first=params["from"],
            last=params["to"],
            category=params.get("category") or None,
            firearm=params.get("firearm"),
            zone_id=params.get("zone"),
            include_bad_geocodes=params["include_bad_geocodes"],
        )
        body = hotspot_geojson_text(
            actor=cast(User, request.user),
            where=where,
            resolution=params["resolution"],
            confidence=params["confidence"],
        )
        return HttpResponse(body, content_type="application/json")
