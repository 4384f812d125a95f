"""The alert-fatigue report for supervisors: are alerts read, and acted on, and which lists only
make noise? Counts and rates over the alerts created in ``[start, end)``; never an alert's
content (the matches are read for their list ids only)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from alerts.models import Alert, WatchEntry, WatchList

if TYPE_CHECKING:
    from csu.models import User

MIN_ALERTS_UNREAD = 5  # a list with this many alerts and none acknowledged is reported


@dataclass
class RecipientFigures:
    recipient: Any
    alerts: int = 0
    acknowledged: int = 0
    actioned: int = 0
    per_week: dict[date, int] = field(default_factory=dict)

    @property
    def acknowledgement_rate(self) -> float | None:
        return self.acknowledged / self.alerts if self.alerts else None

    @property
    def action_rate(self) -> float | None:
        return self.actioned / self.alerts if self.alerts else None


@dataclass
class ListFigures:
    watch_list: WatchList
    path: str
    alerts: int = 0
    acknowledged: int = 0


@dataclass
class FatigueReport:
    start: datetime
    end: datetime
    weeks: list[date]
    alerts: int
    acknowledged: int
    actioned: int
    median_time_to_acknowledge: timedelta | None
    recipients: list[RecipientFigures]
    noisiest_lists: list[ListFigures]
    unacknowledged_lists: list[ListFigures]
    expired_entries: list[WatchEntry]
    min_alerts: int

    @property
    def acknowledgement_rate(self) -> float | None:
        return self.acknowledged / self.alerts if self.alerts else None

    @property
    def action_rate(self) -> float | None:
        return self.actioned / self.alerts if self.alerts else None


def _week(moment: datetime) -> date:
    """The Monday of the office's local week."""
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE or "UTC")).date()
    return local - timedelta(days=local.weekday())


def list_path(watch_list: WatchList) -> str:
    names = []
    node: WatchList | None = watch_list
    while node is not None:
        names.append(node.name)
        node = node.parent
    return "/".join(reversed(names))


def alert_fatigue_report(
    *,
    actor: User,
    start: datetime,
    end: datetime,
    min_alerts: int = MIN_ALERTS_UNREAD,
    now: datetime | None = None,
) -> FatigueReport:
    """Alerts per recipient per week, acknowledgement and action rates (an action other than
    "no action"), the median time to acknowledge, alerts per list (noisiest first), lists with
    ``min_alerts`` alerts or more and none acknowledged, and entries past their expiry that are
    still active."""
    if not actor.has_perm("alerts.review_fatigue"):
        raise PermissionDenied
    now = now or timezone.now()
    rows = list(
        Alert.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
            "recipient_id", "created_at", "acknowledged_at", "action", "matches"
        )
    )
    users = get_user_model().objects.in_bulk({r[0] for r in rows})
    by_recipient: dict[int, RecipientFigures] = {}
    per_list: Counter[int] = Counter()
    acknowledged_per_list: Counter[int] = Counter()
    waits: list[timedelta] = []
    weeks: set[date] = set()
    week_counts: dict[int, Counter[date]] = defaultdict(Counter)
    for recipient_id, created_at, acknowledged_at, action, matches in rows:
        figures = by_recipient.setdefault(recipient_id, RecipientFigures(users[recipient_id]))
        figures.alerts += 1
        week = _week(created_at)
        weeks.add(week)
        week_counts[recipient_id][week] += 1
        if acknowledged_at is not None:
            figures.acknowledged += 1
            waits.append(acknowledged_at - created_at)
            if action and action != Alert.Action.NO_ACTION:
                figures.actioned += 1
        for list_id in {m.get("list_id") for m in matches or [] if m.get("list_id")}:
            per_list[list_id] += 1
            if acknowledged_at is not None:
                acknowledged_per_list[list_id] += 1
    for recipient_id, figures in by_recipient.items():
        figures.per_week = dict(week_counts[recipient_id])
    lists = WatchList.objects.select_related("parent__parent").in_bulk(list(per_list))
    list_figures = sorted(
        (
            ListFigures(
                watch_list=lists[list_id],
                path=list_path(lists[list_id]),
                alerts=count,
                acknowledged=acknowledged_per_list[list_id],
            )
            for list_id, count in per_list.items()
            if list_id in lists
        ),
        key=lambda f: (-f.alerts, f.path),
    )
    expired = list(
        WatchEntry.objects.filter(status=WatchEntry.Status.ACTIVE, expires_at__lt=now)
        .select_related("watch_list__parent__parent", "created_by")
        .order_by("expires_at", "id")
    )
    recipients = sorted(
        by_recipient.values(), key=lambda f: (-f.alerts, f.recipient.get_username())
    )
    return FatigueReport(
        start=start,
        end=end,
        weeks=sorted(weeks),
        alerts=len(rows),
        acknowledged=sum(f.acknowledged for f in recipients),
        actioned=sum(f.actioned for f in recipients),
        median_time_to_acknowledge=(
            timedelta(seconds=statistics.median(w.total_seconds() for w in waits))
            if waits
            else None
        ),
        recipients=recipients,
        noisiest_lists=list_figures,
        unacknowledged_lists=[
            f for f in list_figures if f.alerts >= min_alerts and f.acknowledged == 0
        ],
        expired_entries=expired,
        min_alerts=min_alerts,
    )
