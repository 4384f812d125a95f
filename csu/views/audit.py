"""The audit trail for supervisors and admins: its reads (by ``csu.audit_reads``) and exports
(by the service) are audited too. Admins see case-data events as ids and metadata only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from csu.models import AuditEvent
from csu.selectors import audit_event_list, audit_event_shown
from csu.services import audit_export
from csu.types import AuthedHttpRequest


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=64)
    outcome = forms.ChoiceField(required=False, choices=[("", "Any"), *AuditEvent.Outcome.choices])
    username = forms.CharField(required=False, max_length=150)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AuditExportForm(AuditFilterForm):
    purpose = forms.CharField(
        max_length=300,
        min_length=5,
        help_text="Recorded with the export (e.g. quarterly CJIS review).",
    )


@require_GET
@permission_required("csu.view_auditevent", raise_exception=True)
def audit_list(request: AuthedHttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_event_list(actor=request.user, filters=filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    page.object_list = [audit_event_shown(actor=request.user, event=e) for e in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "csu/audit/list.html",
        {
            "form": form,
            "page": page,
            "export_form": AuditExportForm(initial=filters),
            "query": query.urlencode(),
        },
    )


@require_POST
@permission_required("csu.export_auditevent", raise_exception=True)
def audit_export_view(request: AuthedHttpRequest) -> HttpResponse:
    form = AuditExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a purpose of at least five characters to export.")
        return redirect("csu:audit-list")
    filters = {k: v for k, v in form.cleaned_data.items() if k != "purpose"}
    try:
        body = audit_export(
            actor=request.user, filters=filters, purpose=form.cleaned_data["purpose"]
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("csu:audit-list")
    name = f"csu-audit-{timezone.now():%Y%m%d-%H%M%S}.csv"
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
