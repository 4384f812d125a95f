from rest_framework import serializers

from csu.models import AuditEvent, User


class UserOutputSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "agency", "title", "roles"]


class AuditEventOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id", "occurred_at", "action", "outcome", "actor_username", "object_type",
            "object_id", "object_repr", "component", "method", "ip_address", "purpose", "detail",
        ]
