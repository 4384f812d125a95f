"""``/api/v1/imports/``: upload an extract (processed by a worker), follow it, list them."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from csu.models import User
from intel.ingest import services
from intel.ingest.fields import KINDS
from intel.models import DataImport


class DataImportOutputSerializer(serializers.ModelSerializer[DataImport]):
    agency = serializers.CharField(source="agency.name")
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = DataImport
        fields = [
            "id",
            "kind",
            "agency",
            "original_name",
            "sha256",
            "size_bytes",
            "sheet",
            "status",
            "rows",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "folded",
            "parts",
            "outcome",
            "quality",
            "mapping",
            "error",
            "error_code",
            "duplicate_of",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "seconds",
        ]


class DataImportCreateInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=sorted(KINDS))
    agency = serializers.CharField(max_length=200)
    sheet = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="The agency's IANA time zone; remembered.",
    )


class DataImportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[DataImport]
):
    """Imports of police extracts. POST a file with its kind and agency; the import runs in a
    worker with automatic mapping (or the agency's saved profile); poll the import for its
    status and counts."""

    serializer_class = DataImportOutputSerializer
    queryset = DataImport.objects.none()
    parser_classes = [MultiPartParser]
    filterset_fields = ["kind", "status"]

    def get_queryset(self) -> QuerySet[DataImport]:
        if getattr(self, "swagger_fake_view", False):
            return DataImport.objects.none()
        # The API's default permission lets only a signed-in user this far.
        return DataImport.objects.visible_to(cast(User, self.request.user)).select_related(
            "agency", "created_by"
        )

    @extend_schema(
        request=DataImportCreateInputSerializer,
        responses={202: DataImportOutputSerializer, 200: DataImportOutputSerializer},
    )
    def create(self, request: Request) -> Response:
        actor = cast(User, request.user)  # signed in: the API's default permission
        data = DataImportCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        data_import = services.import_upload(
            actor=actor,
            source=upload,
            original_name=upload.name,
            kind=data.validated_data["kind"],
            agency_name=data.validated_data["agency"],
            time_zone=data.validated_data["time_zone"],
            sheet=data.validated_data["sheet"],
            max_bytes=settings.CSU_UPLOAD_MAX_BYTES,
        )
        if data_import.status == DataImport.Status.PENDING:
            data_import = services.import_queue(actor=actor, data_import=data_import)
            code: int = status.HTTP_202_ACCEPTED
        else:
            code = status.HTTP_200_OK  # already imported: nothing to do
        return Response(DataImportOutputSerializer(data_import).data, status=code)
