"""The home page: what each role comes for, from real data."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from plotly.utils import PlotlyJSONEncoder

from csu import audit_reads
from csu.models import User
from csu.roles import ROLE_DESCRIPTIONS, ROLE_LABELS, Role
from csu.selectors import audit_summary, user_list
from csu.types import AuthedHttpRequest
from dashboards.charts import weekly_trend_figure
from intel.priority import selectors as priority_selectors
from intel.records import selectors as intel_selectors


def _trend_context(actor: User) -> dict[str, Any]:
    rows = intel_selectors.incident_weekly_counts(actor=actor, weeks=104)
    figure = weekly_trend_figure(rows, title="Incidents per week, last two years")
    return {
        "trend_figure": json.loads(json.dumps(figure, cls=PlotlyJSONEncoder)),
        "trend_has_data": bool(rows),
        "comparison": intel_selectors.incident_category_comparison(actor=actor, days=28),
        "record_counts": intel_selectors.record_counts(actor=actor),
    }


@require_GET
def home(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    role = user.primary_role
    context: dict[str, Any] = {
        "role": role,
        "role_label": ROLE_LABELS.get(role or "", "No role"),
        "role_description": ROLE_DESCRIPTIONS.get(role or "", ""),
    }
    if role == Role.PROSECUTOR:
        context["recent_arrests"] = intel_selectors.arrest_recent_list(actor=user, days=7, limit=25)
        briefs = priority_selectors.designation_briefs_for_prosecutor(actor=user)
        context["designated_briefs"] = briefs
        # The read is recorded as the home page's (csu.audit_reads); these are the people shown.
        audit_reads.note(request, designated_people=[row.person.pk for row in briefs])
    elif role in (Role.ANALYST, Role.SUPERVISOR):
        context.update(_trend_context(user))
        if role == Role.SUPERVISOR:
            context["audit_summary"] = audit_summary(actor=user, days=7)
    elif role == Role.ADMIN:
        users = user_list(actor=user)
        context["users"] = users
        # user_list annotates each user with these two (not model fields, hence getattr).
        context["locked_count"] = sum(1 for u in users if getattr(u, "is_locked", False))
        context["no_mfa_count"] = sum(1 for u in users if not getattr(u, "mfa_enrolled", False))
    template = f"csu/home/{role}.html" if role else "csu/home/none.html"
    return render(request, template, context)
