"""``/api/v1/imports/``: upload an extract (processed by a worker), follow it, list them."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from intel import imports
from intel.api.serializers import DataImportCreateInputSerializer, DataImportOutputSerializer
from intel.models import DataImport


class DataImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Imports of police extracts. POST a file with its kind and agency; the import runs in a
    worker with automatic mapping (or the agency's saved profile); poll the import for its
    status and counts."""

    serializer_class = DataImportOutputSerializer
    queryset = DataImport.objects.none()
    parser_classes = [MultiPartParser]
    filterset_fields = ["kind", "status"]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):
            return DataImport.objects.none()
        return DataImport.objects.visible_to(self.request.user).select_related(
            "agency", "created_by")

    @extend_schema(request=DataImportCreateInputSerializer,
                   responses={202: DataImportOutputSerializer, 200: DataImportOutputSerializer})
    def create(self, request: Request) -> Response:
        data = DataImportCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        data_import = imports.import_upload(
            actor=request.user, source=upload, original_name=upload.name,
            kind=data.validated_data["kind"], agency_name=data.validated_data["agency"],
            time_zone=data.validated_data["time_zone"], sheet=data.validated_data["sheet"],
            max_bytes=settings.CSU_UPLOAD_MAX_BYTES)
        if data_import.status == DataImport.Status.PENDING:
            data_import = imports.import_queue(actor=request.user, data_import=data_import)
            code = status.HTTP_202_ACCEPTED
        else:
            code = status.HTTP_200_OK  # already imported: nothing to do
        return Response(DataImportOutputSerializer(data_import).data, status=code)
