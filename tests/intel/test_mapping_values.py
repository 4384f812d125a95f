"""Mapping by values as well as headers: columns with unusual headers found by what they hold,
the agency's record number kept as the record id (or the row hash said out loud), and the
incident's time taken from the occurrence, not the report, unless only a report date exists.

Each extract is a small CSV built here in the shape and formats the agency exports."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse

from csu.models import User
from intel.ingest import reading
from intel.ingest.mapping import (
    ColumnProfile,
    Mapping,
    MappingError,
    check_required,
    is_report_header,
    propose_mapping,
)
from intel.models import Arrest, DataImport, Incident
from tests.intel.test_imports import run_cli

TORONTO_CATEGORIES = ["Assault", "Break and Enter", "Auto Theft", "Robbery", "Theft Over"]
DC_OFFENSES = [
    "THEFT/OTHER",
    "THEFT F/AUTO",
    "ROBBERY",
    "ASSAULT W/DANGEROUS WEAPON",
    "BURGLARY",
    "MOTOR VEHICLE THEFT",
]


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    def cell(value: str) -> str:
        return f'"{value}"' if "," in value else value

    lines = [",".join(header), *(",".join(cell(v) for v in row) for row in rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _propose(path: Path, kind: str) -> tuple[Mapping, pd.DataFrame]:
    frame = reading.read_extract(path).frame
    return propose_mapping(frame, kind), frame


def _toronto(path: Path, rows: int = 40, bad_dates: int = 1) -> Path:
    """Toronto "Major Crime Indicators": run-together lower-case headers, ArcGIS dates with a
    "+00" offset, the short MCI category, one row per offence (some events have two)."""
    rng = random.Random(7)
    body = []
    for i in range(rows):
        pair = rows - 4  # the last four rows are two events of two offences each
        event = f"GO-2017{300_000 + (i if i < pair else pair + (i - pair) // 2)}"
        occurred = f"2017/02/{1 + i % 27:02d} {i % 24:02d}:{(7 * i) % 60:02d}:00+00"
        if i < bad_dates:
            occurred = "unknown"
        reported = f"2017/03/{1 + i % 27:02d} 14:{i % 60:02d}:00+00"
        category = TORONTO_CATEGORIES[i % 5]
        offence = {
            "Assault": "Assault With Weapon",
            "Break and Enter": "B&E",
            "Auto Theft": "Theft Of Motor Vehicle",
            "Robbery": "Robbery - Mugging",
            "Theft Over": "Theft Over",
        }[category]
        body.append(
            [
                event,
                occurred,
                reported,
                rng.choice(["Apartment", "House", "Commercial", "Outside"]),
                str(rng.choice([1420, 1430, 2120, 2135, 1610])),
                str(rng.choice([100, 200, 210])),
                offence,
                category,
                f"{43.6 + rng.random() / 5:.6f}",
                f"{-79.5 + rng.random() / 4:.6f}",
            ]
        )
    header = [
        "event_unique_id",
        "occurrencedate",
        "reporteddate",
        "premisetype",
        "ucr_code",
        "ucr_ext",
        "offence",
        "mci_category",
        "lat_wgs84",
        "long_wgs84",
    ]
    return _csv(path, header, body)


# 1. Mapping by values -------------------------------------------------------------------


def test_a_toronto_extract_maps_with_no_manual_choice(tmp_path: Path) -> None:
    mapping, _ = _propose(_toronto(tmp_path / "mci.csv"), "incidents")

    assert mapping.columns == {
        "source_id": "event_unique_id",
        "when": "occurrencedate",
        "reported_at": "reporteddate",
        "offense_code": "ucr_code",
        "offense_type": "mci_category",
        "offense_description": "offence",
        "latitude": "lat_wgs84",
        "longitude": "long_wgs84",
    }
    # The occurrence date: what its values are, and its header read run together.
    assert mapping.notes["when"] == (
        '"occurrencedate": 98% parse as %Y/%m/%d %H:%M:%S%z; header "occurrence date"'
    )
    assert mapping.options["when_format"] == "%Y/%m/%d %H:%M:%S%z"
    assert mapping.notes["reported_at"].endswith('header "reported date"')
    assert "100% known offenses" in mapping.notes["offense_type"]
    check_required(mapping, "incidents", list(mapping.columns.values()))


def test_short_offense_categories_are_recognised_as_offenses() -> None:
    column = pd.Series([*TORONTO_CATEGORIES, "Break and Enter", "Assault"] * 4)
    profile = ColumnProfile(column, len(column))

    assert profile.offenses == 1.0
    assert ColumnProfile(pd.Series(["Apartment", "House"] * 5), 10).offenses == 0.0


@pytest.mark.django_db
def test_a_toronto_extract_imports_with_times_categories_and_record_numbers(
    tmp_path: Path,
) -> None:
    result = run_cli(_toronto(tmp_path / "mci.csv"), "incidents", "Toronto PS")

    assert result["status"] == "succeeded"
    assert result["rejected"] == 1  # the one occurrence date that is not a date
    first = Incident.objects.get(source_id="GO-2017300001")
    assert first.occurred_at == datetime(2017, 2, 2, 1, 7, tzinfo=UTC)
    assert first.reported_at == datetime(2017, 3, 2, 14, 1, tzinfo=UTC)
    assert first.category == "property"  # "Break and Enter"
    assert Incident.objects.get(source_id="GO-2017300002").category == "property"  # Auto Theft
    assert Incident.objects.filter(geocode_quality="ok").count() >= 30


def test_profiles_tell_dates_times_numbers_coordinates_sexes_races_and_ids_apart() -> None:
    def profile(*values: str) -> ColumnProfile:
        column = pd.Series(list(values) * 5)
        return ColumnProfile(column, len(column))

    dates = profile("2017/02/28 05:00:00+00", "2017/03/01 17:45:00+00")
    assert dates.calendar.ratio == 1.0 and dates.has_time_of_day
    assert dates.id_like == 0.0  # dates are not ids, however unique
    assert profile("2017", "2018").calendar.ratio == 0.0  # bare numbers are never dates alone
    assert profile("13:05", "07:45").clock_times == 1.0
    assert profile("43.651234", "-79.383012").latitudes == 1.0
    assert profile("43.651234", "-79.383012").id_like == 0.0  # coordinates are not ids
    assert profile("-122.33", "-79.38").latitudes == 0.5
    assert profile("M", "F", "Male").sexes == 1.0
    assert profile("BLACK", "WHITE HISPANIC", "Asian / Pacific Islander").races == 1.0
    assert profile("GO-2017300001", "17033129", "JH146864").id_like == 1.0
    assert profile("struck victim with a bottle near the bus stop").id_like == 0.0
    assert profile("0484", "08B", "PL 1200501").codes == 1.0
    assert profile("ROBBERY", "THEFT/OTHER").codes == 0.0


def test_a_column_is_not_taken_by_its_values_when_a_named_column_competes(
    tmp_path: Path,
) -> None:
    """A recognised header wins over a column that only looks right."""
    rows = [
        [f"R{i}", f"2017/02/{1 + i % 27:02d} 05:00:00+00", f"01/{1 + i % 27:02d}/2018"]
        for i in range(30)
    ]
    path = _csv(tmp_path / "two-dates.csv", ["Ref", "fecha", "Incident Date"], rows)

    mapping, _ = _propose(path, "incidents")

    assert mapping.columns["when"] == "Incident Date"
    assert "header unrecognised" not in mapping.notes["when"]


def test_a_victims_last_and_first_name_columns_are_not_taken_for_a_full_name(
    tmp_path: Path,
) -> None:
    """ "Victim Last Name" contains "name" (a full name) and "last name": the longer says more."""
    rows = [[f"SH-{i}", "01/02/2024", "SMITH", "JOHN", "23"] for i in range(20)]
    header = ["Incident Number", "Date", "Victim Last Name", "Victim First Name", "Victim Age"]
    path = _csv(tmp_path / "victims.csv", header, rows)

    mapping, _ = _propose(path, "shootings")

    assert mapping.columns.get("last_name") == "Victim Last Name"
    assert mapping.columns.get("first_name") == "Victim First Name"
    assert "full_name" not in mapping.columns


def test_two_unnamed_date_columns_are_not_guessed_between(tmp_path: Path) -> None:
    rows = [
        [f"R{i}", f"2017/02/{1 + i % 27:02d} 05:00:00+00", f"2017/02/{2 + i % 26:02d} 09:00:00+00"]
        for i in range(30)
    ]
    path = _csv(tmp_path / "ambiguous.csv", ["Ref", "fecha_hecho", "fecha_cierre"], rows)

    mapping, frame = _propose(path, "incidents")

    assert "when" not in mapping.columns
    with pytest.raises(MappingError) as refused:
        check_required(mapping, "incidents", list(frame.columns))
    assert "Could not find Date and time" in refused.value.message
    assert "several columns hold dates" in refused.value.message
    assert '"fecha_hecho", "fecha_cierre"' in refused.value.message


def test_a_separate_time_column_is_found_by_its_values(tmp_path: Path) -> None:
    rows = [
        [f"E{1000 + i}", f"2019-04-{1 + i % 28:02d}", f"{i % 24:02d}:{(3 * i) % 60:02d}"]
        for i in range(30)
    ]
    path = _csv(tmp_path / "date-and-clock.csv", ["Event Number", "fecha", "hora"], rows)

    mapping, _ = _propose(path, "incidents")

    assert (mapping.columns["when"], mapping.columns["when_time"]) == ("fecha", "hora")
    assert mapping.notes["when_time"] == '"hora": 100% parse as times (%H:%M); header unrecognised'


def test_a_date_column_with_an_unknown_header_is_found_by_its_values(tmp_path: Path) -> None:
    rows = [[f"E{1000 + i}", f"2017/02/{1 + i % 28:02d} 05:00:00+00", "Assault"] for i in range(30)]
    path = _csv(tmp_path / "values.csv", ["event_unique_id", "evt_ts", "mci"], rows)

    mapping, _ = _propose(path, "incidents")

    assert mapping.columns["when"] == "evt_ts"
    assert mapping.notes["when"] == (
        '"evt_ts": 100% parse as %Y/%m/%d %H:%M:%S%z; header unrecognised'
    )


# 2. The record id -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Arrest Number",
        "Arrest No",
        "Arrest ID",
        "Report Number",
        "Report_No",
        "Report No.",
        "Case Number",
        "Incident Number",
        "Incident ID",
        "Event Number",
        "Event ID",
        "CCN",
        "Complaint Number",
        "event_unique_id",
        "Booking Number",
    ],
)
def test_common_record_number_headers_are_the_record_id(header: str, tmp_path: Path) -> None:
    rows = [[f"{24_000_100 + i}", f"03/{1 + i % 28:02d}/2024 13:05", "ROBBERY"] for i in range(30)]
    path = _csv(tmp_path / "ids.csv", [header, "Date", "Offense"], rows)

    mapping, _ = _propose(path, "incidents")

    assert mapping.columns["source_id"] == header
    assert "header" in mapping.notes["source_id"]


@pytest.mark.django_db
def test_an_arrest_number_is_the_record_id_and_the_booking_number_the_persons(
    tmp_path: Path,
) -> None:
    rows = [
        [f"A24-{5000 + i}", f"B{880_000 + i}", f"03/{1 + i % 28:02d}/2024", f"SMITH{i}, JON"]
        for i in range(30)
    ]
    header = ["Arrest Number", "Booking Number", "Arrest Date", "Arrestee Name"]
    path = _csv(tmp_path / "arrests.csv", header, rows)

    mapping, _ = _propose(path, "arrests")
    assert mapping.columns["source_id"] == "Arrest Number"
    assert mapping.columns["booking_number"] == "Booking Number"

    result = run_cli(path, "arrests", "Harbor PD")
    assert (result["status"], result["created"]) == ("succeeded", 30)
    arrest = Arrest.objects.get(source_id="A24-5007")
    assert arrest.booking_number == "B880007"


def test_a_report_number_shared_by_several_offense_rows_is_still_the_record_id(
    tmp_path: Path,
) -> None:
    """One row per offense: three rows share each report number."""
    rows = [
        [f"KC19-{1000 + i // 3:05d}", f"01/{1 + i // 3:02d}/2019", DC_OFFENSES[i % 6]]
        for i in range(45)
    ]
    path = _csv(tmp_path / "kc.csv", ["Report_No", "From_Date", "Offense"], rows)

    mapping, _ = _propose(path, "incidents")

    assert mapping.columns["source_id"] == "Report_No"
    assert "33% unique in the sample" in mapping.notes["source_id"]


def test_an_unnamed_unique_id_like_column_is_the_record_id(tmp_path: Path) -> None:
    rows = [
        [f"2024-{70_311 + 17 * i}", f"03/{1 + i % 28:02d}/2024 13:05", "THEFT", f"{i + 1}"]
        for i in range(30)
    ]
    path = _csv(tmp_path / "ref.csv", ["Ref", "Date", "Offense", "Row"], rows)

    mapping, _ = _propose(path, "incidents")

    assert mapping.columns["source_id"] == "Ref"  # "Row" counts rows: not an id
    assert mapping.notes["source_id"] == (
        '"Ref": values unique, non-empty and id-like in all 30 rows; header unrecognised'
    )


HASH_NOTE = (
    "no record id column: each row is keyed by a hash of its cells, so a corrected row will be "
    "imported as a new record"
)


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("not unique", lambda i: f"Z{i % 10}"),
        ("an empty cell", lambda i: "" if i == 5 else f"Z{1000 + i}"),
        ("free text", lambda i: f"victim {i} was struck near the corner store by a man"),
        ("coordinates", lambda i: f"{41.8 + i / 1000:.6f}"),
        ("dates", lambda i: f"2024-03-{1 + i % 28:02d} 10:{i:02d}"),
        ("a row counter", lambda i: f"{i + 1}"),
    ],
)
def test_without_an_id_rows_are_keyed_by_a_hash_and_the_mapping_says_so(
    name: str, values: Callable[[int], str], tmp_path: Path
) -> None:
    rows = [[values(i), f"03/{1 + i % 28:02d}/2024 13:05", "THEFT"] for i in range(30)]
    path = _csv(tmp_path / "no-id.csv", ["Whatever", "Date", "Offense"], rows)

    mapping, frame = _propose(path, "incidents")

    assert "source_id" not in mapping.columns, name
    assert mapping.notes["source_id"] == HASH_NOTE
    check_required(mapping, "incidents", list(frame.columns))  # an id is not required


def test_an_arrest_extract_keyed_by_its_booking_number_says_so(tmp_path: Path) -> None:
    rows = [[f"B{880_000 + i}", f"03/{1 + i % 28:02d}/2024"] for i in range(30)]
    path = _csv(tmp_path / "bookings.csv", ["Booking No", "Arrest Date"], rows)

    mapping, _ = _propose(path, "arrests")

    assert "source_id" not in mapping.columns
    assert mapping.columns["booking_number"] == "Booking No"
    assert mapping.notes["source_id"] == (
        'no record id column: each row is keyed by its booking number ("Booking No", unique '
        "in the file)"
    )


def test_the_import_page_says_when_rows_are_keyed_by_a_hash(
    analyst: User, client_for: Callable[[User], Client], tmp_path: Path
) -> None:
    rows = [
        [f"03/{1 + i % 28:02d}/2024 13:05", "THEFT", "1200 BLOCK OF 18TH ST NW"] for i in range(30)
    ]
    path = _csv(tmp_path / "no-id.csv", ["Date", "Offense", "Block"], rows)
    client = client_for(analyst)
    with open(path, "rb") as handle:
        response = client.post(
            reverse("intel:import-list"), {"file": handle, "kind": "incidents", "agency": "MPD"}
        )

    page = client.get(response["Location"]).content.decode()

    assert "Proposed mapping" in page
    assert HASH_NOTE in page
    assert DataImport.objects.get().status == "pending"


# 3. Occurrence or report ---------------------------------------------------------------


def _dates(i: int, fmt: str) -> str:
    day = datetime(2019, 1, 1 + i % 28, (8 + i) % 24, (11 * i) % 60)
    return day.strftime(fmt)


KC_HEADER = [
    "Report_No",
    "Reported_Date",
    "Reported_Time",
    "From_Date",
    "From_Time",
    "To_Date",
    "To_Time",
    "Offense",
    "IBRS",
    "Description",
    "Beat",
    "Address",
    "City",
    "Zip Code",
    "Rep_Dist",
    "Area",
    "DVFlag",
    "Invl_No",
    "Involvement",
    "Race",
    "Sex",
    "Age",
    "Firearm Used Flag",
    "Location",
]


def _kc_rows(n: int) -> list[list[str]]:
    rows = []
    for i in range(n):
        rows.append(
            [
                f"KC19{100_000 + i:06d}",
                _dates(i + 2, "%m/%d/%Y"),
                _dates(i + 2, "%H:%M"),
                _dates(i, "%m/%d/%Y"),
                _dates(i, "%H:%M"),
                _dates(i + 1, "%m/%d/%Y"),
                _dates(i + 1, "%H:%M"),
                "Stealing from Building",
                "23H",
                "Stealing from Building",
                "134",
                f"{1000 + i} MAIN ST",
                "KANSAS CITY",
                "64105",
                "PJ1234",
                "CPD",
                "N",
                "1",
                "VIC",
                "W",
                "M",
                "35",
                "N",
                f"{1000 + i} MAIN ST\nKANSAS CITY 64105\n(39.1{i:02d}, -94.5{i:02d})",
            ]
        )
    return rows


@pytest.mark.parametrize(
    ("header", "rows", "occurrence", "report"),
    [
        (KC_HEADER, _kc_rows(30), "From_Date", "Reported_Date"),
        (
            ["CMPLNT_NUM", "RPT_DT", "CMPLNT_FR_DT", "CMPLNT_FR_TM", "OFNS_DESC"],
            [
                [
                    f"{400_000 + i}",
                    _dates(i + 3, "%m/%d/%Y"),
                    _dates(i, "%m/%d/%Y"),
                    _dates(i, "%H:%M:%S"),
                    "ROBBERY",
                ]
                for i in range(30)
            ],
            "CMPLNT_FR_DT",
            "RPT_DT",
        ),
        (
            ["CCN", "REPORT_DAT", "SHIFT", "OFFENSE", "START_DATE", "END_DATE"],
            [
                [
                    f"{17_033_129 + i}",
                    _dates(i + 1, "%Y/%m/%d %H:%M:%S+00"),
                    "DAY",
                    DC_OFFENSES[i % 6],
                    _dates(i, "%Y/%m/%d %H:%M:%S+00"),
                    _dates(i + 1, "%Y/%m/%d %H:%M:%S+00"),
                ]
                for i in range(30)
            ],
            "START_DATE",
            "REPORT_DAT",
        ),
        (
            ["ID", "Date Reported", "OCCURRED_ON", "Crime"],
            [
                [f"{i}", _dates(i + 1, "%m/%d/%Y %H:%M"), _dates(i, "%m/%d/%Y %H:%M"), "THEFT"]
                for i in range(1, 31)
            ],
            "OCCURRED_ON",
            "Date Reported",
        ),
        (
            ["event_unique_id", "reporteddate", "occurrencedate", "offence"],
            [
                [
                    f"GO-{i}",
                    _dates(i + 1, "%Y/%m/%d %H:%M:%S+00"),
                    _dates(i, "%Y/%m/%d %H:%M:%S+00"),
                    "Assault",
                ]
                for i in range(30)
            ],
            "occurrencedate",
            "reporteddate",
        ),
    ],
    ids=["kansas-city", "nyc-complaints", "dc-crime", "occurred-on", "toronto"],
)
def test_the_occurrence_is_the_incidents_time_and_the_report_date_is_kept_as_reported(
    header: list[str], rows: list[list[str]], occurrence: str, report: str, tmp_path: Path
) -> None:
    mapping, _ = _propose(_csv(tmp_path / "both.csv", header, rows), "incidents")

    assert mapping.columns["when"] == occurrence
    assert mapping.columns["reported_at"] == report
    assert "report date is used" not in mapping.notes["when"]


@pytest.mark.django_db
def test_kansas_city_times_come_from_the_occurrence_date_and_time(tmp_path: Path) -> None:
    path = _csv(tmp_path / "kc.csv", KC_HEADER, _kc_rows(30))
    mapping, _ = _propose(path, "incidents")
    assert mapping.columns["when_time"] == "From_Time"
    assert mapping.columns["source_id"] == "Report_No"

    result = run_cli(path, "incidents", "KCPD", "--time-zone", "America/Chicago")

    assert (result["status"], result["created"]) == ("succeeded", 30)
    incident = Incident.objects.get(source_id="KC19100000")
    # From 01/01/2019 08:00 local (CST, UTC-6); reported on 01/03/2019 (its day only).
    assert incident.occurred_at == datetime(2019, 1, 1, 14, 0, tzinfo=UTC)
    assert incident.reported_at == datetime(2019, 1, 3, 6, 0, tzinfo=UTC)


def _dc_report_only(path: Path) -> Path:
    """DC MPD crime incidents with only the report date, as the open-data export cut down."""
    header = ["CCN", "REPORT_DAT", "SHIFT", "METHOD", "OFFENSE", "BLOCK", "LATITUDE", "LONGITUDE"]
    rows = [
        [
            f"{17_033_129 + 37 * i}",
            _dates(i, "%Y/%m/%d %H:%M:%S+00"),
            ["DAY", "EVENING", "MIDNIGHT"][i % 3],
            ["OTHERS", "GUN", "KNIFE"][i % 3],
            DC_OFFENSES[i % 6],
            f"{1200 + 100 * i} - {1299 + 100 * i} BLOCK OF 18TH STREET NW",
            f"{38.89 + i / 997:.8f}",
            f"{-77.03 - i / 991:.8f}",
        ]
        for i in range(30)
    ]
    return _csv(path, header, rows)


def test_with_only_a_report_date_the_report_date_is_the_incidents_time(tmp_path: Path) -> None:
    mapping, frame = _propose(_dc_report_only(tmp_path / "dc.csv"), "incidents")

    assert mapping.columns == {
        "source_id": "CCN",
        "when": "REPORT_DAT",
        "offense_description": "OFFENSE",
        "address": "BLOCK",
        "latitude": "LATITUDE",
        "longitude": "LONGITUDE",
    }
    assert mapping.notes["when"].endswith(
        "no occurrence date in the extract: the report date is used as the incident's time"
    )
    assert mapping.options["when_format"] == "%Y/%m/%d %H:%M:%S%z"
    check_required(mapping, "incidents", list(frame.columns))


def test_a_report_date_only_extract_imports_and_the_page_says_so(
    analyst: User, client_for: Callable[[User], Client], tmp_path: Path
) -> None:
    path = _dc_report_only(tmp_path / "dc.csv")
    result = run_cli(path, "incidents", "MPD")

    assert (result["status"], result["created"], result["rejected"]) == ("succeeded", 30, 0)
    incident = Incident.objects.get(source_id="17033129")
    assert incident.occurred_at == datetime(2019, 1, 1, 8, 0, tzinfo=UTC)
    assert incident.category == "property"  # THEFT/OTHER
    page = client_for(analyst).get(reverse("intel:import-detail", args=[result["import_id"]]))
    assert "the report date is used as the incident&#x27;s time" in page.content.decode()


def test_a_report_date_brings_its_own_time_column_with_it(tmp_path: Path) -> None:
    keep = [h for h in KC_HEADER if not h.startswith(("From_", "To_"))]
    rows = [
        [value for h, value in zip(KC_HEADER, row, strict=True) if h in keep]
        for row in _kc_rows(30)
    ]

    mapping, _ = _propose(_csv(tmp_path / "kc-reported.csv", keep, rows), "incidents")

    assert (mapping.columns["when"], mapping.columns["when_time"]) == (
        "Reported_Date",
        "Reported_Time",
    )
    assert "reported_at" not in mapping.columns
    assert "the report date is used as the incident's time" in mapping.notes["when"]


def test_report_headers_are_told_from_occurrence_headers() -> None:
    reports = ["Reported_Date", "REPORT_DAT", "reporteddate", "Date Reported", "RPT_DT"]
    reports += ["Report taken date", "Report_taken_date_EST", "Date Rptd", "REPORT_HOUR"]
    others = ["From_Date", "occurrencedate", "OCCURRED_ON", "CMPLNT_FR_DT", "START_DATE", "Date"]
    others += ["Updated On", "Arrest Date", "Original Time Queued", "OCC_DATE"]

    assert all(is_report_header(h) for h in reports)
    assert not any(is_report_header(h) for h in others)
