"""An area's timeline: a zone's violence per week and its records, newest first, paginated."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from csu.timeline import TimelineItem
from csu.types import AuthedHttpRequest
from dashboards.analysis.timeline import zone_get, zone_timeline_records, zone_timeline_weekly
from dashboards.timecharts import timeline_figure
from dashboards.views.access import analysis_page
from intel.models import Zone

PAGE_SIZE = 50
LINKS = {"shooting": "Victim's page", "arrest": "Arrestee's page"}


def timeline_entry(row: dict[str, Any], *, people: bool) -> TimelineItem:
    """One record of the list as ``components/timeline.html`` shows it. Records have no page
    of their own yet: a shooting victim or an arrestee resolved to a person links there."""
    kind, what = row["tl_kind"], row["tl_what"]
    if kind == "shooting":
        victims = row["tl_victims"]
        title = f"Shooting, {victims} victim{pluralize(victims)}" + (
            ", fatal" if row["tl_fatal"] else ""
        )
    elif kind == "incident":
        title = f"Homicide: {what}" if row["tl_fatal"] else what or "Violent incident"
    else:
        title = f"Arrest: {what}" if what else "Arrest"
    person = row["tl_person"]
    return {
        "at": row["tl_at"],
        "kind": "homicide" if kind == "incident" and row["tl_fatal"] else kind,
        "title": title,
        "url": reverse("intel:person-detail", args=[person]) if person and people else "",
        "link_label": LINKS.get(kind, ""),
        "details": [row["tl_place"]] if row["tl_place"] else [],
    }


@analysis_page
def zone_timeline_view(request: AuthedHttpRequest, zone_id: int) -> HttpResponse:
    """Shootings, homicides, violent incidents and related arrests in one zone."""
    try:
        zone = zone_get(actor=request.user, zone_id=zone_id)
    except Zone.DoesNotExist as exc:  # missing or out of sight: the same answer
        raise Http404("No such zone.") from exc
    weeks = zone_timeline_weekly(actor=request.user, zone=zone, as_of=timezone.localdate())
    page = Paginator(zone_timeline_records(actor=request.user, zone=zone), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "dashboards/timeline.html",
        {
            "zone": zone,
            "weeks": weeks,
            "has_weeks": any(
                w.shootings or w.violent_incidents or w.related_arrests for w in weeks
            ),
            "figure": timeline_figure(weeks, title=f"Violence per week: {zone}"),
            "page": page,
            "entries": [
                timeline_entry(row, people=request.user.has_perm("intel.view_person"))
                for row in page
            ],
        },
    )
