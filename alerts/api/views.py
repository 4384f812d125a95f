"""``/api/v1/alerts/``: the signed-in recipient's alerts, newest first, ``?since=`` a moment."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from alerts.models import Alert
from csu.models import User


class AlertArrestOutputSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(source="source_agency.name")
    source_id = serializers.CharField()
    arrested_at = serializers.DateTimeField()


class AlertMatchOutputSerializer(serializers.Serializer[Any]):
    list = serializers.CharField(
        help_text='The list\'s path, "Category/Group/Sub-group"; "" for an open case.'
    )
    entry_id = serializers.IntegerField(allow_null=True, help_text="None for an open case.")
    type = serializers.ChoiceField(choices=["person", "charge", "place", "open_case"])
    reason = serializers.CharField()
    how = serializers.CharField(help_text='"state ID", "name + DOB", "charge PL 265.03", …')
    score = serializers.FloatField(
        allow_null=True, help_text="The name + DOB match probability; 1.0 for exact matches."
    )


class AlertOutputSerializer(serializers.ModelSerializer[Alert]):
    arrest = AlertArrestOutputSerializer()
    person_id = serializers.IntegerField(allow_null=True)
    matches = AlertMatchOutputSerializer(many=True)

    class Meta:
        model = Alert
        fields = ["id", "created_at", "arrest", "person_id", "matches", "acknowledged_at", "action"]


class AlertFilterSerializer(serializers.Serializer[Any]):
    since = serializers.DateTimeField(
        required=False, help_text="ISO 8601: only alerts created at or after this moment."
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                description="ISO 8601: only alerts created at or after this moment.",
            )
        ]
    )
)
class AlertViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Alert]):
    """The signed-in recipient's arrest alerts, newest first: the arrest, the person, and
    every list, entry and reason that matched (one alert per arrest). Never another user's.

    A plain JSON list, not a page (the contract partner systems poll with ``?since=``)."""

    serializer_class = AlertOutputSerializer
    pagination_class = None
    queryset = Alert.objects.none()
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Alert]:
        if getattr(self, "swagger_fake_view", False):
            return Alert.objects.none()
        query = AlertFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)  # a 400 in the API's error shape
        alerts = Alert.objects.visible_to(cast(User, self.request.user))
        if (since := query.validated_data.get("since")) is not None:
            alerts = alerts.filter(created_at__gte=since)
        return alerts.select_related("arrest__source_agency").order_by("-created_at", "-id")
