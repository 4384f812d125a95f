"""Group pages: the list, a group with its approved members, proposing a membership, and the
supervisor's approve and remove actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csu.types import AuthedHttpRequest
from intel.intelligence import groups, selectors
from intel.intelligence.forms.groups import (
    ApproveForm,
    GroupForm,
    MembershipForm,
    RemoveForm,
    add_service_errors,
    error_text,
)
from intel.models import GroupMembership
from intel.web import get_or_404, search_text


@require_GET
@permission_required("intel.view_group", raise_exception=True)
def group_list_view(request: AuthedHttpRequest) -> HttpResponse:
    q = search_text(request.GET.get("q"))
    page = Paginator(selectors.group_list(actor=request.user, q=q), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "intel/groups/list.html", {"page": page, "q": q})


@require_http_methods(["GET", "POST"])
@permission_required("intel.add_group", raise_exception=True)
def group_create_view(request: AuthedHttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            group = groups.group_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Group “{group.name}” created.")
            return redirect("intel:group-detail", pk=group.pk)
    return render(
        request, "intel/groups/form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
@permission_required("intel.view_group", raise_exception=True)
def group_detail_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    page = get_or_404(selectors.group_page, actor=request.user, pk=pk)
    return render(request, "intel/groups/detail.html", {"page": page, "group": page.group})


@require_http_methods(["GET", "POST"])
@permission_required("intel.add_groupmembership", raise_exception=True)
def membership_submit_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    group = get_or_404(selectors.group_get, actor=request.user, pk=pk)
    initial = {"person": request.GET.get("person")} if request.GET.get("person") else None
    form = MembershipForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            membership = groups.membership_submit(
                actor=request.user, group=group, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Membership of {membership.person} proposed. It counts "
                "only once a supervisor approves it.",
            )
            return redirect("intel:group-detail", pk=group.pk)
    return render(
        request,
        "intel/groups/membership_form.html",
        {"form": form, "group": group},
        status=400 if form.errors else 200,
    )


def _membership(request: AuthedHttpRequest, pk: int) -> GroupMembership:
    return get_or_404(selectors.membership_get, actor=request.user, pk=pk)


@require_POST
@permission_required("intel.approve_groupmembership", raise_exception=True)
def membership_approve_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    form = ApproveForm(request.POST)
    form.is_valid()
    try:
        groups.membership_approve(
            actor=request.user,
            membership=membership,
            screen_attestation=form.cleaned_data.get("screen_attestation", ""),
        )
    except ValidationError as exc:
        messages.error(request, f"Not approved: {error_text(exc)}")
    else:
        messages.success(request, f"Membership of {membership.person} approved.")
    return redirect("intel:group-detail", pk=membership.group_id)


@require_POST
@permission_required("intel.approve_groupmembership", raise_exception=True)
def membership_remove_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    form = RemoveForm(request.POST)
    form.is_valid()
    try:
        groups.membership_remove(
            actor=request.user, membership=membership, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, f"Not removed: {error_text(exc)}")
    else:
        messages.success(request, f"Membership of {membership.person} removed; the reason is kept.")
    return redirect("intel:group-detail", pk=membership.group_id)
