"""Reads of watch lists and entries for the pages: every one starts from ``visible_to``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from alerts.models import WatchEntry, WatchList, WatchListUserObjectPermission
from alerts.querysets import ROLE_CODENAMES, granted_list_ids
from csu.models import User

EXPIRING_SOON = timedelta(days=30)
_STRENGTH = {role: i for i, role in enumerate(ROLE_CODENAMES)}  # owner 0 is strongest


@dataclass
class ListNode:
    """A list in the user's tree: their role on it, its active and soon-expiring entries."""

    watch_list: WatchList
    role: str
    entries: int
    expiring: int
    children: list[ListNode] = field(default_factory=list)


def _roles(actor: User, lists: Sequence[WatchList]) -> dict[int, str]:
    """The actor's role on each list: the strongest grant on it or an ancestor."""
    direct: dict[int, str] = {}
    for role, codename in ROLE_CODENAMES.items():
        for row in granted_list_ids(actor, (codename,)):
            list_id = row["content_object_id"]
            if list_id not in direct or _STRENGTH[role] < _STRENGTH[direct[list_id]]:
                direct[list_id] = role
    by_id = {w.pk: w for w in lists}
    roles: dict[int, str] = {}
    for w in lists:
        found: list[str] = []
        node: WatchList | None = w
        while node is not None:
            if node.pk in direct:
                found.append(direct[node.pk])
            node = by_id.get(node.parent_id) if node.parent_id else None
        if found:
            roles[w.pk] = min(found, key=_STRENGTH.__getitem__)
    return roles


def watchlist_role_map(*, actor: User) -> dict[int, str]:
    return _roles(actor, list(WatchList.objects.visible_to(actor)))


def watchlist_tree(*, actor: User) -> list[ListNode]:
    """The lists the actor sees, as a tree (roots are the top lists they may see)."""
    soon = timezone.now() + EXPIRING_SOON
    active = Q(entries__status=WatchEntry.Status.ACTIVE)
    lists = list(
        WatchList.objects.visible_to(actor).annotate(
            n_entries=Count("entries", filter=active),
            n_expiring=Count("entries", filter=active & Q(entries__expires_at__lte=soon)),
        )
    )
    roles = _roles(actor, lists)
    nodes = {w.pk: ListNode(w, roles.get(w.pk, "viewer"), w.n_entries, w.n_expiring) for w in lists}
    roots = []
    for w in lists:
        if w.parent_id in nodes:
            nodes[w.parent_id].children.append(nodes[w.pk])
        else:
            roots.append(nodes[w.pk])
    return roots


def watchlist_get(*, actor: User, pk: int) -> WatchList:
    """One list the actor sees; ``WatchList.DoesNotExist`` otherwise (the page's 404)."""
    return WatchList.objects.visible_to(actor).select_related("parent__parent", "owner").get(pk=pk)


def watchlist_path(watch_list: WatchList) -> str:
    """ "Category/Group/Sub-group", as alerts name the list."""
    names, node = [], watch_list
    while node is not None:
        names.append(node.name)
        node = node.parent  # type: ignore[assignment]
    return "/".join(reversed(names))


def watchlist_children(*, actor: User, watch_list: WatchList) -> list[WatchList]:
    return list(WatchList.objects.visible_to(actor).filter(parent=watch_list))


def watchlist_entries(*, actor: User, watch_list: WatchList) -> list[WatchEntry]:
    """The list's own entries, active first then expired; removed ones are not shown."""
    return list(
        WatchEntry.objects.visible_to(actor)
        .filter(watch_list=watch_list)
        .exclude(status=WatchEntry.Status.REMOVED)
        .select_related("person", "zone", "created_by")
        .order_by("status", "expires_at", "id")
    )


def watch_entries_expiring(*, actor: User, watch_list: WatchList) -> list[WatchEntry]:
    """Active entries of the list and its sub-lists that expire within 30 days."""
    soon = timezone.now() + EXPIRING_SOON
    return list(
        WatchEntry.objects.visible_to(actor)
        .filter(
            Q(watch_list=watch_list)
            | Q(watch_list__parent=watch_list)
            | Q(watch_list__parent__parent=watch_list),
            status=WatchEntry.Status.ACTIVE,
            expires_at__lte=soon,
        )
        .select_related("person", "zone", "watch_list")
        .order_by("expires_at", "id")
    )


def watch_entry_get(*, actor: User, pk: int) -> WatchEntry:
    return WatchEntry.objects.visible_to(actor).select_related("watch_list", "person").get(pk=pk)


def watchlist_members(*, watch_list: WatchList) -> list[tuple[User, str, WatchList]]:
    """Who holds which role on the list, directly or from an ancestor: (user, role, the list
    the grant is on), strongest role first. The caller has checked the actor sees the list."""
    chain, node = [], watch_list
    while node is not None:
        chain.append(node)
        node = node.parent  # type: ignore[assignment]
    by_codename = {codename: role for role, codename in ROLE_CODENAMES.items()}
    rows = (
        WatchListUserObjectPermission.objects.filter(
            content_object__in=chain, permission__codename__in=by_codename
        )
        .select_related("user", "permission", "content_object")
        .order_by("user__username")
    )
    best: dict[int, tuple[User, str, WatchList]] = {}
    for row in rows:
        role = by_codename[row.permission.codename]
        held = best.get(row.user_id)
        if held is None or _STRENGTH[role] < _STRENGTH[held[1]]:
            best[row.user_id] = (row.user, role, row.content_object)
    return sorted(best.values(), key=lambda m: (_STRENGTH[m[1]], m[0].get_username()))


def watchlists_editable(*, actor: User) -> list[tuple[WatchList, str]]:
    """Lists the actor may add entries to (owner or editor), with their paths."""
    lists = list(WatchList.objects.visible_to(actor).select_related("parent__parent"))
    roles = _roles(actor, lists)
    return sorted(
        ((w, watchlist_path(w)) for w in lists if roles.get(w.pk) in ("owner", "editor")),
        key=lambda pair: pair[1],
    )
