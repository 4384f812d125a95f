"""People pages: search, the person page (audited on every view), its associate network (an HTML
fragment the person page loads with htmx), merge and un-merge, and the review queue where analysts
decide which person an arrest is about."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from plotly.utils import PlotlyJSONEncoder

from csu import audit_reads
from dashboards.charts import network_figure
from intel.people import network, search, selectors, services
from intel.people.forms import PersonMergeForm, PersonSearchForm, PersonUnmergeForm


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _form_errors(form: PersonMergeForm | PersonUnmergeForm) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {e}".lstrip(": ")
        for name, errors in form.errors.items()
        for e in errors
    )


@require_http_methods(["GET", "POST"])
@permission_required("intel.view_person", raise_exception=True)
def person_list_view(request: HttpRequest) -> HttpResponse:
    """The search form by GET; the search itself by POST (CSRF-protected), answered on the
    same page, so names, dates of birth and identifiers never travel in a URL and never reach
    an access log, a proxy or the browser history. Terms in a GET query are ignored."""
    form = PersonSearchForm(request.POST if request.method == "POST" else None)
    results = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        results = search.person_search(
            request.user, q=data["q"], dob=data["dob"], identifier=data["identifier"]
        )
        # The read audit (csu.audit_reads) records the terms; the count is added to its event.
        audit_reads.note(request, results=len(results))
    return render(
        request,
        "intel/people/list.html",
        {
            "form": form,
            "results": results,
            "limit": 50,
        },
        status=400 if form.errors else 200,
    )


@require_GET
@permission_required("intel.view_person", raise_exception=True)
def person_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(request.user, pk)
    if person.is_merged:
        survivor = selectors.person_survivor(request.user, person)
        messages.info(
            request,
            f"Person #{person.pk} ({person}) was merged into this record; you were sent here.",
        )
        return redirect("intel:person-detail", pk=survivor.pk)
    profile = selectors.person_profile(request.user, person)
    audit_reads.note(
        request,
        arrests=len(profile.arrests),
        timeline=len(profile.timeline),
        intel_records=[e.obj.pk for e in profile.timeline if e.kind == "intel"],
    )
    return render(
        request,
        "intel/people/detail.html",
        {
            "person": person,
            "profile": profile,
            "merge_form": PersonMergeForm(),
            "unmerge_form": PersonUnmergeForm(),
        },
    )


@require_POST
@permission_required("intel.merge_person", raise_exception=True)
def person_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    survivor = selectors.person_get(request.user, pk)
    form = PersonMergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Nothing was merged. {_form_errors(form)}")
        return redirect("intel:person-detail", pk=pk)
    try:
        merged = selectors.person_get(request.user, form.cleaned_data["other"])
    except Http404:
        messages.error(
            request, f"Nothing was merged: there is no person #{form.cleaned_data['other']}."
        )
        return redirect("intel:person-detail", pk=pk)
    try:
        services.person_merge(
            actor=request.user, survivor=survivor, merged=merged, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, f"Nothing was merged: {_error_text(exc)}")
    else:
        messages.success(
            request,
            f"Person #{merged.pk} ({merged}) was merged into this record. "
            "The merge history below can undo it.",
        )
    return redirect("intel:person-detail", pk=pk)


@require_POST
@permission_required("intel.merge_person", raise_exception=True)
def person_unmerge_view(request: HttpRequest, pk: int) -> HttpResponse:
    merge = selectors.person_merge_get(request.user, pk)
    form = PersonUnmergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Nothing was un-merged. {_form_errors(form)}")
        return redirect("intel:person-detail", pk=merge.survivor_id)
    try:
        services.person_unmerge(actor=request.user, merge=merge, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, f"Nothing was un-merged: {_error_text(exc)}")
        return redirect("intel:person-detail", pk=merge.survivor_id)
    messages.success(
        request,
        f"Un-merged: person #{merge.merged_id} ({merge.merged}) is a "
        "separate record again, with everything that was moved.",
    )
    return redirect("intel:person-detail", pk=merge.merged_id)


@require_GET
@permission_required("intel.view_matchcandidate", raise_exception=True)
def match_list_view(request: HttpRequest) -> HttpResponse:
    page, groups = selectors.match_queue(request.user, page=request.GET.get("page"))
    return render(request, "intel/people/matches.html", {"page": page, "groups": groups})


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    page = request.POST.get("page", "")
    response = redirect("intel:match-list")
    if page.isdigit():
        response["Location"] += f"?page={page}"
    return response


@require_POST
@permission_required("intel.change_matchcandidate", raise_exception=True)
def match_link_view(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.match_candidate_get(request.user, pk)
    try:
        services.match_link(actor=request.user, candidate=candidate)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            f"Arrest {candidate.arrest.source_id} "
            f"({candidate.arrest.name_as_recorded}) is now linked to "
            f"person #{candidate.person_id} ({candidate.person}).",
        )
    return _back_to_queue(request)


@require_POST
@permission_required("intel.change_matchcandidate", raise_exception=True)
def match_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.match_candidate_get(request.user, pk)
    try:
        services.match_reject(actor=request.user, candidate=candidate)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        arrest = candidate.arrest
        arrest.refresh_from_db(fields=["person"])
        started = (
            f" No candidate is left, so the arrest starts a new person: #{arrest.person_id}."
            if arrest.person_id
            else ""
        )
        messages.success(
            request,
            f"Noted: arrest {arrest.source_id} is not person "
            f"#{candidate.person_id} ({candidate.person}).{started}",
        )
    return _back_to_queue(request)


@require_POST
@permission_required("intel.change_matchcandidate", raise_exception=True)
def match_new_person_view(request: HttpRequest, pk: int) -> HttpResponse:
    arrest = selectors.match_arrest_get(request.user, pk)
    try:
        person = services.match_new_person(actor=request.user, arrest=arrest)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, f"Arrest {arrest.source_id} starts a new person: #{person.pk} ({person})."
        )
    return _back_to_queue(request)


@require_GET
@permission_required("intel.view_person", raise_exception=True)
def person_network_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = network.person_network_get(actor=request.user, pk=pk)
    if found is None:
        raise Http404
    # Who someone is arrested with is part of their record: read like the person page.
    audit_reads.note(request, associates=len(found.associates))
    figure = network_figure(found.nodes, found.edges) if found.edges else None
    return render(
        request,
        "intel/network/_person.html",
        {
            "network": found,
            "person": found.person,
            "figure": json.loads(json.dumps(figure, cls=PlotlyJSONEncoder)) if figure else None,
            "chart_id": f"network-figure-{found.person.pk}",
        },
    )
