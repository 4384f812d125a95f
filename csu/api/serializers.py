from typing import Any

from rest_framework import serializers

from csu.models import AuditEvent, User
from csu.selectors import audit_event_shown


class UserOutputSerializer(serializers.ModelSerializer[User]):
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "agency", "title", "roles"]


class AuditEventOutputSerializer(serializers.ModelSerializer[AuditEvent]):
    """An event as the requesting user may see it (``csu.selectors.audit_event_shown``)."""

    def to_representation(self, instance: AuditEvent) -> dict[str, Any]:
        request = self.context.get("request")
        if request is not None:
            instance = audit_event_shown(actor=request.user, event=instance)
        return super().to_representation(instance)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "action",
            "outcome",
            "actor_username",
            "object_type",
            "object_id",
            "object_repr",
            "component",
            "method",
            "ip_address",
            "purpose",
            "detail",
        ]
