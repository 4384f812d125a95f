"""Importing police extracts: automatic mapping of real exports, idempotent re-imports,
overlapping extracts, atomic failure, rollback, and the web flow."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from csu.actors import system_actor
from intel.ingest.services import agency_for_import, import_create, import_rollback, import_run
from intel.models import (
    Arrest,
    ArrestCharge,
    CallForService,
    DataImport,
    ImportChange,
    Incident,
    IncidentOffense,
    Shooting,
    Zone,
)

pytestmark = pytest.mark.django_db

REAL = Path(__file__).resolve().parents[1] / "data" / "real"

EXTRACTS = [
    # file, kind, sheet, rows in the file, model
    ("chicago_incidents.csv", "incidents", "", 10_000, Incident),
    ("nyc_queens_arrests.csv", "arrests", "", 13_224, Arrest),
    ("philadelphia_shootings.csv", "shootings", "", 14_861, Shooting),
    ("seattle_calls_for_service_sample.csv", "calls", "", 222, CallForService),
    ("dc_stop_frisk_2017.xlsx", "incidents", "S&F Incident Report", 4_234, Incident),
    ("dc_stop_frisk_2017.xlsx", "incidents", "Field Contact (stop data)", 3_440, Incident),
]


def run_cli(path: Path, kind: str, agency: str, *extra: str) -> dict:
    out = io.StringIO()
    call_command(
        "import_extract",
        str(path),
        "--kind",
        kind,
        "--agency",
        agency,
        "--json",
        *extra,
        stdout=out,
        stderr=io.StringIO(),
    )
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("name", "kind", "sheet", "rows", "model"),
    EXTRACTS,
    ids=[f"{e[0]}:{e[2] or e[1]}" for e in EXTRACTS],
)
def test_real_extracts_import_with_no_manual_mapping_and_reimport_nothing(
    name, kind, sheet, rows, model, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    extra = ("--sheet", sheet) if sheet else ()
    first = run_cli(REAL / name, kind, "Test agency", *extra)

    assert first["status"] == "succeeded"
    assert first["rows"] == rows
    # Every row is a record, a further part of one (an offense, a victim), or rejected.
    assert first["created"] + first["folded"] + first["rejected"] == rows
    assert first["rejected"] <= rows * 0.01
    assert model.objects.count() == first["created"]

    # The same rows in a new file (different bytes): nothing new, nothing changed.
    again = tmp_path / f"again-{name}"
    shutil.copy(REAL / name, again)
    if again.suffix == ".csv":
        with open(again, "ab") as handle:
            handle.write(b"\r\n")
    second = run_cli(again, kind, "Test agency", *extra)
    print(f"{name} {sheet}: first {first}, again {second}")
    assert (second["created"], second["updated"]) == (0, 0)
    assert model.objects.count() == first["created"]


def test_the_same_file_twice_is_recognised_and_writes_nothing() -> None:
    first = run_cli(REAL / "seattle_calls_for_service_sample.csv", "calls", "SPD")
    second = run_cli(REAL / "seattle_calls_for_service_sample.csv", "calls", "SPD")

    assert second["status"] == "duplicate" and second["duplicate_of"] == first["import_id"]
    assert CallForService.objects.count() == 222
    assert DataImport.objects.get(pk=second["import_id"]).error.startswith(
        f"This file was already imported as import #{first['import_id']}"
    )


def test_boundaries_assign_points_to_the_zone_the_source_names() -> None:
    call_command(
        "import_boundaries",
        str(REAL / "nyc_queens_precincts.geojson"),
        "--layer",
        "nyc-precincts",
        stdout=io.StringIO(),
    )
    call_command(
        "import_boundaries",
        str(REAL / "philadelphia_police_districts.geojson"),
        "--layer",
        "philly-districts",
        stdout=io.StringIO(),
    )
    run_cli(REAL / "nyc_queens_arrests.csv", "arrests", "NYPD")
    run_cli(REAL / "philadelphia_shootings.csv", "shootings", "PPD")

    def agreement(model) -> float:  # type: ignore[no-untyped-def]
        rows = model.objects.filter(zone__isnull=False).values_list("zone__key", "district")
        same = sum(
            int(float(key)) == int(float(district.split(" /")[0]))
            for key, district in rows
            if district
        )
        return same / len(rows)

    nyc, philly = agreement(Arrest), agreement(Shooting)
    located = Arrest.objects.exclude(latitude=None).count()
    print(
        f"zone agrees with the source's own precinct: Queens {nyc:.1%}, Philadelphia {philly:.1%}"
    )
    assert nyc >= 0.94 and philly >= 0.94
    assert Arrest.objects.filter(zone__isnull=False).count() >= 0.94 * located
    assert Zone.objects.count() >= 16 + 21


def _chicago(rows: slice) -> pd.DataFrame:
    frame = pd.read_csv(
        REAL / "chicago_incidents.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    return frame.iloc[rows].copy()


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_an_overlapping_extract_updates_and_adds_and_rollback_restores(tmp_path) -> None:  # type: ignore[no-untyped-def]
    a = _write(_chicago(slice(0, 300)), tmp_path / "a.csv")
    b_frame = _chicago(slice(150, 450))
    changed_ids = list(b_frame["ID"].iloc[:15])
    b_frame.loc[b_frame["ID"].isin(changed_ids), "Description"] = "RECLASSIFIED ON REVIEW"
    b = _write(b_frame.sample(frac=1, random_state=1), tmp_path / "b.csv")

    first = run_cli(a, "incidents", "CPD")
    before = {
        i.source_id: (i.offense_description, i.updated_at)
        for i in Incident.objects.filter(source_id__in=changed_ids)
    }
    second = run_cli(b, "incidents", "CPD")

    assert (second["created"], second["updated"], second["unchanged"]) == (150, 15, 135)
    assert Incident.objects.count() == 450
    assert Incident.objects.values("source_id").distinct().count() == 450
    assert Incident.objects.filter(offense_description__contains="RECLASSIFIED").count() == 15
    # Before-images: the 15 changed incidents, and the one offense each had before.
    snapshot = ImportChange.objects.filter(data_import_id=second["import_id"])
    assert snapshot.filter(table="intel_incident").count() == 15
    assert snapshot.filter(table="intel_incidentoffense").count() == 15
    assert IncidentOffense.objects.count() == 450
    assert (
        IncidentOffense.objects.filter(offense_description__contains="RECLASSIFIED").count() == 15
    )

    import_rollback(
        actor=system_actor(), data_import=DataImport.objects.get(pk=second["import_id"])
    )

    assert Incident.objects.count() == 300
    restored = {
        i.source_id: (i.offense_description, i.updated_at)
        for i in Incident.objects.filter(source_id__in=changed_ids)
    }
    assert restored == before
    assert first["created"] == 300
    # The offenses come back with their incidents: the created ones gone, the changed restored.
    assert IncidentOffense.objects.count() == 300
    assert not IncidentOffense.objects.filter(offense_description__contains="RECLASSIFIED").exists()


def test_a_failure_while_writing_leaves_nothing(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from intel.ingest import load as load_module

    run_cli(_write(_chicago(slice(0, 100)), tmp_path / "base.csv"), "incidents", "CPD")
    original = load_module._update

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        original(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(load_module, "_update", broken)
    frame = _chicago(slice(50, 200))
    frame["Description"] = "CHANGED"
    counts_before = (
        Incident.objects.count(),
        Incident.objects.filter(offense_description__contains="CHANGED").count(),
    )

    with pytest.raises(RuntimeError):
        run_cli(_write(frame, tmp_path / "next.csv"), "incidents", "CPD")

    assert (
        Incident.objects.count(),
        Incident.objects.filter(offense_description__contains="CHANGED").count(),
    ) == counts_before
    failed = DataImport.objects.order_by("-pk").first()
    assert failed.status == "failed" and "wrote nothing" in failed.error


def test_missing_required_columns_are_named_with_the_headers_found(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame = _chicago(slice(0, 20)).drop(columns=["Date", "Updated On", "Year"])

    with pytest.raises(CommandError) as error:
        run_cli(_write(frame, tmp_path / "nodate.csv"), "incidents", "CPD")

    assert "Could not find Date and time" in str(error.value)
    assert "Primary Type" in str(error.value)  # the headers found are listed
    assert Incident.objects.count() == 0


def test_rows_without_a_usable_date_are_rejected_with_the_reason(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame = _chicago(slice(0, 50))
    frame.iloc[3, frame.columns.get_loc("Date")] = "not a date"
    frame.iloc[7, frame.columns.get_loc("Date")] = ""

    result = run_cli(_write(frame, tmp_path / "some-bad.csv"), "incidents", "CPD")

    assert (result["created"], result["rejected"]) == (48, 2)
    rejects = DataImport.objects.get(pk=result["import_id"]).rejects
    assert [r[0] for r in rejects] == [5, 9]  # header is row 1
    assert "not a date" in rejects[0][2]


def test_arrests_keep_charges_names_and_identifiers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv = (
        "Booking No,Arrest Date,Arrestee Name,DOB,NYSID,Charges,Law Code,Charge Level,"
        "Latitude,Longitude\n"
        'B1,03/04/2024 13:05,"SMITH, JON A",03/04/65,12345678Q,'
        "ROBBERY 2ND; CRIM POSS WEAPON 2ND,PL 160.10;PL 265.03,F,40.70,-73.90\n"
        "B2,03/05/2024 09:00,John Smith Jr.,1965-04-03,,ASSAULT 3RD,PL 120.00,M,,\n"
    )
    path = tmp_path / "arrests.csv"
    path.write_text(csv)

    result = run_cli(path, "arrests", "Harbor PD")

    assert result["created"] == 2
    first = Arrest.objects.get(source_id="B1")
    assert first.name_as_recorded == "SMITH, JON A"
    assert str(first.dob_as_recorded) == "1965-03-04"
    assert first.state_id_as_recorded == "12345678Q"
    charges = list(
        ArrestCharge.objects.filter(arrest=first)
        .order_by("sequence")
        .values_list("description", "statute", "severity")
    )
    assert charges == [
        ("ROBBERY 2ND", "PL 160.10", "felony"),
        ("CRIM POSS WEAPON 2ND", "PL 265.03", "felony"),
    ]
    assert Arrest.objects.get(source_id="B2").name_as_recorded == "SMITH JR, JOHN"


def test_analyst_uploads_previews_and_imports_in_the_browser_flow(
    analyst, client_for, django_capture_on_commit_callbacks, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from intel.ingest.tasks import import_run_task

    client = client_for(analyst)
    path = _write(_chicago(slice(0, 40)), tmp_path / "cpd-week.csv")
    with open(path, "rb") as handle:
        response = client.post(
            reverse("intel:import-list"),
            {"file": handle, "kind": "incidents", "agency": "Chicago Police Department"},
        )
    assert response.status_code == 302
    data_import = DataImport.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Proposed mapping" in page and "100% parse as %m/%d/%Y %I:%M:%S %p" in page

    form = {
        f"col_{name}": column
        for name, column in {
            "source_id": "ID",
            "when": "Date",
            "offense_type": "Primary Type",
            "offense_description": "Description",
            "latitude": "Latitude",
            "longitude": "Longitude",
            "address": "Block",
        }.items()
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("intel:import-start", args=[data_import.pk]),
            {**form, "save_profile": "on", "profile_name": "CPD weekly"},
        )
    assert response.status_code == 302 and len(callbacks) == 1
    import_run_task(
        data_import.pk,
        analyst.pk,
        json.loads(json.dumps({"columns": {k[4:]: v for k, v in form.items()}, "options": {}})),
    )

    data_import.refresh_from_db()
    assert data_import.status == "succeeded" and data_import.created == 40
    assert "Roll back this import" in client.get(response["Location"]).content.decode()
    assert data_import.profile.name == "CPD weekly"


def test_uploads_are_limited_in_size_and_stored_privately(
    analyst, client_for, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.CSU_UPLOAD_MAX_BYTES = 1000
    client = client_for(analyst)
    path = _write(_chicago(slice(0, 40)), tmp_path / "big.csv")
    with open(path, "rb") as handle:
        response = client.post(
            reverse("intel:import-list"), {"file": handle, "kind": "incidents", "agency": "CPD"}
        )

    assert response.status_code == 413  # refused before the body is read (csu.uploads)
    assert "larger than" in response.content.decode()
    assert DataImport.objects.count() == 0
    store = Path(settings.MEDIA_ROOT) / "imports"
    assert not store.exists() or all(p.stat().st_mode & 0o077 == 0 for p in store.iterdir())


def test_files_are_stored_under_generated_names_and_path_names_refused(analyst, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    agency = agency_for_import(name="CPD")
    path = _write(_chicago(slice(0, 5)), tmp_path / "x.csv")
    with open(path, "rb") as handle, pytest.raises(ValidationError, match="file name"):
        import_create(
            actor=analyst,
            source=handle,
            original_name="../../x.csv",
            kind="incidents",
            agency=agency,
        )
    assert DataImport.objects.count() == 0
    with open(path, "rb") as handle:
        data_import = import_create(
            actor=analyst,
            source=handle,
            original_name="C:\\exports\\x.csv",
            kind="incidents",
            agency=agency,
        )

    assert data_import.original_name == "x.csv"
    assert "/" not in data_import.stored_name and data_import.stored_name.endswith(".csv")
    assert import_run(actor=analyst, data_import=data_import).status == "succeeded"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM intel_incident WHERE data_import_id = %s", [data_import.pk]
        )
        assert cursor.fetchone()[0] == 5


def test_the_api_takes_an_upload_and_reports_the_import(
    analyst, tmp_path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    from csu.services import api_token_create
    from intel.ingest.tasks import import_run_task

    client = Client(HTTP_AUTHORIZATION=f"Token {api_token_create(actor=analyst, scope='write')}")
    path = _write(_chicago(slice(0, 30)), tmp_path / "api.csv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, open(path, "rb") as fh:
        response = client.post(
            reverse("import-list"), {"file": fh, "kind": "incidents", "agency": "CPD"}
        )
    assert response.status_code == 202 and len(callbacks) == 1
    import_id = response.json()["id"]
    import_run_task(import_id, analyst.pk)

    body = client.get(reverse("import-detail", args=[import_id])).json()
    assert (body["status"], body["created"], body["agency"]) == ("succeeded", 30, "CPD")

    with open(path, "rb") as fh:
        bad = client.post(reverse("import-list"), {"file": fh, "kind": "dogs", "agency": "CPD"})
    assert bad.status_code == 400 and "kind" in bad.json()["extra"]["fields"]


def test_an_analyst_pattern_recategorises_the_next_import(analyst, client_for, tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame = _chicago(slice(0, 60))
    frame["Primary Type"] = "CARJACKING"
    frame["Description"] = "ARMED"
    run_cli(_write(frame, tmp_path / "first.csv"), "incidents", "CPD")
    assert set(Incident.objects.values_list("category", flat=True)) == {"other"}

    client = client_for(analyst)
    response = client.post(
        reverse("intel:offense-list"),
        {"pattern": "carjacking", "category": "violent", "nibrs_code": "120"},
    )
    assert response.status_code == 302
    assert "CARJACKING" in client.get(reverse("intel:offense-list")).content.decode()
    frame["Description"] = "ARMED: HANDGUN"  # changed rows are re-categorised
    run_cli(_write(frame, tmp_path / "second.csv"), "incidents", "CPD")

    assert set(Incident.objects.values_list("category", "nibrs_code")) == {("violent", "120")}


@pytest.mark.parametrize(
    ("name", "kind", "sheet", "rows", "model"),
    EXTRACTS,
    ids=[f"{e[0]}:{e[2] or e[1]}" for e in EXTRACTS],
)
def test_real_extracts_import_through_the_web_page_as_proposed(
    name, kind, sheet, rows, model, analyst, client_for, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from intel.ingest.tasks import import_run_task

    queued: list[tuple] = []
    monkeypatch.setattr(import_run_task, "delay_on_commit", lambda *args: queued.append(args))
    client = client_for(analyst)
    with open(REAL / name, "rb") as handle:
        response = client.post(
            reverse("intel:import-list"),
            {"file": handle, "kind": kind, "agency": "Web PD", "sheet": sheet},
        )
    detail = client.get(response["Location"])
    form = detail.context["mapping_form"]
    proposed = {
        key: field.initial
        for key, field in form.fields.items()
        if key.startswith("col_") and field.initial
    }
    client.post(reverse("intel:import-start", args=[detail.context["imp"].pk]), proposed)

    assert len(queued) == 1
    import_run_task(*queued[0])  # as the worker would
    data_import = DataImport.objects.get()
    assert data_import.status == "succeeded", data_import.error
    assert data_import.created + data_import.folded + data_import.rejected == rows
    assert model.objects.count() == data_import.created
    if "col_reported_at" in proposed:
        assert model.objects.filter(reported_at__isnull=True).count() == 0


def test_projected_xy_are_reprojected_with_the_given_epsg(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame = _chicago(slice(0, 40)).drop(columns=["Latitude", "Longitude", "Location"])
    path = _write(frame, tmp_path / "xy-only.csv")

    run_cli(path, "incidents", "CPD", "--xy-epsg", "3435")

    source = _chicago(slice(0, 40)).set_index("ID")
    for incident in Incident.objects.exclude(latitude=None):
        assert abs(incident.latitude - float(source.loc[incident.source_id, "Latitude"])) < 1e-4
        assert abs(incident.longitude - float(source.loc[incident.source_id, "Longitude"])) < 1e-4
    assert Incident.objects.exclude(latitude=None).count() >= 35


def test_the_agency_time_zone_reads_local_times(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame = _chicago(slice(0, 1))
    frame["Date"] = "07/04/2024 09:00:00 PM"
    run_cli(
        _write(frame, tmp_path / "tz.csv"), "incidents", "CPD", "--time-zone", "America/Chicago"
    )

    assert Incident.objects.get().occurred_at.isoformat() == "2024-07-05T02:00:00+00:00"
    with pytest.raises(CommandError, match="Unknown time zone"):
        run_cli(_write(frame, tmp_path / "tz2.csv"), "incidents", "CPD", "--time-zone", "Mars/Base")


def test_a_saved_profile_is_reused_for_the_next_extract(analyst, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from intel.ingest.mapping import Mapping
    from intel.ingest.services import import_preview, mapping_profile_save

    agency = agency_for_import(name="CPD")
    frame = _chicago(slice(0, 10)).rename(columns={"Block": "Where"})
    mapping_profile_save(
        actor=analyst,
        agency=agency,
        kind="incidents",
        name="cpd",
        mapping=Mapping(columns={"address": "Where", "when": "Date"}),
        headers=list(frame.columns),
    )
    with open(_write(frame, tmp_path / "next-week.csv"), "rb") as handle:
        data_import = import_create(
            actor=analyst, source=handle, original_name="w.csv", kind="incidents", agency=agency
        )

    proposal = import_preview(actor=analyst, data_import=data_import).mapping
    assert proposal.columns["address"] == "Where"
    assert proposal.notes["address"] == "from the saved mapping profile"


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_the_same_file_make_one_import(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two uploads of the same file running at once (REL3): one imports, the other is
    recognised as the same file; no row is written twice."""
    import threading

    from django.db import connections

    agency = agency_for_import(name="CPD")
    path = _write(_chicago(slice(0, 500)), tmp_path / "same.csv")
    uploads = []
    for _ in range(2):
        with open(path, "rb") as handle:
            uploads.append(
                import_create(
                    actor=system_actor(),
                    source=handle,
                    original_name="same.csv",
                    kind="incidents",
                    agency=agency,
                )
            )
    errors: list[BaseException] = []

    def run(data_import: DataImport) -> None:
        try:
            import_run(actor=system_actor(), data_import=data_import)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(u,)) for u in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = sorted(DataImport.objects.values_list("status", flat=True))
    assert errors == []
    assert statuses == ["duplicate", "succeeded"]
    assert Incident.objects.count() == 500
    assert Incident.objects.values("source_id").distinct().count() == 500


def test_a_redelivered_task_finishes_an_import_a_dead_worker_left_running(tmp_path) -> None:  # type: ignore[no-untyped-def]
    agency = agency_for_import(name="CPD")
    with open(_write(_chicago(slice(0, 20)), tmp_path / "r.csv"), "rb") as handle:
        data_import = import_create(
            actor=system_actor(),
            source=handle,
            original_name="r.csv",
            kind="incidents",
            agency=agency,
        )
    DataImport.objects.filter(pk=data_import.pk).update(status="running")  # the worker died

    finished = import_run(actor=system_actor(), data_import=data_import)
    again = import_run(actor=system_actor(), data_import=data_import)  # a late duplicate delivery

    assert (finished.status, finished.created) == ("succeeded", 20)
    assert (again.status, again.created) == ("succeeded", 20)
    assert Incident.objects.count() == 20


def test_the_upload_form_sets_the_agency_time_zone_and_rejects_unknown_ones(
    analyst, client_for, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from intel.models import Agency

    client = client_for(analyst)
    path = _write(_chicago(slice(0, 5)), tmp_path / "tz.csv")
    with open(path, "rb") as handle:
        bad = client.post(
            reverse("intel:import-list"),
            {"file": handle, "kind": "incidents", "agency": "CPD", "time_zone": "Mars/Base"},
        )
    assert bad.status_code == 400 and "Unknown time zone" in bad.content.decode()
    assert not Agency.objects.filter(name="CPD").exists()

    with open(path, "rb") as handle:
        good = client.post(
            reverse("intel:import-list"),
            {"file": handle, "kind": "incidents", "agency": "CPD", "time_zone": "America/Chicago"},
        )
    assert good.status_code == 302
    assert Agency.objects.get(name="CPD").time_zone == "America/Chicago"
