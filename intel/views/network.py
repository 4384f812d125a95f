"""The associate network of a person: an HTML fragment the person page loads with htmx."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from plotly.utils import PlotlyJSONEncoder

from csu import audit_reads
from dashboards.charts import network_figure
from intel import network


@require_GET
@permission_required("intel.view_person", raise_exception=True)
def person_network_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = network.person_network_get(actor=request.user, pk=pk)
    if found is None:
        raise Http404
    # Who someone is arrested with is part of their record: read like the person page.
    audit_reads.note(request, associates=len(found.associates))
    figure = network_figure(found.nodes, found.edges) if found.edges else None
    return render(request, "intel/network/_person.html", {
        "network": found, "person": found.person,
        "figure": json.loads(json.dumps(figure, cls=PlotlyJSONEncoder)) if figure else None,
        "chart_id": f"network-figure-{found.person.pk}"})
