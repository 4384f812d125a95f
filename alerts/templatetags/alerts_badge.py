"""The inbox badge in every page's header: the user's unacknowledged delivered alerts."""

from __future__ import annotations

from typing import Any

from django import template

from alerts.selectors.inbox import alert_unacknowledged_count

register = template.Library()


@register.simple_tag(takes_context=True)
def alerts_unacknowledged(context: dict[str, Any]) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return alert_unacknowledged_count(actor=user)
