"""Watch lists, grants and entries for the alerts tests, built with the ORM and guardian (the
list services are another part's)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from alerts.models import WatchEntry, WatchList
from alerts.querysets import ROLE_CODENAMES


def make_list(owner: Any, name: str, parent: WatchList | None = None, **extra: Any) -> WatchList:
    watch_list = WatchList.objects.create(
        name=name,
        parent=parent,
        level=parent.level + 1 if parent else 1,
        owner=owner,
        created_by=owner,
        **extra,
    )
    assign_perm(ROLE_CODENAMES["owner"], owner, watch_list)
    return watch_list


def grant(user: Any, watch_list: WatchList, role: str = "viewer") -> None:
    assign_perm(ROLE_CODENAMES[role], user, watch_list)


def make_entry(watch_list: WatchList, kind: str = "person", **extra: Any) -> WatchEntry:
    values: dict[str, Any] = {
        "reason": "Priority offender: shootings in the 32nd precinct.",
        "note": "Call the CSU before arraignment.",
        "expires_at": timezone.now() + timedelta(days=365),
        "created_by": watch_list.owner,
        **extra,
    }
    return WatchEntry.objects.create(watch_list=watch_list, kind=kind, **values)


@pytest.fixture
def gangs(prosecutor):  # type: ignore[no-untyped-def]
    """A category "Gangs" with a group "Brownsville" owned by the prosecutor."""
    category = make_list(prosecutor, "Gangs")
    return make_list(prosecutor, "Brownsville", parent=category)
