"""Pages of the candidate score: the ranked candidates (analysts and supervisors), the versions
of the weights (supervisors and admins) and a new version (admins)."""

from __future__ import annotations

from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from csu.types import AuthedHttpRequest
from intel.models import Group, Zone
from intel.models.priority import DESIGNATION_CAVEAT, SCORE_FACTORS
from intel.priority import candidates
from intel.priority.forms.scores import ScoreConfigForm, weight_field
from intel.priority.scoring import (
    FACTOR_HELP,
    FACTOR_LABELS,
    score_config_create,
    score_config_current,
)
from intel.priority.tasks import scores_compute_queue

PAGE_SIZE = 50
_R = TypeVar("_R", Zone, Group)


def _choice(request: AuthedHttpRequest, name: str, rows: list[_R]) -> _R | None:
    """The row a filter's id names, among those the actor may pick; None otherwise."""
    value = request.GET.get(name, "")
    if not value.isdigit():
        return None
    return next((r for r in rows if r.pk == int(value)), None)


@require_GET
@permission_required("intel.list_candidates", raise_exception=True)
def candidate_list_view(request: AuthedHttpRequest) -> HttpResponse:
    zones = list(candidates.candidate_zones(actor=request.user))
    groups = list(candidates.candidate_groups(actor=request.user))
    zone = _choice(request, "zone", zones)
    group = _choice(request, "group", groups)
    rows = candidates.candidate_list(actor=request.user, zone=zone, group=group)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    lines = [
        (score, candidates.factor_lines(score.factors), score.designation_status)  # type: ignore[attr-defined]
        for score in page
    ]
    config = score_config_current()
    query = "&".join(
        f"{name}={obj.pk}" for name, obj in (("zone", zone), ("group", group)) if obj is not None
    )
    return render(
        request,
        "intel/priority/scores/candidates.html",
        {
            "page": page,
            "lines": lines,
            "config": config,
            "zones": zones,
            "groups": groups,
            "zone": zone,
            "group": group,
            "query": query,
            "factors": [(n, FACTOR_LABELS[n], FACTOR_HELP[n]) for n in SCORE_FACTORS],
            "designation_caveat": DESIGNATION_CAVEAT,
        },
    )


@require_GET
@permission_required("intel.view_scoreconfig", raise_exception=True)
def score_config_list_view(request: AuthedHttpRequest) -> HttpResponse:
    score_config_current()  # version 1 exists from the first look
    versions = [
        (config, [config.weights.get(name, 0) for name in SCORE_FACTORS])
        for config in candidates.score_config_list(actor=request.user)
    ]
    return render(
        request,
        "intel/priority/scores/config_list.html",
        {
            "versions": versions,
            "factors": [(n, FACTOR_LABELS[n], FACTOR_HELP[n]) for n in SCORE_FACTORS],
            "designation_caveat": DESIGNATION_CAVEAT,
        },
    )


def _add_service_errors(form: ScoreConfigForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        field = weight_field(name) if name in SCORE_FACTORS else name
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
@permission_required("intel.add_scoreconfig", raise_exception=True)
def score_config_create_view(request: AuthedHttpRequest) -> HttpResponse:
    current = score_config_current()
    form = ScoreConfigForm(
        request.POST if request.method == "POST" else None,
        initial=ScoreConfigForm.initial_from(current),
    )
    if request.method == "POST" and form.is_valid():
        try:
            config = score_config_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            # Every score is recomputed under the new version by a worker, once it is saved.
            transaction.on_commit(lambda: scores_compute_queue(countdown=0), robust=True)
            messages.success(
                request,
                f"Version {config.version} saved and in force. The scores are being "
                "recomputed; those of earlier versions are kept as they were.",
            )
            return redirect("intel:score-config-list")
    return render(
        request,
        "intel/priority/scores/config_form.html",
        {"form": form, "current": current},
        status=400 if form.errors else 200,
    )
