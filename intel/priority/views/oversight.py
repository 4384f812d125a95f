"""The supervisor's list health report, probation and parole terms on the person page, and the
assignment of prosecutors to zones."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csu.exceptions import ApplicationError
from csu.types import AuthedHttpRequest
from intel.people import selectors as people_selectors
from intel.priority import health, selectors, supervision
from intel.priority.forms.designations import (
    SupervisionForm,
    ZoneAssignmentForm,
    add_service_errors,
)
from intel.web import get_or_404

PERIODS = (90, 180, 365, 730)


@require_GET
@permission_required("intel.decide_prioritydesignation", raise_exception=True)
def list_health_view(request: AuthedHttpRequest) -> HttpResponse:
    try:
        day = parse_date(request.GET.get("as_of") or "")
    except ValueError:  # well-formed but no such day (2026-02-30): today's report
        day = None
    as_of = (
        timezone.make_aware(datetime.combine(day, time.max)) if day is not None else timezone.now()
    )
    try:
        period_days = int(request.GET.get("period_days") or 365)
    except ValueError:
        period_days = 365
    if period_days not in PERIODS:
        period_days = 365
    report = health.designation_list_health(
        actor=request.user, as_of=as_of, period_days=period_days
    )
    return render(
        request,
        "intel/priority/designations/health.html",
        {"report": report, "periods": PERIODS, "as_of_day": as_of.date()},
    )


@require_http_methods(["GET", "POST"])
@permission_required("intel.add_supervisionstatus", raise_exception=True)
def supervision_add_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    person = get_or_404(people_selectors.person_get, actor=request.user, pk=pk)
    form = SupervisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supervision.supervision_status_add(
                actor=request.user, person=person, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Supervision term recorded.")
            return redirect("intel:person-detail", pk=person.pk)
    return render(
        request,
        "intel/priority/designations/supervision_form.html",
        {
            "person": person,
            "form": form,
            "terms": selectors.supervision_list_for(actor=request.user, person=person),
        },
        status=400 if form.errors else 200,
    )


def _assignment_form(request: AuthedHttpRequest) -> ZoneAssignmentForm:
    return ZoneAssignmentForm(
        request.POST if request.method == "POST" else None,
        prosecutors=selectors.prosecutor_choices(),
        zones=selectors.zone_choices(actor=request.user),
    )


@require_http_methods(["GET", "POST"])
@permission_required("intel.view_zoneassignment", raise_exception=True)
def zone_assignment_list_view(request: AuthedHttpRequest) -> HttpResponse:
    """The assignments, and (POST) a new one."""
    form = _assignment_form(request)
    if request.method == "POST":
        if not request.user.has_perm("intel.add_zoneassignment"):
            raise PermissionDenied
        if form.is_valid():
            try:
                assignment = supervision.zone_assignment_add(
                    actor=request.user,
                    user=form.cleaned_data["user"],
                    zone=form.cleaned_data["zone"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Assigned: {assignment}.")
                return redirect("intel:zone-assignment-list")
    return render(
        request,
        "intel/priority/designations/zones.html",
        {
            "form": form,
            "assignments": selectors.zone_assignment_list(actor=request.user),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@permission_required("intel.delete_zoneassignment", raise_exception=True)
def zone_assignment_delete_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = get_or_404(selectors.zone_assignment_get, actor=request.user, pk=pk)
    supervision.zone_assignment_delete(actor=request.user, assignment=assignment)
    messages.success(request, f"Removed: {assignment}.")
    return redirect("intel:zone-assignment-list")
