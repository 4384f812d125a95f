"""Import pages: upload an extract, check the proposed mapping on a preview, watch it load."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csu.exports import csv_bytes
from csu.types import AuthedHttpRequest
from intel.ingest import reading, selectors, services
from intel.ingest.fields import FIELDS
from intel.ingest.forms import ExtractUploadForm, MappingForm
from intel.ingest.mapping import Mapping
from intel.models import DataImport


def _get(request: AuthedHttpRequest, pk: int) -> DataImport:
    found = (
        DataImport.objects.visible_to(request.user)
        .select_related("agency", "created_by", "duplicate_of")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
@permission_required("intel.view_dataimport", raise_exception=True)
def import_list_view(request: AuthedHttpRequest) -> HttpResponse:
    form = ExtractUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not request.user.has_perm("intel.add_dataimport"):
            return HttpResponse(status=403)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                data_import = services.import_upload(
                    actor=request.user,
                    source=upload,
                    original_name=upload.name,
                    kind=form.cleaned_data["kind"],
                    agency_name=form.cleaned_data["agency"],
                    time_zone=form.cleaned_data["time_zone"],
                    sheet=form.cleaned_data["sheet"],
                    max_bytes=_upload_limit(),
                )
            except ValidationError as exc:
                form.add_error(None if hasattr(exc, "error_dict") else "file", exc)
            else:
                return redirect("intel:import-detail", pk=data_import.pk)
    page = Paginator(
        DataImport.objects.visible_to(request.user).select_related("agency", "created_by"), 25
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "intel/imports/list.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )


def _upload_limit() -> int:
    from django.conf import settings

    return settings.CSU_UPLOAD_MAX_BYTES


@require_GET
@permission_required("intel.view_dataimport", raise_exception=True)
def import_detail_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    data_import = _get(request, pk)
    context = {
        "imp": data_import,
        "mapping_used": [
            (
                FIELDS[name].label if name in FIELDS else name,
                column,
                data_import.mapping_notes.get(name, ""),
            )
            for name, column in data_import.mapping.get("columns", {}).items()
        ],
    }
    if data_import.status == DataImport.Status.PENDING:
        try:
            preview = services.import_preview(actor=request.user, data_import=data_import)
        except reading.ExtractError as exc:
            context["read_error"] = exc
        else:
            context["preview"] = preview
            context["mapping_form"] = MappingForm(
                kind=data_import.kind,
                headers=preview.extract.headers,
                initial_columns=preview.mapping.columns,
                initial={"xy_epsg": preview.mapping.options.get("xy_epsg")},
            )
    elif data_import.status in (DataImport.Status.QUEUED, DataImport.Status.RUNNING):
        context["progress"] = selectors.import_progress(data_import=data_import)
    return render(request, "intel/imports/detail.html", context)


@require_POST
@permission_required("intel.add_dataimport", raise_exception=True)
def import_start_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    data_import = _get(request, pk)
    if data_import.status != DataImport.Status.PENDING:
        return redirect("intel:import-detail", pk=pk)
    try:
        preview = services.import_preview(actor=request.user, data_import=data_import)
    except reading.ExtractError as exc:
        messages.error(request, exc.message)
        return redirect("intel:import-detail", pk=pk)
    form = MappingForm(
        request.POST,
        kind=data_import.kind,
        headers=preview.extract.headers,
        initial_columns=preview.mapping.columns,
    )
    if not form.is_valid():
        return render(
            request,
            "intel/imports/detail.html",
            {
                "imp": data_import,
                "preview": preview,
                "mapping_form": form,
            },
            status=400,
        )
    columns = form.cleaned_data["columns"]
    # A learnt date format holds only while its field keeps the column it was learnt from.
    options = {
        k: v
        for k, v in preview.mapping.options.items()
        if not k.endswith("_format") or columns.get(k[:-7]) == preview.mapping.columns.get(k[:-7])
    }
    if form.cleaned_data.get("xy_epsg"):
        options["xy_epsg"] = form.cleaned_data["xy_epsg"]
    proposed, why = preview.mapping.columns, preview.mapping.notes
    notes = {
        name: why.get(name, "")
        if column == proposed.get(name)
        else f"chosen by {request.user.get_username()}"
        for name, column in columns.items()
    }
    mapping = Mapping(columns=columns, options=options, notes=notes)
    with transaction.atomic():
        if form.cleaned_data.get("save_profile"):
            profile = services.mapping_profile_save(
                actor=request.user,
                agency=data_import.agency,
                kind=data_import.kind,
                name=form.cleaned_data["profile_name"],
                mapping=mapping,
                headers=preview.extract.headers,
            )
            DataImport.objects.filter(pk=pk).update(profile=profile)
        services.import_queue(actor=request.user, data_import=data_import, mapping=mapping)
    messages.success(request, "The import is queued; this page follows its progress.")
    return redirect("intel:import-detail", pk=pk)


@require_GET
@permission_required("intel.view_dataimport", raise_exception=True)
def import_progress_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    data_import = _get(request, pk)
    response = render(
        request,
        "intel/imports/_progress.html",
        {"imp": data_import, "progress": selectors.import_progress(data_import=data_import)},
    )
    if data_import.status not in (DataImport.Status.QUEUED, DataImport.Status.RUNNING):
        response["HX-Refresh"] = "true"  # done: show the full result
    return response


@require_GET
@permission_required("intel.view_dataimport", raise_exception=True)
def import_rejects_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    data_import = _get(request, pk)
    body = csv_bytes(["source_row", "column", "reason"], data_import.rejects)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{pk}-rejected-rows.csv"'
    return response


@require_POST
@permission_required("intel.rollback_dataimport", raise_exception=True)
def import_rollback_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    data_import = _get(request, pk)
    try:
        services.import_rollback(actor=request.user, data_import=data_import)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Import #{pk} is rolled back.")
    return redirect("intel:import-detail", pk=pk)
