"""Geocode-quality flags, as an import through the real pipeline sets them: each flag (missing,
zero, outside the jurisdiction, low precision, stacked) on the rows that deserve it and on no
other, and only usable points placed in zones and H3 cells."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from django.core.management import call_command

from intel.models import DataImport, Incident
from tests.intel.test_imports import run_cli

pytestmark = pytest.mark.django_db

BEATS = Path(__file__).parent.parent / "fixtures" / "boundaries" / "beats_v1.geojson"
USABLE = {"ok", "stacked", "low_precision"}


def _extract(path: Path, rows: list[tuple[str, str, str, str]], blurred: bool = False) -> Path:
    """An incidents extract: record number, date, latitude, longitude (and what each row's
    flag should be, kept out of the file)."""
    lat, lon = ("Blurred_Latitude", "Blurred_Longitude") if blurred else ("Latitude", "Longitude")
    lines = [f"Incident Number,Date,{lat},{lon}"]
    lines += [
        f"{sid},03/{1 + i % 28:02d}/2024 10:15,{a},{b}" for i, (sid, a, b, _) in enumerate(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _chicago_rows() -> list[tuple[str, str, str, str]]:
    """Rows around Chicago, each with the flag it deserves when no boundary layer is loaded."""
    rng = random.Random(3)
    rows: list[tuple[str, str, str, str]] = []

    def add(lat: str, lon: str, flag: str) -> None:
        rows.append((f"24-{len(rows) + 1:04d}", lat, lon, flag))

    for _ in range(30):  # exact, scattered points
        add(f"{41.75 + rng.random() / 10:.7f}", f"{-87.70 + rng.random() / 10:.7f}", "ok")
    add("", "", "missing")
    add("", "", "missing")
    add("41.8812345", "", "missing")  # half a coordinate is none
    add("0", "0", "zero")
    add("0.0", "0.000", "zero")
    add("40.7127281", "-74.0060152", "outside_extent")  # New York: far from the file's centre
    add("34.0536909", "-118.2427666", "outside_extent")  # Los Angeles
    add("41.812", "-87.634", "low_precision")  # about 100 m: the agency rounded
    add("41.79", "-87.6", "low_precision")
    add("41.8", "-87.7", "low_precision")
    add("41.823", "-87.6412345", "ok")  # one precise coordinate is enough
    for _ in range(25):  # a default location: the station's door
        add("41.8781136", "-87.6297982", "stacked")
    for _ in range(24):  # busy, but one short of a default location
        add("41.8500001", "-87.6500001", "ok")
    return rows


def _flags() -> dict[str, str]:
    return dict(Incident.objects.values_list("source_id", "geocode_quality"))


def test_each_flag_is_set_on_the_rows_that_deserve_it_and_no_other(tmp_path: Path) -> None:
    rows = _chicago_rows()

    result = run_cli(_extract(tmp_path / "cpd.csv", rows), "incidents", "CPD")

    assert (result["status"], result["created"], result["rejected"]) == ("succeeded", 90, 0)
    expected = {sid: flag for sid, _, _, flag in rows}
    assert _flags() == expected
    counts: dict[str, int] = {}
    for flag in expected.values():
        counts[flag] = counts.get(flag, 0) + 1
    assert DataImport.objects.get().quality == counts
    assert counts == {
        "ok": 30 + 1 + 24,
        "missing": 3,
        "zero": 2,
        "outside_extent": 2,
        "low_precision": 3,
        "stacked": 25,
    }


def test_only_usable_points_get_cells_and_unusable_ones_keep_no_coordinates(
    tmp_path: Path,
) -> None:
    rows = _chicago_rows()
    run_cli(_extract(tmp_path / "cpd.csv", rows), "incidents", "CPD")

    for incident in Incident.objects.all():
        usable = incident.geocode_quality in USABLE
        assert bool(incident.h3_r9) == usable, incident.source_id
        assert bool(incident.h3_r7) == usable, incident.source_id
        if incident.geocode_quality == "missing":
            assert incident.latitude is None or incident.longitude is None


def test_blurred_coordinates_are_all_low_precision(tmp_path: Path) -> None:
    rows = _chicago_rows()

    run_cli(_extract(tmp_path / "blurred.csv", rows, blurred=True), "incidents", "SPD")

    expected = {
        sid: flag if flag in ("missing", "zero", "outside_extent") else "low_precision"
        for sid, _, _, flag in rows
    }
    assert _flags() == expected


def test_the_jurisdiction_is_the_boundary_layers_extent_once_one_is_loaded(
    tmp_path: Path,
) -> None:
    """Inside the beats (and within about 2 km of them) is in; 0.1° away is out, although it
    is far less than the 1° a file's own spread allows when no layer is loaded."""
    rng = random.Random(5)
    rows: list[tuple[str, str, str, str]] = []
    for i in range(30):
        lat, lon = f"{40.0 + rng.random() / 100:.7f}", f"{-74.0 + rng.random() * 0.03:.7f}"
        rows.append((f"B-{i}", lat, lon, "ok"))
    rows.append(("B-near", "40.0251234", "-73.9851234", "ok"))  # 1.5 km north of the beats
    rows.append(("B-far-1", "40.1051234", "-73.9851234", "outside_extent"))
    rows.append(("B-far-2", "40.0051234", "-74.1251234", "outside_extent"))
    path = _extract(tmp_path / "beats.csv", rows)

    run_cli(path, "incidents", "Harbor PD (no layer)")
    without_layer = _flags()
    assert set(without_layer.values()) == {"ok"}  # within 1° of the file's centre

    Incident.objects.all().delete()
    call_command("import_boundaries", str(BEATS), "--layer", "beats", stdout=io.StringIO())
    run_cli(path, "incidents", "Harbor PD")

    assert _flags() == {sid: flag for sid, _, _, flag in rows}
    inside = Incident.objects.filter(source_id__startswith="B-").exclude(
        source_id__in=["B-near", "B-far-1", "B-far-2"]
    )
    assert inside.filter(zone__isnull=False).count() == 30  # placed in the beats
    assert not Incident.objects.filter(geocode_quality="outside_extent", zone__isnull=False)
