"""Watch lists: create, change, members and their roles, pause and resume.

Roles are django-guardian grants on the list (``alerts.querysets.ROLE_CODENAMES``) and inherit
downward: a role on a category is the same role on its groups and sub-groups. Every write is
audited with ids only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from alerts.models import MAX_DEPTH, WatchList, WatchListUserObjectPermission
from alerts.querysets import ROLE_CODENAMES, granted_list_ids
from csu import audit
from csu.models import User

ROLES = tuple(ROLE_CODENAMES)  # owner, editor, viewer: strongest first
DEPTH_REFUSED = (
    "Watch lists nest three levels at most (category > group > sub-group): "
    "a sub-group cannot have lists of its own."
)


def _ancestors(watch_list: WatchList) -> list[WatchList]:
    """The list and its ancestors, the list first."""
    chain = [watch_list]
    while chain[-1].parent_id is not None:
        parent = chain[-1].parent
        assert parent is not None
        chain.append(parent)
    return chain


def watch_list_role(*, actor: User, watch_list: WatchList) -> str | None:
    """The actor's role on the list: the strongest grant on it or an ancestor, or None."""
    if not (actor.is_active and actor.has_perm("alerts.view_watchlist")):
        return None
    ids = [w.pk for w in _ancestors(watch_list)]
    for role, codename in ROLE_CODENAMES.items():
        granted = granted_list_ids(actor, (codename,))
        if WatchList.objects.filter(pk__in=ids).filter(pk__in=granted).exists():
            return role
    return None


def _require_role(actor: User, watch_list: WatchList, roles: tuple[str, ...]) -> str:
    role = watch_list_role(actor=actor, watch_list=watch_list)
    if role not in roles:
        raise PermissionDenied
    assert role is not None
    return role


def _may_receive_alerts(user: User) -> bool:
    return bool(user.is_active and user.has_perm("alerts.view_alert"))


def _grant(user: User, watch_list: WatchList, role: str) -> None:
    for codename in ROLE_CODENAMES.values():
        remove_perm(f"alerts.{codename}", user, watch_list)
    assign_perm(f"alerts.{ROLE_CODENAMES[role]}", user, watch_list)


@transaction.atomic
def watchlist_create(
    *,
    actor: User,
    name: str,
    parent: WatchList | None = None,
    priority: str = WatchList.Priority.NORMAL,
    silent: bool = False,
    description: str = "",
) -> WatchList:
    """A new category (no parent), by any role that keeps lists, or a group or sub-group under
    a list the actor owns or edits. The creator owns it."""
    if not (actor.is_active and actor.has_perm("alerts.add_watchlist")):
        raise PermissionDenied
    level = 1
    if parent is not None:
        _require_role(actor, parent, ("owner", "editor"))
        if parent.level >= MAX_DEPTH:
            raise ValidationError({"parent": DEPTH_REFUSED})
        level = parent.level + 1
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A watch list needs a name."})
    if WatchList.objects.filter(parent=parent, name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a list named {name!r} here."})
    watch_list = WatchList(
        name=name,
        parent=parent,
        level=level,
        priority=priority,
        silent=silent,
        description=description.strip(),
        owner=actor,
        created_by=actor,
    )
    watch_list.full_clean()
    watch_list.save()
    assign_perm("alerts.own_watchlist", actor, watch_list)
    audit.audit_log(
        actor=actor, action="alerts.watchlist_create", obj=watch_list, parent=parent and parent.pk
    )
    return watch_list


@transaction.atomic
def watchlist_update(
    *,
    actor: User,
    watch_list: WatchList,
    name: str | None = None,
    priority: str | None = None,
    silent: bool | None = None,
    description: str | None = None,
) -> WatchList:
    """An owner renames the list or changes its priority, silence or description."""
    _require_role(actor, watch_list, ("owner",))
    wanted = {
        "name": name.strip() if name is not None else None,
        "priority": priority,
        "silent": silent,
        "description": description.strip() if description is not None else None,
    }
    if wanted["name"] == "":
        raise ValidationError({"name": "A watch list needs a name."})
    changed = []
    for field, value in wanted.items():
        if value is not None and getattr(watch_list, field) != value:
            setattr(watch_list, field, value)
            changed.append(field)
    if changed:
        watch_list.full_clean()
        watch_list.save(update_fields=changed)
    audit.audit_log(actor=actor, action="alerts.watchlist_update", obj=watch_list, fields=changed)
    return watch_list


def _owners_after(watch_list: WatchList, *, without: int) -> set[int]:
    """Who would still own the list (directly or through an ancestor) once ``without`` holds no
    direct grant on it."""
    chain = _ancestors(watch_list)
    rows = WatchListUserObjectPermission.objects.filter(
        content_object__in=chain, permission__codename=ROLE_CODENAMES["owner"]
    ).values_list("content_object_id", "user_id")
    return {u for list_id, u in rows if not (list_id == watch_list.pk and u == without)}


def _name_contact(watch_list: WatchList, owners: set[int], *, leaving: int) -> None:
    """``WatchList.owner`` (the contact named on alerts) follows the owners: when it leaves,
    the longest-standing remaining owner takes over."""
    if watch_list.owner_id == leaving and owners:
        watch_list.owner_id = min(owners)
        watch_list.save(update_fields=["owner"])


LAST_OWNER = "The list's last owner cannot be removed: make someone else its owner first."


@transaction.atomic
def watchlist_member_set(*, actor: User, watch_list: WatchList, user: User, role: str) -> WatchList:
    """An owner gives a user a role on the list (replacing any role they held on it). Only
    users whose role may receive alerts can be members."""
    _require_role(actor, watch_list, ("owner",))
    if role not in ROLES:
        raise ValidationError({"role": f"The role must be one of {', '.join(ROLES)}."})
    if not _may_receive_alerts(user):
        raise ValidationError(
            {"user": f"{user.get_username()} cannot receive alerts, so cannot be a member."}
        )
    if role != "owner" and not _owners_after(watch_list, without=user.pk):
        raise ValidationError({"role": LAST_OWNER})
    _grant(user, watch_list, role)
    if role != "owner":
        _name_contact(watch_list, _owners_after(watch_list, without=user.pk), leaving=user.pk)
    audit.audit_log(
        actor=actor, action="alerts.watchlist_member_set", obj=watch_list, user=user.pk, role=role
    )
    return watch_list


@transaction.atomic
def watchlist_member_remove(*, actor: User, watch_list: WatchList, user: User) -> WatchList:
    """An owner takes a user's role on the list away (a role inherited from an ancestor stays:
    it is the ancestor's owners' to take). The list's last owner cannot be removed."""
    _require_role(actor, watch_list, ("owner",))
    remaining = _owners_after(watch_list, without=user.pk)
    if not remaining:
        raise ValidationError({"user": LAST_OWNER})
    for codename in ROLE_CODENAMES.values():
        remove_perm(f"alerts.{codename}", user, watch_list)
    _name_contact(watch_list, remaining, leaving=user.pk)
    audit.audit_log(
        actor=actor, action="alerts.watchlist_member_remove", obj=watch_list, user=user.pk
    )
    return watch_list


def _may_pause(actor: User, watch_list: WatchList) -> bool:
    if actor.is_active and actor.has_perm("alerts.review_fatigue"):
        return True
    return watch_list_role(actor=actor, watch_list=watch_list) == "owner"


@transaction.atomic
def watchlist_pause(*, actor: User, watch_list: WatchList, reason: str) -> WatchList:
    """Silence a list (and so its sub-lists) with a reason: its owner, or a supervisor from the
    fatigue report. Its entries stay; nothing alerts until it is resumed."""
    if not _may_pause(actor, watch_list):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the list is paused."})
    watch_list = WatchList.objects.select_for_update().get(pk=watch_list.pk)
    if watch_list.paused_at is not None:
        raise ValidationError("The list is paused already.")
    watch_list.paused_at = timezone.now()
    watch_list.paused_by = actor
    watch_list.pause_reason = reason[:300]
    watch_list.save(update_fields=["paused_at", "paused_by", "pause_reason"])
    audit.audit_log(actor=actor, action="alerts.watchlist_pause", obj=watch_list, purpose=reason)
    return watch_list


@transaction.atomic
def watchlist_resume(*, actor: User, watch_list: WatchList, reason: str = "") -> WatchList:
    """Undo a pause: the list alerts again."""
    if not _may_pause(actor, watch_list):
        raise PermissionDenied
    watch_list = WatchList.objects.select_for_update().get(pk=watch_list.pk)
    if watch_list.paused_at is None:
        raise ValidationError("The list is not paused.")
    watch_list.paused_at = None
    watch_list.paused_by = None
    watch_list.pause_reason = ""
    watch_list.save(update_fields=["paused_at", "paused_by", "pause_reason"])
    audit.audit_log(actor=actor, action="alerts.watchlist_resume", obj=watch_list)
    return watch_list
