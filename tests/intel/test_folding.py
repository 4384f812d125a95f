"""Rows that share a record id fold into one record with every part: each offense of an
incident, each victim of a shooting, each charge of an arrest. Folding is not rejection, and
re-imports stay idempotent at the record level."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from intel.models import (
    CaseCharge,
    CaseReferral,
    DataImport,
    ImportChange,
    Incident,
    IncidentOffense,
    Shooting,
    ShootingVictim,
)
from tests.factories.extracts import kc_incidents, prosecutor_cases
from tests.intel.test_imports import run_cli

pytestmark = pytest.mark.django_db
REAL = Path(__file__).resolve().parents[1] / "data" / "real"


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_one_row_per_offense_folds_into_incidents_that_keep_every_offense(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame, truth = kc_incidents(1500)
    result = run_cli(_write(frame, tmp_path / "kc.csv"), "incidents", "KCPD")

    offenses = sum(len(t.offenses) for t in truth.values())
    imp = DataImport.objects.get(pk=result["import_id"])
    print(f"KC-style extract: {imp.outcome}; {IncidentOffense.objects.count():,} offenses stored")
    assert (result["rows"], result["created"], result["rejected"]) == (len(frame), 1500, 0)
    assert result["folded"] == len(frame) - 1500
    assert Incident.objects.count() == 1500
    assert IncidentOffense.objects.count() == offenses == result["parts"]
    assert imp.outcome.startswith(f"{len(frame):,} rows → 1,500 incidents (")

    stored = {
        i.source_id: i
        for i in Incident.objects.prefetch_related("offenses").filter(source_id__in=list(truth))
    }
    wrong_lead = [s for s, t in truth.items() if stored[s].nibrs_code != t.lead]
    wrong_parts = [
        s
        for s, t in truth.items()
        if Counter(o.nibrs_code for o in stored[s].offenses.all()) != Counter(t.offenses)
    ]
    wrong_flags = [
        s
        for s, t in truth.items()
        if (stored[s].firearm, stored[s].domestic) != (t.firearm, t.domestic)
    ]
    assert (wrong_lead, wrong_parts, wrong_flags) == ([], [], [])
    # The lead offense is sequence 1 and the incident row repeats it.
    leads = IncidentOffense.objects.filter(sequence=1).select_related("incident")
    assert all(o.nibrs_code == o.incident.nibrs_code for o in leads)
    assert sum(t.firearm for t in truth.values()) == Incident.objects.filter(firearm=True).count()

    shuffled = _write(frame.sample(frac=1, random_state=3), tmp_path / "again.csv")
    again = run_cli(shuffled, "incidents", "KCPD")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1500)
    assert IncidentOffense.objects.count() == offenses


def test_a_corrected_offense_updates_its_incident_and_never_duplicates_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame, truth = kc_incidents(600)
    run_cli(_write(frame, tmp_path / "first.csv"), "incidents", "KCPD")
    # The next extract overlaps: the last 300 incidents again, 50 of them with an offense
    # reclassified, and 300 new ones.
    newer, newer_truth = kc_incidents(300, seed=12, start=210_000_600)
    overlap_ids = list(truth)[300:]
    corrected = overlap_ids[:50]
    old = frame[frame["Report_No"].isin(overlap_ids)].copy()
    first_rows = old["Report_No"].isin(corrected) & ~old["Report_No"].duplicated()
    old.loc[first_rows, ["Offense", "IBRS", "Description"]] = [
        "Kidnapping/Abduction",
        "100",
        "KIDNAPPING",
    ]
    second = run_cli(_write(pd.concat([old, newer]), tmp_path / "second.csv"), "incidents", "KCPD")

    print(f"overlap: {second}")
    assert (second["created"], second["updated"], second["unchanged"]) == (300, 50, 250)
    assert Incident.objects.count() == 900
    assert Incident.objects.values("source_id").distinct().count() == 900
    changed = Incident.objects.filter(source_id__in=corrected)
    assert all("100" in {o.nibrs_code for o in i.offenses.all()} for i in changed)
    assert IncidentOffense.objects.filter(nibrs_code="100").count() == 50
    snapshot = ImportChange.objects.filter(data_import_id=second["import_id"])
    assert snapshot.filter(table="intel_incident").count() == 50


def test_identical_rows_are_reported_once_and_further_offenses_are_not(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame, truth = kc_incidents(200)
    doubled = pd.concat([frame, frame.iloc[[0, 5, 9]]])
    result = run_cli(_write(doubled, tmp_path / "doubled.csv"), "incidents", "KCPD")

    imp = DataImport.objects.get(pk=result["import_id"])
    reasons = Counter(reason for _row, _col, reason in imp.rejects)
    assert result["created"] == 200 and result["rejected"] == 3
    assert reasons == {
        "an identical row of the same record appears earlier in the file; counted once": 3
    }
    assert IncidentOffense.objects.count() == sum(len(t.offenses) for t in truth.values())


def test_philadelphia_victims_fold_into_shootings_by_incident(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame = pd.read_csv(REAL / "philadelphia_shootings.csv", dtype=str, keep_default_na=False)
    result = run_cli(REAL / "philadelphia_shootings.csv", "shootings", "PPD")

    imp = DataImport.objects.get(pk=result["import_id"])
    kept = frame.drop(index=[row for row, _c, _r in imp.rejects], errors="ignore")
    victims = kept.groupby("dc_key").size()
    fatal = kept[kept["fatal"].isin(["1", "1.0", "Y", "True"])].groupby("dc_key").size()
    print(
        f"Philadelphia shootings: {imp.outcome}; {ShootingVictim.objects.count():,} victims, "
        f"{Shooting.objects.filter(fatal=True).count():,} fatal shootings"
    )
    assert imp.mapping["columns"]["source_id"] == "dc_key"
    assert result["created"] == len(victims) == Shooting.objects.count()
    assert ShootingVictim.objects.count() == len(kept) == result["parts"]
    assert result["folded"] == len(kept) - len(victims)
    assert Shooting.objects.filter(victim_count__gt=1).count() == int((victims > 1).sum())
    assert Shooting.objects.filter(fatal=True).count() == len(fatal)
    assert sorted(Shooting.objects.values_list("victim_count", flat=True)) == sorted(victims)

    again = run_cli(REAL / "philadelphia_shootings.csv", "shootings", "PPD")
    assert again["status"] == "duplicate"  # the same bytes: nothing written


def test_a_case_referral_extract_keeps_every_charge_and_the_defendant(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame, truth = prosecutor_cases(400)
    path = _write(frame, tmp_path / "cases.csv")
    result = run_cli(path, "cases", "Office of the District Attorney")

    imp = DataImport.objects.get(pk=result["import_id"])
    charges = sum(len(t.charges) for t in truth.values())
    print(f"case referrals: {imp.outcome}; {CaseCharge.objects.count():,} charges stored")
    assert (result["rows"], result["created"], result["rejected"]) == (len(frame), 400, 0)
    assert result["folded"] == len(frame) - 400
    assert CaseCharge.objects.count() == charges == result["parts"]
    cases = {c.case_number: c for c in CaseReferral.objects.prefetch_related("charges")}
    assert set(cases) == set(truth)
    wrong = [
        n
        for n, t in truth.items()
        if [c.description for c in cases[n].charges.all()] != t.charges
        or cases[n].status != t.status
        or cases[n].defendant_name_as_recorded != t.defendant
        or cases[n].arrest_number != t.arrest_number
        or cases[n].top_charge != t.charges[0]
    ]
    assert wrong == []
    sample = cases[next(iter(truth))]
    assert sample.defendant_dob_as_recorded is not None and sample.assigned_prosecutor
    assert sample.referring_agency and sample.defendant_state_id_as_recorded
    assert CaseCharge.objects.filter(severity="felony").exists()
    assert CaseCharge.objects.filter(category="violent").exists()

    reversed_rows = _write(frame.iloc[::-1], tmp_path / "again.csv")
    again = run_cli(reversed_rows, "cases", "Office of the District Attorney")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 400)
