"""Alerts from arrests: one consolidated alert per arrest per recipient, and its deliveries.

``alerts_create_for_arrests`` runs after an arrest import commits its records and entity
resolution (``intel.ingest.services.import_follow_ups`` sends ``intel.signals.arrests_imported``;
``alerts.apps`` connects this app to it, so intel never imports alerts). For each arrest it
gathers every watch entry the arrest matches (``alerts.matching``) and every open case of the
arrested person with an assigned prosecutor, works out who receives each (the list's roles,
inherited downward; owners only for a silent list; never a user without access to alerts and
arrests; never a user who snoozed the list or the person), and writes one ``Alert`` per
recipient with every match, then its ``AlertDelivery`` rows (in-app, and e-mail when the
recipient has an address and wants e-mail), due at once or at the next digest
(``alerts.schedule``). Part F's ``alerts.tasks.alert_deliveries_send_task`` sends them; it is
queued by name after commit, so neither module imports the other.

Idempotent: a re-run (a re-imported extract, a redelivered task) finds the alert, adds only
matches it lacks, and creates no delivery again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from alerts.matching import Match, arrests_match
from alerts.models import Alert, AlertDelivery, Snooze, WatchList
from alerts.querysets import ROLE_CODENAMES
from alerts.schedule import delivery_due_at, preference_for
from csu import audit
from csu.actors import system_actor
from csu.models import User
from intel.models import Arrest, CaseReferral
from intel.people.selectors.person import OPEN_CASE_STATUSES

DELIVERY_TASK = "alerts.tasks.alert_deliveries_send_task"
DELIVERY_QUEUE = "alerts"
# What a recipient needs to receive an alert at all: the alerts inbox and the arrest it names.
RECIPIENT_PERMS = ("alerts.view_alert", "intel.view_arrest")


# ---- lists and their recipients -----------------------------------------------------------


def list_chain(watch_list: WatchList) -> list[WatchList]:
    """The list and its ancestors, the list first (three levels at most)."""
    chain = [watch_list]
    while chain[-1].parent_id is not None and len(chain) < 3:
        parent = chain[-1].parent
        assert parent is not None
        chain.append(parent)
    return chain


def list_path(watch_list: WatchList) -> str:
    """ "Category/Group/Sub-group"."""
    return "/".join(w.name for w in reversed(list_chain(watch_list)))


def _eligible(user: User) -> bool:
    return bool(user.is_active and all(user.has_perm(p) for p in RECIPIENT_PERMS))


def watchlist_recipients(watch_list: WatchList) -> list[User]:
    """Who receives the alerts of a list: every active user holding a role (owner, editor or
    viewer, granted to them or to one of their groups) on the list or an ancestor; only its
    owners when the list (or an ancestor) is silent. A user without the alerts inbox or arrests
    (``RECIPIENT_PERMS``) receives nothing. Snoozes are the caller's: they depend on the
    person too."""
    from alerts.models import WatchListGroupObjectPermission, WatchListUserObjectPermission

    chain = list_chain(watch_list)
    ids = [w.pk for w in chain]
    silent = any(w.silent for w in chain)
    codenames = [ROLE_CODENAMES["owner"]] if silent else list(ROLE_CODENAMES.values())
    by_user = WatchListUserObjectPermission.objects.filter(
        content_object_id__in=ids, permission__codename__in=codenames
    ).values("user_id")
    by_group = WatchListGroupObjectPermission.objects.filter(
        content_object_id__in=ids, permission__codename__in=codenames
    ).values("group_id")
    users = User.objects.filter(Q(pk__in=by_user) | Q(groups__in=by_group), is_active=True)
    return [u for u in users.distinct().order_by("pk") if _eligible(u)]


# ---- the matches an alert lists -----------------------------------------------------------


def match_key(match: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two matches of one alert the same: the entry (or the open case)."""
    if match.get("type") == "open_case":
        return ("open_case", match.get("case_id"))
    return (match.get("type"), match.get("entry_id"))


def alert_disseminates_intelligence(alert: Alert) -> bool:
    """Whether an e-mail of this alert carries intelligence (28 CFR 23: a dissemination that
    part F's e-mail sender must log with ``intel.intelligence.sharing``). A match carries
    intelligence when its reason comes from an intelligence record: such a match names the
    record in ``intel_record_id``. Watch entries and case referrals are not intelligence
    records, so no match made here sets it today; the sender asks this function, so a future
    intelligence-backed entry is logged without changing the sender."""
    return any(m.get("intel_record_id") for m in alert.matches or [])


@dataclass
class _Planned:
    arrest_id: int
    recipient: User
    person_id: int | None
    high_priority: bool
    matches: list[dict[str, Any]]


def _entry_match(m: Match, chain: list[WatchList], entry: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "list": "/".join(w.name for w in reversed(chain)),
        "list_id": m.list_id,
        "entry_id": m.entry_id,
        "type": m.type,
        "reason": entry.reason,
        "note": entry.note,
        "how": m.how,
        "score": m.score,
    }
    if m.factors:
        found["factors"] = list(m.factors)
    return found


def _canonical_people(arrest_ids: list[int]) -> dict[int, int | None]:
    """Each arrest's person, following merges."""
    people: dict[int, int | None] = {}
    for pk, person, merged, merged_twice in Arrest.objects.filter(pk__in=arrest_ids).values_list(
        "pk", "person_id", "person__merged_into_id", "person__merged_into__merged_into_id"
    ):
        people[pk] = merged_twice or merged or person
    return people


def _open_cases(person_ids: Iterable[int]) -> dict[int, list[tuple[int, str, int]]]:
    """Open cases with an assigned prosecutor, by person: (case id, case number, user id)."""
    ids = sorted(set(person_ids))
    cases: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    if not ids:
        return cases
    rows = CaseReferral.objects.filter(
        Q(defendant_id__in=ids) | Q(defendant__merged_into_id__in=ids),
        status__in=OPEN_CASE_STATUSES,
        assigned_to__isnull=False,
    ).values_list(
        "pk", "case_number", "assigned_to_id", "defendant_id", "defendant__merged_into_id"
    )
    for pk, number, user_id, defendant, merged in rows.order_by("pk"):
        cases[merged or defendant].append((pk, number, user_id))
    return cases


def _plan(matches: list[Match], arrest_ids: list[int], now: datetime) -> list[_Planned]:
    from alerts.models import WatchEntry

    entries = WatchEntry.objects.in_bulk({m.entry_id for m in matches})
    lists = {
        w.pk: w
        for w in WatchList.objects.filter(pk__in={m.list_id for m in matches}).select_related(
            "parent__parent"
        )
    }
    chains = {pk: list_chain(w) for pk, w in lists.items()}
    recipients = {pk: watchlist_recipients(w) for pk, w in lists.items()}
    people = _canonical_people(arrest_ids)
    cases = _open_cases(p for p in people.values() if p)
    case_users = {
        u.pk: u
        for u in User.objects.filter(pk__in={c[2] for cs in cases.values() for c in cs})
        if _eligible(u)
    }
    snoozes = Snooze.objects.filter(until__gt=now)
    snoozed_lists = set(
        snoozes.filter(watch_list__isnull=False).values_list("user_id", "watch_list_id")
    )
    snoozed_people = set(snoozes.filter(person__isnull=False).values_list("user_id", "person_id"))

    by_arrest: dict[int, list[Match]] = defaultdict(list)
    for m in matches:
        by_arrest[m.arrest_id].append(m)
    planned: list[_Planned] = []
    for arrest_id in arrest_ids:
        person_id = people.get(arrest_id)
        plan: dict[int, _Planned] = {}

        def add(
            user: User,
            match: dict[str, Any],
            high: bool,
            person: int | None,
            plan: dict[int, _Planned] = plan,
            arrest_id: int = arrest_id,
        ) -> None:
            if person is not None and (user.pk, person) in snoozed_people:
                return
            if user.pk not in plan:
                plan[user.pk] = _Planned(arrest_id, user, person, False, [])
            item = plan[user.pk]
            item.high_priority = item.high_priority or high
            item.person_id = item.person_id or person
            if match_key(match) not in {match_key(x) for x in item.matches}:
                item.matches.append(match)

        for m in by_arrest.get(arrest_id, []):
            entry, chain = entries[m.entry_id], chains[m.list_id]
            chain_ids = {w.pk for w in chain}
            high = any(w.priority == WatchList.Priority.HIGH for w in chain)
            found = _entry_match(m, chain, entry)
            for user in recipients[m.list_id]:
                if any((user.pk, pk) in snoozed_lists for pk in chain_ids):
                    continue
                add(user, found, high, person_id or entry.person_id)
        for case_id, number, user_id in cases.get(person_id, []) if person_id else []:
            assignee = case_users.get(user_id)
            if assignee is None:
                continue
            add(
                assignee,
                {
                    "list": "",
                    "list_id": None,
                    "entry_id": None,
                    "case_id": case_id,
                    "type": "open_case",
                    "reason": f"Assigned to open case {number}.",
                    "note": "",
                    "how": f"open case {number}",
                    "score": 1.0,
                },
                True,
                person_id,
            )
        planned.extend(plan.values())
    return planned


# ---- writing alerts and deliveries --------------------------------------------------------


def _deliveries(alert: Alert, recipient: User, now: datetime) -> list[AlertDelivery]:
    preference = preference_for(recipient.pk)
    due_at, digest = delivery_due_at(
        preference=preference, high_priority=alert.high_priority, now=now
    )
    channels = [AlertDelivery.Channel.IN_APP]
    if recipient.email and preference.email:
        channels.append(AlertDelivery.Channel.EMAIL)
    return [AlertDelivery(alert=alert, channel=c, due_at=due_at, digest=digest) for c in channels]


def _queue_deliveries() -> None:
    from csu.celery import app

    app.send_task(DELIVERY_TASK, queue=DELIVERY_QUEUE)


@transaction.atomic
def alerts_create_for_arrests(
    *, actor: User | None = None, arrest_ids: Iterable[int], now: datetime | None = None
) -> list[int]:
    """Match the arrests and write their consolidated alerts and deliveries; the ids of the
    alerts created or given new matches (none on a re-run). ``actor`` is who ran the import
    (the system actor when None); ``now`` is the moment of matching (tests travel in time)."""
    who = actor or system_actor()
    now = now or timezone.now()
    ids = sorted({int(pk) for pk in arrest_ids})
    if not ids:
        return []
    planned = _plan(arrests_match(arrest_ids=ids, now=now), ids, now)
    changed: list[int] = []
    created_any = False
    for item in planned:
        alert, created = _alert_get_or_create(item)
        if created:
            AlertDelivery.objects.bulk_create(
                _deliveries(alert, item.recipient, now), ignore_conflicts=True
            )
            audit.audit_log(
                actor=who,
                action="alert.created",
                obj=alert,
                arrest_id=item.arrest_id,
                recipient_id=item.recipient.pk,
                matches=len(alert.matches),
                high_priority=alert.high_priority,
            )
            changed.append(alert.pk)
            created_any = True
            continue
        known = {match_key(m) for m in alert.matches}
        new = [m for m in item.matches if match_key(m) not in known]
        if new:
            alert.matches = [*alert.matches, *new]
            alert.high_priority = alert.high_priority or item.high_priority
            alert.save(update_fields=["matches", "high_priority"])
            audit.audit_log(
                actor=who,
                action="alert.matches_added",
                obj=alert,
                arrest_id=item.arrest_id,
                recipient_id=item.recipient.pk,
                added=len(new),
            )
            changed.append(alert.pk)
    if created_any:
        transaction.on_commit(_queue_deliveries)
    return changed


def _alert_get_or_create(item: _Planned) -> tuple[Alert, bool]:
    """The alert of an arrest and recipient, locked, or a new one (the unique constraint
    settles a race with a concurrent run: the loser reads the winner's alert)."""
    existing = (
        Alert.objects.select_for_update()
        .filter(arrest_id=item.arrest_id, recipient=item.recipient)
        .first()
    )
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                arrest_id=item.arrest_id,
                recipient=item.recipient,
                person_id=item.person_id,
                matches=item.matches,
                high_priority=item.high_priority,
            )
        return alert, True
    except IntegrityError:
        alert = Alert.objects.select_for_update().get(
            arrest_id=item.arrest_id, recipient=item.recipient
        )
        return alert, False
