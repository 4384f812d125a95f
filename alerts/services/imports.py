"""``import_watchlist``: a CSV of watch entries into a list named by its path.

Atomic (an unexpected failure writes nothing), idempotent (each row's target has a stable
``import_key``: importing the same file again updates reasons, notes and expiries and creates
nothing), and forgiving of bad rows (each is reported with its line and skipped).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alerts.models import WatchEntry, WatchList
from alerts.services.entries import build_entry, import_key
from alerts.services.lists import watch_list_role, watchlist_create
from csu import audit
from csu.models import User
from intel.models import Zone

COLUMNS = (
    "type", "last_name", "first_name", "dob", "state_id", "charge", "address",
    "latitude", "longitude", "radius_m", "zone", "reason", "expires",
)  # fmt: skip
REQUIRED = ("type", "reason")
OPTIONAL = ("note", "owner_note")


@dataclass
class WatchListImport:
    """What an import did: the list, the rows read, entries created and updated, and each
    rejected row as (line, reason)."""

    list_id: int
    rows: int = 0
    created: int = 0
    updated: int = 0
    rejects: list[tuple[int, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "list_id": self.list_id,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "rejected": len(self.rejects),
        }


def _read(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in (reader.fieldnames or [])]
            reader.fieldnames = header
            rows = []
            for row in reader:
                cells = {k: (v or "").strip() for k, v in row.items() if k}
                if any(cells.values()):
                    rows.append((reader.line_num, cells))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValidationError(f"Cannot read {path}: {exc}") from exc
    return rows, header


def _date(value: str, column: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(f"{column} {value!r} is not a date (YYYY-MM-DD).") from exc


def _number(value: str, column: str, kind: type[float] | type[int]) -> Any:
    if not value:
        return None
    try:
        return kind(value)
    except ValueError as exc:
        raise ValidationError(f"{column} {value!r} is not a number.") from exc


def _zone(value: str) -> Zone | None:
    if not value:
        return None
    found = list(Zone.objects.filter(Q(key=value) | Q(name__iexact=value))[:2])
    if len(found) != 1:
        raise ValidationError(
            f"zone {value!r} " + ("names no zone." if not found else "names more than one zone.")
        )
    return found[0]


def _list_along(*, owner: User, list_path: str) -> WatchList:
    """The list at "Category/Group/Sub-group", creating the missing ones owned by ``owner``;
    the owner must be an owner or editor of an existing one to add entries to it."""
    names = [n.strip() for n in list_path.split("/")]
    if not names or any(not n for n in names) or len(names) > 3:
        raise ValidationError(
            "--list is a path of one to three names: Category, Category/Group or "
            "Category/Group/Sub-group."
        )
    parent: WatchList | None = None
    for name in names:
        found = WatchList.objects.filter(parent=parent, name__iexact=name).first()
        if found is None:
            if parent is not None and watch_list_role(actor=owner, watch_list=parent) not in (
                "owner",
                "editor",
            ):
                raise PermissionDenied(
                    f"{owner.get_username()} may not add lists or entries to {parent.name}."
                )
            found = watchlist_create(actor=owner, name=name, parent=parent)
        parent = found
    assert parent is not None
    if watch_list_role(actor=owner, watch_list=parent) not in ("owner", "editor"):
        raise PermissionDenied(f"{owner.get_username()} may not add entries to {list_path}.")
    return parent


def _row_entry(*, owner: User, watch_list: WatchList, row: dict[str, str]) -> WatchEntry:
    expires = _date(row.get("expires", ""), "expires")
    return build_entry(
        actor=owner,
        watch_list=watch_list,
        kind=row.get("type", "").lower(),
        last_name=row.get("last_name", ""),
        first_name=row.get("first_name", ""),
        dob=_date(row.get("dob", ""), "dob"),
        state_id=row.get("state_id", ""),
        charge=row.get("charge", ""),
        address=row.get("address", ""),
        latitude=_number(row.get("latitude", ""), "latitude", float),
        longitude=_number(row.get("longitude", ""), "longitude", float),
        radius_m=_number(row.get("radius_m", ""), "radius_m", int),
        zone=_zone(row.get("zone", "")),
        reason=row.get("reason", ""),
        note=row.get("note", ""),
        owner_note=row.get("owner_note", ""),
        expires_at=(
            timezone.make_aware(datetime.combine(expires, time(23, 59))) if expires else None
        ),
    )


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@transaction.atomic
def watchlist_import(
    *, actor: User, path: Path | str, list_path: str, owner: User
) -> WatchListImport:
    """Import a CSV of entries into ``list_path`` for ``owner`` (who owns any list created on
    the way and is the entries' creator). ``actor`` runs the import (the system actor for the
    command, or the owner)."""
    path = Path(path)
    if not (owner.is_active and owner.has_perm("alerts.add_watchentry")):
        raise ValidationError(f"{owner.get_username()} cannot keep watch lists.")
    rows, header = _read(path)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValidationError(f"{path.name} is missing the column(s): {', '.join(missing)}.")
    watch_list = _list_along(owner=owner, list_path=list_path)
    result = WatchListImport(list_id=watch_list.pk, rows=len(rows))
    existing = {
        e.import_key: e
        for e in WatchEntry.objects.filter(watch_list=watch_list).exclude(import_key="")
    }
    for line, row in rows:
        key = import_key(row)
        try:
            with transaction.atomic():
                entry = _row_entry(owner=owner, watch_list=watch_list, row=row)
                found = existing.get(key)
                if found is None:
                    entry.import_key = key
                    entry.save()
                    existing[key] = entry
                    result.created += 1
                elif _refresh(found, entry, expires_given=bool(row.get("expires"))):
                    result.updated += 1
        except ValidationError as exc:
            result.rejects.append((line, _message(exc)))
    audit.audit_log(
        actor=actor,
        action="alerts.watchlist_import",
        obj=watch_list,
        owner=owner.pk,
        rows=result.rows,
        created=result.created,
        updated=result.updated,
        rejected=len(result.rejects),
    )
    return result


def _refresh(found: WatchEntry, entry: WatchEntry, *, expires_given: bool) -> bool:
    """Bring an imported entry up to its row: reason, notes, and the expiry when the row gives
    one (without one, the entry keeps its own: re-importing is not a renewal). A removed entry
    stays removed."""
    changed = []
    for name in ("reason", "note", "owner_note") + (("expires_at",) if expires_given else ()):
        if getattr(found, name) != getattr(entry, name):
            setattr(found, name, getattr(entry, name))
            changed.append(name)
    if (
        "expires_at" in changed
        and found.status == WatchEntry.Status.EXPIRED
        and found.expires_at > timezone.now()
    ):
        found.status = WatchEntry.Status.ACTIVE
        changed.append("status")
    if changed:
        found.save(update_fields=[*changed, "updated_at"])
    return bool(changed)
