"""People pages: search, the person page (audited on every view), its associate network (an HTML
fragment the person page loads with htmx), merge and un-merge, and the review queue where analysts
decide which person an arrest, a shooting victim or a case's defendant is about."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from plotly.utils import PlotlyJSONEncoder

from csu import audit_reads
from csu.timeline import TimelineItem
from csu.types import AuthedHttpRequest
from dashboards.charts import network_figure
from intel.models import Arrest, CaseReferral, Person, ShootingVictim
from intel.people import network, search, selectors, services
from intel.people.forms import PersonMergeForm, PersonSearchForm, PersonUnmergeForm
from intel.web import get_or_404


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
def person_list_view(request: AuthedHttpRequest) -> HttpResponse:
    """The search form by GET; the search itself by POST (CSRF-protected), answered on the
    same page, so names, dates of birth and identifiers never travel in a URL and never reach
    an access log, a proxy or the browser history. Terms in a GET query are ignored."""
    form = PersonSearchForm(request.POST if request.method == "POST" else None)
    results = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        results = search.person_search(
            actor=request.user, q=data["q"], dob=data["dob"], identifier=data["identifier"]
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


def _entry_page(entry: selectors.TimelineEntry) -> tuple[str, str]:
    """The page an entry of the person's timeline links to, and the link's text: intelligence
    records and groups have pages of their own; the other records do not (yet)."""
    if entry.kind == "intel":
        return reverse("intel:record-detail", args=[entry.obj.pk]), "Record's page"
    if entry.kind == "membership":
        return reverse("intel:group-detail", args=[entry.obj.group_id]), "Group's page"
    return "", ""


def _timeline_items(
    entries: list[selectors.TimelineEntry], *, import_links: bool
) -> list[TimelineItem]:
    """The person's timeline as ``components/timeline.html`` shows it (the order and the
    entries are the selector's). Every entry cites its source; its import is linked only for
    those who may open imports (``import_links``), and named for everyone else."""
    items: list[TimelineItem] = []
    for entry in entries:
        url, link_label = _entry_page(entry)
        import_id = entry.source.import_id
        items.append(
            {
                "at": entry.at,
                "kind": entry.kind,
                "title": entry.title,
                "url": url,
                "link_label": link_label,
                "details": entry.details,
                "source": {
                    "agency": entry.source.agency,
                    "source_id": entry.source.source_id,
                    "import_id": import_id,
                    "import_url": reverse("intel:import-detail", args=[import_id])
                    if import_id and import_links
                    else "",
                },
            }
        )
    return items


@require_GET
@permission_required("intel.view_person", raise_exception=True)
def person_detail_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    person = get_or_404(selectors.person_get, actor=request.user, pk=pk)
    if person.is_merged:
        survivor = get_or_404(selectors.person_survivor, actor=request.user, person=person)
        messages.info(
            request,
            f"Person #{person.pk} ({person}) was merged into this record; you were sent here.",
        )
        return redirect("intel:person-detail", pk=survivor.pk)
    profile = selectors.person_profile(actor=request.user, person=person)
    audit_reads.note(
        request,
        arrests=len(profile.arrests),
        cases=len(profile.cases),
        shootings_as_victim=len(profile.victimisations),
        timeline=len(profile.timeline),
        intel_records=[e.obj.pk for e in profile.timeline if e.kind == "intel"],
    )
    return render(
        request,
        "intel/people/detail.html",
        {
            "person": person,
            "profile": profile,
            "timeline": _timeline_items(
                profile.timeline, import_links=request.user.has_perm("intel.view_dataimport")
            ),
            "merge_form": PersonMergeForm(),
            "unmerge_form": PersonUnmergeForm(),
        },
    )


@require_POST
@permission_required("intel.merge_person", raise_exception=True)
def person_merge_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    survivor = get_or_404(selectors.person_get, actor=request.user, pk=pk)
    form = PersonMergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Nothing was merged. {_form_errors(form)}")
        return redirect("intel:person-detail", pk=pk)
    try:
        merged = selectors.person_get(actor=request.user, pk=form.cleaned_data["other"])
    except Person.DoesNotExist:
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
def person_unmerge_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    merge = get_or_404(selectors.person_merge_get, actor=request.user, pk=pk)
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
def match_list_view(request: AuthedHttpRequest) -> HttpResponse:
    page, groups = selectors.match_queue(actor=request.user, page=request.GET.get("page"))
    counts = selectors.match_queue_counts(actor=request.user)
    return render(
        request,
        "intel/people/matches.html",
        {"page": page, "groups": groups, "counts": counts},
    )


def _described(record: Arrest | ShootingVictim | CaseReferral) -> str:
    """The record as a message names it: "Arrest B1 (SMITH, JON)"."""
    if isinstance(record, ShootingVictim):
        return f"Shooting victim {record.name_as_recorded} (shooting {record.shooting.source_id})"
    if isinstance(record, CaseReferral):
        return f"Defendant {record.defendant_name_as_recorded} of case {record.case_number}"
    return f"Arrest {record.source_id} ({record.name_as_recorded})"


_NOUNS = {Arrest: "arrest", ShootingVictim: "victim", CaseReferral: "defendant"}


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    page = request.POST.get("page", "")
    response = redirect("intel:match-list")
    if page.isdigit():
        response["Location"] += f"?page={page}"
    return response


@require_POST
@permission_required("intel.change_matchcandidate", raise_exception=True)
def match_link_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    candidate = get_or_404(selectors.match_candidate_get, actor=request.user, pk=pk)
    try:
        services.match_link(actor=request.user, candidate=candidate)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            f"{_described(candidate.record)} is now linked to "
            f"person #{candidate.person_id} ({candidate.person}).",
        )
    return _back_to_queue(request)


@require_POST
@permission_required("intel.change_matchcandidate", raise_exception=True)
def match_reject_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    candidate = get_or_404(selectors.match_candidate_get, actor=request.user, pk=pk)
    try:
        started = services.match_reject(actor=request.user, candidate=candidate)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        noun = _NOUNS[type(candidate.record)]
        left = (
            f" No candidate is left, so the {noun} starts a new person: #{started.pk}."
            if started is not None
            else ""
        )
        messages.success(
            request,
            f"Noted: {_described(candidate.record)} is not person "
            f"#{candidate.person_id} ({candidate.person}).{left}",
        )
    return _back_to_queue(request)


@require_POST
@permission_required("intel.change_matchcandidate", raise_exception=True)
def match_new_person_view(
    request: AuthedHttpRequest, pk: int, source: str = "arrest"
) -> HttpResponse:
    """None of the candidates: the arrest, shooting victim or case defendant (``source``, fixed
    by the route) starts a new person."""
    record = get_or_404(selectors.match_record_get, actor=request.user, source=source, pk=pk)
    try:
        if isinstance(record, ShootingVictim):
            person = services.match_new_person(actor=request.user, victim=record)
        elif isinstance(record, CaseReferral):
            person = services.match_new_person(actor=request.user, case=record)
        else:
            person = services.match_new_person(actor=request.user, arrest=record)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        what = f"Arrest {record.source_id}" if isinstance(record, Arrest) else _described(record)
        messages.success(request, f"{what} starts a new person: #{person.pk} ({person}).")
    return _back_to_queue(request)


@require_GET
@permission_required("intel.view_person", raise_exception=True)
def person_network_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    found = get_or_404(network.person_network_get, actor=request.user, pk=pk)
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
