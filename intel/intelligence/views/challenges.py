"""Challenge pages: record a challenge received against a membership or an intel record, the
list (open ones first), one challenge with its outcome, and the supervisor's decision."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csu.types import AuthedHttpRequest
from intel.intelligence import challenges, selectors
from intel.intelligence.forms.groups import (
    ChallengeForm,
    DecideForm,
    add_service_errors,
    error_text,
)
from intel.models import Challenge, GroupMembership, IntelRecord
from intel.web import get_or_404


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return int(value)


@require_GET
@permission_required("intel.view_challenge", raise_exception=True)
def challenge_list_view(request: AuthedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Challenge.Status.values:
        status = ""
    page = Paginator(selectors.challenge_list(actor=request.user, status=status), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "intel/challenges/list.html",
        {"page": page, "status": status, "statuses": Challenge.Status.choices},
    )


@require_http_methods(["GET", "POST"])
@permission_required("intel.add_challenge", raise_exception=True)
def challenge_file_view(request: AuthedHttpRequest) -> HttpResponse:
    """``?membership=ID`` or ``?record=ID`` fixes what is challenged; without, it is typed in."""
    membership_id = _int_param(request, "membership")
    record_id = _int_param(request, "record")
    target: GroupMembership | IntelRecord | None = None
    if membership_id is not None or record_id is not None:
        target = get_or_404(
            selectors.challenge_target_get,
            actor=request.user,
            membership_id=membership_id,
            record_id=record_id,
        )
    initial = {"membership": membership_id, "record": record_id}
    form = ChallengeForm(request.POST or None, initial=initial, fixed_target=target is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if target is None:
            with contextlib.suppress(GroupMembership.DoesNotExist, IntelRecord.DoesNotExist):
                target = selectors.challenge_target_get(
                    actor=request.user, membership_id=data["membership"], record_id=data["record"]
                )
        if target is None:
            form.add_error(
                "membership" if data["membership"] else "record",
                "Nothing with that ID is open to you.",
            )
        else:
            try:
                challenge = challenges.challenge_file(
                    actor=request.user,
                    filed_by=data["filed_by"],
                    received_at=data["received_at"],
                    grounds=data["grounds"],
                    membership=target if isinstance(target, GroupMembership) else None,
                    intel_record=target if isinstance(target, IntelRecord) else None,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, f"Challenge #{challenge.pk} recorded; a supervisor decides it."
                )
                return redirect("intel:challenge-detail", pk=challenge.pk)
    return render(
        request,
        "intel/challenges/form.html",
        {
            "form": form,
            "target": target,
            "target_is_membership": isinstance(target, GroupMembership),
        },
        status=400 if form.errors else 200,
    )


@require_GET
@permission_required("intel.view_challenge", raise_exception=True)
def challenge_detail_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    challenge = get_or_404(selectors.challenge_get, actor=request.user, pk=pk)
    return render(
        request, "intel/challenges/detail.html", {"challenge": challenge, "form": DecideForm()}
    )


@require_POST
@permission_required("intel.decide_challenge", raise_exception=True)
def challenge_decide_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    challenge = get_or_404(selectors.challenge_get, actor=request.user, pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an outcome: upheld, denied or withdrawn.")
        return redirect("intel:challenge-detail", pk=pk)
    try:
        challenge = challenges.challenge_decide(
            actor=request.user,
            challenge=challenge,
            outcome=form.cleaned_data["outcome"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, f"Not decided: {error_text(exc)}")
    else:
        messages.success(request, f"Challenge #{pk}: {challenge.get_status_display()}.")
    return redirect("intel:challenge-detail", pk=pk)
