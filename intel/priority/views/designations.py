"""Designation pages: propose (from the person page), the list, one designation with its history
and the actions the reader may take, each action a POST of its own. Every page shows the
caveat (``intel/priority/_caveat.html``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csu.exceptions import ApplicationError
from csu.types import AuthedHttpRequest
from intel.models import PriorityDesignation
from intel.people import selectors as people_selectors
from intel.priority import designations, selectors
from intel.priority.forms.designations import (
    ChallengeDecideForm,
    ChallengeForm,
    ProposeForm,
    ReasonForm,
    add_service_errors,
    error_text,
)
from intel.web import get_or_404, search_text

DECIDE = "intel.decide_prioritydesignation"
CHANGE = "intel.change_prioritydesignation"


@require_http_methods(["GET", "POST"])
@permission_required("intel.add_prioritydesignation", raise_exception=True)
def designation_propose_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    person = get_or_404(people_selectors.person_get, actor=request.user, pk=pk)
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            designation = designations.designation_propose(
                actor=request.user, person=person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"{person} proposed for designation. It counts only once a supervisor who is "
                "not you approves it.",
            )
            return redirect("intel:designation-detail", pk=designation.pk)
    panel = selectors.designation_current_for(actor=request.user, person=person)
    return render(
        request,
        "intel/priority/designations/propose.html",
        {
            "person": person,
            "form": form,
            "basis": selectors.designation_basis_preview(actor=request.user, person=person),
            "panel": panel,
        },
        status=400 if form.errors else 200,
    )


@require_GET
@permission_required("intel.view_prioritydesignation", raise_exception=True)
def person_priority_panel_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The person page's designation and supervision panel, an HTML fragment the page loads
    with htmx (the people package does not import this one: they import one way)."""
    person = get_or_404(people_selectors.person_get, actor=request.user, pk=pk)
    panel = selectors.designation_current_for(actor=request.user, person=person)
    return render(
        request,
        "intel/priority/designations/_person_panel.html",
        {
            "person": person,
            "panel": panel,
            "terms": selectors.supervision_list_for(actor=request.user, person=person),
        },
    )


@require_GET
@permission_required("intel.view_prioritydesignation", raise_exception=True)
def designation_list_view(request: AuthedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in PriorityDesignation.Status.values:
        status = ""
    q = search_text(request.GET.get("q"))
    lists = selectors.designation_list(actor=request.user, status=status, q=q)
    return render(
        request,
        "intel/priority/designations/list.html",
        {
            "lists": lists,
            "status": status,
            "q": q,
            "statuses": PriorityDesignation.Status.choices,
            "may_decide": request.user.has_perm(DECIDE),
        },
    )


@require_GET
@permission_required("intel.view_prioritydesignation", raise_exception=True)
def designation_detail_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    page = get_or_404(selectors.designation_page, actor=request.user, pk=pk)
    return render(
        request,
        "intel/priority/designations/detail.html",
        {
            "page": page,
            "designation": page.designation,
            "person": page.designation.person,
            "reason_min": designations.REASON_MIN_CHARS,
        },
    )


def _act(
    request: AuthedHttpRequest,
    pk: int,
    act: Callable[[PriorityDesignation, dict[str, Any]], object],
    form_class: type[ReasonForm] | type[ChallengeForm] | type[ChallengeDecideForm],
    done: str,
) -> HttpResponse:
    """One action on a designation: parse the form, call the service, say what happened."""
    designation = get_or_404(selectors.designation_get, actor=request.user, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, f"Nothing was changed. {_form_errors(form)}")
        return redirect("intel:designation-detail", pk=pk)
    try:
        act(designation, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, f"Nothing was changed. {error_text(exc)}")
    except ApplicationError as exc:
        messages.error(request, f"Nothing was changed. {exc.message}")
    else:
        messages.success(request, done)
    return redirect("intel:designation-detail", pk=pk)


def _form_errors(form: Any) -> str:
    return " ".join(
        f"{form.fields[name].label or name.replace('_', ' ').capitalize()}: {e}"
        if name in form.fields
        else str(e)
        for name, errors in form.errors.items()
        for e in errors
    )


@require_POST
@permission_required(DECIDE, raise_exception=True)
def designation_approve_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda d, data: designations.designation_approve(
            actor=request.user, designation=d, reason=data.get("reason", "")
        ),
        ReasonForm,
        "Designation approved: it expires in twelve months unless renewed.",
    )


@require_POST
@permission_required(DECIDE, raise_exception=True)
def designation_reject_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda d, data: designations.designation_reject(
            actor=request.user, designation=d, reason=data.get("reason", "")
        ),
        ReasonForm,
        "Proposal rejected; the reason is kept.",
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def designation_renewal_request_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda d, data: designations.designation_renewal_request(
            actor=request.user, designation=d, reason=data.get("reason", "")
        ),
        ReasonForm,
        "Renewal requested: another supervisor decides it.",
    )


@require_POST
@permission_required(DECIDE, raise_exception=True)
def designation_renew_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda d, data: designations.designation_renew(actor=request.user, designation=d),
        ReasonForm,
        "Designation renewed for twelve months.",
    )


@require_POST
@permission_required(DECIDE, raise_exception=True)
def designation_renewal_refuse_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda d, data: designations.designation_renewal_refuse(
            actor=request.user, designation=d, reason=data.get("reason", "")
        ),
        ReasonForm,
        "Renewal refused; the designation still expires on its date.",
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def designation_challenge_record_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda d, data: designations.designation_challenge_record(
            actor=request.user, designation=d, filed_by=data["filed_by"], grounds=data["grounds"]
        ),
        ChallengeForm,
        "Challenge recorded: a supervisor decides it.",
    )


@require_POST
@permission_required(DECIDE, raise_exception=True)
def designation_challenge_decide_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda d, data: designations.designation_challenge_decide(
            actor=request.user,
            designation=d,
            upheld=data["outcome"] == "upheld",
            reason=data["reason"],
        ),
        ChallengeDecideForm,
        "Challenge decided; the reason is kept.",
    )


@require_POST
@permission_required(DECIDE, raise_exception=True)
def designation_remove_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda d, data: designations.designation_remove(
            actor=request.user, designation=d, reason=data.get("reason", "")
        ),
        ReasonForm,
        "Designation removed; the reason is kept.",
    )
