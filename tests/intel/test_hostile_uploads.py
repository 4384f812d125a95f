"""Malformed and hostile files, uploaded by an analyst as a person would: each gets a clear
error on the page, and nothing is written (A11)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from intel.ingest.services import import_run
from intel.models import (
    Agency,
    Arrest,
    CallForService,
    CaseReferral,
    DataImport,
    Incident,
    Shooting,
)

pytestmark = pytest.mark.django_db

HOSTILE = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "hostile").iterdir())
RECORDS = (Incident, Arrest, Shooting, CallForService, CaseReferral)
TECHNICAL = ("Traceback", "Error(", "Exception", "errno", "<class")


def _rows_written() -> int:
    return sum(model.objects.count() for model in RECORDS)


def test_the_corpus_is_large_enough() -> None:
    assert len(HOSTILE) >= 15


@pytest.mark.parametrize("path", HOSTILE, ids=[p.name for p in HOSTILE])
def test_a_hostile_upload_gets_a_clear_error_and_writes_nothing(
    path: Path, analyst, client_for
) -> None:
    client = client_for(analyst)
    with open(path, "rb") as handle:
        response = client.post(
            reverse("intel:import-list"),
            {"file": handle, "kind": "incidents", "agency": "Harbor PD"},
        )

    if response.status_code == 302:  # stored; the preview must say why it cannot be imported
        data_import = DataImport.objects.get()
        page = client.get(response["Location"]).content.decode()
        assert "cannot be imported" in page or "Could not find" in page, path.name
        result = import_run(actor=analyst, data_import=data_import)
        assert result.status == "failed", path.name
        message = result.error
    else:
        assert response.status_code == 400
        message = response.content.decode()
    assert message and not any(word in message for word in TECHNICAL), message[:300]
    assert _rows_written() == 0


def test_a_200_mb_upload_is_refused_before_anything_is_stored(
    analyst, client_for, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "huge-extract.csv"
    line = b"C-000000,01/02/2024 10:00,THEFT,100XX W MADISON ST\n"
    with open(big, "wb") as handle:
        handle.write(b"ID,Date,Offense,Block\n")
        chunk = line * 100_000
        for _ in range((200 * 1024 * 1024) // len(chunk) + 1):
            handle.write(chunk)
    client = client_for(analyst)

    with open(big, "rb") as handle:
        response = client.post(
            reverse("intel:import-list"),
            {"file": handle, "kind": "incidents", "agency": "Harbor PD"},
        )

    assert response.status_code == 413  # refused on its Content-Length, before it is read
    assert "larger than the 150 MB limit" in response.content.decode()
    assert DataImport.objects.count() == 0 and _rows_written() == 0
    assert not Agency.objects.filter(name="Harbor PD").exists()
