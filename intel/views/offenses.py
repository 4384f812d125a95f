"""The offense lookup: how offense texts map to categories and NIBRS codes, extendable."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from intel import imports
from intel.forms import OffenseMappingForm


@require_http_methods(["GET", "POST"])
@permission_required("intel.view_offensemapping", raise_exception=True)
def offense_mapping_list_view(request: HttpRequest) -> HttpResponse:
    form = OffenseMappingForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("intel.add_offensemapping"):
            return HttpResponse(status=403)
        if form.is_valid():
            row = imports.offense_mapping_save(actor=request.user, **form.cleaned_data)
            messages.success(request, f"“{row.pattern}” now maps to {row.get_category_display()}"
                                      "; it applies to the next imports.")
            return redirect("intel:offense-list")
    return render(request, "intel/offenses/list.html", {
        "form": form, "rows": imports.offense_mapping_list(actor=request.user)},
        status=400 if form.errors else 200)
