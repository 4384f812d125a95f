"""Extract shapes the real fixtures do not have, written here in the agencies' published headers
and value formats: run-together id headers with empty cells (Baltimore's arrests), occurrence
dates missing on some rows (DC's crime incidents), shootings with perpetrator and victim columns
side by side (NYPD's shooting incidents), and one row per offense with an incident id (San
Francisco's incident reports)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from intel.models import Arrest, DataImport, Incident, IncidentOffense, Shooting, ShootingVictim
from tests.intel.test_imports import run_cli

pytestmark = pytest.mark.django_db


def _write(rows: list[dict[str, str]], path: Path) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_arrests_keep_the_agencys_number_and_key_rows_without_one_by_their_cells(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = [
        {
            "RowID": str(n + 1),
            "ArrestNumber": "" if n % 10 == 0 else str(21_000_000 + n),
            "Age": str(20 + n % 30),
            "Gender": "M" if n % 3 else "F",
            "Race": "B",
            "ArrestDateTime": f"2021/12/{1 + n % 28:02d} 23:47:00+00",
            "ArrestLocation": "1600 W NORTH AVE",
            "ChargeDescription": "ASSAULT-SEC DEGREE" if n % 2 else "CDS:POSSESS-NOT MARIHUANA",
            "District": "Western",
            "Post": "721",
            "Latitude": "39.30",
            "Longitude": "-76.64",
        }
        for n in range(60)
    ]
    path = _write(rows, tmp_path / "arrests.csv")
    result = run_cli(path, "arrests", "BPD")

    imp = DataImport.objects.get(pk=result["import_id"])
    assert imp.mapping["columns"]["source_id"] == "ArrestNumber"
    assert (result["created"], result["rejected"]) == (60, 0)
    assert Arrest.objects.filter(source_id="21000001").exists()
    assert Arrest.objects.filter(source_id__startswith="h").count() == 6
    assert (
        "6 rows had no id and are keyed by a hash of their cells" in imp.mapping_notes["source_id"]
    )

    # A corrected charge updates the arrest under the agency's number: no duplicate.
    rows[1]["ChargeDescription"] = "ROBBERY"
    second = run_cli(_write(rows, tmp_path / "corrected.csv"), "arrests", "BPD")
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 1, 59)
    assert Arrest.objects.get(source_id="21000001").charges.get().description == "ROBBERY"


def test_a_row_without_an_occurrence_date_takes_its_report_date(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = [
        {
            "CCN": str(25_157_000 + n),
            "REPORT_DAT": f"2025/04/{10 + n % 10:02d} 16:26:33+00",
            "SHIFT": "EVENING",
            "METHOD": "OTHERS",
            "OFFENSE": "THEFT/OTHER",
            "BLOCK": "1200 - 1299 BLOCK OF U STREET NW",
            "LATITUDE": "38.917",
            "LONGITUDE": "-77.029",
            "START_DATE": "" if n < 3 else f"2025/04/{9 + n % 10:02d} 12:00:00+00",
        }
        for n in range(40)
    ]
    result = run_cli(_write(rows, tmp_path / "dc.csv"), "incidents", "MPD")

    imp = DataImport.objects.get(pk=result["import_id"])
    assert imp.mapping["columns"]["when"] == "START_DATE"
    assert imp.mapping["columns"]["reported_at"] == "REPORT_DAT"
    assert (result["created"], result["rejected"]) == (40, 0)
    assert "3 rows had no date here: their report date was used" in imp.mapping_notes["when"]
    stood_in = Incident.objects.get(source_id="25157000")
    assert stood_in.occurred_at == stood_in.reported_at
    other = Incident.objects.get(source_id="25157005")
    assert other.occurred_at < other.reported_at


def test_a_shooting_extract_reads_its_victims_not_its_perpetrators(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = []
    for n in range(30):
        for v in range(1 + n % 3):
            rows.append(
                {
                    "INCIDENT_KEY": str(238_000_000 + n),
                    "OCCUR_DATE": f"04/{1 + n % 28:02d}/2022",
                    "OCCUR_TIME": "22:08:00",
                    "BORO": "BRONX",
                    "PRECINCT": "44",
                    "STATISTICAL_MURDER_FLAG": "true" if (n + v) % 7 == 0 else "false",
                    "PERP_AGE_GROUP": "25-44",
                    "PERP_SEX": "M",
                    "PERP_RACE": "BLACK",
                    "VIC_AGE_GROUP": ["18-24", "25-44", "<18"][v],
                    "VIC_SEX": "F" if v else "M",
                    "VIC_RACE": "WHITE HISPANIC",
                    "Latitude": "40.84",
                    "Longitude": "-73.92",
                }
            )
    result = run_cli(_write(rows, tmp_path / "shootings.csv"), "shootings", "NYPD")

    imp = DataImport.objects.get(pk=result["import_id"])
    columns = imp.mapping["columns"]
    assert (columns["subject_sex"], columns["subject_race"], columns["subject_age_group"]) == (
        "VIC_SEX",
        "VIC_RACE",
        "VIC_AGE_GROUP",
    )
    assert columns["fatal"] == "STATISTICAL_MURDER_FLAG"
    assert Shooting.objects.count() == 30 and ShootingVictim.objects.count() == len(rows)
    assert ShootingVictim.objects.filter(sex="F").count() == sum(r["VIC_SEX"] == "F" for r in rows)
    fatal_victims = sum(r["STATISTICAL_MURDER_FLAG"] == "true" for r in rows)
    assert ShootingVictim.objects.filter(fatal=True).count() == fatal_victims
    assert sum(Shooting.objects.values_list("fatal_count", flat=True)) == fatal_victims


def test_incident_reports_fold_by_incident_id_with_category_and_description(tmp_path) -> None:  # type: ignore[no-untyped-def]
    offenses = [
        ("04014", "Assault", "Aggravated Assault, Gun"),
        ("06244", "Larceny Theft", "Theft, From Locked Vehicle, >$950"),
        ("12025", "Weapons Offense", "Firearm, Loaded, in Vehicle, Possession or Use"),
    ]
    rows = [
        {
            "Incident Datetime": "2018/12/01 12:25:00 AM",
            "Incident Date": "2018/12/01",
            "Incident Time": "00:25",
            "Report Datetime": "2018/12/01 02:10:00 AM",
            "Row ID": str(n * 10 + k),
            "Incident ID": str(736_000 + n),
            "Incident Number": str(180_910_000 + n),
            "Report Type Code": "II",
            "Report Type Description": "Initial",
            "Incident Code": code,
            "Incident Category": category,
            "Incident Description": description,
            "Police District": "Mission",
            "Latitude": "37.76",
            "Longitude": "-122.42",
        }
        for n in range(20)
        for k, (code, category, description) in enumerate(offenses[: 1 + n % 3])
    ]
    result = run_cli(_write(rows, tmp_path / "sf.csv"), "incidents", "SFPD")

    imp = DataImport.objects.get(pk=result["import_id"])
    columns = imp.mapping["columns"]
    assert columns["source_id"] == "Incident ID"
    assert (columns["offense_type"], columns["offense_description"]) == (
        "Incident Category",
        "Incident Description",
    )
    assert (result["created"], result["folded"], result["rejected"]) == (20, len(rows) - 20, 0)
    assert IncidentOffense.objects.count() == len(rows)
    three = Incident.objects.get(source_id="736002")
    # The lead offense is the most serious: the aggravated assault, then the theft, the weapon.
    assert three.category == "violent" and three.nibrs_code == "13A"
    assert [o.nibrs_code for o in three.offenses.all()] == ["13A", "23H", "520"]
