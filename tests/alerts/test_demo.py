"""The demo county's watch lists (``seed_demo``)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from alerts.models import Alert, WatchEntry, WatchList
from alerts.selectors.lists import watchlist_path
from alerts.services.lists import watch_list_role
from intel.models import Arrest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _seed(**options: object) -> str:
    out = StringIO()
    call_command("seed_demo", people=200, incidents=300, arrests=300, stdout=out, **options)
    return out.getvalue()


def test_the_demo_prosecutor_keeps_nested_lists_shared_with_the_analyst() -> None:
    out = _seed()
    users = get_user_model().objects
    prosecutor, analyst = users.get(username="demo.prosecutor"), users.get(username="demo.analyst")

    confirmed = WatchList.objects.get(name="Confirmed")
    bail = WatchList.objects.get(name="Open case: bail watch")
    assert watchlist_path(confirmed) == "Gangs/Eastside Crew/Confirmed"
    assert watch_list_role(actor=prosecutor, watch_list=confirmed) == "owner"
    assert watch_list_role(actor=analyst, watch_list=confirmed) == "editor"
    assert watch_list_role(actor=analyst, watch_list=bail) is None
    assert bail.priority == "high"
    assert WatchEntry.objects.filter(watch_list=confirmed, kind="person").exists()
    assert WatchEntry.objects.filter(kind="charge", charge="PL 265.03").exists()
    assert WatchEntry.objects.filter(kind="place", zone__isnull=False).exists()
    # The most recent arrest's person is on the bail watch: matching it alerts the prosecutor.
    latest = Arrest.objects.exclude(person=None).order_by("-arrested_at", "-id").first()
    assert WatchEntry.objects.filter(watch_list=bail, person=latest.person).exists()
    alert = Alert.objects.get(recipient=prosecutor, arrest=latest)
    assert "Open case: bail watch" in [m["list"] for m in alert.matches]
    assert alert.high_priority
    assert "watch entries" in out


def test_reset_removes_and_remakes_the_lists() -> None:
    _seed()
    before = WatchEntry.objects.count()

    out = _seed(reset=True)

    assert "Removed the demo county" in out
    assert WatchList.objects.filter(name="Gangs").count() == 1
    assert WatchEntry.objects.count() == before
