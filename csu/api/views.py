from typing import cast

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from csu.api.permissions import IsVerified
from csu.api.serializers import AuditEventOutputSerializer, UserOutputSerializer
from csu.models import AuditEvent, User
from csu.selectors import audit_event_list


class MeApi(APIView):
    """The signed-in user and their roles."""

    permission_classes = [IsVerified]

    @extend_schema(responses=UserOutputSerializer)
    def get(self, request: Request) -> Response:
        # IsVerified lets only a signed-in user this far.
        return Response(UserOutputSerializer(cast(User, request.user)).data)


class AuditEventFilter(filters.FilterSet):
    since = filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    until = filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lte")

    class Meta:
        model = AuditEvent
        fields = ["action", "outcome", "actor_username", "object_type", "object_id"]


class AuditEventViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[AuditEvent]
):
    """The audit trail (supervisors and admins). Reading it is itself audited (by
    ``csu.audit_reads``, like the page); admins see case-data events as ids and metadata."""

    serializer_class = AuditEventOutputSerializer
    filterset_class = AuditEventFilter
    queryset = AuditEvent.objects.none()  # for the permission class; rows come from the selector

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        # IsVerified lets only a signed-in user this far.
        return audit_event_list(actor=cast(User, self.request.user))
