from rest_framework import serializers

from intel.ingest.fields import KINDS
from intel.models import DataImport


class DataImportOutputSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.name")
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = DataImport
        fields = ["id", "kind", "agency", "original_name", "sha256", "size_bytes", "sheet",
                  "status", "rows", "created", "updated", "unchanged", "rejected", "quality",
                  "mapping", "error", "error_code", "duplicate_of", "created_by", "created_at",
                  "started_at", "finished_at", "seconds"]


class DataImportCreateInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=sorted(KINDS))
    agency = serializers.CharField(max_length=200)
    sheet = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    time_zone = serializers.CharField(max_length=64, required=False, allow_blank=True, default="",
                                      help_text="The agency's IANA time zone; remembered.")
