"""Alternative-treatment rules: the list (every role that reads briefs), and creating and
editing them (supervisors and admins). The services check the permission and audit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from csu.types import AuthedHttpRequest
from intel.priority import treatment
from intel.priority.forms.treatment import TreatmentRuleForm
from intel.web import get_or_404


def _add_errors(form: TreatmentRuleForm, exc: ValidationError) -> None:
    """Put the service's errors on the fields they name, the rest at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_GET
@permission_required("intel.view_treatmentrule", raise_exception=True)
def treatment_rule_list_view(request: AuthedHttpRequest) -> HttpResponse:
    rules = treatment.treatment_rule_list(actor=request.user)
    return render(
        request,
        "intel/priority/treatment/list.html",
        {"rules": rules, "treatment_advice": treatment.ADVICE},
    )


@require_http_methods(["GET", "POST"])
@permission_required("intel.add_treatmentrule", raise_exception=True)
def treatment_rule_create_view(request: AuthedHttpRequest) -> HttpResponse:
    form = TreatmentRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = treatment.treatment_rule_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Rule “{rule.name}” created.")
            return redirect("intel:treatment-rule-list")
    return render(
        request,
        "intel/priority/treatment/form.html",
        {"form": form, "rule": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@permission_required("intel.change_treatmentrule", raise_exception=True)
def treatment_rule_edit_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    rule = get_or_404(treatment.treatment_rule_get, actor=request.user, pk=pk)
    form = TreatmentRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            treatment.treatment_rule_update(actor=request.user, rule=rule, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Rule “{form.cleaned_data['name']}” saved.")
            return redirect("intel:treatment-rule-list")
    return render(
        request,
        "intel/priority/treatment/form.html",
        {"form": form, "rule": rule},
        status=400 if form.errors else 200,
    )
