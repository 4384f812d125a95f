"""``manage.py import_watchlist``: figures, bad rows, idempotence, atomicity, ``--json``."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from alerts.models import WatchEntry, WatchList
from alerts.services.imports import watchlist_import
from alerts.services.lists import watch_list_role, watchlist_create
from csu.actors import system_actor
from csu.models import AuditEvent
from tests.factories import PersonFactory, PersonIdentifierFactory, ZoneFactory

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "watchlist.csv"
GOOD, BAD = 5, 6


@pytest.fixture
def county(db):  # type: ignore[no-untyped-def]
    """What the fixture's good rows name: a person by name + DOB, one by state ID, a zone."""
    hale = PersonFactory(first_name="Marcus", last_name="Hale", dob=date(1995, 4, 2))
    by_id = PersonIdentifierFactory(value="NY00000077").person
    zone = ZoneFactory(key="77", name="Precinct 77")
    return hale, by_id, zone


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_watchlist", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_fixture_imports_good_rows_and_reports_bad_ones(prosecutor, county) -> None:
    hale, by_id, zone = county

    out, err = _run(
        str(FIXTURE), "--list", "Gangs/Eastside Crew/Confirmed", "--owner", prosecutor.username,
        "--json",
    )  # fmt: skip

    summary = json.loads(out.strip().splitlines()[-1])
    sub = WatchList.objects.get(name="Confirmed")
    assert summary == {
        "list_id": sub.pk, "rows": GOOD + BAD, "created": GOOD, "updated": 0, "rejected": BAD,
    }  # fmt: skip
    assert sub.parent.name == "Eastside Crew" and sub.parent.parent.name == "Gangs"
    assert all(
        watch_list_role(actor=prosecutor, watch_list=w) == "owner"
        for w in (sub, sub.parent, sub.parent.parent)
    )
    entries = WatchEntry.objects.filter(watch_list=sub)
    assert {e.person for e in entries.filter(kind="person")} == {hale, by_id}
    assert entries.get(kind="place", zone__isnull=False).zone == zone
    expires = entries.get(state_id="NY00000077").expires_at
    assert timezone.localtime(expires).date() == date(2027, 1, 31)
    assert all(e.created_by == prosecutor for e in entries)
    lines = err.splitlines()
    assert len(lines) == BAD
    assert lines[0].startswith("line 7: rejected:") and "first name and date of birth" in lines[0]
    assert any(line.startswith("line 10:") and "not a date" in line for line in lines)
    assert any(line.startswith("line 12:") and "reason" in line for line in lines)


def test_a_re_run_creates_nothing_and_updates_changed_reasons(prosecutor, county, tmp_path) -> None:
    args = ["--list", "Gangs/Eastside Crew/Confirmed", "--owner", prosecutor.username, "--json"]
    _run(str(FIXTURE), *args)

    again = json.loads(_run(str(FIXTURE), *args)[0].splitlines()[-1])
    changed = tmp_path / "changed.csv"
    changed.write_text(
        FIXTURE.read_text().replace("three times.", "four times now."), encoding="utf-8"
    )
    third = json.loads(_run(str(changed), *args)[0].splitlines()[-1])

    assert (again["created"], again["updated"]) == (0, 0)
    assert (third["created"], third["updated"]) == (0, 1)
    assert WatchEntry.objects.count() == GOOD
    assert WatchEntry.objects.filter(reason__endswith="four times now.").count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Cannot read"),
        ("type,last_name,reason\nperson,Hale,A reason long enough\n", "missing the column"),
        (b"\xff\xfe\x00bad", "Cannot read"),
    ],
)
def test_an_unreadable_file_or_missing_column_writes_nothing(
    prosecutor, tmp_path, content, message
) -> None:
    path = tmp_path / "entries.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        _run(str(path), "--list", "New/List", "--owner", prosecutor.username)

    assert not WatchList.objects.exists() and not WatchEntry.objects.exists()


def test_an_unknown_owner_writes_nothing(db) -> None:
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        _run(str(FIXTURE), "--list", "Gangs", "--owner", "nobody")
    assert not WatchList.objects.exists()


def test_an_unexpected_failure_rolls_the_whole_import_back(prosecutor, county, monkeypatch) -> None:
    """The fifth row (a zone) fails in a way no row check expects, after four rows were
    written: nothing stays, not the entries, not the lists made along the path."""
    import alerts.services.imports as imports

    def disk_full(value: str) -> None:
        if value:
            raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "_zone", disk_full)
    with pytest.raises(RuntimeError):
        watchlist_import(
            actor=system_actor(), path=FIXTURE, list_path="Gangs/Crew", owner=prosecutor
        )

    assert not WatchList.objects.exists() and not WatchEntry.objects.exists()


def test_an_owner_without_a_role_on_an_existing_list_is_refused(
    prosecutor, analyst, county
) -> None:
    watchlist_create(actor=analyst, name="Gangs")

    with pytest.raises(CommandError, match="may not add lists or entries"):
        _run(str(FIXTURE), "--list", "Gangs/Eastside Crew", "--owner", prosecutor.username)

    assert not WatchEntry.objects.exists()
    assert WatchList.objects.count() == 1


def test_the_import_is_audited_with_its_figures(prosecutor, county) -> None:
    _run(str(FIXTURE), "--list", "Gangs", "--owner", prosecutor.username)

    event = AuditEvent.objects.get(action="alerts.watchlist_import")
    assert event.detail["created"] == GOOD and event.detail["rejected"] == BAD
