"""Intelligence record pages (28 CFR Part 23): search and queues, a new record, the record page
with its labels and actions, sharing and exporting. Out-of-scope records are 404, as missing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csu.types import AuthedHttpRequest
from intel import intelligence as intel
from intel.intelligence.forms import records as f
from intel.models import IntelIdentifier, IntelRecord
from intel.web import get_or_404, search_text

VIEW, ADD, APPROVE = "intel.view_intelrecord", "intel.add_intelrecord", "intel.approve_intelrecord"
SHARE = "intel.add_disseminationlog"


def _perm(name: str) -> Callable[..., Any]:
    return permission_required(name, raise_exception=True)


def _any_perm(*names: str) -> Callable[..., Any]:
    """403 unless the user holds one of the permissions (the matrix's "wrong role")."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not any(request.user.has_perm(name) for name in names):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _record(request: AuthedHttpRequest, pk: int) -> IntelRecord:
    return get_or_404(intel.intel_record_get, actor=request.user, pk=pk)


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
@_perm(VIEW)
def intel_record_list_view(request: AuthedHttpRequest) -> HttpResponse:
    """The tabs by GET; a search by POST (CSRF-protected), so the words searched for (often a
    subject's name) never travel in a URL and never reach an access log or browser history."""
    tabs = intel.intel_record_tabs(actor=request.user)
    params = request.POST if request.method == "POST" else request.GET
    tab = params.get("tab", intel.Tab.SEARCH)
    tab = tab if tab in dict(tabs) else intel.Tab.SEARCH
    q = search_text(request.POST.get("q")) if request.method == "POST" else ""
    records = intel.intel_record_list(actor=request.user, tab=tab, text=q)
    page = Paginator(records, 25).get_page(params.get("page"))
    export_form = None
    if tab == intel.Tab.SEARCH and request.user.has_perm(SHARE):
        export_form = f.ExportForm(initial={"q": q})
    return render(
        request,
        "intel/intelligence/list.html",
        {
            "tabs": tabs,
            "tab": tab,
            "q": q,
            "page": page,
            "export_form": export_form,
            "today": timezone.localdate(),
            "caveat": intel.CAVEAT,
        },
    )


@require_http_methods(["GET", "POST"])
@_perm(ADD)
def intel_record_create_view(request: AuthedHttpRequest) -> HttpResponse:
    form = f.IntelRecordForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            record = intel.intel_record_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                f"Intelligence record #{record.pk} is saved as a draft. "
                "Submit it for supervisor review when it is complete.",
            )
            return redirect("intel:record-detail", pk=record.pk)
    return render(
        request,
        "intel/intelligence/create.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _detail(
    request: AuthedHttpRequest, pk: int, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    detail = get_or_404(intel.intel_record_detail, actor=request.user, pk=pk)
    makers = {
        "approve": f.ApproveForm,
        "revalidate": f.RevalidateForm,
        "purge": f.PurgeForm,
        "share": f.ShareForm,
        "grant": f.ReaderForm,
    }
    context: dict[str, Any] = {
        f"{action}_form": make() for action, make in makers.items() if action in detail.actions
    }
    if "identify" in detail.actions:
        context["identify_form"] = f.IdentifierForm(actor=request.user)
    context.update(bound)  # the form that was just sent, with its errors
    context.update(
        {
            "d": detail,
            "record": detail.record,
            "caveat": intel.CAVEAT,
            "identifier_label": IntelIdentifier.LABEL,
        }
    )
    return render(request, "intel/intelligence/detail.html", context, status=status)


@require_GET
@_perm(VIEW)
def intel_record_detail_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


def _done(request: AuthedHttpRequest, record: IntelRecord, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("intel:record-detail", pk=record.pk)


@require_POST
@_perm(ADD)
def intel_record_submit_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = intel.intel_record_submit(actor=request.user, record=_record(request, pk))
    return _done(request, record, "Submitted for supervisor review.")


def _form_action(
    request: AuthedHttpRequest,
    pk: int,
    name: str,
    form_class: type[forms.Form],
    act: Callable[[IntelRecord, dict[str, Any]], Any],
    message: str,
    **form_kwargs: Any,
) -> HttpResponse:
    """Validate the action's form, call its one service; on error show the record page again
    with the form and its errors (400)."""
    record = _record(request, pk)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            act(record, form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _done(request, record, message)
    return _detail(request, pk, status=400, **{f"{name}_form": form})


@require_POST
@_perm(APPROVE)
def intel_record_approve_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        "approve",
        f.ApproveForm,
        lambda record, data: intel.intel_record_approve(
            actor=request.user, record=record, screen_attestation=data["screen_attestation"]
        ),
        "Approved: the record is now searchable and due for review within five years.",
    )


@require_POST
@_perm(APPROVE)
def intel_record_revalidate_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        "revalidate",
        f.RevalidateForm,
        lambda record, data: intel.intel_record_revalidate(
            actor=request.user, record=record, explanation=data["explanation"]
        ),
        "Revalidated: the review date is five years from today.",
    )


@require_POST
@_perm(APPROVE)
def intel_record_purge_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        "purge",
        f.PurgeForm,
        lambda record, data: intel.intel_record_purge(
            actor=request.user, record=record, explanation=data["explanation"]
        ),
        "Purged: the content is destroyed; the decision and the dissemination log remain.",
    )


@require_POST
@_perm(SHARE)
def intel_record_share_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        "share",
        f.ShareForm,
        lambda record, data: intel.intel_record_disseminate(
            actor=request.user, record=record, **f.share_kwargs(data)
        ),
        "Shared, and recorded in the dissemination log.",
    )


@require_POST
@_perm(ADD)
def intel_identifier_add_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        "identify",
        f.IdentifierForm,
        lambda record, data: intel.intel_identifier_add(actor=request.user, record=record, **data),
        "Identifier added, labelled as non-criminal identifying information.",
        actor=request.user,
    )


@require_POST
@_any_perm(ADD, APPROVE)
def intel_record_grant_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        "grant",
        f.ReaderForm,
        lambda record, data: intel.intel_record_grant(
            actor=request.user, record=record, user=data["user"]
        ),
        "Access granted: that user can now open this record.",
    )


@require_POST
@_any_perm(ADD, APPROVE)
def intel_record_revoke_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _form_action(
        request,
        pk,
        "revoke",
        f.RevokeForm,
        lambda record, data: intel.intel_record_revoke(
            actor=request.user, record=record, user=data["user"]
        ),
        "Access revoked.",
    )


@require_POST
@_perm(SHARE)
def intel_record_export_view(request: AuthedHttpRequest) -> HttpResponse:
    """The approved records matching the search as CSV for a named recipient; each exported
    record is logged as a dissemination. A refused export changes nothing."""
    form = f.ExportForm(request.POST)
    back = reverse("intel:record-list")  # the words searched for stay out of the URL
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, "Not exported: " + " ".join(errors))
        return redirect(back)
    try:
        body = intel.intel_record_export(
            actor=request.user, text=form.cleaned_data["q"], **f.share_kwargs(form.cleaned_data)
        )
    except ValidationError as exc:
        messages.error(request, "Not exported: " + " ".join(exc.messages))
        return redirect(back)
    name = f"csu-intelligence-{timezone.now():%Y%m%d-%H%M%S}.csv"
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
