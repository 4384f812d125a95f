"""What follows an arrest import: its arrests are resolved to people, by the command line in the
same process and by a real Celery worker after a web or API upload."""

from __future__ import annotations

import io
import time

import pytest

from intel.models import Arrest, MatchCandidate, PersonLink
from tests.intel.test_imports import run_cli

EXTRACT = (
    "Booking No,Arrest Date,Arrestee Name,DOB,NYSID,Sex,Charges\n"
    'B1,03/04/2024 13:05,"SMITH, JON A",03/04/1965,12345678Q,M,ROBBERY 2ND\n'
    "B2,03/05/2024 09:00,Jon A. Smith,03/04/1965,,M,ASSAULT 3RD\n"
    'B3,04/01/2024 10:00,"SMYTH, JONATHAN",04/03/1965,12345678Q,M,PETIT LARCENY\n'
    'B4,04/02/2024 10:00,"OKAFOR, GRACE",07/01/1990,87654321K,F,ASSAULT 3RD\n'
    'B5,04/03/2024 10:00,"SMITH, JON",,,M,TRESPASS\n'
)


@pytest.mark.django_db
def test_the_command_line_resolves_the_arrests_it_imported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bookings.csv"
    path.write_text(EXTRACT)

    result = run_cli(path, "arrests", "Harbor PD")

    assert result["created"] == 5
    assert result["people"] == {
        "arrests": 5,
        "identifier": 1,
        "auto": 1,
        "review": 1,
        "new_people": 2,
    }
    smith = {Arrest.objects.get(source_id=b).person_id for b in ("B1", "B2", "B3")}
    assert len(smith) == 1 and None not in smith
    assert Arrest.objects.get(source_id="B5").person_id is None
    assert MatchCandidate.objects.get(arrest__source_id="B5").person_id in smith

    links = PersonLink.objects.count()
    again = run_cli(path, "arrests", "Harbor PD")
    assert again["created"] == 0 and PersonLink.objects.count() == links


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_resolves_people_after_an_upload(worker, analyst) -> None:  # type: ignore[no-untyped-def]
    from intel.ingest.services import import_queue, import_upload

    data_import = import_upload(
        actor=analyst,
        source=io.BytesIO(EXTRACT.encode()),
        original_name="bookings.csv",
        kind="arrests",
        agency_name="Harbor PD",
    )
    import_queue(actor=analyst, data_import=data_import)

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and PersonLink.objects.count() < 4:
        time.sleep(0.5)
    assert PersonLink.objects.count() == 4, worker[1].log_path.read_text()[-2000:]
    assert MatchCandidate.objects.filter(status="open").count() == 1
    assert PersonLink.objects.filter(method="identifier").get().arrest.source_id == "B3"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_scores_the_people_of_an_import(worker, analyst) -> None:  # type: ignore[no-untyped-def]
    """An arrest import commits, its arrests are resolved, and the candidate scores follow
    (queued once for the burst, run by the worker on the analysis queue)."""
    from django.core.cache import cache

    from intel.ingest.services import import_queue, import_upload
    from intel.models import PriorityScore
    from intel.priority.tasks import SCORES_QUEUED_FLAG

    cache.delete(SCORES_QUEUED_FLAG)
    data_import = import_upload(
        actor=analyst,
        source=io.BytesIO(EXTRACT.encode()),
        original_name="bookings.csv",
        kind="arrests",
        agency_name="Harbor PD",
    )
    import_queue(actor=analyst, data_import=data_import)

    deadline = time.monotonic() + 150
    while time.monotonic() < deadline and not PriorityScore.objects.exists():
        time.sleep(1)
    log = worker[1].log_path.read_text()[-2000:]
    smith = Arrest.objects.get(source_id="B1").person
    row = PriorityScore.objects.filter(person=smith).first()
    assert row is not None, log
    recent = {f["name"]: f for f in row.factors}["recent_arrest"]
    # The 2024 arrests are old now: the score counts what is in the window, with its records.
    assert row.score == sum(f["contribution"] for f in row.factors)
    assert {r["id"] for f in row.factors for r in f["records"]} <= set(
        Arrest.objects.filter(person=smith).values_list("pk", flat=True)
    )
    assert recent["value"] == 0
